package query

// The built-in named lists: the codes and client apps Microsoft
// Sentinel's sign-in rules hard-code, so that a query says
// error in @passwordFailures rather than repeating them. Each names its
// source; docs/query-language.md ("Named lists") shows them. They cannot
// be changed, removed, or replaced by a store's list of the same name.
var builtinLists = []*List{
	{
		Name:    "passwordFailures",
		Values:  []string{"50126", "50053", "50055", "50056"},
		Doc:     "error codes of a wrong password: invalid user name or password, account locked by smart lockout, password expired, no password stored",
		Sources: []string{"https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/DistribPassCrackAttempt.yaml", "https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/SigninPasswordSpray.yaml"},
	},
	{
		Name:    "sentinelSuccess",
		Values:  []string{"0", "50125", "50140", "70043", "70044"},
		Doc:     "error codes Sentinel counts as success: success, and the interruptions of password reset registration, keep me signed in, and sign-in frequency",
		Sources: []string{"https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/SigninBruteForce-AzurePortal.yaml"},
	},
	{
		Name:    "caFailures",
		Values:  []string{"50005", "50131", "53000", "53001", "53002", "52003", "70044"},
		Doc:     "error codes of a sign-in Conditional Access blocked: unsupported platform, device state, non-compliant or unjoined device, unapproved app, sign-in frequency",
		Sources: []string{"https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/UserAccounts-CABlockedSigninSpikes.yaml"},
	},
	{
		Name:    "mfaCodes",
		Values:  []string{"50072", "50074", "50076", "50079", "500121"},
		Doc:     "error codes of multifactor authentication: enrolment required, strong authentication required (interrupted, and failed), registration required, and the MFA step failed or was denied",
		Sources: []string{"https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/SigninPasswordSpray.yaml", "https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/ExplicitMFADeny.yaml"},
	},
	{
		Name: "legacyClients",
		Values: []string{"Authenticated SMTP", "AutoDiscover", "Exchange ActiveSync", "Exchange Online PowerShell", "Exchange Web Services",
			"IMAP4", "MAPI Over HTTP", "Offline Address Book", "Other clients", "Outlook Anywhere (RPC over HTTP)", "POP3",
			"Reporting Web Services", "Universal Outlook"},
		Doc:     "client apps (client) of legacy authentication, which cannot do multifactor authentication",
		Sources: []string{"https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps"},
	},
}

// errorCodesDoc is Microsoft's reference of the error codes the built-in
// lists of codes hold.
const errorCodesDoc = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"

func init() {
	for _, l := range builtinLists {
		l.Builtin = true
		if l.Kind() == ListNumbers {
			l.Sources = append(l.Sources, errorCodesDoc)
		}
	}
}
