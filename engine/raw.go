package engine

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// rawChunk gathers raw records until it is full, then is compressed and
// stored as one value (docs/format.md, "Raw records"). Its records are
// copied into a pooled buffer that keeps room at its front for the
// chunk's header, so that the chunk is compressed straight from it.
type rawChunk struct {
	id   uint64
	buf  *[]byte  // rawHeadroom bytes, then the records; nil once encoded
	ends []uint32 // where each record ends, from the end of the headroom
}

// rawHeadroom is the room for a chunk's header: the record count and
// each record's length, as uvarints.
const rawHeadroom = binary.MaxVarintLen32 * (slotsPerChunk + 1)

// rawBufs holds chunk buffers: one is filled and compressed for every
// megabyte of raw records ingested.
var rawBufs = sync.Pool{New: func() any {
	b := make([]byte, rawHeadroom, rawHeadroom+chunkBytes+64<<10)
	return &b
}}

func newRawChunk(id uint64) *rawChunk {
	return &rawChunk{id: id, buf: rawBufs.Get().(*[]byte), ends: make([]uint32, 0, slotsPerChunk)}
}

func (c *rawChunk) full() bool {
	return len(c.ends) >= slotsPerChunk || len(*c.buf)-rawHeadroom >= chunkBytes
}

func (c *rawChunk) add(raw []byte) {
	*c.buf = append(*c.buf, raw...)
	c.ends = append(c.ends, uint32(len(*c.buf)-rawHeadroom))
}

// The zstd encoder and decoder (without zstd's own checksum: every value
// has one) are safe for concurrent use through
// EncodeAll and DecodeAll.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

func zstdCodecs() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		var err error
		zstdEnc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false))
		if err != nil {
			panic("BUG: engine: zstd encoder: " + err.Error())
		}
		zstdDec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(1<<30), zstd.IgnoreChecksum(true))
		if err != nil {
			panic("BUG: engine: zstd decoder: " + err.Error())
		}
	})
	return zstdEnc, zstdDec
}

// encode returns the chunk's stored form, appended to dst: the record
// count and lengths as uvarints, then the records, all in one zstd frame.
// It returns the chunk's buffer to the pool: the chunk is done with.
func (c *rawChunk) encode(dst []byte) []byte {
	enc, _ := zstdCodecs()
	var head [rawHeadroom]byte
	h := binary.AppendUvarint(head[:0], uint64(len(c.ends)))
	prev := uint32(0)
	for _, e := range c.ends {
		h = binary.AppendUvarint(h, uint64(e-prev))
		prev = e
	}
	buf := *c.buf
	start := rawHeadroom - len(h)
	copy(buf[start:], h)
	if dst == nil {
		dst = make([]byte, 0, len(buf)/6+64) // raw records compress to 6–8%
	}
	dst = enc.EncodeAll(buf[start:], dst)
	*c.buf = buf[:rawHeadroom]
	rawBufs.Put(c.buf)
	c.buf = nil
	return dst
}

// decodeChunk decompresses a stored chunk and returns its records, which
// reference the returned buffer.
func decodeChunk(v []byte) ([][]byte, error) {
	_, dec := zstdCodecs()
	plain, err := dec.DecodeAll(v, nil)
	if err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(plain)
	if k <= 0 || n > slotsPerChunk {
		return nil, fmt.Errorf("bad record count")
	}
	p := plain[k:]
	lens := make([]uint64, n)
	total := uint64(0)
	for i := range lens {
		l, k := binary.Uvarint(p)
		if k <= 0 {
			return nil, fmt.Errorf("bad length of record %d", i)
		}
		lens[i] = l
		total += l
		p = p[k:]
	}
	if total != uint64(len(p)) {
		return nil, fmt.Errorf("records take %d bytes, chunk has %d", total, len(p))
	}
	recs := make([][]byte, n)
	for i, l := range lens {
		recs[i] = p[:l:l]
		p = p[l:]
	}
	return recs, nil
}
