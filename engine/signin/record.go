package signin

import (
	"math"
	"time"
)

// NoInt marks an integer field the source left out (an absent error code,
// latency or ASN), as distinct from zero.
const NoInt int64 = math.MinInt64

// Record is one sign-in, whatever its kind and whatever format it was read
// from. Its fields are the catalog's (see [Fields] and docs/fields.md);
// strings are "" when the source had no value, integers are NoInt, floats
// are NaN and flags are BoolUnknown.
//
// Raw holds the source record losslessly: the JSON object as it was read
// (diagnostic-settings and Graph formats) or, for CSV, a JSON object of
// the row's cells keyed by the file's own column names in file order. It
// keeps every property, including those the catalog does not name.
//
// A Record returned by a reader is owned by the caller; its strings and
// Raw are never modified afterwards.
type Record struct {
	Time     time.Time // when the sign-in happened (createdDateTime), UTC
	Ingested time.Time // when it was logged (time / TimeGenerated), UTC; zero if absent
	ID       string    // the request id
	Type     Type
	Status   Status
	// IsInteractive is the source's isInteractive flag, as it gives it:
	// a SigninLogs record may say false.
	IsInteractive Bool
	Error         int64  // status.errorCode; NoInt if absent
	Reason        string // status.failureReason
	Details       string // status.additionalDetails

	Identity string // who signed in: UPN for users, service principal or managed identity name otherwise
	User     string // userPrincipalName
	UserID   string
	UserName string // userDisplayName
	UserType string // member | guest

	App        string // appDisplayName
	AppID      string
	Resource   string // resourceDisplayName
	ResourceID string

	IP        string
	Country   string
	State     string
	City      string
	Latitude  float64 // NaN if absent
	Longitude float64 // NaN if absent
	ASN       int64   // NoInt if absent

	NetworkTypes []string // networkLocationDetails[].networkType, without repeats
	NetworkNames []string // networkLocationDetails[].networkNames[], without repeats

	Client    string // clientAppUsed
	Browser   string
	OS        string
	UserAgent string
	Device    string // deviceDetail.displayName
	DeviceID  string
	Compliant Bool
	Managed   Bool
	Trust     string // deviceDetail.trustType

	Protocol        string   // authenticationProtocol
	TransferMethod  string   // originalTransferMethod
	AuthRequirement string   // authenticationRequirement
	AuthMethods     []string // authentication methods used, in order, without repeats
	// The authentication steps (authenticationDetails[]): the first
	// step's method, result detail and success, and every step's result
	// detail, in order, without repeats.
	FirstAuthMethod    string
	FirstStepResult    string
	FirstStepSucceeded Bool
	StepResults        []string
	CA                 string   // conditionalAccessStatus
	Policies           []string // Conditional Access policies applied (result success or failure)
	// Every Conditional Access policy's "displayName: result", in order;
	// the names of those whose result is failure, and of those whose
	// result is one of reportOnly….
	PolicyResults      []string
	PoliciesFailed     []string
	PoliciesReportOnly []string

	Risk           string   // riskLevelDuringSignIn
	RiskAggregated string   // riskLevelAggregated
	RiskState      string   // riskState
	RiskDetail     string   // riskDetail
	RiskEvents     []string // riskEventTypes_v2

	SP      string // servicePrincipalName
	SPID    string // servicePrincipalId
	MSIType string // managedServiceIdentity.msiType

	Tenant         string // homeTenantId, else the tenant the log came from
	LogTenant      string // the tenant the log came from (tenantId, AADTenantId)
	ResourceTenant string
	CrossTenant    string // crossTenantAccessType
	TokenIssuer    string // tokenIssuerType

	CorrelationID string
	SessionID     string
	Latency       int64 // processing time in ms; NoInt if absent
	SignInCount   int64 // sign-ins this row stands for: 1, or a summarized row's signInCount

	Format Format // the format the record was read from
	Raw    []byte // the source record, see above
}

// Reset clears r to the empty record: every field absent, SignInCount 1.
func (r *Record) Reset() {
	*r = Record{
		Error:       NoInt,
		ASN:         NoInt,
		Latency:     NoInt,
		Latitude:    math.NaN(),
		Longitude:   math.NaN(),
		SignInCount: 1,
	}
}

// New returns an empty record (see [Record.Reset]).
func New() Record {
	var r Record
	r.Reset()
	return r
}
