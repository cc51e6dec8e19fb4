package gen

import (
	"strconv"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
)

// encoder holds one worker's scratch space for encoding.
type encoder struct {
	g       *Generator
	scratch []byte
}

func newEncoder(g *Generator) *encoder { return &encoder{g: g} }

// append2 appends v as two digits.
func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }

// appendDate appends 2006-01-02.
func appendDate(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	dst = append2(append2(dst, y/100), y%100)
	dst = append(dst, '-')
	dst = append2(dst, int(m))
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendClock appends 15:04:05.
func appendClock(dst []byte, t time.Time) []byte {
	h, m, s := t.Clock()
	dst = append2(dst, h)
	dst = append(dst, ':')
	dst = append2(dst, m)
	dst = append(dst, ':')
	return append2(dst, s)
}

// appendTime7 appends t in UTC as 2006-01-02T15:04:05.0000000 and the
// zone suffix: "Z" (Graph, the diagnostic envelope) or "+00:00" (the
// diagnostic properties).
func appendTime7(dst []byte, t time.Time, zone string) []byte {
	t = t.UTC()
	dst = appendDate(dst, t)
	dst = append(dst, 'T')
	dst = appendClock(dst, t)
	dst = append(dst, '.')
	f := t.Nanosecond() / 100
	for div := 1_000_000; div > 0; div /= 10 {
		dst = append(dst, byte('0'+f/div%10))
	}
	return append(dst, zone...)
}

// appendQuotedTime7 appends appendTime7 as a JSON string.
func appendQuotedTime7(dst []byte, t time.Time, zone string) []byte {
	dst = append(dst, '"')
	dst = appendTime7(dst, t, zone)
	return append(dst, '"')
}

// appendLATime appends t as Log Analytics' export writes it, in UTC with
// milliseconds: 9/19/2023, 1:45:17.287 PM.
func appendLATime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, m, d := t.Date()
	dst = strconv.AppendInt(dst, int64(m), 10)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(d), 10)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, ", "...)
	h, mi, s := t.Clock()
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	dst = strconv.AppendInt(dst, int64(h12), 10)
	dst = append(dst, ':')
	dst = append2(dst, mi)
	dst = append(dst, ':')
	dst = append2(dst, s)
	ms := t.Nanosecond() / 1_000_000
	dst = append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), ' ')
	if h < 12 {
		return append(dst, "AM"...)
	}
	return append(dst, "PM"...)
}

// appendPortalTime appends t as the portal's download writes it:
// 2025-12-04T08:19:41Z.
func appendPortalTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	dst = appendDate(dst, t)
	dst = append(dst, 'T')
	dst = appendClock(dst, t)
	return append(dst, 'Z')
}

// appendCSV appends a CSV field, quoted when always is set or when the
// value needs it, with quotes doubled.
func appendCSV[S string | []byte](dst []byte, b S, always bool) []byte {
	need := always
	for i := 0; !need && i < len(b); i++ {
		c := b[i]
		need = c == '"' || c == ',' || c == '\n' || c == '\r'
	}
	need = need || (len(b) > 0 && (b[0] == ' ' || b[len(b)-1] == ' '))
	if !need {
		return append(dst, b...)
	}
	dst = append(dst, '"')
	dst = appendCSVContent(dst, b)
	return append(dst, '"')
}

// appendCSVContent appends the inside of a quoted CSV field: b with its
// quotes doubled.
func appendCSVContent[S string | []byte](dst []byte, b S) []byte {
	start := 0
	for i := 0; i < len(b); i++ {
		if b[i] == '"' {
			dst = append(dst, b[start:i+1]...)
			dst = append(dst, '"')
			start = i + 1
		}
	}
	return append(dst, b[start:]...)
}

// csvRow builds one CSV row: fields separated by commas, each quoted
// always (the portal) or only when needed (Log Analytics).
type csvRow struct {
	b      []byte
	always bool
}

// str appends a text field.
func (w *csvRow) str(s string) {
	w.b = appendCSV(w.b, s, w.always)
	w.b = append(w.b, ',')
}

// bytes appends a field from bytes.
func (w *csvRow) bytes(v []byte) {
	w.b = appendCSV(w.b, v, w.always)
	w.b = append(w.b, ',')
}

// int appends a number field.
func (w *csvRow) int(v int64) {
	if w.always {
		w.b = append(w.b, '"')
	}
	w.b = strconv.AppendInt(w.b, v, 10)
	if w.always {
		w.b = append(w.b, '"')
	}
	w.b = append(w.b, ',')
}

// end replaces the last comma with a newline.
func (w *csvRow) end() { w.b[len(w.b)-1] = '\n' }

// categories and tables name the types in the diagnostic settings and
// Log Analytics; eventTypes in Graph's signInEventTypes, which has none
// for AD FS sign-ins. The generator makes no AD FS sign-ins; the names are
// here so that every type has one.
var (
	categories = [...]string{"SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs", "ADFSSignInLogs"}
	tables     = [...]string{"SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs", "ADFSSignInLogs"}
	eventTypes = [...]string{"interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity", ""}
)

// appendStatus appends the signInStatus object.
func appendStatus(dst []byte, rec *signin.Record) []byte {
	dst = append(dst, `{"errorCode":`...)
	dst = jsonw.Int(dst, rec.Error)
	if rec.Reason != "" {
		dst = append(dst, `,"failureReason":`...)
		dst = jsonw.String(dst, rec.Reason)
	}
	if rec.Details != "" {
		dst = append(dst, `,"additionalDetails":`...)
		dst = jsonw.String(dst, rec.Details)
	}
	return append(dst, '}')
}

// appendPolicies appends appliedConditionalAccessPolicies: every policy
// of the tenant with its result, the conditions as bit masks
// (diagnostic settings) or comma-separated names (Graph).
func appendPolicies(dst []byte, ev *Event, names bool) []byte {
	dst = append(dst, '[')
	for i, p := range ev.x.t.policies {
		if i > 0 {
			dst = append(dst, ',')
		}
		e := &ev.x.pol[i]
		dst = append(dst, p.prefix...)
		dst = append(dst, resultNames[e.res]...)
		dst = append(dst, `","conditionsSatisfied":`...)
		if names {
			dst = append(dst, '"')
			dst = append(dst, conditionText[e.sat]...)
			dst = append(dst, `","conditionsNotSatisfied":"`...)
			dst = append(dst, conditionText[e.notSat]...)
			dst = append(dst, `"}`...)
		} else {
			dst = jsonw.Int(dst, int64(e.sat))
			dst = append(dst, `,"conditionsNotSatisfied":`...)
			dst = jsonw.Int(dst, int64(e.notSat))
			dst = append(dst, '}')
		}
	}
	return append(dst, ']')
}

// appendSteps appends authenticationDetails; zone is the time suffix.
func appendSteps(dst []byte, ev *Event, zone string) []byte {
	dst = append(dst, '[')
	for i := range ev.x.nsteps {
		s := &ev.x.steps[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"authenticationStepDateTime":`...)
		dst = appendQuotedTime7(dst, ev.Record.Time, zone)
		dst = append(dst, `,"authenticationMethod":"`...)
		dst = append(dst, methodNames[s.method]...)
		dst = append(dst, '"')
		if s.method == methodPassword {
			dst = append(dst, `,"authenticationMethodDetail":`...)
			dst = jsonw.String(dst, ev.x.user.passwordDetail)
		}
		dst = append(dst, `,"succeeded":`...)
		dst = jsonw.Bool(dst, s.ok)
		dst = append(dst, `,"authenticationStepResultDetail":`...)
		dst = jsonw.String(dst, s.detail)
		if s.mfa {
			dst = append(dst, `,"authenticationStepRequirement":"Multi-factor authentication"`...)
		} else {
			dst = append(dst, `,"authenticationStepRequirement":"Primary authentication"`...)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendMFADetail appends mfaDetail: the second factor performed, or {}.
func appendMFADetail(dst []byte, ev *Event) []byte {
	if ev.x.mfa == methodNone {
		return append(dst, "{}"...)
	}
	dst = append(dst, `{"authMethod":"`...)
	dst = append(dst, methodNames[ev.x.mfa]...)
	return append(dst, `"}`...)
}

// appendRequirementPolicies appends authenticationRequirementPolicies.
func appendRequirementPolicies(dst []byte, ev *Event) []byte {
	if ev.x.multi {
		return append(dst, `[{"requirementProvider":"multiConditionalAccess","detail":"Conditional Access"}]`...)
	}
	return append(dst, "[]"...)
}

// appendProcessing appends authenticationProcessingDetails.
func appendProcessing(dst []byte, ev *Event) []byte {
	switch {
	case ev.x.user != nil && ev.Record.Type == signin.TypeInteractive:
		return append(dst, ev.x.res.procI...)
	case ev.x.user != nil:
		return append(dst, ev.x.res.procNI...)
	}
	dst = append(dst, `[{"key":"Azure AD App Authentication Library","value":`...)
	dst = jsonw.String(dst, ev.x.wl.lib)
	return append(dst, "}]"...)
}

// appendMSI appends managedServiceIdentity.
func appendMSI(dst []byte, w *workload) []byte {
	dst = append(dst, `{"msiType":`...)
	dst = jsonw.String(dst, w.msiType)
	dst = append(dst, `,"associatedResourceId":`...)
	dst = jsonw.String(dst, w.assocID)
	return append(dst, `,"federatedTokenId":null,"federatedTokenIssuer":null}`...)
}

// portalMFAMethod is what the portal's "Multifactor authentication auth
// method" column shows: the second factor performed, "Previously
// satisfied" when a claim satisfied MFA, else nothing.
func portalMFAMethod(ev *Event) string {
	switch {
	case ev.x.mfa != methodNone:
		return methodNames[ev.x.mfa]
	case ev.x.mfaClaim:
		return methodNames[methodPrevious]
	}
	for i := range ev.x.nsteps {
		if s := ev.x.steps[i]; s.mfa {
			return methodNames[s.method]
		}
	}
	return ""
}
