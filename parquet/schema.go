package parquet

import (
	"fmt"
	"time"
	"unsafe"

	pq "github.com/parquet-go/parquet-go"

	"github.com/signinq/signinq/engine/signin"
)

// The Hive partition columns: the directory names hold them, the files do
// not.
const (
	DayColumn  = "day"  // the UTC date of the sign-in's time, YYYY-MM-DD
	TypeColumn = "type" // the catalog name of the sign-in's type
)

// DayLayout is the form of the day partition's values.
const DayLayout = "2006-01-02"

// plainStrings are the string fields written without a dictionary: one
// value per sign-in, where a dictionary only costs.
var plainStrings = map[string]bool{"id": true, "correlationId": true, "sessionId": true}

// leaf is one column of a file: the catalog field it holds and its place
// in the schema.
type leaf struct {
	f     *signin.Field
	index int // the column index of its (only) leaf
}

// layout is the schema of the files and its columns in column-index
// order.
type layout struct {
	schema *pq.Schema
	leaves []leaf
	unit   TimeUnit // the unit of its time columns
}

// TimeUnit is the unit the time columns are written in.
type TimeUnit int

// The time units.
const (
	// Nanos writes times as TIMESTAMP(NANOS, isAdjustedToUTC=true):
	// exact. The default.
	Nanos TimeUnit = iota
	// Micros writes times as TIMESTAMP(MICROS, isAdjustedToUTC=true),
	// for readers without a nanosecond timestamp (Spark before its
	// nanosecond types, which refuses TIMESTAMP(NANOS)): a time's
	// digits below the microsecond (Entra's seventh decimal digit,
	// hundreds of nanoseconds) are dropped, rounding toward the past.
	Micros
)

// ParseTimeUnit reads a unit's name: "nanos" or "micros".
func ParseTimeUnit(name string) (TimeUnit, error) {
	switch name {
	case "", "nanos":
		return Nanos, nil
	case "micros":
		return Micros, nil
	}
	return 0, fmt.Errorf("time unit %q: not nanos or micros", name)
}

// String is the unit's name, as ParseTimeUnit reads it.
func (u TimeUnit) String() string {
	if u == Micros {
		return "micros"
	}
	return "nanos"
}

// per is the nanoseconds of one unit.
func (u TimeUnit) per() int64 {
	if u == Micros {
		return 1000
	}
	return 1
}

// FileFields are the catalog fields a file holds as columns: every field
// but type, which is a partition column (see package doc).
func FileFields() []*signin.Field {
	var out []*signin.Field
	for _, f := range signin.Fields() {
		if f.Name != TypeColumn {
			out = append(out, f)
		}
	}
	return out
}

// Schema returns the Parquet schema of the files with times in unit u:
// one optional column per field of FileFields, named as the catalog
// names it, typed as the package doc says.
func Schema(u TimeUnit) *pq.Schema { return layouts[u].schema }

// layouts are the files' layouts by time unit.
var layouts = [...]*layout{Nanos: newLayout(Nanos), Micros: newLayout(Micros)}

func newLayout(u TimeUnit) *layout {
	g := pq.Group{}
	for _, f := range FileFields() {
		g[f.Name] = node(f, u)
	}
	l := &layout{schema: pq.NewSchema("signin", g), unit: u}
	l.leaves = make([]leaf, len(l.schema.Columns()))
	for _, f := range FileFields() {
		path := []string{f.Name}
		if f.Kind == signin.KindList {
			path = append(path, "list", "element")
		}
		c, ok := l.schema.Lookup(path...)
		if !ok {
			panic("BUG: no Parquet column for field " + f.Name)
		}
		l.leaves[c.ColumnIndex] = leaf{f: f, index: c.ColumnIndex}
	}
	for i, lf := range l.leaves {
		if lf.f == nil {
			panic("BUG: Parquet column " + l.schema.Columns()[i][0] + " of no field")
		}
	}
	return l
}

// node is the Parquet type of a field's column, with times in unit u.
func node(f *signin.Field, u TimeUnit) pq.Node {
	var n pq.Node
	switch f.Kind {
	case signin.KindTime:
		n = pq.Timestamp(pq.Nanosecond)
		if u == Micros {
			n = pq.Timestamp(pq.Microsecond)
		}
	case signin.KindInt:
		n = pq.Int(64)
	case signin.KindFloat:
		n = pq.Leaf(pq.DoubleType)
	case signin.KindBool:
		n = pq.Leaf(pq.BooleanType)
	case signin.KindList:
		n = pq.List(pq.Encoded(pq.String(), &pq.RLEDictionary))
	default:
		n = pq.String()
		if !plainStrings[f.Name] {
			n = pq.Encoded(n, &pq.RLEDictionary)
		}
	}
	return pq.Optional(n)
}

// appendRow appends r's row to dst: its values in column order, a null
// for each missing value.
func (l *layout) appendRow(dst pq.Row, r *signin.Record) pq.Row {
	for _, lf := range l.leaves {
		f, c := lf.f, lf.index
		switch f.Kind {
		case signin.KindTime:
			if t := f.Time(r); !t.IsZero() {
				dst = append(dst, pq.Int64Value(floorDiv(t.UnixNano(), l.unit.per())).Level(0, 1, c))
				continue
			}
		case signin.KindInt:
			if v, ok := f.Int(r); ok {
				dst = append(dst, pq.Int64Value(v).Level(0, 1, c))
				continue
			}
		case signin.KindFloat:
			if v, ok := f.Float(r); ok {
				dst = append(dst, pq.DoubleValue(v).Level(0, 1, c))
				continue
			}
		case signin.KindBool:
			if v, ok := f.Int(r); ok {
				dst = append(dst, pq.BooleanValue(v == 1).Level(0, 1, c))
				continue
			}
		case signin.KindList:
			if l := f.List(r); len(l) > 0 {
				for i, s := range l {
					rep := 1
					if i == 0 {
						rep = 0
					}
					dst = append(dst, pq.ByteArrayValue(bytesOf(s)).Level(rep, 2, c))
				}
				continue
			}
		default:
			if s := f.Text(r); s != "" {
				dst = append(dst, pq.ByteArrayValue(bytesOf(s)).Level(0, 1, c))
				continue
			}
		}
		dst = append(dst, pq.NullValue().Level(0, 0, c))
	}
	return dst
}

// bytesOf is s's bytes without a copy: the writer only reads them (it
// copies values into its column buffers).
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// floorDiv is a/b rounded toward minus infinity (b > 0): a time before
// 1970 rounds toward the past too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// setValue sets field f of r from a column's values in one row, as
// appendRow of layout l wrote them: the reverse of appendRow, for
// readers.
func (l *layout) setValue(r *signin.Record, f *signin.Field, vals []pq.Value) error {
	if len(vals) == 0 || vals[0].IsNull() {
		return nil // r is reset: the field is missing
	}
	v := vals[0]
	switch f.Kind {
	case signin.KindTime:
		return f.SetTime(r, time.Unix(0, v.Int64()*l.unit.per()).UTC())
	case signin.KindInt:
		return f.SetInt(r, v.Int64())
	case signin.KindFloat:
		return f.SetFloat(r, v.Double())
	case signin.KindBool:
		b := signin.BoolFalse
		if v.Boolean() {
			b = signin.BoolTrue
		}
		return f.SetBool(r, b)
	case signin.KindList:
		l := make([]string, len(vals))
		for i, v := range vals {
			l[i] = string(v.ByteArray())
		}
		return f.SetList(r, l)
	}
	if f.Derived() {
		return nil
	}
	return f.SetString(r, string(v.ByteArray()))
}
