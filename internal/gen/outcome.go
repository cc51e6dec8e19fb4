package gen

import (
	"slices"

	"github.com/signinq/signinq/engine/signin"
)

const boolTrue = signin.BoolTrue

// reasonKind says how a failure reason is made: fixed, or naming the
// app, resource, workload or tenant of the sign-in.
type reasonKind uint8

const (
	reasonFixed reasonKind = iota
	reasonApp65001
	reasonApp50105
	reasonRes50076
	reasonRes50078
	reasonTenant50034
	reasonSP7000215
	reasonSP7000222
	reasonSP700016
)

// codeInfo describes an error code as Entra ID logs it.
type codeInfo struct {
	code    int64
	reason  string // status.failureReason for reasonFixed
	kind    reasonKind
	details string // status.additionalDetails
	// preAuth codes fail before Conditional Access is evaluated: every
	// policy is notApplied.
	preAuth bool
	// needsMFA codes are an MFA requirement not met; they need a policy
	// that requires MFA.
	needsMFA bool
	// step is the authenticationStepResultDetail of the failed primary
	// step, for failures of the password; "" when there is no step.
	step string
}

var codeTable = []*codeInfo{
	{code: 0},
	{code: 50126, reason: "Error validating credentials due to invalid username or password.", preAuth: true,
		details: "The user didn't enter the right credentials. \u00a0It's expected to see some number of these errors in your logs due to users making mistakes.",
		step:    "Invalid username or password or Invalid on-premise username or password."},
	{code: 50140, reason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in."},
	{code: 50074, reason: "Strong Authentication is required.", needsMFA: true},
	{code: 50076, kind: reasonRes50076, needsMFA: true},
	{code: 50072, reason: "Users needs to enroll for second factor authentication.", needsMFA: true},
	{code: 500121, reason: "Authentication failed during strong authentication request.", details: "MFA denied; user declined the authentication", needsMFA: true},
	{code: 50058, reason: "Session information is not sufficient for single-sign-on.", preAuth: true},
	{code: 65001, kind: reasonApp65001, preAuth: true},
	{code: 50105, kind: reasonApp50105, preAuth: true},
	{code: 50053, reason: "Account is locked because user tried to sign in too many times with an incorrect user ID or password.", preAuth: true,
		step: "Account is locked"},
	{code: 50055, reason: "The password is expired.", preAuth: true, step: "Password expired"},
	{code: 50057, reason: "User account is disabled. The account has been disabled by an administrator.", preAuth: true},
	{code: 50034, kind: reasonTenant50034, preAuth: true},
	{code: 53003, reason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."},
	{code: 70043, reason: "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.", preAuth: true},
	{code: 70044, reason: "The session has expired or is invalid due to sign-in frequency checks by conditional access.", preAuth: true},
	{code: 700082, reason: "The refresh token has expired due to inactivity.", preAuth: true},
	{code: 50173, reason: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.", preAuth: true},
	{code: 50078, kind: reasonRes50078, needsMFA: true},
	{code: 7000215, kind: reasonSP7000215, preAuth: true},
	{code: 7000222, kind: reasonSP7000222, preAuth: true},
	{code: 700016, kind: reasonSP700016, preAuth: true},
	{code: 700027, reason: "Client assertion failed signature validation.", preAuth: true},
	{code: 70011, reason: "The provided value for the input parameter 'scope' is not valid.", preAuth: true},
}

var codeByNumber = func() map[int64]*codeInfo {
	m := make(map[int64]*codeInfo, len(codeTable))
	for _, c := range codeTable {
		m[c.code] = c
	}
	return m
}()

// codeDist is a distribution of error codes.
type codeDist struct {
	codes []*codeInfo
	cdf   cdf
}

func newCodeDist(list []weighted[int64]) codeDist {
	d := codeDist{}
	w := make([]float64, len(list))
	for i, e := range list {
		d.codes = append(d.codes, codeByNumber[e.v])
		w[i] = e.w
	}
	d.cdf = newCDF(w)
	return d
}

// The outcome of sign-ins by type. Conditional Access blocks (53003) come
// from the sign-in's context (legacy clients), not from these tables.
var (
	interactiveCodes = newCodeDist([]weighted[int64]{
		{0, 0.905}, {50126, 0.022}, {50140, 0.02}, {50074, 0.016}, {50058, 0.01}, {50076, 0.007},
		{500121, 0.004}, {65001, 0.004}, {50105, 0.004}, {50053, 0.003}, {50055, 0.002}, {50057, 0.0015}, {50072, 0.0015},
	})
	nonInteractiveCodes = newCodeDist([]weighted[int64]{
		{0, 0.955}, {50058, 0.012}, {70043, 0.008}, {700082, 0.005}, {50173, 0.004}, {50076, 0.004},
		{50078, 0.003}, {70044, 0.003}, {65001, 0.002},
	})
	servicePrincipalCodes = newCodeDist([]weighted[int64]{{0, 0.972}, {7000215, 0.012}, {700016, 0.006}, {700027, 0.004}, {7000222, 0.006}})
	managedIdentityCodes  = newCodeDist([]weighted[int64]{{0, 0.997}, {70011, 0.003}})
)

// The authentication methods of authenticationDetails.
type authMethod uint8

const (
	methodNone authMethod = iota
	methodPassword
	methodPrevious
	methodPush
	methodOATH
	methodSMS
	numMethods
)

var methodNames = [numMethods]string{"", "Password", "Previously satisfied", "Mobile app notification", "OATH verification code", "Text message"}

// mfaMethods are the second factors users register, by share.
var mfaMethods = []weighted[authMethod]{{methodPush, 0.68}, {methodOATH, 0.16}, {methodSMS, 0.16}}

// methodLists are the distinct methods of every pair of steps' methods,
// shared by all records.
var methodLists = func() [numMethods][numMethods][]string {
	var t [numMethods][numMethods][]string
	for a := range numMethods {
		for b := range numMethods {
			var l []string
			if a != methodNone {
				l = append(l, methodNames[a])
			}
			if b != methodNone && b != a {
				l = append(l, methodNames[b])
			}
			t[a][b] = slices.Clip(l)
		}
	}
	return t
}()

// step is one authenticationDetails entry.
type step struct {
	method authMethod
	ok     bool
	mfa    bool   // the multi-factor step, else primary authentication
	detail string // authenticationStepResultDetail
}

// The step result details.
const (
	detailCorrectPassword = "Correct password"
	detailFirstByClaim    = "First factor requirement satisfied by claim in the token"
	detailMFAByClaim      = "MFA requirement satisfied by claim in the token"
	detailMFACompleted    = "MFA successfully completed"
	detailMFADenied       = "MFA denied; user declined the authentication"
	additionalMFADone     = "MFA completed in Azure AD"
)

// Risk levels.
const (
	riskNone uint8 = iota
	riskLow
	riskMedium
	riskHigh
)

var riskNames = [...]string{"none", "low", "medium", "high"}

// Risk event lists, shared by all records.
var (
	riskUnfamiliar = []string{"unfamiliarFeatures"}
	riskAnonymous  = []string{"anonymizedIPAddress"}
	riskTravel     = []string{"unfamiliarFeatures", "unlikelyTravel"}
	riskMalicious  = []string{"maliciousIPAddress"}
)
