package signin

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/signinq/signinq/internal/jsonw"
)

func formatInt(v int64) string     { return strconv.FormatInt(v, 10) }
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// AppendJSON appends r in canonical form: one JSON object whose keys are
// the catalog's field names in catalog order. Absent values are left out;
// multi-valued fields are arrays, times are RFC 3339 strings in UTC, flags
// are JSON booleans and integers are numbers. Raw is not included.
func AppendJSON(dst []byte, r *Record) []byte {
	dst = append(dst, '{')
	for _, f := range fields {
		if !f.Present(r) {
			continue
		}
		dst = jsonw.Key(dst, f.Name)
		switch f.Kind {
		case KindString:
			dst = jsonw.String(dst, f.str(r))
		case KindInt:
			dst = jsonw.Int(dst, f.num(r))
		case KindFloat:
			dst = jsonw.Float(dst, f.flt(r))
		case KindTime:
			dst = jsonw.Time(dst, f.tim(r))
		case KindBool:
			dst = jsonw.Bool(dst, f.bol(r) == BoolTrue)
		case KindList:
			dst = jsonw.Strings(dst, f.lst(r))
		}
	}
	return append(dst, '}')
}

// AppendJSONRaw is AppendJSON with the record's raw form added as "raw":
// the source's JSON object (compacted when it spans lines, so that the
// canonical form stays one record per line), or a string when the raw
// form is not JSON. Reading the result back gives the record and its raw
// form again.
func AppendJSONRaw(dst []byte, r *Record) []byte {
	dst = AppendJSON(dst, r)
	if len(r.Raw) == 0 {
		return dst
	}
	dst = jsonw.Key(dst[:len(dst)-1], "raw")
	switch {
	case !json.Valid(r.Raw):
		dst = jsonw.String(dst, string(r.Raw))
	case bytes.ContainsAny(r.Raw, "\r\n"):
		var b bytes.Buffer
		json.Compact(&b, r.Raw) // valid: cannot fail
		dst = append(dst, b.Bytes()...)
	default:
		dst = append(dst, r.Raw...)
	}
	return append(dst, '}')
}
