package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/signinq/signinq/internal/jsonw"
)

// resource is an API that sign-ins get tokens for.
type resource struct {
	id, name string
	spID     string // resourceServicePrincipalId: the resource's service principal in the tenant
	scopes   string // Oauth Scope Info
	office   bool   // an Office 365 service (Conditional Access "Office 365" apps)
	// procI and procNI are the authenticationProcessingDetails arrays of
	// interactive and non-interactive sign-ins.
	procI, procNI []byte
	// Failure reasons that name the resource.
	reason50076, reason50078 string
}

// The first-party resources, by the keys apps refer to them with.
var firstPartyResources = []struct {
	key, id, name, scopes string
	office                bool
}{
	{"graph", "00000003-0000-0000-c000-000000000000", "Microsoft Graph", `["User.Read","Files.ReadWrite.All"]`, false},
	{"exo", "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", `["EWS.AccessAsUser.All"]`, true},
	{"spo", "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", `["AllSites.Write","MyFiles.Write"]`, true},
	{"arm", "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API", `["user_impersonation"]`, false},
	{"aad", "00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory", `["User.Read"]`, false},
	{"kv", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault", `["user_impersonation"]`, false},
	{"storage", "e406a681-f3d4-42a8-90b6-c2b029497af1", "Azure Storage", `["user_impersonation"]`, false},
	{"teams", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services", `["Teams.AccessAsUser.All"]`, true},
	{"skype", "00000004-0000-0ff1-ce00-000000000000", "Skype for Business Online", `["user_impersonation"]`, true},
	{"pbi", "00000009-0000-0000-c000-000000000000", "Power BI Service", `["Dataset.ReadWrite.All","Report.ReadWrite.All"]`, false},
	{"devops", "499b84ac-1321-427f-aa17-267ca6975798", "Azure DevOps", `["user_impersonation"]`, false},
	{"intune", "0000000a-0000-0000-c000-000000000000", "Microsoft Intune", `["user_impersonation"]`, false},
	{"intuneenroll", "d4ebce55-015a-49b5-a083-c84d1797ae8c", "Microsoft Intune Enrollment", `["user_impersonation"]`, false},
	{"drs", "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service", `["adrs_access"]`, false},
	{"sql", "022907d3-0f1b-48f7-badc-1ba6abab6d66", "Azure SQL Database", `["user_impersonation"]`, false},
	{"loganalytics", "ca7f3f0b-7d91-482c-8e09-c5d840d0eac5", "Log Analytics API", `["Data.Read"]`, false},
	{"servicebus", "80a10ef9-8168-493d-abf9-3297c4ef6e3c", "Azure Service Bus", `["user_impersonation"]`, false},
	{"o365mgmt", "c5393580-f805-4401-95e8-94b7a6ef2fc2", "Office 365 Management APIs", `["ActivityFeed.Read"]`, false},
	{"o365portal", "00000006-0000-0ff1-ce00-000000000000", "Microsoft Office 365 Portal", `["user_impersonation"]`, true},
	{"yammer", "00000005-0000-0ff1-ce00-000000000000", "Yammer", `["user_impersonation"]`, true},
	{"onenote", "2d4d3d8e-2be3-4bef-9f87-7875a61c29de", "OneNote", `["Notes.ReadWrite"]`, true},
	{"rms", "00000012-0000-0000-c000-000000000000", "Microsoft Rights Management Services", `["user_impersonation"]`, true},
	{"flow", "7df0a125-d3be-4c96-aa54-591f83ff541c", "Microsoft Flow Service", `["User"]`, false},
	{"powerapps", "475226c6-020e-4fb2-8a90-7a972cbfc1d4", "PowerApps Service", `["User"]`, false},
	{"newsfeed", "f920ab6b-8a48-4438-9255-1650179a3a0f", "Microsoft News Feed", `["User.Read","Userinfo.ReadWrite"]`, false},
}

// app is a client application that users sign in to.
type app struct {
	id, name string
	kind     appKind
	wI, wNI  float64 // popularity for interactive and non-interactive sign-ins
	res      []*resource
	resCDF   cdf
	assigned bool // assignment required: unassigned users get 50105
	idJSON   []byte
	// Failure reasons that name the app.
	reason65001, reason50105 string
}

// pickResource draws the resource of a sign-in to a.
func (a *app) pickResource(r *rand.Rand) *resource { return a.res[a.resCDF.pick(r)] }

// firstPartyApps are Microsoft's applications, with their real
// application ids, kinds, popularity and the resources they reach
// ("key:weight").
var firstPartyApps = []struct {
	id, name string
	kind     appKind
	wI, wNI  float64
	res      string
}{
	{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams", kindTeams, 3, 22, "teams:5 graph:3 exo:2 spo:2 skype:1"},
	{"d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office", kindOffice, 4, 18, "exo:4 spo:3 graph:2 o365portal:1 onenote:0.5 rms:0.5"},
	{"89bee1f7-5e6e-4d8a-9f49-f1ba3a15c45b", "Office365 Shell WCSS-Client", kindWeb, 1, 10, "graph:3 spo:1 exo:1"},
	{"4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome", kindWeb, 6, 5, "o365portal:3 graph:2 spo:1"},
	{"9199bf20-a13f-4107-85dc-02114787ef48", "One Outlook Web", kindWeb, 4, 8, "exo:5 graph:2"},
	{"5e3ce6c0-2b1f-4285-8d4b-75ee78787346", "Microsoft Teams Web Client", kindWeb, 1.5, 5, "teams:4 graph:2 exo:1"},
	{"08e18876-6177-487e-b8b5-cf950c1e598c", "SharePoint Online Web Client Extensibility", kindWeb, 0.3, 6, "graph:3 spo:2"},
	{"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", kindWeb, 4, 6, "spo:5 graph:1"},
	{"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", kindWeb, 2, 6, "exo:3 graph:2 spo:1"},
	{"ab9b8c07-8f02-4f72-87fa-80105867a763", "OneDrive SyncEngine", kindOneDrive, 0.5, 10, "spo:5"},
	{"b26aadf8-566f-4478-926f-589f601d9c74", "OneDrive", kindOneDrive, 0.3, 3, "spo:3 graph:1"},
	{"29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker", kindBroker, 1, 8, "drs:1 graph:2 exo:1 teams:1"},
	{"27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile", kindOutlookMobile, 0.5, 12, "exo:6 graph:2 spo:1"},
	{"ecd6b820-32c2-49b6-98a6-444530e5a77a", "Microsoft Edge", kindEdge, 0.5, 6, "graph:3 spo:1"},
	{"aebc6443-996d-45c2-90f0-388ff96faa56", "Visual Studio Code", kindVSCode, 0.3, 2, "arm:2 graph:1 devops:1"},
	{"04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI", kindCLI, 0.6, 3, "arm:5 graph:2 kv:1 storage:0.5"},
	{"1950a258-227b-4e31-a9cf-717495945fc2", "Microsoft Azure PowerShell", kindPowerShell, 0.4, 2, "arm:5 graph:1 kv:1"},
	{"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal", kindWeb, 2, 4, "arm:6 graph:2 aad:1 loganalytics:0.5"},
	{"de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph Explorer", kindWeb, 0.2, 0.5, "graph:1"},
	{"38aa3b87-a06d-4817-b275-7a316988d93b", "Windows Sign In", kindWinSignIn, 5, 4, "drs:3 aad:1"},
	{"9ba1a5c7-f17a-4de9-a1f1-6178c8d51223", "Microsoft Intune Company Portal", kindNative, 0.3, 3, "intune:3 intuneenroll:1 graph:1"},
	{"2793995e-0a7d-40d7-bd35-6968ba142197", "My Apps", kindWeb, 0.8, 1, "graph:1 aad:1"},
	{"8c59ead7-d703-4a27-9e55-c96a0054c8d2", "My Profile", kindWeb, 0.2, 0.3, "graph:1"},
	{"19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins", kindWeb, 0.3, 0.3, "graph:1 aad:0.5"},
	{"09abbdfd-ed23-44ee-a2d9-a627aa1c90f3", "Microsoft Planner", kindWeb, 0.3, 1, "graph:2 spo:0.5"},
	{"871c010f-5e61-4fb1-83ac-98610a7e9110", "Microsoft Power BI", kindWeb, 0.6, 2, "pbi:3 graph:1"},
	{"7f67af8a-fedc-4b08-8b4e-37c4d127b6cf", "Power BI Desktop", kindOffice, 0.2, 1, "pbi:3"},
	{"57336123-6e14-4acc-8dcf-287b6088aa28", "Microsoft Whiteboard Client", kindNative, 0.1, 0.5, "graph:1"},
	{"22098786-6e16-43cc-a27d-191a01a1e3b5", "Microsoft To-Do client", kindNative, 0.1, 1, "exo:1 graph:1"},
	{"cf53fce8-def6-4aeb-8d30-b158e7b1cf83", "Microsoft Stream Portal", kindWeb, 0.2, 0.4, "spo:1 graph:1"},
	{"6204c1d1-4712-4c46-a7d9-3ed63d992682", "Microsoft Flow Portal", kindWeb, 0.3, 1, "flow:2 graph:1"},
	{"4e291c71-d680-4d0e-9640-0a3358e31177", "PowerApps", kindWeb, 0.3, 1, "powerapps:2 graph:1"},
	{"c9a559d2-7aab-4f13-a6ed-e7e9c52aec87", "Microsoft Forms", kindWeb, 0.3, 0.5, "graph:1"},
	{"872cd9fa-d31f-45e0-9eab-6e460a02d1f1", "Visual Studio", kindVSCode, 0.2, 1.5, "devops:2 arm:1 graph:1"},
	{"cf36b471-5b44-428c-9ce7-313bf84528de", "Microsoft Bing Search", kindNative, 0.1, 1.5, "graph:1"},
	{"0ec893e0-5785-4de6-99da-4ed124e5296c", "Office UWP PWA", kindOffice, 0.5, 2, "o365portal:1 graph:1 spo:1"},
	{"4813382a-8fa7-425e-ab75-3b753aab3abb", "Microsoft Authenticator App", kindBroker, 0.2, 1, "aad:1 graph:1"},
	{"1b730954-1685-4b74-9bfd-dac224a7b894", "Azure Active Directory PowerShell", kindPowerShell, 0.1, 0.3, "aad:1 graph:1"},
	{"fb78d390-0c51-40cd-8e17-fdbfab77341b", "Microsoft Exchange REST API Based Powershell", kindPowerShell, 0.1, 0.3, "exo:1"},
	{"9bc3ab49-b65d-410a-85ad-de819febfddc", "Microsoft SharePoint Online Management Shell", kindPowerShell, 0.05, 0.2, "spo:1"},
	{"f8d98a96-0999-43f5-8af3-69971c7bb423", "iOS Accounts", kindIOSMail, 0.1, 2, "exo:2"},
	{"d7b530a4-7680-4c23-a8bf-c52c121d2e87", "Microsoft Edge Enterprise New Tab Page", kindWeb, 0.1, 3, "newsfeed:3 graph:1"},
	{"26a4ae64-5862-427f-a9b0-044e62572a4f", "Windows Search", kindOffice, 0.05, 2, "graph:1 spo:1"},
	{"23523755-3a2b-41ca-9315-f81f3f566a95", "ACOM Azure Website", kindWeb, 0.1, 0.1, "aad:1"},
	{"c00e9d32-3c8d-4a7d-832b-029040e7db99", "Microsoft Azure Information Protection", kindOffice, 0.05, 1, "rms:1"},
}

// parseResList parses "key:weight key:weight".
func parseResList(s string, byKey map[string]*resource) ([]*resource, []float64) {
	var res []*resource
	var w []float64
	for _, f := range strings.Fields(s) {
		k, v, _ := strings.Cut(f, ":")
		rs, ok := byKey[k]
		if !ok {
			panic("gen: unknown resource " + k)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			panic("gen: bad weight in " + s)
		}
		res = append(res, rs)
		w = append(w, x)
	}
	return res, w
}

// newResource makes a resource and its fragments.
func newResource(r *rand.Rand, id, name, scopes string) *resource {
	rs := &resource{id: id, name: name, scopes: scopes, spID: newGUID(r).String()}
	proc := func(interactive bool) []byte {
		b := []byte("[")
		if interactive {
			b = append(b, `{"key":"Login Hint Present","value":"True"},`...)
		}
		b = append(b, `{"key":"Legacy TLS (TLS 1.0, 1.1, 3DES)","value":"False"},{"key":"Oauth Scope Info","value":`...)
		b = jsonw.String(b, scopes)
		b = append(b, `},{"key":"Is CAE Token","value":"`...)
		if interactive {
			b = append(b, "False"...)
		} else {
			b = append(b, "True"...)
		}
		return append(b, `"}]`...)
	}
	rs.procI, rs.procNI = proc(true), proc(false)
	rs.reason50076 = "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '" + id + "'."
	rs.reason50078 = "Presented multi-factor authentication has expired due to policies configured by your administrator, you must refresh your multi-factor authentication to access '" + id + "'."
	return rs
}

// finishApp sets the derived fields of an app.
func finishApp(a *app, w []float64) {
	a.resCDF = newCDF(w)
	a.idJSON = jsonw.String(nil, a.id)
	a.reason65001 = "The user or administrator has not consented to use the application with ID '" + a.id + "' named '" + a.name + "'. Send an interactive authorization request for this user and resource."
	a.reason50105 = "The signed in user '{EmailHidden}' is not assigned to a role for the application '" + a.id + "'(" + a.name + ")."
}
