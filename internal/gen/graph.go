package gen

// AppendGraph appends ev as a Microsoft Graph beta signIn object. ev must
// come from a Generator.
func AppendGraph(dst []byte, ev *Event) []byte { return appendSignIn(dst, ev, true) }

// The frame of a Graph response written with one record per line. The
// "value" key starts its own line, so that readers that look at the
// first lines take the file for one JSON document, not JSON lines.
const (
	graphHead = "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\n\"value\":[\n"
	graphSep  = ",\n"
	graphTail = "\n]}\n"
)
