package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/dgraph-io/badger/v4"
)

// An in-memory Badger has no value log and refuses values above its value
// threshold, so there large values are stored as fragments: the value's
// own key holds its fragment count, flagged by metaFragmented, and key +
// "\x00" + uint32 fragment number the fragments (docs/format.md).
const (
	metaFragmented = 1
	fragmentBytes  = 512 << 10
)

// entryOverhead bounds what Badger writes for a key besides the key and
// its value, in the value log and the memtable log together: two entry
// headers and checksums, the key's version, a value pointer.
const entryOverhead = 64

// writeSize bounds the disk space writing key and val takes.
func writeSize(key, val []byte) int64 {
	return int64(len(val)) + 2*int64(len(key)) + entryOverhead
}

// put writes a sealed value, once the disk has room for it (ErrNoSpace).
func (db *DB) put(wb *badger.WriteBatch, key, val []byte) error {
	if err := db.space.grow(writeSize(key, val)); err != nil {
		return err
	}
	if !db.opts.InMemory || len(val) <= fragmentBytes {
		return wb.Set(key, val)
	}
	n := (len(val) + fragmentBytes - 1) / fragmentBytes
	for i := range n {
		frag := binary.BigEndian.AppendUint32(append(append([]byte(nil), key...), 0), uint32(i))
		if err := wb.Set(frag, val[i*fragmentBytes:min((i+1)*fragmentBytes, len(val))]); err != nil {
			return err
		}
	}
	return wb.SetEntry(badger.NewEntry(key, binary.AppendUvarint(nil, uint64(n))).WithMeta(metaFragmented))
}

// value calls fn with the payload of a sealed value. The payload is only
// valid during fn.
//
// NB: Badger's read transactions are safe for concurrent Gets.
func (s *Snapshot) value(key []byte, fn func(v []byte) error) (err error) {
	if s.db.isClosed() {
		return ErrClosed
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, describeKey(key))
	item, err := s.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return corrupt(describeKey(key), errors.New("missing"))
	}
	if err != nil {
		return corrupt(describeKey(key), err)
	}
	if item.UserMeta() == metaFragmented {
		v, err := s.fragments(key, item)
		if err != nil {
			return err
		}
		return s.open(key, v, fn)
	}
	var opened error
	err = item.Value(func(v []byte) error {
		opened = s.open(key, v, fn)
		return opened
	})
	if err != nil && err != opened && !IsCorruption(err) {
		// Badger could not read the value: a value-log pointer past the
		// end of a truncated file, a bad entry. An error of fn's comes
		// back as it is, as it does for a fragmented value.
		return corrupt(describeKey(key), err)
	}
	return err
}

func (s *Snapshot) open(key, v []byte, fn func(v []byte) error) error {
	p, err := unseal(key, v)
	if err != nil {
		return err
	}
	return fn(p)
}

// fragments reassembles a fragmented value.
func (s *Snapshot) fragments(key []byte, item *badger.Item) ([]byte, error) {
	head, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(head)
	if k <= 0 || n > 1<<20 {
		return nil, corrupt(describeKey(key), errors.New("bad fragment count"))
	}
	var v []byte
	for i := range n {
		frag := binary.BigEndian.AppendUint32(append(append([]byte(nil), key...), 0), uint32(i))
		it, err := s.txn.Get(frag)
		if err != nil {
			return nil, corrupt(describeKey(key), fmt.Errorf("fragment %d: %w", i, err))
		}
		b, err := it.ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		v = append(v, b...)
	}
	return v, nil
}
