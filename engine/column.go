package engine

import (
	"errors"
	"fmt"

	"github.com/signinq/signinq/index"
)

// Vector is one column of one block, decoded. Which fields are set
// depends on the column's encoding, and those of other encodings are nil
// (so a Vector read into again for a column of another encoding keeps
// nothing of the last one); a column the part does not have (it was
// written before the column existed) comes back Absent, with no field
// set, meaning every row lacks a value.
type Vector struct {
	Column *Column
	Rows   int
	Absent bool

	IDs     []uint32 // EncDict: the dictionary id of each row
	Offsets []uint32 // EncList: row i's ids are Elems[Offsets[i]:Offsets[i+1]]
	Elems   []uint32
	Ints    []int64        // EncInt
	Strings *index.Strings // EncString; it owns a copy of the bytes
}

// ReadBlock decodes the columns cols of block b of part p into dst, which
// it grows as needed and returns. Only the named columns are read.
//
// The vectors' slices may be shared with the store's cache of decoded
// blocks (Options.BlockCache): they must not be modified. Without the
// cache, they are reused, so that a caller that reads block after block
// into the same dst allocates nothing in the steady state.
func (s *Snapshot) ReadBlock(p *Part, b int, cols []*Column, dst []Vector) ([]Vector, error) {
	return s.readBlock(p, b, cols, dst, !s.noCache)
}

// ReadBlockOnce decodes as ReadBlock does, but past the cache of decoded
// blocks: it neither takes from it nor adds to it, and reuses dst's
// buffers instead. It is for a reader that goes once through many
// blocks (a list of every sign-in): it holds only the block it reads,
// and leaves the cache to what queries read again. dst must hold only
// vectors ReadBlockOnce returned, never ReadBlock's, which the cache
// may share.
func (s *Snapshot) ReadBlockOnce(p *Part, b int, cols []*Column, dst []Vector) ([]Vector, error) {
	return s.readBlock(p, b, cols, dst, false)
}

func (s *Snapshot) readBlock(p *Part, b int, cols []*Column, dst []Vector, cached bool) ([]Vector, error) {
	if b < 0 || b >= len(p.Blocks) {
		return dst, fmt.Errorf("engine: %v has no block %d", p, b)
	}
	if cap(dst) < len(cols) {
		dst = append(dst[:cap(dst)], make([]Vector, len(cols)-cap(dst))...)
	}
	dst = dst[:len(cols)]
	for i, c := range cols {
		if err := s.readVector(p, c, b, &dst[i], cached); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (s *Snapshot) readVector(p *Part, c *Column, b int, v *Vector, cached bool) error {
	rows := p.Blocks[b].Rows
	if !p.has(c) {
		*v = Vector{Column: c, Rows: rows, Absent: true}
		return nil
	}
	cache := s.db.blocks
	if !cached {
		cache = nil
	}
	ck := blockKey(p.ID, c.ID, b)
	if cached, ok := cache.get(ck); ok {
		*v = *cached
		return nil
	}
	if cache != nil {
		// Decode into new memory: v's may be a cached block's.
		*v = Vector{Column: c, Rows: rows}
	} else {
		v.reuse(c, rows)
	}
	key := dataKey(p.ID, kindColumn, c.ID, b)
	err := s.value(key, func(data []byte) error {
		err := v.decode(data, p.cols[c.ID].dictLen)
		if err != nil {
			return corrupt(describeKey(key), err)
		}
		return nil
	})
	if err == nil && cache != nil {
		nv := *v
		cache.put(ck, &nv)
	}
	return err
}

// reuse makes v an empty vector of column c, keeping the buffers of c's
// encoding for the next decode and dropping the others.
func (v *Vector) reuse(c *Column, rows int) {
	nv := Vector{Column: c, Rows: rows}
	switch c.Enc {
	case EncDict:
		nv.IDs = v.IDs[:0]
	case EncList:
		nv.Offsets, nv.Elems = v.Offsets[:0], v.Elems[:0]
	case EncInt:
		nv.Ints = v.Ints[:0]
	}
	*v = nv
}

// decode decodes a column block of v.Rows rows.
func (v *Vector) decode(data []byte, dictLen int) error {
	var rest []byte
	var err error
	switch v.Column.Enc {
	case EncDict:
		v.IDs, rest, err = index.DecodeIDs(v.IDs, data)
		if err == nil && len(v.IDs) != v.Rows {
			err = fmt.Errorf("%d values for %d rows", len(v.IDs), v.Rows)
		}
		if err == nil {
			err = checkIDs(v.IDs, dictLen)
		}
	case EncList:
		v.Offsets, v.Elems, rest, err = index.DecodeLists(v.Offsets, v.Elems, data)
		if err == nil && len(v.Offsets) != v.Rows+1 {
			err = fmt.Errorf("%d lists for %d rows", len(v.Offsets)-1, v.Rows)
		}
		if err == nil {
			err = checkIDs(v.Elems, dictLen)
		}
	case EncInt:
		v.Ints, rest, err = index.DecodeInts(v.Ints, data)
		if err == nil && len(v.Ints) != v.Rows {
			err = fmt.Errorf("%d values for %d rows", len(v.Ints), v.Rows)
		}
	case EncString:
		v.Strings, rest, err = index.DecodeStrings(append([]byte(nil), data...))
		if err == nil && v.Strings.Len() != v.Rows {
			err = fmt.Errorf("%d values for %d rows", v.Strings.Len(), v.Rows)
		}
	}
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%d bytes after the values", len(rest))
	}
	return err
}

func checkIDs(ids []uint32, dictLen int) error {
	m := uint32(0)
	for _, id := range ids {
		m = max(m, id)
	}
	if len(ids) > 0 && int64(m) >= int64(dictLen) {
		return errors.New("dictionary id beyond the dictionary")
	}
	return nil
}

// readInts calls fn with the values of an EncInt column of block b of
// part p; they are only valid during fn. buf, if not nil, is reused.
func (s *Snapshot) readInts(p *Part, c *Column, b int, fn func([]int64), buf []int64) error {
	v := Vector{Ints: buf}
	if err := s.readVector(p, c, b, &v, !s.noCache); err != nil {
		return err
	}
	if v.Absent {
		return fmt.Errorf("engine: %v has no column %s", p, c.Name)
	}
	fn(v.Ints)
	return nil
}
