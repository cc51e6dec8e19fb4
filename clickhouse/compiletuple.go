package clickhouse

import (
	"encoding/hex"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// (F1, F2, …) in (QUERY): as for one field (compilesub.go), the subquery
// runs first; the combinations of its rows' first columns' values (an
// element of each list; none when one is missing) make a set of tuples
// the outer statement tests, given as arrays ARRAY JOINed in a subquery
// so that ClickHouse folds their text as it folds the fields'. Each place
// compares as F in (QUERY) does: text without regard to case, ip as an
// address however written (else its text), numbers by value. A sign-in
// missing a field is in no row; not in is the negation of in, except that
// a sign-in missing a number, a time or a flag satisfies neither. Fields
// of several values are not compiled.

// tupleSub is a compiled (F1, F2, …) [not] in (QUERY).
type tupleSub struct {
	fields []*signin.Field
}

// inTuple compiles (F1, F2, …) [not] in (QUERY).
func (c *compiler) inTuple(e *ast.In, t *ast.Tuple) (string, error) {
	var fields []*signin.Field
	for _, n := range t.Fields {
		f := signin.Lookup(n.Name)
		if f == nil {
			return "", refuse(n.Pos, n.Name, "unknown field")
		}
		if f.Kind == signin.KindList {
			return "", refuse(n.Pos, "a multi-valued field in several fields at once ("+f.Name+")", unimplemented)
		}
		fields = append(fields, f)
	}
	q := e.Query
	if d := distinctRowsOf(q, len(fields)); d != nil {
		q = d
	}
	cp, err := c.subCompile(q, e.Pos, "a subquery ("+e.Query.String()+")")
	if err != nil {
		return "", err
	}
	if len(cp.Columns) < len(fields) {
		return "", refuse(e.Query.Pos, "a subquery of fewer columns than fields", "in compares with its first columns")
	}
	n := len(c.subs) + 1
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	s := &subquery{cp: cp, field: &signin.Field{Name: "(" + strings.Join(names, ", ") + ")"}, not: e.Not, marker: subMarker(n), n: n, tuple: &tupleSub{fields: fields}}
	c.subs = append(c.subs, s)
	return s.marker, nil
}

// distinctRowsOf is, for a list subquery of at least n fields without
// limit or stage, the query of its first n fields' distinct values.
func distinctRowsOf(q *ast.Query, n int) *ast.Query {
	if q.Kind != ast.List || q.All || len(q.Fields) < n || q.Limit != nil || len(q.Stages) > 0 {
		return nil
	}
	return &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields[:n]}
}

// tupleIP is the key of an ip in a tuple: 'a' and its 16 bytes in hex
// for an address (without a zone), 't' and its text otherwise.
func tupleIPKey(x string) string {
	ip := ident(colIP16)
	return "if(isNotNull(" + ip + ") AND position(" + x + ", '%') = 0, concat('a', hex(assumeNotNull(" + ip + "))), concat('t', lowerUTF8(" + x + ")))"
}

// cond is the condition on the subquery's rows.
func (t *tupleSub) cond(negate bool, rows [][]result.Value) (string, error) {
	places := make([][]string, len(t.fields)) // the set's columns, as SQL constants
	total := 0
	for _, r := range rows {
		vals := make([][]string, len(t.fields))
		for i, f := range t.fields {
			vs, err := placeValues(f, r[i])
			if err != nil {
				return "", err
			}
			if len(vs) == 0 {
				vals = nil
				break
			}
			vals[i] = vs
		}
		if vals == nil {
			continue
		}
		// Each combination of one value per place.
		idx := make([]int, len(vals))
		for {
			for i := range vals {
				places[i] = append(places[i], vals[i][idx[i]])
			}
			if total++; total > maxSetValues {
				return "", refuse(ast.Pos{}, "a subquery of more than "+strconv.Itoa(maxSetValues)+" rows", "too many to write into a statement")
			}
			i := len(vals) - 1
			for ; i >= 0; i-- {
				if idx[i]++; idx[i] < len(vals[i]) {
					break
				}
				idx[i] = 0
			}
			if i < 0 {
				break
			}
		}
	}
	var present []string
	var left, arrays, cols []string
	for i, f := range t.fields {
		c := "c" + strconv.Itoa(i+1)
		arrays = append(arrays, "["+strings.Join(places[i], ", ")+"] AS a"+strconv.Itoa(i+1))
		switch {
		case f.Name == "ip":
			left = append(left, tupleIPKey(strExpr(f)))
			cols = append(cols, "if(substring("+c+", 1, 1) = 'a', "+c+", concat('t', lowerUTF8(substring("+c+", 2))))")
		case f.Kind == signin.KindString:
			left = append(left, fold(strExpr(f)))
			cols = append(cols, fold(c))
		default:
			present = append(present, "isNotNull("+ident(f.Name)+")")
			left = append(left, "assumeNotNull("+ident(f.Name)+")")
			cols = append(cols, c)
		}
	}
	in := "0"
	if total > 0 {
		var join []string
		for i := range t.fields {
			join = append(join, "a"+strconv.Itoa(i+1)+" AS c"+strconv.Itoa(i+1))
		}
		in = "(" + strings.Join(left, ", ") + ") IN (SELECT " + strings.Join(cols, ", ") + " FROM (SELECT " + strings.Join(arrays, ", ") + ") ARRAY JOIN " + strings.Join(join, ", ") + ")"
	}
	if negate {
		in = not("(" + in + ")")
	}
	if len(present) > 0 {
		return "(" + strings.Join(present, " AND ") + " AND " + in + ")", nil
	}
	return "(" + in + ")", nil
}

// placeValues are a value's SQL constants for a place of field f: none
// for a missing one, an element each for a list.
func placeValues(f *signin.Field, v result.Value) ([]string, error) {
	if v.IsNull() {
		return nil, nil
	}
	switch f.Kind {
	case signin.KindString:
		var texts []string
		switch v.Kind() {
		case signin.KindList:
			texts = v.List()
		case signin.KindString:
			texts = []string{v.Str()}
		default:
			return nil, refuse(ast.Pos{}, "a subquery's column of "+v.Kind().String()+" for "+f.Name, "not text")
		}
		var out []string
		for _, s := range texts {
			if s == "" {
				continue
			}
			if f.Name == "ip" {
				if a, err := netip.ParseAddr(s); err == nil {
					if a.Zone() != "" {
						return nil, refuse(ast.Pos{}, "a subquery's address with a zone ("+s+")", "the engine compares it with its zone, which the table does not keep apart")
					}
					b := a.Unmap().As16()
					out = append(out, quote("a"+strings.ToUpper(hex.EncodeToString(b[:]))))
					continue
				}
				out = append(out, quote("t"+s))
				continue
			}
			out = append(out, quote(s))
		}
		return out, nil
	case signin.KindFloat:
		x := v.Float()
		if v.Kind() != signin.KindFloat {
			x = float64(v.Int())
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil
		}
		return []string{floatLit(x)}, nil
	}
	// Whole numbers, times, flags: a decimal number that is not whole is
	// none of them.
	if v.Kind() == signin.KindFloat {
		x := v.Float()
		if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
			return nil, nil
		}
		return []string{typed(f, int64(x))}, nil
	}
	return []string{typed(f, v.Int())}, nil
}

// typed is a whole number as the type of f's column, so that a tuple's
// places compare with the set's (flags are UInt8).
func typed(f *signin.Field, n int64) string {
	if f.Kind == signin.KindBool {
		return "toUInt8(" + strconv.FormatInt(n, 10) + ")"
	}
	return "toInt64(" + strconv.FormatInt(n, 10) + ")"
}
