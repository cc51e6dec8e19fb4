package signin

import (
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
