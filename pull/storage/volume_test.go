package storage

import (
	"context"
	"flag"
	"runtime/debug"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/peakmem"
)

var volumeSignIns = flag.Int64("pull.signins", 20_000, "the sign-ins of TestPullVolume (docs/pull.md's figures: 200000)")

// TestPullVolume pulls a day of hourly blobs in four containers, the
// sign-ins generated (-pull.signins, 20,000 by default), with the
// pull's anonymous memory bounded: blobs are streamed, never held whole.
// It logs the rate in the child peakmem runs it in (docs/pull.md shows
// how to see it) and the peak.
func TestPullVolume(t *testing.T) {
	n := *volumeSignIns
	peakmem.RunAnon(t, 256<<20, func(reset func()) {
		a := newAccount(t)
		blobs, size := upload(t, a, n, 8)
		db := openStore(t)
		debug.FreeOSMemory()
		reset()
		start := time.Now()
		st := pull(t, context.Background(), db, a, Options{}).ok(t)
		el := time.Since(start)
		if st.Stored != n || count(t, db) != n || st.BlobsRead != blobs {
			t.Fatalf("%+v; want %d sign-ins of %d blobs", st, n, blobs)
		}
		t.Logf("pulled %d sign-ins, %d blobs, %.1f MiB in %v: %.0f sign-ins/s, %.1f MiB/s",
			n, blobs, float64(size)/(1<<20), el.Round(time.Millisecond), float64(n)/el.Seconds(), float64(size)/(1<<20)/el.Seconds())
	})
}

// upload generates n sign-ins of a day into hourly blobs of the four
// containers, appending a blob's lines a mebibyte at a time as they are
// made, and returns the number of blobs and their bytes.
func upload(t *testing.T, a *account, n int64, seed uint64) (blobs int, size int64) {
	t.Helper()
	t.Logf("generated sign-ins: %d, seed %d", n, seed)
	g, err := gen.New(gen.Config{Count: n, Seed: seed, Days: 1, End: testEnd, NoIncidents: true})
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ container, name string }
	pending := map[key][]byte{}
	flush := func(k key) {
		if len(pending[k]) > 0 {
			a.appendTo(k.container, k.name, pending[k])
			size += int64(len(pending[k]))
			pending[k] = pending[k][:0]
		}
	}
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			ev := &batch[i]
			k := key{containerOf[ev.Record.Type], blobName(g.TenantID(), ev.Record.Time.Truncate(time.Hour))}
			b, ok := pending[k]
			if !ok {
				blobs++
			}
			b = append(gen.AppendDiag(b, ev), '\n')
			pending[k] = b
			if len(b) >= 1<<20 {
				flush(k)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range pending {
		flush(k)
	}
	return blobs, size
}
