package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	mathbits "math/bits"
	"slices"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// Match selects the sign-ins whose column Col holds Value, as stored:
// text compared bytewise ("success"), numbers, flags and times by value.
// Col must be stored with a dictionary of single values (EncDict). A
// null Value matches no sign-in.
type Match struct {
	Col   *Column
	Value result.Value
}

// combinationsDense is the most combinations of dictionary ids of a part
// that Combinations marks in a bitmap (8 MiB) rather than a hash table;
// combinationsWide the most it numbers in a uint64 (when more, it keys
// its table by the ids). Variables for the tests of each way.
var (
	combinationsDense = uint64(1 << 26)
	combinationsWide  = uint64(math.MaxUint64)
)

// Combinations calls fn with the combinations of values of the columns
// cols that the sign-ins of [from, to) hold (a zero time leaves its end
// open), among those that satisfy every Match of where: which values of
// a field each user had, without reading a raw record or building a row.
// Each column must be stored with a dictionary (EncDict or EncList): the
// sign-ins of a part are read block by block as dictionary ids, the
// combinations met marked per part, and each id turned into its value
// once per part (Column.DictValue).
//
// A list column gives a combination for each of its distinct elements,
// and one with its Absent value ("") when it has none; a column a part
// does not hold gives its Absent value. fn is called once for each
// combination a part holds, so a combination held by several parts comes
// once from each; a part's come in the order of its dictionaries, the
// first column's first. vals holds one value per column, and is valid
// only during the call. An error of fn stops the walk and is returned,
// as is ctx.Err() when ctx is done.
func (s *Snapshot) Combinations(ctx context.Context, cols []*Column, from, to time.Time, where []Match, fn func(vals []result.Value) error) error {
	for _, c := range cols {
		if c.Enc != EncDict && c.Enc != EncList {
			return fmt.Errorf("engine: column %s has no dictionary", c.Name)
		}
	}
	for _, m := range where {
		if m.Col.Enc != EncDict {
			return fmt.Errorf("engine: column %s holds no single dictionary value to match", m.Col.Name)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	read := append(slices.Clone(cols), make([]*Column, len(where))...)
	for i, m := range where {
		read[len(cols)+i] = m.Col
	}
	var vecs []Vector
	w := &combinations{cols: cols}
	for _, p := range s.PartsBetween(from, to) {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo, hi, err := s.Rows(p, from, to)
		if err != nil {
			return err
		}
		if lo >= hi {
			continue
		}
		want, ok, err := s.matchIDs(p, where)
		if err != nil {
			return err
		}
		if !ok {
			continue // no sign-in of the part matches
		}
		if err := w.start(s, p); err != nil {
			return err
		}
		for b := range p.Blocks {
			start := p.firstRow(b)
			end := start + uint32(p.Blocks[b].Rows)
			if end <= lo || start >= hi {
				continue
			}
			if vecs, err = s.ReadBlock(p, b, read, vecs); err != nil {
				return err
			}
			w.block(vecs[:len(cols)], vecs[len(cols):], want, max(lo, start)-start, min(hi, end)-start)
		}
		if err := w.emit(fn); err != nil {
			return err
		}
	}
	return nil
}

// matchIDs returns the dictionary id in part p of each Match's value,
// and false when a value is not in its dictionary: then no sign-in of
// the part matches.
func (s *Snapshot) matchIDs(p *Part, where []Match) ([]uint32, bool, error) {
	ids := make([]uint32, len(where))
	for i, m := range where {
		if p.DictLen(m.Col) == 0 || m.Value.IsNull() {
			return nil, false, nil
		}
		d, err := s.Dict(p, m.Col)
		if err != nil {
			return nil, false, err
		}
		id, ok := findValue(d, m.Value)
		if !ok {
			return nil, false, nil
		}
		ids[i] = id
	}
	return ids, true, nil
}

// findValue returns the id of a value in a dictionary.
func findValue(d *index.Dict, v result.Value) (uint32, bool) {
	switch d.Kind() {
	case index.DictString:
		if v.Kind() == signin.KindString {
			return d.Find(v.Str())
		}
	case index.DictInt:
		switch v.Kind() {
		case signin.KindInt:
			return d.FindInt(v.Int())
		case signin.KindBool:
			if v.Bool() {
				return d.FindInt(1)
			}
			return d.FindInt(0)
		case signin.KindTime:
			return d.FindInt(v.Time().UnixNano())
		}
	case index.DictFloat:
		if v.Kind() == signin.KindFloat {
			return d.FindFloat(v.Float())
		}
	}
	return 0, false
}

// combinations marks the combinations of ids one part holds. A column's
// ids are its dictionary's, and one more, card-1, for its Absent value;
// a combination is their number in mixed radix, the first column's most
// significant.
type combinations struct {
	cols  []*Column
	dicts []*index.Dict // nil for a column the part lacks
	card  []uint64
	dense []uint64            // a bit per combination, when they are few
	wide  map[uint64]struct{} // else, when their number fits
	huge  map[string]struct{} // else: the ids, 4 bytes each
	ids   [][]uint32          // scratch: each column's ids for a row
	buf   []byte
}

// start readies w for part p.
func (w *combinations) start(s *Snapshot, p *Part) error {
	n := len(w.cols)
	w.dicts, w.card = make([]*index.Dict, n), make([]uint64, n)
	if w.ids == nil {
		w.ids = make([][]uint32, n)
	}
	product, fits := uint64(1), true
	for i, c := range w.cols {
		w.card[i] = 1
		if p.DictLen(c) > 0 {
			d, err := s.Dict(p, c)
			if err != nil {
				return err
			}
			w.dicts[i], w.card[i] = d, uint64(d.Len())+1
		}
		hi, lo := mathbits.Mul64(product, w.card[i])
		fits = fits && hi == 0
		product = lo
	}
	w.dense, w.wide, w.huge = nil, nil, nil
	switch {
	case fits && product <= combinationsDense:
		w.dense = make([]uint64, (product+63)/64)
	case fits && product <= combinationsWide:
		w.wide = map[uint64]struct{}{}
	default:
		w.huge = map[string]struct{}{}
	}
	return nil
}

// block marks the combinations of rows [r0, r1) of a block whose match
// columns hold the ids want.
func (w *combinations) block(vecs, match []Vector, want []uint32, r0, r1 uint32) {
	for i := range match {
		if match[i].Absent {
			return
		}
	}
	single := true
	for i := range vecs {
		single = single && (vecs[i].Absent || w.cols[i].Enc == EncDict)
	}
	if single && w.dense != nil && len(vecs) == 2 && len(match) <= 1 && !vecs[0].Absent && !vecs[1].Absent {
		w.pairs(vecs[0].IDs, vecs[1].IDs, match, want, r0, r1)
		return
	}
rows:
	for r := r0; r < r1; r++ {
		for i := range match {
			if match[i].IDs[r] != want[i] {
				continue rows
			}
		}
		if single && w.dense != nil {
			c := uint64(0)
			for i := range vecs {
				id := uint32(w.card[i] - 1)
				if !vecs[i].Absent {
					id = vecs[i].IDs[r]
				}
				c = c*w.card[i] + uint64(id)
			}
			w.dense[c>>6] |= 1 << (c & 63)
			continue
		}
		for i := range vecs {
			w.ids[i] = w.rowIDs(i, &vecs[i], r, w.ids[i][:0])
		}
		w.combine(0, 0)
	}
}

// pairs is block for the most common shape, two dictionary columns and
// at most one match, marked in the bitmap: a pair of ids a row.
func (w *combinations) pairs(a, b []uint32, match []Vector, want []uint32, r0, r1 uint32) {
	card, dense := w.card[1], w.dense
	a, b = a[r0:r1], b[r0:r1]
	b = b[:len(a)] // one bounds check for the loops
	if len(match) == 0 {
		for r, x := range a {
			c := uint64(x)*card + uint64(b[r])
			dense[c>>6] |= 1 << (c & 63)
		}
		return
	}
	m, id := match[0].IDs[r0:r1], want[0]
	m = m[:len(a)]
	for r, x := range a {
		if m[r] == id {
			c := uint64(x)*card + uint64(b[r])
			dense[c>>6] |= 1 << (c & 63)
		}
	}
}

// rowIDs appends row r's distinct ids of column i.
func (w *combinations) rowIDs(i int, v *Vector, r uint32, dst []uint32) []uint32 {
	absent := uint32(w.card[i] - 1)
	switch {
	case v.Absent:
		return append(dst, absent)
	case w.cols[i].Enc == EncDict:
		return append(dst, v.IDs[r])
	}
	elems := v.Elems[v.Offsets[r]:v.Offsets[r+1]]
	if len(elems) == 0 {
		return append(dst, absent)
	}
	for _, id := range elems {
		if !slices.Contains(dst, id) {
			dst = append(dst, id)
		}
	}
	return dst
}

// combine marks the combinations of the ids in w.ids from column i on;
// c is the combination of the columns before.
func (w *combinations) combine(i int, c uint64) {
	if i == len(w.cols) {
		w.mark(c)
		return
	}
	for _, id := range w.ids[i] {
		if w.huge != nil {
			w.buf = binary.BigEndian.AppendUint32(w.buf[:4*i], id)
			w.combine(i+1, 0)
			continue
		}
		w.combine(i+1, c*w.card[i]+uint64(id))
	}
}

// mark marks a combination: c, or the ids in w.buf.
func (w *combinations) mark(c uint64) {
	switch {
	case w.dense != nil:
		w.dense[c>>6] |= 1 << (c & 63)
	case w.wide != nil:
		w.wide[c] = struct{}{}
	default:
		w.huge[string(w.buf)] = struct{}{}
	}
}

// emit passes the part's combinations to fn, in order, as values. The
// first column's ids come in runs (the combinations are in order), so
// its value is made once a run; the others' once an id.
func (w *combinations) emit(fn func(vals []result.Value) error) error {
	n := len(w.cols)
	value := func(i int, id uint32) result.Value {
		if uint64(id) == w.card[i]-1 {
			return w.cols[i].Absent()
		}
		return w.cols[i].DictValue(w.dicts[i], id)
	}
	memo := make([][]result.Value, n) // each column's values by id, once met
	done := make([][]bool, n)
	for i := 1; i < n; i++ {
		memo[i], done[i] = make([]result.Value, w.card[i]), make([]bool, w.card[i])
	}
	vals := make([]result.Value, n)
	ids := make([]uint32, n)
	var v0 result.Value
	first := int64(-1) // the first column's id, whose value is v0
	call := func() error {
		if int64(ids[0]) != first {
			v0, first = value(0, ids[0]), int64(ids[0])
		}
		vals[0] = v0
		for i := 1; i < n; i++ {
			id := ids[i]
			if !done[i][id] {
				memo[i][id], done[i][id] = value(i, id), true
			}
			vals[i] = memo[i][id]
		}
		return fn(vals)
	}
	split := func(c uint64) {
		if n == 2 {
			ids[0], ids[1] = uint32(c/w.card[1]), uint32(c%w.card[1])
			return
		}
		for i := n - 1; i >= 0; i-- {
			ids[i] = uint32(c % w.card[i])
			c /= w.card[i]
		}
	}
	switch {
	case w.dense != nil:
		for k, bits := range w.dense {
			for bits != 0 {
				split(uint64(k)*64 + uint64(mathbits.TrailingZeros64(bits)))
				bits &= bits - 1
				if err := call(); err != nil {
					return err
				}
			}
		}
	case w.wide != nil:
		for _, c := range slices.Sorted(maps.Keys(w.wide)) {
			split(c)
			if err := call(); err != nil {
				return err
			}
		}
	default:
		for _, c := range slices.Sorted(maps.Keys(w.huge)) {
			for i := range ids {
				ids[i] = binary.BigEndian.Uint32([]byte(c[4*i : 4*i+4]))
			}
			if err := call(); err != nil {
				return err
			}
		}
	}
	return nil
}
