package engine

import (
	"bytes"
	"testing"
)

func sampleHeader() *Part {
	p := &Part{ID: 42, Day: 20417, Rows: blockRows + 10, MinTime: 100, MaxTime: 900, Chunks: []uint64{7, 8, 12},
		ColumnBytes: 1, DictBytes: 2, BitmapBytes: 3, IDBytes: 4, RawBytes: 5, RawSize: 6}
	p.Types[1] = int64(p.Rows)
	p.Blocks = []BlockHeader{{Rows: blockRows, MinTime: 100, MaxTime: 500}, {Rows: 10, MinTime: 500, MaxTime: 900}}
	p.cols = make([]partColumn, len(columns))
	p.cols[colTime.ID] = partColumn{present: true, blocks: []colBlock{{size: 10, min: 100, max: 500}, {size: 4, min: 500, max: 900}}}
	p.cols[colType.ID] = partColumn{present: true, dictLen: 2, blocks: []colBlock{{size: 3}, {size: 3, max: 1}}}
	return p
}

// FuzzPartHeader checks that part headers decode to what was encoded and
// that any bytes decode to a part or an error, never a panic.
func FuzzPartHeader(f *testing.F) {
	valid := sampleHeader().appendHeader(nil)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePartHeader(b)
		if err != nil {
			return
		}
		again := p.appendHeader(nil)
		q, err := decodePartHeader(again)
		if err != nil {
			t.Fatalf("re-encoded header does not decode: %v", err)
		}
		if !bytes.Equal(q.appendHeader(nil), again) {
			t.Fatal("header does not round-trip")
		}
	})
}

func TestPartHeaderRoundTrip(t *testing.T) {
	b := sampleHeader().appendHeader(nil)
	p, err := decodePartHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.appendHeader(nil), b) || p.Rows != blockRows+10 || p.Chunks[2] != 12 {
		t.Fatalf("round trip changed the header: %+v", p)
	}
	for i := range b {
		if _, err := decodePartHeader(b[:i]); err == nil {
			t.Fatalf("header cut at %d of %d decodes", i, len(b))
		}
	}
}

// FuzzRawChunk checks that raw chunks decode to what was encoded and that
// any bytes decode to records or an error, never a panic.
func FuzzRawChunk(f *testing.F) {
	c := newRawChunk(0)
	c.add([]byte(`{"id":"a"}`))
	c.add([]byte(`{"id":"b","x":[1,2,3]}`))
	f.Add(c.encode(nil))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := decodeChunk(b)
		if err != nil {
			return
		}
		again := newRawChunk(0)
		for _, r := range recs {
			again.add(r)
		}
		recs2, err := decodeChunk(again.encode(nil))
		if err != nil || len(recs2) != len(recs) {
			t.Fatalf("re-encoded chunk: %d records, %v", len(recs2), err)
		}
	})
}
