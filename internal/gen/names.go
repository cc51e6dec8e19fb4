package gen

import (
	"strings"
	"unicode/utf8"
)

// namePool is a set of given names and family names of one region.
type namePool struct {
	first, last []string
}

var (
	poolEN = namePool{
		first: strings.Fields("James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ryan Stephanie Jacob Rebecca Gary Laura Nicholas Sharon Eric Cynthia Jonathan Kathleen Olivia Emma Liam Noah Sophia Ava Mia Ethan Chloe Grace Timothy Megan Tyler Hannah Aaron Rachel Sean Lauren"),
		last:  strings.Fields("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Evans Turner Phillips Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward O'Brien Sullivan Perkins Fletcher Hughes"),
	}
	poolDE = namePool{
		first: strings.Fields("Lukas Leon Finn Jonas Paul Felix Maximilian Elias Ben Noah Anna Lena Lea Hannah Emma Mia Sophie Marie Laura Julia Jürgen Stefan Andreas Michael Katrin Sabine Ute Tobias Jörg Björn"),
		last:  strings.Fields("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner Krause Lehmann Köhler Maier"),
	}
	poolFR = namePool{
		first: strings.Fields("Louis Gabriel Léo Raphaël Arthur Jules Hugo Lucas Adam Nathan Camille Léa Manon Chloé Inès Sarah Jade Louise Zoé Élise Théo Mathis Clément Amélie Margaux"),
		last:  strings.Fields("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier"),
	}
	poolIN = namePool{
		first: strings.Fields("Aarav Vivaan Aditya Vihaan Arjun Sai Reyansh Krishna Ishaan Rohan Priya Ananya Diya Aadhya Saanvi Kavya Isha Neha Pooja Sneha Rahul Amit Suresh Deepak Nikhita Lakshmi Rajesh Sanjay Anjali Divya"),
		last:  strings.Fields("Sharma Verma Gupta Singh Kumar Patel Reddy Rao Nair Iyer Menon Joshi Kulkarni Desai Mehta Shah Chopra Malhotra Bose Banerjee Chatterjee Mukherjee Das Pillai Sethi Agarwal Jain Bhat Naidu Pandey"),
	}
	poolJP = namePool{
		first: strings.Fields("Haruto Yuto Sota Yuki Hayato Haruki Ren Kaito Takumi Riku Yui Hina Sakura Aoi Yuna Mei Rin Saki Miyu Akari Kenji Hiroshi Takeshi Naoko Keiko"),
		last:  strings.Fields("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa"),
	}
	poolES = namePool{
		first: strings.Fields("Miguel Arthur Davi Gabriel Pedro Lucas Matheus João Rafael Gustavo Maria Ana Julia Beatriz Mariana Larissa Camila Fernanda Alejandro Javier Carlos Sofía Lucía Valentina José Diego Isabela Luis Carmen Andrés"),
		last:  strings.Fields("Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Díaz Hernández Moreno Muñoz Álvarez Romero"),
	}
	poolNL = namePool{
		first: strings.Fields("Daan Sem Lucas Levi Finn Milan Bram Thijs Emma Julia Tess Sophie Zoë Fleur Sanne Lotte Jeroen Maarten Anouk Femke"),
		last:  []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen"},
	}
	poolSE = namePool{
		first: strings.Fields("Erik Lars Karl Anders Johan Per Anna Eva Maria Karin Sara Elin Oskar Astrid"),
		last:  strings.Fields("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Lindqvist Berg"),
	}
	poolPL = namePool{
		first: strings.Fields("Jakub Jan Antoni Piotr Krzysztof Tomasz Anna Zofia Maja Katarzyna Małgorzata Agnieszka"),
		last:  strings.Fields("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Kozłowski"),
	}
	poolSG = namePool{
		first: strings.Fields("Wei Jun Hui Ming Xin Jia Li Kai Yan Hao Siew Mei Boon Kok"),
		last:  strings.Fields("Tan Lim Lee Ng Ong Wong Goh Chua Chan Koh Teo Ang Yeo Low"),
	}
	// The pools a US user's name is drawn from: mostly English, some
	// Indian and Hispanic.
	poolsUS = []weighted[*namePool]{{&poolEN, 0.78}, {&poolIN, 0.1}, {&poolES, 0.12}}
)

// translit spells a name in the ASCII of an email local part: diacritics
// dropped or expanded, spaces and apostrophes removed, lower case.
func translit(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '\'':
		case 'ä':
			b.WriteString("ae")
		case 'ö':
			b.WriteString("oe")
		case 'ü':
			b.WriteString("ue")
		case 'ß':
			b.WriteString("ss")
		case 'á', 'à', 'â', 'ã', 'å', 'ą':
			b.WriteByte('a')
		case 'é', 'è', 'ê', 'ë', 'ę':
			b.WriteByte('e')
		case 'í', 'ì', 'î', 'ï':
			b.WriteByte('i')
		case 'ó', 'ò', 'ô', 'õ', 'ø':
			b.WriteByte('o')
		case 'ú', 'ù', 'û':
			b.WriteByte('u')
		case 'ç', 'ć':
			b.WriteByte('c')
		case 'ñ', 'ń':
			b.WriteByte('n')
		case 'ł':
			b.WriteByte('l')
		case 'ś':
			b.WriteByte('s')
		case 'ź', 'ż':
			b.WriteByte('z')
		default:
			if r < utf8.RuneSelf {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// partners are the organizations guests come from.
var partners = []struct{ domain, name string }{
	{"fabrikam.com", "Fabrikam"}, {"northwindtraders.com", "Northwind Traders"}, {"adatum.com", "Adatum"},
	{"tailspintoys.com", "Tailspin Toys"}, {"wingtiptoys.com", "Wingtip Toys"}, {"litwareinc.com", "Litware"},
	{"proseware.com", "Proseware"}, {"woodgrovebank.com", "Woodgrove Bank"}, {"gmail.com", ""}, {"outlook.com", ""},
}

// serviceAccountNames are the local parts of the tenant's service
// accounts, which Conditional Access exempts from MFA.
var serviceAccountNames = strings.Fields("svc-backup svc-scanner svc-sql svc-sharepoint svc-print svc-adsync svc-veeam svc-jira svc-reporting svc-crm svc-erp svc-monitoring svc-mailrelay svc-helpdesk svc-kiosk svc-hr-sync svc-payroll svc-build svc-deploy svc-teams-rooms")

// Workload names: service principals are a base name and an environment;
// managed identities are named after the Azure resources they belong to.
var (
	spBaseNames  = strings.Fields("Terraform-Deploy backup-automation github-actions AzureDevOps-Pipelines Jenkins-CI Datadog-Integration ServiceNow-Connector Splunk-AddOn-O365 Sentinel-Connector Veeam-M365-Backup PowerBI-Refresh Okta-Provisioning Workday-Inbound-Provisioning Zscaler-Sync Ansible-Tower ArgoCD Grafana-Azure-Monitor Prometheus-Exporter cert-manager-dns external-dns Velero-Backup Key-Rotation-Job HR-Sync Payroll-Export CRM-Integration Salesforce-Connector SAP-Integration Snowflake-Loader Databricks-Jobs Airflow-Scheduler DataFactory-Ingest MailRelay-App Intune-Reporting Defender-Export Graph-Reporting License-Reporting User-Lifecycle Teams-Provisioning SharePoint-Migration Qualys-Scanner Tenable-Connector CrowdStrike-Connector PagerDuty-Integration Slack-Bot Jira-Automation")
	environments = []string{"prod", "dev", "test", "staging", "uat", "dr"}
	miApps       = strings.Fields("orders billing invoices payments catalog search inventory shipping identity reporting analytics ingest notifications portal api web etl ml")
	miKinds      = []struct {
		prefix, provider string
		userAssigned     bool
	}{
		{"func", "Microsoft.Web/sites", false},
		{"app", "Microsoft.Web/sites", false},
		{"vm", "Microsoft.Compute/virtualMachines", false},
		{"vmss", "Microsoft.Compute/virtualMachineScaleSets", false},
		{"logic", "Microsoft.Logic/workflows", false},
		{"adf", "Microsoft.DataFactory/factories", false},
		{"aa", "Microsoft.Automation/automationAccounts", false},
		{"id", "Microsoft.ManagedIdentity/userAssignedIdentities", true},
		{"aks", "Microsoft.ManagedIdentity/userAssignedIdentities", true},
	}
)

// Line-of-business and SaaS application names.
var (
	saasApps = []string{"Salesforce", "ServiceNow", "Workday", "Zoom", "Slack", "Atlassian Cloud", "DocuSign", "Box", "Dropbox Business",
		"Adobe Identity Management", "AWS IAM Identity Center", "Google Cloud Platform", "GitHub Enterprise Cloud", "Tableau Cloud",
		"SAP Concur", "Zscaler Private Access", "Cisco Webex", "Miro", "Figma", "Smartsheet", "LinkedIn Sales Navigator",
		"Coupa", "Greenhouse", "Lucidchart", "Asana", "Monday.com", "HubSpot", "Zendesk", "Freshservice", "Snowflake"}
	lobDepts = []string{"HR", "Finance", "Sales", "Marketing", "Legal", "Procurement", "Facilities", "IT", "Engineering", "Support",
		"Operations", "Supply Chain", "Compliance", "Treasury", "Payroll", "Travel", "Learning", "Security", "Research", "Customer"}
	lobNouns = []string{"Portal", "Dashboard", "Tracker", "Hub", "Service", "Workbench", "Console", "Planner", "Insights", "Gateway", "Catalog", "Requests"}
)
