package engine

import (
	"math"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// A stored value becomes a result.Value here and nowhere else: query
// results, the plugins' accumulators and detections, the shell's
// completion and \fields, and the benchmarks' export to their peers all
// read the store through these functions, so that a flag is true or
// false, a time a time and an absent value absent wherever it shows, and
// its text is always Value.String. A reader needs no knowledge of the
// encodings:
//
//   - a value at a row: Vector.Value (a list as one ListValue);
//   - the present values at a row, as an aggregate folds them (a list's
//     elements one by one, absent values left out): Vector.AppendValues,
//     or for a column with a dictionary their ids in the part's
//     dictionary, Vector.AppendIDs, each decoded once with DictValue;
//   - the values of a row, several columns at once: RowValues;
//   - a dictionary's values: Column.DictValue, entry by entry, as the
//     readers ask for them (a group's key, an id an aggregate kept), so
//     that one reading a few rows of a large dictionary decodes only
//     theirs;
//   - a number the store holds (in a block or an integer dictionary):
//     Column.IntValue; the value of a sign-in without one: Column.Absent;
//   - a field of a record not yet stored: RecordValue, which gives what
//     Vector.Value gives once it is.
//
// The readers that work on the stored form itself, for speed (the
// executor's filters and group numbering, which compare and number
// dictionary ids, integers and a text dictionary's strings without
// making values), read the Vector's and the dictionary's fields, and
// decode through these functions every value they return.

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

// NumberedValue returns the value a column's Numbering numbered id, as
// DictValue returns it from a part's dictionary.
func (c *Column) NumberedValue(n *Numbering, id uint32) result.Value {
	return result.StringValue(n.Text(id))
}

// absentFirst reports whether entry 0 of d, a part's dictionary of the
// column, is the absent value: a dictionary is sorted, and the absent
// value sorts first ("", signin.NoInt, NaN), so it can be no other.
func (c *Column) absentFirst(d *index.Dict) bool {
	return d.Len() > 0 && c.DictValue(d, 0).IsAbsent()
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
	id := v.IDs[r]
	if c.DictKind == index.DictString {
		// DictValue's most common case, without the call: a list of
		// every sign-in decodes a few of these per row.
		return result.StringValue(d.String(id))
	}
	return c.DictValue(d, id)
}

// AppendValues appends the present values of row r of the vector to dst
// and returns the extended slice: none for an absent value, its value
// (as Value gives it) for a column of one value per sign-in, each of its
// elements for a list, a string each, absent elements left out. d is the
// part's dictionary of the column when it has one. It is how an
// aggregate folds a field: sum adds each value, values lists each.
func (v *Vector) AppendValues(dst []result.Value, d *index.Dict, r uint32) []result.Value {
	if v.Absent {
		return dst
	}
	if v.Column.Enc == EncList {
		for _, id := range v.Elems[v.Offsets[r]:v.Offsets[r+1]] {
			if x := v.Column.DictValue(d, id); !x.IsAbsent() {
				dst = append(dst, x)
			}
		}
		return dst
	}
	if x := v.Value(d, r); !x.IsAbsent() {
		dst = append(dst, x)
	}
	return dst
}

// AppendIDs appends to dst the ids in d, the part's dictionary of the
// column, of the present values of row r, and returns the extended
// slice: one for a column of one value per sign-in, one per element for
// a list (an element that comes twice, twice), none for an absent value
// or a column the part lacks. One value has one id within a part;
// Column.DictValue decodes it. It is AppendValues without decoding, for a
// reader that keeps many rows' values (dcount) and decodes each distinct
// one once. The column must have a dictionary (Column.HasDict); for
// another, nothing is appended.
func (v *Vector) AppendIDs(dst []uint32, d *index.Dict, r uint32) []uint32 {
	if v.Absent {
		return dst
	}
	var ids []uint32
	switch v.Column.Enc {
	case EncDict:
		ids = v.IDs[r : r+1]
	case EncList:
		ids = v.Elems[v.Offsets[r]:v.Offsets[r+1]]
	}
	for _, id := range ids {
		if id != 0 || !v.Column.absentFirst(d) {
			dst = append(dst, id)
		}
	}
	return dst
}

// RowValues appends the values of row r of the vectors to dst and
// returns the extended slice: vecs[i]'s as Value gives it, read with
// dicts[i], the part's dictionary of its column (nil for a column
// without one). Read from the vectors of a block's columns, it is a
// sign-in's fields as a result's row holds them.
func RowValues(dst []result.Value, vecs []Vector, dicts []*index.Dict, r uint32) []result.Value {
	for i := range vecs {
		dst = append(dst, vecs[i].Value(dicts[i], r))
	}
	return dst
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
