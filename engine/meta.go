package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Metadata is what a layer above the engine keeps in the store beside
// the sign-ins: small values by name, in namespaces (spaces) of their
// own. The query language keeps its saved queries so, in the space
// "queries". The engine stores bytes by name and knows nothing of what
// they mean.
//
// Metadata is read through a Snapshot (Meta, AllMeta), which sees it as
// it was when the snapshot was taken, or through the DB (DB.AllMeta),
// and changed with UpdateMeta, whose changes commit in one transaction,
// synced to disk: a crash leaves a space as it was before or as it is
// after, never part of a change (docs/format.md, "Metadata").

// Limits on metadata: a space's and a name's bytes together, and a
// value's (below the size an in-memory store splits into fragments).
const (
	maxMetaKey   = 1 << 10
	maxMetaValue = fragmentBytes
)

// metaPrefix is the prefix of a space's keys: m 0x00 space 0x00. The
// engine's own metadata keys are m and a word (mversion), so no space's
// key is one of them.
func metaPrefix(space string) []byte {
	k := make([]byte, 0, len(space)+3)
	k = append(k, prefixMeta, 0)
	k = append(k, space...)
	return append(k, 0)
}

// metaKey is the key of a name in a space, once both are checked.
func metaKey(space, name string) []byte { return append(metaPrefix(space), name...) }

// checkMeta refuses a space or name no key can hold: an empty one, a
// space holding a 0 byte, or both longer than maxMetaKey together.
func checkMeta(space, name string, named bool) error {
	switch {
	case space == "" || strings.IndexByte(space, 0) >= 0:
		return fmt.Errorf("engine: metadata space %q: a space is a name of 1 or more bytes, without a 0 byte", space)
	case named && name == "":
		return fmt.Errorf("engine: metadata of space %s: a name is 1 or more bytes", space)
	case len(space)+len(name) > maxMetaKey:
		return fmt.Errorf("engine: metadata %s/%.20s…: a space and name take at most %d bytes together", space, name, maxMetaKey)
	}
	return nil
}

// parseMetaKey returns the space and name of a metadata key.
func parseMetaKey(k []byte) (space, name string, ok bool) {
	if len(k) < 4 || k[0] != prefixMeta || k[1] != 0 {
		return "", "", false
	}
	i := strings.IndexByte(string(k[2:]), 0)
	if i <= 0 {
		return "", "", false
	}
	return string(k[2 : 2+i]), string(k[3+i:]), true
}

// Meta returns the value of name in a space of metadata, as the snapshot
// sees it, and whether there is one. The value is the caller's.
func (s *Snapshot) Meta(space, name string) (v []byte, ok bool, err error) {
	if err := checkMeta(space, name, true); err != nil {
		return nil, false, err
	}
	if s.db.isClosed() {
		return nil, false, ErrClosed
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	key := metaKey(space, name)
	defer recoverStore(&err, describeKey(key))
	item, err := s.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, corrupt(describeKey(key), err)
	}
	v, err = metaValue(key, item)
	return v, err == nil, err
}

// AllMeta returns every value of a space of metadata, by name, as the
// snapshot sees it: an empty map for a space that holds none. The map is
// the caller's.
func (s *Snapshot) AllMeta(space string) (_ map[string][]byte, err error) {
	if err := checkMeta(space, "", false); err != nil {
		return nil, err
	}
	if s.db.isClosed() {
		return nil, ErrClosed
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "metadata "+space)
	return allMeta(s.txn, space)
}

func allMeta(txn *badger.Txn, space string) (map[string][]byte, error) {
	out := map[string][]byte{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: metaPrefix(space)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		_, name, ok := parseMetaKey(item.Key())
		if !ok {
			return nil, corrupt(describeKey(item.KeyCopy(nil)), errors.New("bad key"))
		}
		v, err := metaValue(item.KeyCopy(nil), item)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// metaValue reads and checks a metadata value.
func metaValue(key []byte, item *badger.Item) ([]byte, error) {
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, corrupt(describeKey(key), err)
	}
	return unseal(key, v)
}

// AllMeta returns every value of a space of metadata, by name, as the
// store holds it now (see Snapshot.AllMeta).
func (db *DB) AllMeta(space string) (out map[string][]byte, err error) {
	err = db.View(func(s *Snapshot) error {
		out, err = s.AllMeta(space)
		return err
	})
	return out, err
}

// UpdateMeta changes a space of metadata. update is given the space's
// values as they are, by name (a map of its own), and returns the
// changes: a value to set for a name, or nil to delete it; no changes
// (or an error, which UpdateMeta returns) write nothing. The changes
// commit in one transaction, synced to disk before UpdateMeta returns:
// after a crash the space holds all of them or none.
//
// Updates of a store run one at a time, so update sees what every
// update before it committed, and two updates at once lose neither.
// update must not call UpdateMeta itself. A value is at most 512 KiB. A
// read-only store (see ReadOnly) refuses the changes, as it refuses
// every write.
func (db *DB) UpdateMeta(space string, update func(values map[string][]byte) (map[string][]byte, error)) (err error) {
	if err := checkMeta(space, "", false); err != nil {
		return err
	}
	db.metaMu.Lock()
	defer db.metaMu.Unlock()
	values, err := db.AllMeta(space)
	if err != nil {
		return err
	}
	changes, err := update(values)
	if err != nil || len(changes) == 0 {
		return err
	}
	if err := db.writable(); err != nil {
		return err
	}
	keys := make([][]byte, 0, len(changes))
	vals := make([][]byte, 0, len(changes))
	var n int64
	for name, v := range changes {
		if err := checkMeta(space, name, true); err != nil {
			return err
		}
		if len(v) > maxMetaValue {
			return fmt.Errorf("engine: metadata %s/%s: a value of %d bytes; a value is at most %d", space, name, len(v), maxMetaValue)
		}
		key := metaKey(space, name)
		if v != nil {
			v = seal(key, append([]byte(nil), v...))
		}
		keys, vals = append(keys, key), append(vals, v)
		n += writeSize(key, v)
	}
	// Like every write, it keeps Badger's DropPrefix away (dropParts),
	// and Close waits for it (mu).
	db.writeMu.RLock()
	defer db.writeMu.RUnlock()
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.mu.closed {
		return ErrClosed
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "metadata "+space)
	if err := db.space.grow(n); err != nil {
		return err
	}
	txn := db.bdb.NewTransaction(true)
	defer txn.Discard()
	for i, key := range keys {
		if vals[i] == nil {
			err = txn.Delete(key)
		} else {
			err = txn.Set(key, vals[i])
		}
		if err != nil {
			return fmt.Errorf("engine: metadata %s: %w", space, err)
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("engine: metadata %s: %w", space, err)
	}
	if err := db.bdb.Sync(); err != nil {
		return fmt.Errorf("engine: metadata %s: sync: %w", space, err)
	}
	return nil
}
