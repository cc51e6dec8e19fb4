package engine

import (
	"fmt"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// Record returns the sign-in in row of part p: every field from the
// columns (a derived field, place, made from its sources as the record
// makes it: its column is not read), and Raw, the original record as it was read, from the raw
// chunks (nil for a sign-in given as a typed record without one).
func (s *Snapshot) Record(p *Part, row uint32) (*signin.Record, error) {
	if int(row) >= p.Rows {
		return nil, fmt.Errorf("engine: %v has no row %d", p, row)
	}
	var out *signin.Record
	b := blockOf(row)
	err := s.Records(p, b, func(r uint32, rec *signin.Record) error {
		if r == row {
			out = rec
		}
		return nil
	}, row-p.firstRow(b))
	return out, err
}

// Records calls fn with each sign-in of block b of part p, in row order,
// rebuilt as Record does. With rows given (offsets within the block,
// ascending), only those rows are rebuilt. fn owns the records.
func (s *Snapshot) Records(p *Part, b int, fn func(row uint32, r *signin.Record) error, rows ...uint32) error {
	vecs, err := s.ReadBlock(p, b, recordColumns, nil)
	if err != nil {
		return err
	}
	dicts := make([]*index.Dict, len(columns))
	for _, v := range vecs {
		if c := v.Column; !v.Absent && (c.Enc == EncDict || c.Enc == EncList) {
			if dicts[c.ID], err = s.Dict(p, c); err != nil {
				return err
			}
		}
	}
	n := p.Blocks[b].Rows
	chunks := newChunkCache(s)
	one := func(i int) error {
		row := p.firstRow(b) + uint32(i)
		r := signin.New()
		slot := int64(noRaw)
		for _, v := range vecs {
			c := v.Column
			if v.Absent {
				continue
			}
			var err error
			switch c.Enc {
			case EncDict, EncList:
				err = setDictValue(&r, c, dicts[c.ID], &v, i)
			case EncInt:
				x := v.Ints[i]
				switch {
				case c == colRawC:
					slot = x
				case c.Field.Kind == signin.KindTime:
					err = c.Field.SetTime(&r, nanosTime(x))
				default:
					err = c.Field.SetInt(&r, x)
				}
			case EncString:
				err = c.Field.SetString(&r, v.Strings.At(i))
			}
			if err != nil {
				return corrupt(fmt.Sprintf("%v row %d column %s", p, row, c.Name), err)
			}
		}
		if slot != noRaw {
			seq, idx := slot/slotsPerChunk, int(slot%slotsPerChunk)
			if slot < 0 || seq >= int64(len(p.Chunks)) {
				return corrupt(p.String(), fmt.Errorf("raw slot %d beyond its %d chunks", slot, len(p.Chunks)))
			}
			chunkID := p.Chunks[seq]
			chunk, err := chunks.get(chunkID)
			if err != nil {
				return err
			}
			if idx >= len(chunk) {
				return corrupt(describeKey(idKey(prefixRaw, chunkID)), fmt.Errorf("no record %d in a chunk of %d", idx, len(chunk)))
			}
			r.Raw = chunk[idx]
		}
		return fn(row, &r)
	}
	if len(rows) > 0 {
		for _, i := range rows {
			if int(i) >= n {
				return fmt.Errorf("engine: block %d of %v has no row %d", b, p, i)
			}
			if err := one(int(i)); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range n {
		if err := one(i); err != nil {
			return err
		}
	}
	return nil
}

// recordColumns are the columns a record is rebuilt from: all but those
// of derived fields (signin.Field.Derived), which the record makes.
var recordColumns = func() []*Column {
	var out []*Column
	for _, c := range columns {
		if c.Field == nil || !c.Field.Derived() {
			out = append(out, c)
		}
	}
	return out
}()

func setDictValue(r *signin.Record, c *Column, d *index.Dict, v *Vector, i int) error {
	if c.Enc == EncList {
		ids := v.Elems[v.Offsets[i]:v.Offsets[i+1]]
		if len(ids) == 0 {
			return nil
		}
		list := make([]string, len(ids))
		for j, id := range ids {
			list[j] = d.String(id)
		}
		return c.Field.SetList(r, list)
	}
	id := v.IDs[i]
	switch {
	case c == colFormatC:
		r.Format = signin.Format(d.Int(id))
		return nil
	case c.DictKind == index.DictFloat:
		return c.Field.SetFloat(r, d.Float(id))
	case c.Field.Kind == signin.KindBool:
		return c.Field.SetBool(r, intBool(d.Int(id)))
	case c.DictKind == index.DictInt:
		return c.Field.SetInt(r, d.Int(id))
	}
	return c.Field.SetString(r, d.String(id))
}

// chunkCache keeps the last chunks read: rows in time order come from
// chunks in arrival order, which after a compaction interleave.
type chunkCache struct {
	s    *Snapshot
	ids  []uint64
	recs [][][]byte
}

const chunkCacheSize = 32

func newChunkCache(s *Snapshot) *chunkCache { return &chunkCache{s: s} }

func (c *chunkCache) get(id uint64) ([][]byte, error) {
	for i, x := range c.ids {
		if x == id {
			return c.recs[i], nil
		}
	}
	recs, err := c.s.chunk(id)
	if err != nil {
		return nil, err
	}
	if len(c.ids) == chunkCacheSize {
		copy(c.ids, c.ids[1:])
		copy(c.recs, c.recs[1:])
		c.ids, c.recs = c.ids[:len(c.ids)-1], c.recs[:len(c.recs)-1]
	}
	c.ids = append(c.ids, id)
	c.recs = append(c.recs, recs)
	return recs, nil
}

// chunk returns the records of a raw chunk.
func (s *Snapshot) chunk(id uint64) ([][]byte, error) {
	key := idKey(prefixRaw, id)
	var out [][]byte
	err := s.value(key, func(v []byte) error {
		recs, err := decodeChunk(v)
		if err != nil {
			return corrupt(describeKey(key), err)
		}
		out = recs
		return nil
	})
	return out, err
}

// Location is where a sign-in is stored: a part and a row.
type Location struct {
	Part *Part
	Row  uint32
}

// Lookup finds the sign-in with the request id id, of any type, and
// returns where it is; ErrNotFound if it is not stored.
func (s *Snapshot) Lookup(id string) (Location, error) {
	keys := idKeys(id)
	for _, p := range s.man.parts {
		var loc Location
		err := s.ids(p, func(ix *index.IDIndex) error {
			for _, k := range keys {
				if row, ok := ix.Find(k); ok {
					loc = Location{Part: p, Row: row}
					return nil
				}
			}
			return nil
		})
		if err != nil {
			return Location{}, err
		}
		if loc.Part != nil {
			return loc, nil
		}
	}
	return Location{}, fmt.Errorf("%w: no sign-in with id %q", ErrNotFound, id)
}

// Get returns the sign-in with the request id id; see Lookup and Record.
func (s *Snapshot) Get(id string) (*signin.Record, error) {
	loc, err := s.Lookup(id)
	if err != nil {
		return nil, err
	}
	return s.Record(loc.Part, loc.Row)
}
