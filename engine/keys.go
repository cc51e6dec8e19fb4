package engine

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Key prefixes of the Badger database (docs/format.md, "Keys").
const (
	prefixMeta    = 'm' // m<name>: the store's metadata; m 0x00 <space> 0x00 <name>: metadata of the layers above (meta.go)
	prefixPart    = 'p' // p<day><part>: a committed part's header
	prefixPending = 'w' // w<cycle>: a write in progress; ids >= the value may be orphans
	prefixGarbage = 'g' // g<part>: a part no longer in the manifest whose data is still to delete
	prefixData    = 'd' // d<part><kind>...: a part's columns, dictionaries, bitmaps, id index
	prefixRaw     = 'r' // r<chunk>: a chunk of raw records
)

// Kinds of part data, after d<part>.
const (
	kindColumn = 'c' // c<column><block>
	kindBundle = 'b' // b<column>
	kindDict   = 's' // s<column>
	kindIDs    = 'i'
)

var keyVersion = []byte("mversion")

// dayKey orders days, which may be negative, as unsigned big-endian.
func dayKey(day int32) uint32 { return uint32(day) ^ 1<<31 }

func partKey(day int32, part uint64) []byte {
	k := make([]byte, 13)
	k[0] = prefixPart
	binary.BigEndian.PutUint32(k[1:], dayKey(day))
	binary.BigEndian.PutUint64(k[5:], part)
	return k
}

func parsePartKey(k []byte) (day int32, part uint64, ok bool) {
	if len(k) != 13 || k[0] != prefixPart {
		return 0, 0, false
	}
	return int32(binary.BigEndian.Uint32(k[1:]) ^ 1<<31), binary.BigEndian.Uint64(k[5:]), true
}

func idKey(prefix byte, id uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefix
	binary.BigEndian.PutUint64(k[1:], id)
	return k
}

func parseIDKey(k []byte, prefix byte) (uint64, bool) {
	if len(k) < 9 || k[0] != prefix {
		return 0, false
	}
	return binary.BigEndian.Uint64(k[1:]), true
}

func dataKey(part uint64, kind byte, col uint16, block int) []byte {
	k := make([]byte, 0, 14)
	k = append(k, prefixData)
	k = binary.BigEndian.AppendUint64(k, part)
	k = append(k, kind)
	switch kind {
	case kindColumn:
		k = binary.BigEndian.AppendUint16(k, col)
		k = binary.BigEndian.AppendUint16(k, uint16(block))
	case kindBundle, kindDict:
		k = binary.BigEndian.AppendUint16(k, col)
	}
	return k
}

// describeKey names what a key holds, for corruption errors.
func describeKey(k []byte) string {
	switch {
	case len(k) >= 10 && k[0] == prefixData:
		part := binary.BigEndian.Uint64(k[1:])
		rest := k[10:]
		col := func() string {
			if len(rest) >= 2 {
				if id := binary.BigEndian.Uint16(rest); int(id) < len(columns) {
					return columns[id].Name
				}
			}
			return "?"
		}
		switch k[9] {
		case kindColumn:
			b := -1
			if len(rest) >= 4 {
				b = int(binary.BigEndian.Uint16(rest[2:]))
			}
			return fmt.Sprintf("part %d column %s block %d", part, col(), b)
		case kindBundle:
			return fmt.Sprintf("part %d bitmaps of %s", part, col())
		case kindDict:
			return fmt.Sprintf("part %d dictionary of %s", part, col())
		case kindIDs:
			return fmt.Sprintf("part %d id index", part)
		}
	case len(k) == 13 && k[0] == prefixPart:
		day, part, _ := parsePartKey(k)
		return fmt.Sprintf("part %d header (day %s)", part, dayString(day))
	case len(k) > 1 && k[0] == prefixMeta && k[1] == 0:
		if space, name, ok := parseMetaKey(k); ok {
			return fmt.Sprintf("metadata %s/%s", space, name)
		}
	case len(k) == 9 && k[0] == prefixRaw:
		return fmt.Sprintf("raw chunk %d", binary.BigEndian.Uint64(k[1:]))
	}
	return fmt.Sprintf("key %q", k)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// seal appends the checksum every value ends with: CRC-32C of the key and
// the payload, little-endian.
func seal(key, payload []byte) []byte {
	c := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, payload)
	return binary.LittleEndian.AppendUint32(payload, c)
}

// unseal checks a value's checksum and returns its payload.
func unseal(key, v []byte) ([]byte, error) {
	if len(v) < 4 {
		return nil, corrupt(describeKey(key), fmt.Errorf("value of %d bytes has no checksum", len(v)))
	}
	p := v[:len(v)-4]
	want := binary.LittleEndian.Uint32(v[len(p):])
	if crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, p) != want {
		return nil, corrupt(describeKey(key), fmt.Errorf("checksum mismatch"))
	}
	return p, nil
}
