package gen

import (
	"github.com/signinq/signinq/internal/jsonw"
)

// AppendDiag appends ev as one Azure Monitor diagnostic-settings record,
// as storage blobs and Event Hubs carry them, without a newline: the
// envelope (ingestion time, category, resultType as a string, caller IP,
// identity, location) around the beta signIn properties. ev must come
// from a Generator.
func AppendDiag(dst []byte, ev *Event) []byte {
	rec := &ev.Record
	t := ev.x.t
	dst = append(dst, `{"time":`...)
	dst = appendQuotedTime7(dst, rec.Ingested, "Z")
	dst = append(dst, `,"resourceId":"`...)
	dst = append(dst, t.logPath...)
	dst = append(dst, `","operationName":"Sign-in activity","operationVersion":"1.0","category":"`...)
	dst = append(dst, categories[rec.Type]...)
	dst = append(dst, `","tenantId":"`...)
	dst = append(dst, t.id...)
	dst = append(dst, `","resultType":"`...)
	dst = jsonw.Int(dst, rec.Error)
	dst = append(dst, `","resultSignature":"None"`...)
	if rec.Reason != "" {
		dst = append(dst, `,"resultDescription":`...)
		dst = jsonw.String(dst, rec.Reason)
	}
	dst = append(dst, `,"durationMs":0`...)
	if rec.IP != "" {
		dst = append(dst, `,"callerIpAddress":"`...)
		dst = append(dst, rec.IP...)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"correlationId":"`...)
	dst = append(dst, rec.CorrelationID...)
	dst = append(dst, '"')
	if rec.UserName != "" {
		dst = append(dst, `,"identity":`...)
		dst = jsonw.String(dst, rec.UserName)
	}
	dst = append(dst, `,"Level":4`...)
	if rec.Country != "" {
		dst = append(dst, `,"location":"`...)
		dst = append(dst, rec.Country...)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"properties":`...)
	dst = appendSignIn(dst, ev, false)
	return append(dst, '}')
}
