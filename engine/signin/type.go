package signin

import (
	"fmt"
	"strings"
)

// Type is the kind of a sign-in. Entra ID logs each kind in its own
// category (diagnostic settings), table (Log Analytics) and file (portal
// download).
type Type uint8

// The five kinds of sign-in. The zero value is TypeInteractive.
const (
	TypeInteractive      Type = iota // a user at a prompt
	TypeNonInteractive               // a client acting for a user: token refresh, SSO
	TypeServicePrincipal             // an application with its own credentials
	TypeManagedIdentity              // an Azure resource with a managed identity
	// TypeADFS is a sign-in to an on-premises AD FS farm, which
	// Microsoft Entra Connect Health reports to Entra ID (the
	// ADFSSignInLogs category and table): a user, as interactive and
	// non-interactive sign-ins are, authenticated by AD FS, not Entra ID.
	TypeADFS
	numTypes
)

// Types lists every Type in order.
var Types = [...]Type{TypeInteractive, TypeNonInteractive, TypeServicePrincipal, TypeManagedIdentity, TypeADFS}

var typeNames = [numTypes]string{"interactive", "nonInteractive", "servicePrincipal", "managedIdentity", "adfs"}

// String returns the catalog name of t: interactive, nonInteractive,
// servicePrincipal, managedIdentity or adfs.
func (t Type) String() string {
	if t < numTypes {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// ParseType accepts a type's catalog name and the names the export
// formats use for it: the diagnostic-settings category (SignInLogs,
// NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs,
// MicrosoftServicePrincipalSignInLogs, ManagedIdentitySignInLogs,
// ADFSSignInLogs), the Log Analytics table (SigninLogs,
// AADNonInteractiveUserSignInLogs, …, ADFSSignInLogs), Graph's
// signInEventTypes value (interactiveUser, nonInteractiveUser,
// servicePrincipal, managedIdentity) and the name of Connect Health's
// stream (ADFSSignIns). Case is ignored.
func ParseType(s string) (Type, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "interactive", "interactiveuser", "signinlogs", "user":
		return TypeInteractive, true
	case "noninteractive", "noninteractiveuser", "noninteractiveusersigninlogs", "aadnoninteractiveusersigninlogs":
		return TypeNonInteractive, true
	case "serviceprincipal", "serviceprincipalsigninlogs", "microsoftserviceprincipalsigninlogs",
		"aadserviceprincipalsigninlogs", "application", "app":
		return TypeServicePrincipal, true
	case "managedidentity", "managedidentitysigninlogs", "aadmanagedidentitysigninlogs", "msi":
		return TypeManagedIdentity, true
	case "adfs", "adfssigninlogs", "adfssignins":
		return TypeADFS, true
	}
	return 0, false
}

// Status is the outcome of a sign-in, as the portal shows it.
type Status uint8

// The outcomes. StatusUnknown means the source carried neither an error
// code nor a status text.
const (
	StatusUnknown Status = iota
	StatusSuccess
	StatusFailure
	StatusInterrupted
	numStatuses
)

var statusNames = [numStatuses]string{"", "success", "failure", "interrupted"}

// String returns success, failure, interrupted, or "" for StatusUnknown.
func (s Status) String() string {
	if s < numStatuses {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// ParseStatus accepts success, failure, interrupted and the spellings the
// exports use for them (the portal's Success / Failure / Interrupted, the
// Log Analytics "Error"). Case is ignored.
func ParseStatus(s string) (Status, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "success", "succeeded":
		return StatusSuccess, true
	case "failure", "failed", "error":
		return StatusFailure, true
	case "interrupted", "interrupt":
		return StatusInterrupted, true
	}
	return StatusUnknown, false
}

// Bool is a flag that a source may leave out: deviceDetail.isCompliant is
// true, false, or absent.
type Bool uint8

// The three states of a Bool.
const (
	BoolUnknown Bool = iota
	BoolFalse
	BoolTrue
)

// String returns "true", "false" or "".
func (b Bool) String() string {
	switch b {
	case BoolTrue:
		return "true"
	case BoolFalse:
		return "false"
	}
	return ""
}

// ParseBool accepts true/false, yes/no and 1/0 in any case; anything else
// (including "") is BoolUnknown.
func ParseBool(s string) Bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return BoolTrue
	case "false", "no", "0":
		return BoolFalse
	}
	return BoolUnknown
}

// Format is the export format a record was read from.
type Format uint8

// The formats signinq reads.
const (
	FormatUnknown Format = iota
	// FormatDiag is the Azure Monitor diagnostic-settings record: storage
	// blobs (JSON lines), Event Hub payloads ({"records":[…]}) and single
	// records.
	FormatDiag
	// FormatGraph is a Microsoft Graph signIn or summarizedSignIn object:
	// auditLogs/signIns responses ({"value":[…]}, v1.0 and beta) and the
	// portal's JSON download (an array of the same objects).
	FormatGraph
	// FormatPortalCSV is the Entra admin center's CSV download.
	FormatPortalCSV
	// FormatLogAnalyticsCSV is a CSV export of the SigninLogs or
	// AAD*SignInLogs tables from Log Analytics.
	FormatLogAnalyticsCSV
	// FormatCanonical is signinq's own canonical form (AppendJSON), one
	// record per line, as signinq parse prints it.
	FormatCanonical
	numFormats
)

var formatNames = [numFormats]string{"unknown", "diag", "graph", "portal-csv", "la-csv", "canonical"}

// String returns the short name of f: diag, graph, portal-csv or la-csv.
func (f Format) String() string {
	if f < numFormats {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Formats lists the export formats of Entra ID sign-in logs, in order.
// signinq also reads its own FormatCanonical.
var Formats = [...]Format{FormatDiag, FormatGraph, FormatPortalCSV, FormatLogAnalyticsCSV}
