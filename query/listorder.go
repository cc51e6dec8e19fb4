package query

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// listSortMemory is what a list ordered by its columns (order by) holds
// of its rows: beyond it, sorted runs of them are written to temporary
// files and merged. A variable for the tests.
var listSortMemory int64 = 64 << 20

// listMergeFan is how many runs are merged at once; more are merged in
// passes. A variable for the tests.
var listMergeFan = 64

// listOrdered passes the sign-ins of the merge (every part read) to
// yield in the plan's order, its ties in list's own (newest first, then
// by id and type), up to limit (-1: none). With a limit, only the limit
// first rows are kept, in a bounded heap; without, the rows are sorted in
// listSortMemory, spilling sorted runs to a temporary directory beyond
// it (in the system's temporary directory, TMPDIR, removed when the list
// ends, however it ends). Every row yielded is a slice of its own.
func (x *executor) listOrdered(ctx context.Context, parts []*engine.Part, cols []*engine.Column, limit int, yield func([]result.Value) bool) (shown int, err error) {
	s := &listSorter{order: x.plan.order, limit: limit, budget: listSortMemory}
	defer func() {
		if cerr := s.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	var addErr error
	_, _, err = x.mergeParts(ctx, parts, cols, -1, false, func(row []result.Value) bool {
		addErr = s.add(row)
		return addErr == nil
	})
	if err == nil {
		err = addErr
	}
	if err != nil {
		return 0, err
	}
	t := x.now()
	defer func() { x.order += x.since(t) }()
	err = s.each(ctx, func(row []result.Value) bool {
		shown++
		return yield(row)
	})
	return shown, err
}

// sortRow is a row to sort, numbered in the order it came (seq), which
// breaks ties.
type sortRow struct {
	seq  uint64
	vals []result.Value
}

// listSorter sorts rows by an order in bounded memory: with a limit, in a
// heap of the limit first rows so far (whose root is the last of them);
// without, in a buffer. When what it holds passes budget, the rows are
// sorted and written as a run to a temporary file; each then merges
// the runs.
type listSorter struct {
	order  []orderKey
	limit  int
	budget int64

	rows  []sortRow // the heap (with a limit) or the buffer
	bytes int64     // what rows take, estimated
	seq   uint64

	dir  string   // the temporary directory, once a run is written
	runs []string // the runs' files, each sorted
}

// before reports whether a comes before b.
func (s *listSorter) before(a, b *sortRow) bool {
	for _, o := range s.order {
		c := result.Compare(a.vals[o.col], b.vals[o.col])
		if o.desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
	}
	return a.seq < b.seq
}

// add takes a row (copying it).
func (s *listSorter) add(row []result.Value) error {
	r := sortRow{seq: s.seq, vals: row}
	s.seq++
	if s.limit > 0 && len(s.rows) == s.limit {
		// The heap is full: the row replaces its last, or goes.
		if !s.before(&r, &s.rows[0]) {
			return nil
		}
		root := &s.rows[0]
		s.bytes += rowSize(row) - rowSize(root.vals)
		root.seq = r.seq
		copy(root.vals, row)
		s.down(0)
	} else {
		r.vals = slices.Clone(row)
		s.rows = append(s.rows, r)
		s.bytes += rowSize(row)
		if s.limit > 0 {
			s.up(len(s.rows) - 1)
		}
	}
	if s.bytes > s.budget {
		return s.spill()
	}
	return nil
}

// The heap of a limited sort: the root comes after every other row.
func (s *listSorter) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !s.before(&s.rows[parent], &s.rows[i]) {
			return
		}
		s.rows[i], s.rows[parent] = s.rows[parent], s.rows[i]
		i = parent
	}
}

func (s *listSorter) down(i int) {
	for {
		l, last := 2*i+1, i
		if l < len(s.rows) && s.before(&s.rows[last], &s.rows[l]) {
			last = l
		}
		if r := l + 1; r < len(s.rows) && s.before(&s.rows[last], &s.rows[r]) {
			last = r
		}
		if last == i {
			return
		}
		s.rows[i], s.rows[last] = s.rows[last], s.rows[i]
		i = last
	}
}

// sorted sorts the rows held, and cuts them to the limit.
func (s *listSorter) sorted() []sortRow {
	slices.SortFunc(s.rows, func(a, b sortRow) int {
		if s.before(&a, &b) {
			return -1
		}
		return 1
	})
	if s.limit > 0 && len(s.rows) > s.limit {
		s.rows = s.rows[:s.limit]
	}
	return s.rows
}

// spill writes the rows held, sorted, as a run.
func (s *listSorter) spill() error {
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "signinq-list-")
		if err != nil {
			return fmt.Errorf("list's order by: a temporary directory for its rows: %w", err)
		}
		s.dir = dir
	}
	path, err := s.writeRun(slices.Values(s.sorted()))
	if err != nil {
		return err
	}
	s.runs = append(s.runs, path)
	s.rows, s.bytes = nil, 0
	return nil
}

// writeRun writes rows to a new run file and returns its path.
func (s *listSorter) writeRun(rows func(yield func(sortRow) bool)) (path string, err error) {
	f, err := os.CreateTemp(s.dir, "run-")
	if err != nil {
		return "", fmt.Errorf("list's order by: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("list's order by: %w", cerr)
		}
	}()
	w := bufio.NewWriterSize(f, 256<<10)
	var buf []byte
	for r := range rows {
		buf = appendSortRow(buf[:0], r)
		if _, err := w.Write(buf); err != nil {
			return "", fmt.Errorf("list's order by: writing its rows to %s: %w", s.dir, err)
		}
	}
	if err := w.Flush(); err != nil {
		return "", fmt.Errorf("list's order by: writing its rows to %s: %w", s.dir, err)
	}
	return f.Name(), nil
}

// each passes the rows in order to yield, up to the limit, each a slice
// of its own.
func (s *listSorter) each(ctx context.Context, yield func([]result.Value) bool) error {
	if len(s.runs) == 0 {
		for i, r := range s.sorted() {
			if i&255 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if !yield(r.vals) {
				return nil
			}
		}
		return nil
	}
	if len(s.rows) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	// Merge in passes until few enough runs are left for one.
	for len(s.runs) > listMergeFan {
		if err := ctx.Err(); err != nil {
			return err
		}
		var mergeErr error
		merged, err := s.writeRun(func(yield func(sortRow) bool) {
			mergeErr = s.merge(ctx, s.runs[:listMergeFan], yield)
		})
		if err == nil {
			err = mergeErr
		}
		if err != nil {
			return err
		}
		for _, r := range s.runs[:listMergeFan] {
			os.Remove(r)
		}
		s.runs = append(s.runs[listMergeFan:], merged)
	}
	n := 0
	return s.merge(ctx, s.runs, func(r sortRow) bool {
		if s.limit > 0 && n == s.limit {
			return false
		}
		n++
		return yield(r.vals)
	})
}

// merge reads runs and passes their rows to yield in order, until yield
// returns false.
func (s *listSorter) merge(ctx context.Context, runs []string, yield func(sortRow) bool) error {
	type reader struct {
		r   *bufio.Reader
		row sortRow
	}
	var h []*reader
	less := func(i, j int) bool { return s.before(&h[i].row, &h[j].row) }
	down := func(i int) {
		for {
			l, first := 2*i+1, i
			if l < len(h) && less(l, first) {
				first = l
			}
			if r := l + 1; r < len(h) && less(r, first) {
				first = r
			}
			if first == i {
				return
			}
			h[i], h[first] = h[first], h[i]
			i = first
		}
	}
	for _, path := range runs {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("list's order by: %w", err)
		}
		defer f.Close()
		rd := &reader{r: bufio.NewReaderSize(f, 64<<10)}
		ok, err := readSortRow(rd.r, &rd.row)
		if err != nil {
			return fmt.Errorf("list's order by: reading %s: %w", path, err)
		}
		if ok {
			h = append(h, rd)
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for n := 0; len(h) > 0; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		top := h[0]
		if !yield(top.row) {
			return nil
		}
		ok, err := readSortRow(top.r, &top.row)
		if err != nil {
			return fmt.Errorf("list's order by: reading a run: %w", err)
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return nil
}

// close removes the temporary directory, if any.
func (s *listSorter) close() error {
	if s.dir == "" {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.dir = ""
	if err != nil {
		return fmt.Errorf("list's order by: removing its temporary files: %w", err)
	}
	return nil
}

// rowSize estimates what a row held takes: its cells, and the text and
// lists they hold.
func rowSize(row []result.Value) int64 {
	n := int64(len(row))*64 + 48
	for _, v := range row {
		n += int64(len(v.Str()))
		for _, e := range v.List() {
			n += int64(len(e)) + 16
		}
	}
	return n
}

// A run is a sequence of rows: each its number (uvarint), then its
// values, each a byte of its kind (with 0x80 for null) and what that
// kind holds: integers and times as varints, decimals as their 8 bytes,
// flags as a byte, text as a uvarint length and the bytes, lists as a
// uvarint count and each element as text.

func appendSortRow(b []byte, r sortRow) []byte {
	b = binary.AppendUvarint(b, r.seq)
	b = binary.AppendUvarint(b, uint64(len(r.vals)))
	for _, v := range r.vals {
		k := byte(v.Kind())
		if v.IsNull() {
			b = append(b, k|0x80)
			continue
		}
		b = append(b, k)
		switch v.Kind() {
		case signin.KindInt, signin.KindTime:
			b = binary.AppendVarint(b, v.Int())
		case signin.KindFloat:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Float()))
		case signin.KindBool:
			b = append(b, byte(v.Int()))
		case signin.KindList:
			l := v.List()
			b = binary.AppendUvarint(b, uint64(len(l)))
			for _, e := range l {
				b = binary.AppendUvarint(b, uint64(len(e)))
				b = append(b, e...)
			}
		default:
			b = binary.AppendUvarint(b, uint64(len(v.Str())))
			b = append(b, v.Str()...)
		}
	}
	return b
}

// readSortRow reads the next row of a run into r; false at its end.
func readSortRow(br *bufio.Reader, r *sortRow) (bool, error) {
	seq, err := binary.ReadUvarint(br)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return false, unexpected(err)
	}
	r.seq = seq
	r.vals = make([]result.Value, n)
	text := func() (string, error) {
		l, err := binary.ReadUvarint(br)
		if err != nil {
			return "", err
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(br, b); err != nil {
			return "", err
		}
		return string(b), nil
	}
	for i := range r.vals {
		kb, err := br.ReadByte()
		if err != nil {
			return false, unexpected(err)
		}
		k := signin.Kind(kb &^ 0x80)
		if kb&0x80 != 0 {
			r.vals[i] = result.Null(k)
			continue
		}
		var v result.Value
		switch k {
		case signin.KindInt, signin.KindTime:
			x, err := binary.ReadVarint(br)
			if err != nil {
				return false, unexpected(err)
			}
			v = result.IntValue(x)
			if k == signin.KindTime {
				v = result.TimeValue(time.Unix(0, x))
			}
		case signin.KindFloat:
			var b [8]byte
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return false, unexpected(err)
			}
			v = result.FloatValue(math.Float64frombits(binary.LittleEndian.Uint64(b[:])))
		case signin.KindBool:
			x, err := br.ReadByte()
			if err != nil {
				return false, unexpected(err)
			}
			v = result.BoolValue(x != 0)
		case signin.KindList:
			n, err := binary.ReadUvarint(br)
			if err != nil {
				return false, unexpected(err)
			}
			l := make([]string, n)
			for j := range l {
				if l[j], err = text(); err != nil {
					return false, unexpected(err)
				}
			}
			v = result.ListValue(l)
		default:
			s, err := text()
			if err != nil {
				return false, unexpected(err)
			}
			v = result.StringValue(s)
		}
		r.vals[i] = v
	}
	return true, nil
}

// unexpected is the error of a run cut short.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
