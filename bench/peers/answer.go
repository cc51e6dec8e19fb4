package main

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// Answers are compared after normalizing each value to one of four
// kinds: absent, a number (integers and floats alike, as float64, with a
// relative tolerance), an instant (Unix nanoseconds, UTC) or text.

type vkind uint8

const (
	vNull vkind = iota
	vNum
	vTime
	vText
)

// A val is one normalized value of an answer.
type val struct {
	k vkind
	f float64 // vNum
	t int64   // vTime: Unix nanoseconds
	s string  // vText
}

func (v val) String() string {
	switch v.k {
	case vNull:
		return "NULL"
	case vNum:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	case vTime:
		return time.Unix(0, v.t).UTC().Format(time.RFC3339Nano)
	}
	return strconv.Quote(v.s)
}

// An answer is a query's result, normalized.
type answer struct {
	names []string
	rows  [][]val
}

// String prints the answer: its column names, then a row a line.
func (a answer) String() string {
	var b strings.Builder
	b.WriteString(strings.Join(a.names, " | "))
	for _, r := range a.rows {
		b.WriteString("\n  ")
		for i, v := range r {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(v.String())
		}
	}
	return b.String()
}

// relTol is the relative tolerance of numbers: a peer may sum or divide
// floats in another order.
const relTol = 1e-9

// equalVal says whether two normalized values are the same answer:
// times to the microsecond, numbers within relTol. An absent value
// equals empty text: the SQL turns absent group keys into
// ” (coalesce), signinq may give them as absent.
func equalVal(a, b val) bool {
	if a.k == vNull && b.k == vText && b.s == "" || b.k == vNull && a.k == vText && a.s == "" {
		return true
	}
	if a.k != b.k {
		return false
	}
	switch a.k {
	case vNum:
		if a.f == b.f {
			return true
		}
		return math.Abs(a.f-b.f) <= relTol*math.Max(math.Abs(a.f), math.Abs(b.f))
	case vTime:
		// To the microsecond: DuckDB's TIMESTAMP keeps no finer.
		return a.t/int64(time.Microsecond) == b.t/int64(time.Microsecond)
	case vText:
		return a.s == b.s
	}
	return true
}

// fromSigninq normalizes signinq's result.
func fromSigninq(r *result.Result) answer {
	a := answer{names: make([]string, len(r.Columns))}
	for i, c := range r.Columns {
		a.names[i] = c.Name
	}
	for _, row := range r.Rows {
		vs := make([]val, len(row))
		for i, v := range row {
			vs[i] = signinqVal(v)
		}
		a.rows = append(a.rows, vs)
	}
	return a
}

func signinqVal(v result.Value) val {
	if v.IsNull() {
		return val{k: vNull}
	}
	switch v.Kind() {
	case signin.KindInt:
		return val{k: vNum, f: float64(v.Int())}
	case signin.KindFloat:
		return val{k: vNum, f: v.Float()}
	case signin.KindBool:
		if v.Bool() {
			return val{k: vNum, f: 1}
		}
		return val{k: vNum, f: 0}
	case signin.KindTime:
		return val{k: vTime, t: v.Time().UnixNano()}
	case signin.KindList:
		return val{k: vText, s: strings.Join(v.List(), ",")}
	}
	return val{k: vText, s: v.Str()}
}

// fromPeer normalizes a peer's rows. kinds are the kinds of signinq's
// columns, where known: a peer's integer in a time column is Unix
// nanoseconds (SQLite's times), its text an ISO 8601 time.
func fromPeer(names []string, rows [][]any, kinds []signin.Kind) (answer, error) {
	a := answer{names: names}
	for _, row := range rows {
		vs := make([]val, len(row))
		for i, x := range row {
			var k signin.Kind
			if i < len(kinds) {
				k = kinds[i]
			}
			v, err := peerVal(x, k)
			if err != nil {
				return a, fmt.Errorf("column %s: %w", names[i], err)
			}
			vs[i] = v
		}
		a.rows = append(a.rows, vs)
	}
	return a, nil
}

func peerVal(x any, kind signin.Kind) (val, error) {
	var n int64
	switch x := x.(type) {
	case nil:
		return val{k: vNull}, nil
	case int64:
		n = x
	case int32:
		n = int64(x)
	case int16:
		n = int64(x)
	case int8:
		n = int64(x)
	case int:
		n = int64(x)
	case uint64:
		return val{k: vNum, f: float64(x)}, nil
	case uint32:
		n = int64(x)
	case float64:
		return val{k: vNum, f: x}, nil
	case float32:
		return val{k: vNum, f: float64(x)}, nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return val{k: vNum, f: f}, nil
	case duckdb.Decimal:
		return val{k: vNum, f: x.Float64()}, nil
	case bool:
		if x {
			return val{k: vNum, f: 1}, nil
		}
		return val{k: vNum, f: 0}, nil
	case time.Time:
		return val{k: vTime, t: x.UnixNano()}, nil
	case []byte:
		return textVal(string(x), kind)
	case string:
		return textVal(x, kind)
	default:
		return val{}, fmt.Errorf("a value of type %T", x)
	}
	if kind == signin.KindTime {
		return val{k: vTime, t: n}, nil
	}
	return val{k: vNum, f: float64(n)}, nil
}

func textVal(s string, kind signin.Kind) (val, error) {
	if kind == signin.KindTime && s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return val{}, err
		}
		return val{k: vTime, t: t.UnixNano()}, nil
	}
	return val{k: vText, s: s}, nil
}

// diff compares a peer's answer with signinq's: "" when they are the
// same, else what differs. Ordered answers are compared row by row in
// order, others as sets of rows.
func diff(want, got answer, ordered bool) string {
	if len(want.names) != len(got.names) {
		return fmt.Sprintf("%d columns, signinq has %d", len(got.names), len(want.names))
	}
	for i := range want.names {
		if !strings.EqualFold(want.names[i], got.names[i]) {
			return fmt.Sprintf("column %d is %q, signinq's is %q", i+1, got.names[i], want.names[i])
		}
	}
	if len(want.rows) != len(got.rows) {
		return fmt.Sprintf("%d rows, signinq has %d", len(got.rows), len(want.rows))
	}
	w, g := want.rows, got.rows
	if !ordered {
		w, g = sortedRows(w), sortedRows(g)
	}
	for i := range w {
		for j := range w[i] {
			if !equalVal(w[i][j], g[i][j]) {
				return fmt.Sprintf("row %d column %s: %v, signinq has %v", i+1, want.names[j], g[i][j], w[i][j])
			}
		}
	}
	return ""
}

// sortedRows is a copy of rows sorted by their values' keys, so that two
// sets of the same rows line up.
func sortedRows(rows [][]val) [][]val {
	type keyed struct {
		key string
		row []val
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		var b strings.Builder
		for _, v := range r {
			b.WriteString(sortKey(v))
			b.WriteByte(0)
		}
		ks[i] = keyed{b.String(), r}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := make([][]val, len(ks))
	for i, k := range ks {
		out[i] = k.row
	}
	return out
}

// sortKey is a value's key for sorting a set of rows: absent and empty
// text alike, numbers rounded to well within the tolerance, times to the
// microsecond.
func sortKey(v val) string {
	switch v.k {
	case vNull:
		return "t"
	case vNum:
		return "n" + strconv.FormatFloat(v.f, 'e', 12, 64)
	case vTime:
		return "i" + strconv.FormatInt(v.t/int64(time.Microsecond), 10)
	}
	return "t" + v.s
}
