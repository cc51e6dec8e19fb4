package engine

import (
	"sync"
	"unsafe"

	"github.com/signinq/signinq/index"
)

// Numbering numbers the texts of a text column across the parts of a
// store: the same number for the same text in every part, given the
// first time a part's dictionary is renumbered (Snapshot.Numbers) and
// kept while the store is open. A query that merges what several parts
// found by a text value (their groups by user or address, their distinct
// users) renumbers each part's dictionary ids through the part's table
// instead of looking each value up by its text, and the table is made
// once a part for every query.
//
// It holds each distinct text of the column met in the parts renumbered
// (a copy of its bytes, an offset and a slot of a hash table: about 14
// bytes beside the text), so that the tables are made from
// MaxNumbered texts and MaxNumberedBytes of them at most.
type Numbering struct {
	mu sync.RWMutex
	// The texts, one after the other in bytes (text i is
	// bytes[ends[i-1]:ends[i]]), and an open-addressing table of their
	// numbers + 1 by hash: no pointers for the garbage collector to
	// scan, however many texts it holds.
	bytes []byte
	ends  []uint64
	slots []uint32
}

// MaxNumbered is the most texts, and MaxNumberedBytes the most bytes of
// texts, past which Snapshot.Numbers makes no other part's table, and
// queries number a value at a time as they meet it.
const (
	MaxNumbered      = 1 << 24
	MaxNumberedBytes = 1 << 30
)

// Number returns the number of a text, numbering it if new.
func (n *Numbering) Number(s string) uint32 {
	n.mu.RLock()
	id, ok := n.find(s, hashText(s))
	n.mu.RUnlock()
	if ok {
		return id
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.number(s)
}

// hashText is FNV-1a of a text, mixed.
func hashText(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	h ^= h >> 32
	return h * 0x9e3779b97f4a7c15
}

// text returns text id, sharing the bytes (which are only appended to).
func (n *Numbering) text(id uint32) string {
	start := uint64(0)
	if id > 0 {
		start = n.ends[id-1]
	}
	b := n.bytes[start:n.ends[id]]
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// find returns the number of s, whose hash is h, with n.mu held.
func (n *Numbering) find(s string, h uint64) (uint32, bool) {
	if len(n.slots) == 0 {
		return 0, false
	}
	mask := uint64(len(n.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := n.slots[i]
		if v == 0 {
			return 0, false
		}
		if n.text(v-1) == s {
			return v - 1, true
		}
	}
}

// number is Number with n.mu held.
func (n *Numbering) number(s string) uint32 {
	h := hashText(s)
	if id, ok := n.find(s, h); ok {
		return id
	}
	id := uint32(len(n.ends))
	n.bytes = append(n.bytes, s...) // a copy, not the part dictionary's memory
	n.ends = append(n.ends, uint64(len(n.bytes)))
	if 2*len(n.ends) > len(n.slots) {
		n.grow()
	} else {
		n.put(id, h)
	}
	return id
}

// put puts number id, of hash h, in the table.
func (n *Numbering) put(id uint32, h uint64) {
	mask := uint64(len(n.slots) - 1)
	i := h & mask
	for n.slots[i] != 0 {
		i = (i + 1) & mask
	}
	n.slots[i] = id + 1
}

// grow doubles the table (at least 1024 slots) and puts every text back.
func (n *Numbering) grow() {
	n.slots = make([]uint32, max(1024, 2*len(n.slots)))
	for id := range n.ends {
		n.put(uint32(id), hashText(n.text(uint32(id))))
	}
}

// Text returns the text numbered id.
func (n *Numbering) Text(id uint32) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.text(id)
}

// Len returns the number of texts numbered.
func (n *Numbering) Len() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.ends)
}

// Size returns the memory the numbering holds, in bytes.
func (n *Numbering) Size() int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return int64(cap(n.bytes)) + int64(cap(n.ends))*8 + int64(len(n.slots))*4
}

// numbering returns column c's Numbering, made on first use.
func (db *DB) numbering(c *Column) *Numbering {
	db.numMu.Lock()
	defer db.numMu.Unlock()
	if db.numberings == nil {
		db.numberings = map[uint16]*Numbering{}
	}
	n := db.numberings[c.ID]
	if n == nil {
		n = &Numbering{}
		db.numberings[c.ID] = n
	}
	return n
}

// Numbers returns part p's table of column c's dictionary ids to their
// numbers in the store's Numbering of c, which it returns too: entry id
// of the part's dictionary (Dict) is numbered table[id]. Only columns of
// texts with a dictionary (DictKind index.DictString) are numbered; for
// others it returns nil, nil. Once the column's Numbering holds
// MaxNumbered texts, it makes no other table: it returns a nil table and
// the Numbering, whose Number numbers a value at a time. The table is
// made once a part and kept while the part lives.
func (s *Snapshot) Numbers(p *Part, c *Column) ([]uint32, *Numbering, error) {
	if !c.HasDict() || c.DictKind != index.DictString {
		return nil, nil, nil
	}
	n := s.db.numbering(c)
	p.mu.Lock()
	t, ok := p.numbers[c.ID]
	p.mu.Unlock()
	if ok {
		return t, n, nil
	}
	d, err := s.Dict(p, c)
	if err != nil {
		return nil, nil, err
	}
	n.mu.Lock()
	if len(n.ends)+d.Len() > MaxNumbered || len(n.bytes) > MaxNumberedBytes {
		n.mu.Unlock()
		return nil, n, nil // each value numbered as met (Number)
	}
	t = make([]uint32, d.Len())
	for id := range t {
		t[id] = n.number(d.String(uint32(id)))
	}
	n.mu.Unlock()
	p.mu.Lock()
	if p.numbers == nil {
		p.numbers = map[uint16][]uint32{}
	}
	if kept, ok := p.numbers[c.ID]; ok {
		t = kept // another goroutine made it meanwhile: the same numbers
	} else {
		p.numbers[c.ID] = t
	}
	p.mu.Unlock()
	return t, n, nil
}

// Numbering returns the store's numbering of column c's texts, or nil
// for a column Numbers does not number.
func (s *Snapshot) Numbering(c *Column) *Numbering {
	if !c.HasDict() || c.DictKind != index.DictString {
		return nil
	}
	return s.db.numbering(c)
}
