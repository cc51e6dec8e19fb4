package query

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/signinq/signinq/engine"
)

// A store keeps its named lists in its metadata (engine.DB.UpdateMeta),
// in the space ListSpace, each under its name in lower case (a header)
// and its name, a / and 1, 2, … (its values, in pieces):
//
//	header: version (1), uvarint length and the name as given, kind
//	        (ListKind, one byte), uvarint count of values, uvarint count
//	        of pieces, SHA-256 of the pieces joined (32 bytes)
//	pieces: the values joined, each a uvarint length and its bytes, cut
//	        into pieces of at most listPiece bytes
//
// Setting a list writes its header and pieces and deletes the pieces it
// no longer has in one transaction, synced to disk: a crash leaves the
// list as it was or as it is set, and a snapshot sees one or the other.
// A query reads the lists it uses from the snapshot it runs on (Exec);
// lists read before, by their SHA-256, are not decoded again.

// ListSpace is the space of a store's metadata that holds its named
// lists.
const ListSpace = "lists"

const (
	listVersion = 1
	listPiece   = 256 << 10
	// maxListBytes bounds a list's values joined: what one transaction
	// of the store takes with room to spare.
	maxListBytes = 4 << 20
)

// listHeader is a list's header, decoded.
type listHeader struct {
	name   string
	kind   ListKind
	count  int
	pieces int
	sum    [32]byte
}

func (h *listHeader) encode() []byte {
	b := []byte{listVersion}
	b = binary.AppendUvarint(b, uint64(len(h.name)))
	b = append(b, h.name...)
	b = append(b, byte(h.kind))
	b = binary.AppendUvarint(b, uint64(h.count))
	b = binary.AppendUvarint(b, uint64(h.pieces))
	return append(b, h.sum[:]...)
}

// errListCorrupt is the error of a list's metadata that does not decode.
func errListCorrupt(name, why string) error {
	return fmt.Errorf("%w: the list %s in the store's metadata: %s", engine.ErrCorruption, name, why)
}

func decodeListHeader(key string, b []byte) (*listHeader, error) {
	if len(b) == 0 || b[0] != listVersion {
		if len(b) > 0 {
			return nil, fmt.Errorf("query: the list %s was stored by a newer signinq (its version %d; this one reads %d)", key, b[0], listVersion)
		}
		return nil, errListCorrupt(key, "an empty header")
	}
	r := bytes.NewReader(b[1:])
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return nil, errListCorrupt(key, "a bad name")
	}
	name := make([]byte, n)
	r.Read(name)
	h := &listHeader{name: string(name)}
	kind, err := r.ReadByte()
	if err != nil || kind > byte(ListAddresses) {
		return nil, errListCorrupt(key, "a bad kind")
	}
	h.kind = ListKind(kind)
	count, err1 := binary.ReadUvarint(r)
	pieces, err2 := binary.ReadUvarint(r)
	if err1 != nil || err2 != nil || count > maxListValues || pieces > maxListBytes/listPiece+1 || r.Len() != 32 {
		return nil, errListCorrupt(key, "a bad header")
	}
	h.count, h.pieces = int(count), int(pieces)
	r.Read(h.sum[:])
	if !strings.EqualFold(h.name, key) {
		return nil, errListCorrupt(key, "its header names "+h.name)
	}
	return h, nil
}

func pieceName(key string, i int) string { return key + "/" + strconv.Itoa(i) }

// encodeList returns a list's metadata: its header and its pieces, by
// name in ListSpace.
func encodeList(name string, values []string) (map[string][]byte, error) {
	var body []byte
	for _, v := range values {
		body = binary.AppendUvarint(body, uint64(len(v)))
		body = append(body, v...)
		if len(body) > maxListBytes {
			return nil, fmt.Errorf("query: list %s: its values take more than %d MiB", name, maxListBytes>>20)
		}
	}
	key := strings.ToLower(name)
	l := &List{Name: name, Values: values}
	h := &listHeader{name: name, kind: l.Kind(), count: len(values), sum: sha256.Sum256(body)}
	out := map[string][]byte{}
	for len(body) > 0 {
		n := min(len(body), listPiece)
		h.pieces++
		out[pieceName(key, h.pieces)] = body[:n:n]
		body = body[n:]
	}
	out[key] = h.encode()
	return out, nil
}

// decodeValues reads a list's joined values.
func decodeValues(key string, body []byte, count int) ([]string, error) {
	values := make([]string, 0, count)
	for len(body) > 0 {
		n, w := binary.Uvarint(body)
		if w <= 0 || n > uint64(len(body)-w) {
			return nil, errListCorrupt(key, "a bad value")
		}
		values = append(values, string(body[w:w+int(n)]))
		body = body[w+int(n):]
	}
	if len(values) != count {
		return nil, errListCorrupt(key, fmt.Sprintf("%d values, its header says %d", len(values), count))
	}
	return values, nil
}

// listCache keeps the lists read last, by their values' SHA-256 and
// name, with the sets made of them: a query of a list read before
// neither decodes it nor builds its set again.
var listCache struct {
	sync.Mutex
	lists []*cachedList // the most recently used last
}

type cachedList struct {
	sum  [32]byte
	name string
	list *List
}

// listCacheSize is how many lists listCache keeps.
const listCacheSize = 8

func cachedListOf(h *listHeader) *List {
	listCache.Lock()
	defer listCache.Unlock()
	for i, c := range listCache.lists {
		if c.sum == h.sum && c.name == h.name {
			listCache.lists = append(slices.Delete(listCache.lists, i, i+1), c)
			return c.list
		}
	}
	return nil
}

func cacheList(h *listHeader, l *List) {
	listCache.Lock()
	defer listCache.Unlock()
	if len(listCache.lists) >= listCacheSize {
		listCache.lists = slices.Delete(listCache.lists, 0, 1)
	}
	listCache.lists = append(listCache.lists, &cachedList{sum: h.sum, name: h.name, list: l})
}

// readList reads the list of a lower-case name from a snapshot, or nil
// when it has none.
func readList(s *engine.Snapshot, key string) (*List, error) {
	hb, ok, err := s.Meta(ListSpace, key)
	if err != nil || !ok {
		return nil, err
	}
	h, err := decodeListHeader(key, hb)
	if err != nil {
		return nil, err
	}
	if l := cachedListOf(h); l != nil {
		return l, nil
	}
	var body []byte
	for i := 1; i <= h.pieces; i++ {
		p, ok, err := s.Meta(ListSpace, pieceName(key, i))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errListCorrupt(key, fmt.Sprintf("its piece %d is missing", i))
		}
		body = append(body, p...)
	}
	l, err := decodeList(key, h, body)
	if err != nil {
		return nil, err
	}
	cacheList(h, l)
	return l, nil
}

func decodeList(key string, h *listHeader, body []byte) (*List, error) {
	if sha256.Sum256(body) != h.sum {
		return nil, errListCorrupt(key, "its values do not match their checksum")
	}
	values, err := decodeValues(key, body, h.count)
	if err != nil {
		return nil, err
	}
	return &List{Name: h.name, Values: values}, nil
}

// storedLists reads every list of a space's values (AllMeta), by name.
func storedLists(all map[string][]byte) ([]*List, error) {
	var out []*List
	for key, hb := range all {
		if strings.Contains(key, "/") {
			continue // a piece
		}
		h, err := decodeListHeader(key, hb)
		if err != nil {
			return nil, err
		}
		var body []byte
		for i := 1; i <= h.pieces; i++ {
			p, ok := all[pieceName(key, i)]
			if !ok {
				return nil, errListCorrupt(key, fmt.Sprintf("its piece %d is missing", i))
			}
			body = append(body, p...)
		}
		l, err := decodeList(key, h, body)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *List) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// storedListNames returns the names of a snapshot's lists.
func storedListNames(s *engine.Snapshot) ([]string, error) {
	all, err := s.AllMeta(ListSpace)
	if err != nil {
		return nil, err
	}
	var out []string
	for key, hb := range all {
		if strings.Contains(key, "/") {
			continue
		}
		if h, err := decodeListHeader(key, hb); err == nil {
			out = append(out, h.name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// SetList sets a store's list of a name to values, replacing any list of
// that name (in any case) in one transaction, synced to disk. The name
// is letters, digits and _, not beginning with a digit, and not a
// built-in list's (ErrBuiltinList); each value is non-empty, without
// space around it or a line break; a list holds at most 1,048,576 values
// of 4 MiB together.
func SetList(db *engine.DB, name string, values []string) error {
	if err := checkListName(name); err != nil {
		return err
	}
	if err := checkListValues(values); err != nil {
		return fmt.Errorf("query: list %s: %v", name, err)
	}
	set, err := encodeList(name, values)
	if err != nil {
		return err
	}
	key := strings.ToLower(name)
	return db.UpdateMeta(ListSpace, func(old map[string][]byte) (map[string][]byte, error) {
		changes := maps.Clone(set)
		for k := range old {
			if _, ok := set[k]; !ok && strings.HasPrefix(k, key+"/") {
				changes[k] = nil // a piece the list no longer has
			}
		}
		return changes, nil
	})
}

// RemoveList removes a store's list of a name (in any case):
// ErrUnknownList when it has none, ErrBuiltinList for a built-in's.
func RemoveList(db *engine.DB, name string) error {
	if b := builtin(name); b != nil {
		return fmt.Errorf("%w: @%s is built in", ErrBuiltinList, b.Name)
	}
	if !isName(name) {
		return fmt.Errorf("%w: %q is not a list's name (letters, digits and _)", ErrUnknownList, name)
	}
	key := strings.ToLower(name)
	return db.UpdateMeta(ListSpace, func(old map[string][]byte) (map[string][]byte, error) {
		if _, ok := old[key]; !ok {
			return nil, fmt.Errorf("%w: the store has no list %s", ErrUnknownList, name)
		}
		changes := map[string][]byte{key: nil}
		for k := range old {
			if strings.HasPrefix(k, key+"/") {
				changes[k] = nil
			}
		}
		return changes, nil
	})
}

// ListsOf returns the lists a store's queries may use: the built-ins and
// the store's own, by name.
func ListsOf(db *engine.DB) ([]*List, error) {
	all, err := db.AllMeta(ListSpace)
	if err != nil {
		return nil, err
	}
	stored, err := storedLists(all)
	if err != nil {
		return nil, err
	}
	out := append(Builtins(), stored...)
	slices.SortStableFunc(out, func(a, b *List) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// ListOf returns the list of a name (in any case, with or without its
// @) a store's queries may use: ErrUnknownList when there is none.
func ListOf(db *engine.DB, name string) (*List, error) {
	name = strings.TrimPrefix(name, "@")
	if b := builtin(name); b != nil {
		return b, nil
	}
	if !isName(name) {
		return nil, fmt.Errorf("%w: %q is not a list's name (letters, digits and _)", ErrUnknownList, name)
	}
	var l *List
	err := db.View(func(s *engine.Snapshot) error {
		var err error
		l, err = readList(s, strings.ToLower(name))
		return err
	})
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, fmt.Errorf("%w: @%s", ErrUnknownList, name)
	}
	return l, nil
}
