package engine

import (
	"bytes"
	"testing"

	"github.com/signinq/signinq/engine/signin"
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

// TestPartHeaderVersion1 reads a header as stores written before the adfs
// type hold it (version 1: four counts of rows by type, no count of
// types), and checks that a version 2 header keeps AD FS rows.
func TestPartHeaderVersion1(t *testing.T) {
	want := sampleHeader()
	v2 := want.appendHeader(nil)
	// Skip the fields before the counts, then the count of types.
	r := &headerReader{b: v2}
	r.u()
	r.u()
	r.s()
	r.u()
	r.s()
	r.s()
	head := v2[1 : len(v2)-len(r.b)]
	if n := r.u(); n != uint64(len(signin.Types)) || r.err != nil {
		t.Fatalf("version 2 counts %d types, want %d (%v)", n, len(signin.Types), r.err)
	}
	counts := r.b
	for range 5 {
		r.u()
	}
	fifth := len(counts) - len(r.b)
	r2 := &headerReader{b: counts}
	for range 4 {
		r2.u()
	}
	four := len(counts) - len(r2.b)
	if fifth != four+1 {
		t.Fatalf("the AD FS count takes %d bytes, want 1 (it is 0)", fifth-four)
	}
	v1 := append(append(append([]byte{1}, head...), counts[:four]...), r.b...)
	p, err := decodePartHeader(v1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Types != want.Types || !bytes.Equal(p.appendHeader(nil), v2) {
		t.Errorf("version 1 header read as %+v, want %+v", p.Types, want.Types)
	}

	// AD FS rows are counted and kept.
	adfs := sampleHeader()
	adfs.Types[signin.TypeNonInteractive] -= 3
	adfs.Types[signin.TypeADFS] = 3
	p, err = decodePartHeader(adfs.appendHeader(nil))
	if err != nil || p.Types[signin.TypeADFS] != 3 {
		t.Fatalf("AD FS rows: %+v, %v", p, err)
	}
	// More types than this version knows is an error, not a guess.
	bad := append([]byte{2}, head...)
	bad = append(bad, byte(len(signin.Types)+1))
	if _, err := decodePartHeader(append(bad, counts...)); err == nil {
		t.Error("a header counting rows of 6 types decodes")
	}
}
