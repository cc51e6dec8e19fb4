package engine

import (
	"crypto/sha256"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// keyNoID flags, in a key's first byte, a record without an id, keyed by
// a hash of its content instead.
const keyNoID = 0x80

// recordKey is what duplicates are recognised by: the sign-in's type and
// id. A GUID id is its 16 bytes; any other id is the first 16 bytes of
// its SHA-256. A record without an id is keyed by the SHA-256 of its raw
// record (or of its canonical JSON when it has none), flagged so that it
// can never equal an id's key.
func recordKey(r *signin.Record, scratch []byte) (index.Key, []byte) {
	var k index.Key
	k[0] = byte(r.Type)
	if r.ID != "" {
		if !parseGUID(k[1:], r.ID) {
			h := sha256.Sum256([]byte(r.ID))
			copy(k[1:], h[:16])
			k[0] |= 0x40
		}
		return k, scratch
	}
	k[0] |= keyNoID
	content := r.Raw
	if len(content) == 0 {
		scratch = signin.AppendJSON(scratch[:0], r)
		content = scratch
	}
	h := sha256.Sum256(content)
	copy(k[1:], h[:16])
	return k, scratch
}

// idKeys are the keys a record with this id would have, one per type.
func idKeys(id string) []index.Key {
	keys := make([]index.Key, 0, len(signin.Types))
	for _, t := range signin.Types {
		r := signin.Record{Type: t, ID: id}
		k, _ := recordKey(&r, nil)
		keys = append(keys, k)
	}
	return keys
}

// parseGUID decodes a GUID in its 36-character text form, in either case,
// into dst's 16 bytes.
func parseGUID(dst []byte, s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i--
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[j] = hi<<4 | lo
		j++
	}
	return j == 16
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
