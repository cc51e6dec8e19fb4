package engine

import (
	"math"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// A stored value becomes a Value here and nowhere else: query results,
// the plugins' accumulators and detections, the shell's completion and
// \fields all read the store through these functions, so that a flag is
// true or false, a time a time and an absent value absent wherever it
// shows, and its text is always Value.String.

// kind is the kind of the column's values: its field's, an integer for
// the internal columns.
func (c *Column) kind() signin.Kind {
	if c.Field == nil {
		return signin.KindInt
	}
	return c.Field.Kind
}

// Absent returns the column's value for a sign-in without one: the
// empty string for text (and for an element of a list), null for
// numbers, times and flags.
func (c *Column) Absent() result.Value {
	switch k := c.kind(); k {
	case signin.KindString, signin.KindList:
		return result.StringValue("")
	default:
		return result.Null(k)
	}
}

// IntValue returns an integer the column stores (in its blocks, or in an
// integer dictionary) as a result holds it: a time for a time field
// (Unix nanoseconds), a flag for a flag (0 false, 1 true), a number
// otherwise; signin.NoInt is the absent value, null.
func (c *Column) IntValue(x int64) result.Value {
	k := c.kind()
	switch {
	case x == signin.NoInt:
		return result.Null(k)
	case k == signin.KindTime:
		return result.TimeValue(nanosTime(x))
	case k == signin.KindBool:
		return result.BoolValue(x == 1)
	}
	return result.IntValue(x)
}

// DictValue returns entry id of d, a part's dictionary of the column,
// as a result holds it: a string, a number or a flag. An entry of a
// list column is one element, a string. The absent entry (the empty
// string, a missing number, NaN) is the column's Absent value.
func (c *Column) DictValue(d *index.Dict, id uint32) result.Value {
	switch d.Kind() {
	case index.DictInt:
		return c.IntValue(d.Int(id))
	case index.DictFloat:
		if x := d.Float(id); !math.IsNaN(x) {
			return result.FloatValue(x)
		}
		return result.Null(signin.KindFloat)
	}
	return result.StringValue(d.String(id))
}

// Value returns row r of the vector as a result holds it; d is the
// part's dictionary of the column when it has one. A list is a
// ListValue of its elements; a column the part lacks gives the column's
// Absent value (an empty list for a list).
func (v *Vector) Value(d *index.Dict, r uint32) result.Value {
	c := v.Column
	if v.Absent {
		if c.kind() == signin.KindList {
			return result.ListValue(nil)
		}
		return c.Absent()
	}
	switch c.Enc {
	case EncList:
		elems := v.Elems[v.Offsets[r]:v.Offsets[r+1]]
		l := make([]string, len(elems))
		for i, id := range elems {
			l[i] = d.String(id)
		}
		return result.ListValue(l)
	case EncInt:
		return c.IntValue(v.Ints[r])
	case EncString:
		return result.StringValue(v.Strings.At(int(r)))
	}
	return c.DictValue(d, v.IDs[r])
}

// RecordValue returns a field's value in a record as a result holds it:
// what Vector.Value gives for the same sign-in once stored.
func RecordValue(f *signin.Field, r *signin.Record) result.Value {
	switch f.Kind {
	case signin.KindString:
		return result.StringValue(f.Text(r))
	case signin.KindList:
		return result.ListValue(f.List(r))
	case signin.KindFloat:
		if v, ok := f.Float(r); ok {
			return result.FloatValue(v)
		}
	case signin.KindTime:
		if t := f.Time(r); !t.IsZero() {
			return result.TimeValue(t)
		}
	case signin.KindBool:
		if b, ok := f.Int(r); ok {
			return result.BoolValue(b == 1)
		}
	default:
		if v, ok := f.Int(r); ok {
			return result.IntValue(v)
		}
	}
	return result.Null(f.Kind)
}
