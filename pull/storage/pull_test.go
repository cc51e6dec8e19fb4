package storage

import (
	"context"
	"testing"
	"time"
)

func join(lines [][]byte) []byte {
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
	}
	return b
}

// TestPullGrowing pulls hourly blobs, appends to them (one append ending
// inside a record, completed later) and adds a blob between pulls: each
// pull stores exactly the sign-ins added since the last, and a pull after
// nothing changed reads nothing.
func TestPullGrowing(t *testing.T) {
	data := generate(t, 3000, 1)
	a := newAccount(t)
	db := openStore(t)
	ctx := context.Background()
	blobs := data.blobs()
	withheld := blobs[len(blobs)-1]
	mid := blobs[0]
	var first, second int64
	for _, b := range blobs[:len(blobs)-1] {
		lines := data[b[0]][b[1]]
		h := len(lines) / 2
		a.appendTo(b[0], b[1], join(lines[:h]))
		first += int64(h)
		second += int64(len(lines) - h)
	}
	st := pull(t, ctx, db, a, Options{}).ok(t)
	if st.Stored != first || st.Read != first || st.Duplicates != 0 || st.Rejected != 0 || st.BlobsRead != len(blobs)-1 {
		t.Fatalf("first pull: %+v; want %d stored of %d blobs", st, first, len(blobs)-1)
	}
	if n := count(t, db); n != first {
		t.Fatalf("store holds %d, want %d", n, first)
	}

	// The second halves, one ending inside its last record, and the
	// blob of a new hour.
	var cut []byte
	for _, b := range blobs[:len(blobs)-1] {
		lines := data[b[0]][b[1]]
		rest := join(lines[len(lines)/2:])
		if b == mid {
			last := lines[len(lines)-1]
			cut = last[40:]
			rest = rest[:len(rest)-len(cut)]
		}
		a.appendTo(b[0], b[1], rest)
	}
	news := int64(len(data[withheld[0]][withheld[1]]))
	a.appendTo(withheld[0], withheld[1], join(data[withheld[0]][withheld[1]]))
	st = pull(t, ctx, db, a, Options{}).ok(t)
	if want := second - 1 + news; st.Stored != want || st.Read != want || st.Duplicates != 0 || st.Rejected != 0 {
		t.Fatalf("second pull: %+v; want %d stored (the record cut short left for later)", st, want)
	}

	a.appendTo(mid[0], mid[1], cut)
	st = pull(t, ctx, db, a, Options{}).ok(t)
	if st.Stored != 1 || st.Read != 1 || st.BlobsRead != 1 || st.BlobsUnchanged != len(blobs)-1 {
		t.Fatalf("third pull: %+v; want the completed record alone", st)
	}
	st = pull(t, ctx, db, a, Options{}).ok(t)
	if st.Read != 0 || st.BlobsRead != 0 || st.BlobsUnchanged != len(blobs) || st.Bytes != 0 {
		t.Fatalf("fourth pull: %+v; want nothing read", st)
	}
	if n := count(t, db); n != 3000 {
		t.Fatalf("store holds %d sign-ins, want the 3000 generated", n)
	}
	if want := testEnd.Add(-time.Hour); st.Newest.IsZero() == false || !pull(t, ctx, openStore(t), a, Options{}).ok(t).Newest.After(want) {
		t.Fatalf("Newest of a pull reading nothing is %v, want zero; of a whole pull, after %v", st.Newest, want)
	}
}
