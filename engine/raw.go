package engine

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// rawChunk gathers raw records until it is full, then is compressed and
// stored as one value (docs/format.md, "Raw records").
type rawChunk struct {
	id   uint64
	data []byte
	ends []uint32
}

func (c *rawChunk) full() bool {
	return len(c.ends) >= slotsPerChunk || len(c.data) >= chunkBytes
}

func (c *rawChunk) add(raw []byte) {
	c.data = append(c.data, raw...)
	c.ends = append(c.ends, uint32(len(c.data)))
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

// encode returns the chunk's stored form: the record count and lengths as
// uvarints, then the records, all in one zstd frame.
func (c *rawChunk) encode(dst []byte) []byte {
	enc, _ := zstdCodecs()
	plain := make([]byte, 0, len(c.data)+2*len(c.ends)+8)
	plain = binary.AppendUvarint(plain, uint64(len(c.ends)))
	prev := uint32(0)
	for _, e := range c.ends {
		plain = binary.AppendUvarint(plain, uint64(e-prev))
		prev = e
	}
	plain = append(plain, c.data...)
	return enc.EncodeAll(plain, dst)
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
