package query

import (
	"encoding/binary"
	"math"
	"net/netip"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Membership of several fields at once: (F1, F2, …) in (QUERY) holds
// when a sign-in's values of the fields, together, are among the rows of
// the subquery's first N columns; not in when they are not. Each field
// is compared as F in (QUERY) compares one (subquery.go): text without
// regard to case, ip as an address however written, numbers by value,
// an element of a multi-valued field or value for the whole; a missing
// value is in no row.
//
// The subquery's rows make a hash set of keys (tupleSet), each the
// canonical form of one value per column; the condition is decided row
// by row over the rows the rest of the filter leaves, reading the N
// columns (a dictionary's values made keys once per part), as a
// comparison of two fields is (filter.go).

// maxTuple is the most fields a list of fields holds.
const maxTuple = 8

// tupleFactor returns the parenthesized list of fields a predicate
// starts with, when it is one alone: (ip, user) in (…).
func tupleFactor(p *pPred) *pFactor {
	if len(p.Left.Rest) == 0 && len(p.Left.Left.More) > 0 {
		return p.Left.Left
	}
	return nil
}

// lowerTupleIn lowers (F1, F2, …) [not] in (QUERY); a list of fields
// anywhere else, or compared with anything else, is an error.
func lowerTupleIn(f *pFactor, p *pPred) ast.Expr {
	pos := posOf(f.Pos)
	if p.Sub == nil || subqueryValues(p.Sub) != nil {
		panic(lowerFailure{errorf(pos, "a list of fields is compared with in (QUERY): (ip, user) in (count group by ip, user)")})
	}
	t := &ast.Tuple{Pos: pos}
	for _, c := range append([]*pCond{f.Sub}, f.More...) {
		e := lowerCond(c)
		n, ok := e.(*ast.Name)
		if !ok {
			panic(lowerFailure{errorf(e.Position(), "a list of fields holds fields' names: %s is not one", e)})
		}
		t.Fields = append(t.Fields, n)
	}
	q, err := lowerQuery(p.Sub)
	if err != nil {
		panic(lowerFailure{err})
	}
	return &ast.In{Pos: pos, X: t, Query: q, Not: p.NotIn}
}

// distinctRows is, for the subquery of a list of n fields' in that
// lists its rows without limit or stage (list F1, F2, … where …), the
// query of the distinct values of its first n columns, count … group by
// F1, F2, …, which counts by dictionary ids instead of reading every
// sign-in's row (a list field's elements are its groups, as they are
// its values). nil for any other subquery.
func distinctRows(q *ast.Query, n int) *ast.Query {
	if q.Kind != ast.List || q.All || len(q.Fields) < n || q.Limit != nil || len(q.Stages) > 0 {
		return nil
	}
	return &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields[:n]}
}

// sameMemberKinds reports whether a's first columns compare as b's do.
func sameMemberKinds(a, b []result.Column) bool {
	if len(a) < len(b) {
		return false
	}
	for i := range b {
		if memberKind(a[i].Kind, a[i].Field == "ip") != memberKind(b[i].Kind, b[i].Field == "ip") {
			return false
		}
	}
	return true
}

// tupleKind is how a place of a tuple compares values: as text without
// regard to case, as addresses (the field ip), as whole numbers (times
// and flags too), or as decimal ones.
type tupleKind uint8

const (
	tupleText tupleKind = iota
	tupleIP
	tupleInt
	tupleFloat
)

func tupleKindOf(f *signin.Field) tupleKind {
	switch memberKind(f.Kind, f.Name == "ip") {
	case "ip":
		return tupleIP
	case "text":
		return tupleText
	}
	if f.Kind == signin.KindFloat {
		return tupleFloat
	}
	return tupleInt
}

// tupleIn is (F1, F2, …) [not] in (QUERY), checked. in holds when
// every field has a value and some combination of their values (an
// element of each multi-valued one) is a key of set. not in holds when
// in does not and no field of numbers, times or flags is missing: on
// text it is in's negation, which a missing value satisfies, and on the
// others a missing value satisfies neither, as with one field.
type tupleIn struct {
	src   *ast.In
	cols  []*engine.Column
	kinds []tupleKind
	set   *tupleSet
	not   bool
}

func (c *tupleIn) String() string { return c.src.String() }

// inTuple checks (F1, F2, …) [not] in (QUERY): 2 to maxTuple fields,
// the subquery's first columns each of its field's kind.
func (c *checker) inTuple(e *ast.In, t *ast.Tuple) (cond, error) {
	switch n := len(t.Fields); {
	case n > maxTuple:
		return nil, errorf(t.Fields[maxTuple].Pos, "a list of fields holds at most %d fields: %s has %d", maxTuple, t, n)
	case n < 2:
		return nil, errorf(t.Pos, "a list of fields holds two fields or more: for one, write F in (QUERY)")
	}
	x := &tupleIn{src: e, not: e.Not}
	for _, n := range t.Fields {
		col, err := c.field(n)
		if err != nil {
			return nil, err
		}
		x.cols = append(x.cols, col)
		x.kinds = append(x.kinds, tupleKindOf(col.Field))
	}
	s, err := c.subquery(e.Query)
	if err != nil {
		return nil, err
	}
	cols := answerColumns(s.plan)
	if len(cols) < len(t.Fields) {
		names := make([]string, len(cols))
		for i, col := range cols {
			names[i] = col.Name
		}
		return nil, errorf(e.Query.Pos, "%s compares %d fields with the subquery's first %d columns, and it has %d (%s): give it a column for each field, in order",
			t, len(t.Fields), len(t.Fields), len(cols), strings.Join(names, ", "))
	}
	for i, col := range x.cols {
		f, rc := col.Field, cols[i]
		if lk, rk := memberKind(f.Kind, f.Name == "ip"), memberKind(rc.Kind, rc.Field == "ip"); lk != rk {
			return nil, errorf(e.Query.Pos, "%s is %s and the subquery's column %d, %s, is %s: %s in (…) compares each field with the column in its place, of the field's kind",
				f.Name, memberWords(lk), i+1, rc.Name, memberWords(rk), t)
		}
	}
	if d := distinctRows(e.Query, len(t.Fields)); d != nil {
		// As for one field (inSubquery): the distinct rows of a list's
		// first columns, counted by dictionary ids.
		if dp, err := c.subPlan(d); err == nil && sameMemberKinds(answerColumns(dp), cols[:len(t.Fields)]) {
			s.plan, s.distinct = dp, true
		}
	}
	x.set = &tupleSet{kinds: x.kinds}
	s.tuple = x.set
	return x, nil
}

// tupleSet is the set of a subquery's rows, each the key of its first
// columns' values: it is emptied (reset), given the rows (add) and then
// read, at each run, by any number of goroutines.
type tupleSet struct {
	kinds []tupleKind
	keys  map[string]struct{}
	rows  int // the rows it was given
	// parts, k: add's buffers.
	parts []tupleValues
	k     keyer
}

func (s *tupleSet) reset() {
	s.keys, s.rows = map[string]struct{}{}, 0
}

// add adds the keys of a subquery's row: one for each combination of
// its values (an element of each list), none when one is missing.
func (s *tupleSet) add(row []result.Value) {
	s.rows++
	if len(s.parts) < len(s.kinds) {
		s.parts = make([]tupleValues, len(s.kinds))
	}
	for i, k := range s.kinds {
		p := &s.parts[i]
		p.reset()
		p.addValue(k, row[i])
		if p.len() == 0 {
			return
		}
	}
	s.k.each(s.parts[:len(s.kinds)], func(key []byte) bool {
		s.keys[string(key)] = struct{}{}
		return false
	})
}

// has reports whether some combination of the values is a key; k is the
// caller's buffers.
func (s *tupleSet) has(parts []tupleValues, k *keyer) bool {
	found := false
	k.each(parts, func(key []byte) bool {
		_, found = s.keys[string(key)]
		return found
	})
	return found
}

// keyer makes keys: a key is, for each place, its value's length and
// bytes.
type keyer struct {
	buf []byte
	idx []int
}

// each calls f with the key of each combination of one value of each
// part, until f returns true. Each part has a value.
func (k *keyer) each(parts []tupleValues, f func([]byte) bool) {
	k.idx = append(k.idx[:0], make([]int, len(parts))...)
	for {
		k.buf = k.buf[:0]
		for i, p := range parts {
			v := p.at(k.idx[i])
			k.buf = binary.AppendUvarint(k.buf, uint64(len(v)))
			k.buf = append(k.buf, v...)
		}
		if f(k.buf) {
			return
		}
		i := len(parts) - 1
		for ; i >= 0; i-- {
			if k.idx[i]++; k.idx[i] < parts[i].len() {
				break
			}
			k.idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// tupleValues are the canonical forms of one place's values, in one
// buffer.
type tupleValues struct {
	buf  []byte
	ends []int
}

func (t *tupleValues) reset() { t.buf, t.ends = t.buf[:0], t.ends[:0] }

func (t *tupleValues) len() int { return len(t.ends) }

func (t *tupleValues) at(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.buf[start:t.ends[i]]
}

func (t *tupleValues) push(b []byte) {
	t.buf = append(t.buf, b...)
	t.ends = append(t.ends, len(t.buf))
}

func (t *tupleValues) pushString(s string) {
	t.buf = append(t.buf, s...)
	t.ends = append(t.ends, len(t.buf))
}

// addValue adds the canonical forms of a value of a column of kind k:
// none for a missing one.
func (t *tupleValues) addValue(k tupleKind, v result.Value) {
	switch {
	case v.IsNull():
	case k == tupleText || k == tupleIP:
		var texts []string
		switch v.Kind() {
		case signin.KindList:
			texts = v.List()
		case signin.KindString:
			texts = []string{v.Str()}
		}
		for _, s := range texts {
			if s != "" {
				t.pushString(textKey(k, s))
			}
		}
	case v.Kind() == signin.KindFloat:
		t.addNum(k, cmpNum{f: v.Float(), decimal: true, ok: !math.IsNaN(v.Float())})
	default: // whole numbers, times, flags
		t.addNum(k, cmpNum{i: v.Int(), ok: true})
	}
}

// textKey is a text's canonical form: its foldKey, and for the field ip
// an address's canonical text (unmapped; one with a zone apart, as ip =
// compares it), other text by its foldKey.
func textKey(k tupleKind, s string) string { return string(appendTextKey(nil, k, s)) }

// appendTextKey appends a text's canonical form (textKey) to b.
func appendTextKey(b []byte, k tupleKind, s string) []byte {
	if k == tupleIP {
		if a, err := netip.ParseAddr(s); err == nil {
			if a.Zone() != "" {
				b = append(b, 'z')
			} else {
				b = append(b, 'a')
			}
			return a.Unmap().AppendTo(b)
		}
		b = append(b, 't')
	}
	if asciiKey(s) {
		return append(b, s...)
	}
	return append(b, foldKey(s)...)
}

// addNum adds a number's canonical form for a place of kind k: a whole
// number's eight bytes, and a decimal one's for a place of decimal
// numbers; a decimal number that is not whole is no whole number, and
// is left out of a place of whole ones.
func (t *tupleValues) addNum(k tupleKind, n cmpNum) {
	if !n.ok {
		return
	}
	var b [8]byte
	switch {
	case k == tupleFloat:
		x := n.f
		if !n.decimal {
			x = float64(n.i)
		}
		if x == 0 {
			x = 0 // -0 is 0
		}
		binary.BigEndian.PutUint64(b[:], math.Float64bits(x))
	case n.decimal:
		if n.f != math.Trunc(n.f) || n.f < -(1<<63) || n.f >= 1<<63 {
			return
		}
		binary.BigEndian.PutUint64(b[:], uint64(int64(n.f)))
	default:
		binary.BigEndian.PutUint64(b[:], uint64(n.i))
	}
	t.push(b[:])
}

// tupleSide reads one field of a tuple in a part's blocks: its values'
// canonical forms, a dictionary value's made once per part, into one
// buffer.
type tupleSide struct {
	sv   sideValues
	kind tupleKind
	vec  int // its vector among the columns read
	// keys holds the dictionary values' canonical forms, id's at
	// keys[at[id]:at[id]+n[id]]; n is -1 until made, 0 for a missing
	// value.
	keys []byte
	at   []uint32
	n    []int32
	tbuf []string
}

// values puts row i's canonical forms in out (none when missing).
func (s *tupleSide) values(v *engine.Vector, i uint32, out *tupleValues) {
	out.reset()
	col := s.sv.side.col
	if s.kind == tupleInt || s.kind == tupleFloat {
		out.addNum(s.kind, s.sv.num(v, i))
		return
	}
	switch {
	case v.Absent || s.sv.dict == nil:
		s.tbuf = s.sv.texts(v, i, s.tbuf)
		for _, t := range s.tbuf {
			if t != "" {
				out.pushString(textKey(s.kind, t))
			}
		}
	case col.Enc == engine.EncList:
		for _, id := range v.Elems[v.Offsets[i]:v.Offsets[i+1]] {
			if k := s.key(id); len(k) > 0 {
				out.push(k)
			}
		}
	case col.Enc == engine.EncDict:
		if k := s.key(v.IDs[i]); len(k) > 0 {
			out.push(k)
		}
	}
}

// key is dictionary value id's canonical form, made once; empty for a
// missing value.
func (s *tupleSide) key(id uint32) []byte {
	if s.n == nil {
		n := s.sv.dict.Len()
		s.at, s.n = make([]uint32, n), make([]int32, n)
		for j := range s.n {
			s.n[j] = -1
		}
	}
	if s.n[id] < 0 {
		start := len(s.keys)
		if t := s.sv.dict.String(id); t != "" {
			s.keys = appendTextKey(s.keys, s.kind, t)
		}
		s.at[id], s.n[id] = uint32(start), int32(len(s.keys)-start)
	}
	return s.keys[s.at[id] : s.at[id]+uint32(s.n[id])]
}

// tupleRows decides a tuple's membership row by row, reading its
// columns in the blocks of the time range (given within, in the blocks
// holding its rows, for its rows only).
func (e *partEval) tupleRows(c *tupleIn, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	var cols []*engine.Column
	sides := make([]tupleSide, len(c.cols))
	for i, col := range c.cols {
		vi := slices.Index(cols, col)
		if vi < 0 {
			vi, cols = len(cols), append(cols, col)
		}
		sides[i] = tupleSide{sv: sideValues{side: cmpSide{col: col}}, kind: c.kinds[i], vec: vi}
		if (col.Enc == engine.EncDict || col.Enc == engine.EncList) && e.part.DictLen(col) > 0 {
			d, err := e.snap.Dict(e.part, col)
			if err != nil {
				return nil, err
			}
			sides[i].sv.dict = d
		}
	}
	parts := make([]tupleValues, len(sides))
	var k keyer
	out := roaring.New()
	var it roaring.IntPeekable
	if within != nil {
		it = within.Iterator()
	}
	var rows []uint32
	for b := range e.part.Blocks {
		lo, hi, ok := e.blockRows(b, within)
		if !ok {
			continue
		}
		if err := e.work(); err != nil {
			return nil, err
		}
		var err error
		if e.vecs, err = e.snap.ReadBlock(e.part, b, cols, e.vecs); err != nil {
			return nil, err
		}
		e.stats.blocks += len(cols)
		base := uint32(b) << 16
		next := nextRow(it, lo, hi)
		rows = rows[:0]
		for r, more := next(); more; r, more = next() {
			i := r - base
			missing, missingNum := false, false
			for j := range sides {
				s := &sides[j]
				s.values(&e.vecs[s.vec], i, &parts[j])
				if parts[j].len() == 0 {
					missing = true
					missingNum = missingNum || s.kind == tupleInt || s.kind == tupleFloat
				}
			}
			in := false
			if !missing {
				in = c.set.has(parts, &k)
			}
			if in != c.not && !(c.not && missingNum) {
				rows = append(rows, r)
			}
		}
		out.AddMany(rows)
	}
	return out, nil
}
