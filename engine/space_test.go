package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/race"
)

// genRaw generates sign-ins as records with their diagnostic-settings
// JSON as raw records, as ingesting that export would give.
func genRaw(t testing.TB, cfg gen.Config) []signin.Record {
	t.Helper()
	g, err := gen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var recs []signin.Record
	err = g.Generate(context.Background(), func(evs []gen.Event) error {
		for i := range evs {
			r := evs[i].Record
			r.Raw, r.Format = gen.AppendDiag(nil, &evs[i]), signin.FormatDiag
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// storeSize is the disk space a store's directory takes.
func storeSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += diskUsage(info)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSpaceComesBack checks that the disk space of data compaction
// rewrote and of days pruned is given back: a store compacted from many
// small commits ends near the size of one written in a single commit, and
// pruning most of its days shrinks it accordingly.
func TestSpaceComesBack(t *testing.T) {
	defer func(n int64) { tuning.valueLogFileSize = n }(tuning.valueLogFileSize)
	tuning.valueLogFileSize = 4 << 20 // value-log GC rewrites whole files, never the last
	recs := genRaw(t, gen.Config{Count: race.Quick[int64](30000, 15000), Seed: 5, Days: 3, End: genEnd, Users: 300})
	ctx := context.Background()

	// The reference: everything in one commit, no compaction needed.
	refDir := t.TempDir()
	ref, err := Open(refDir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.IngestRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	ref.Close()
	want := storeSize(t, refDir)

	// The same sign-ins in 30 commits, then compacted.
	dir := t.TempDir()
	db, err := Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	step := len(recs) / 30
	for i := 0; i < len(recs); i += step {
		if _, err := db.IngestRecords(ctx, recs[i:min(i+step, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := storeSize(t, dir)
	if before > want*13/10 {
		t.Errorf("compacted store takes %d bytes, %.2f times the store written at once (%d)", before, float64(before)/float64(want), want)
	}

	// Prune two of the three days.
	db, err = Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Prune(genEnd.Add(-24 * 3600e9)); err != nil {
		t.Fatal(err)
	}
	n, _ := db.Count()
	db.Close()
	after := storeSize(t, dir)
	kept := float64(n) / float64(len(recs))
	if float64(after) > float64(before)*(kept+0.2) {
		t.Errorf("pruning kept %.0f%% of the sign-ins and %d of %d bytes (%.0f%%)", kept*100, after, before, float64(after)/float64(before)*100)
	}
	t.Logf("written at once %d bytes; 30 commits compacted %d; pruned to %.0f%% of the sign-ins: %d", want, before, kept*100, after)
}

// TestInMemoryCompactAndPrune checks that an in-memory store, whose
// retired parts are dropped the same way, compacts and prunes.
func TestInMemoryCompactAndPrune(t *testing.T) {
	t.Parallel()
	recs := genRaw(t, gen.Config{Count: 6000, Seed: 6, Days: 3, End: genEnd, Users: 100})
	db := openTest(t, "")
	ctx := context.Background()
	for i := 0; i < len(recs); i += 500 {
		if _, err := db.IngestRecords(ctx, recs[i:min(i+500, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	checkSame(t, db, recs)
	checkIndexes(t, db)
	// WouldPrune says what Prune deletes, and deletes nothing.
	would, err := db.WouldPrune(genEnd.Add(-24 * 3600e9))
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, db, recs)
	st, err := db.Prune(genEnd.Add(-24 * 3600e9))
	if err != nil || st.Days != 2 {
		t.Fatalf("prune: %+v, %v", st, err)
	}
	if would != st || st.First != genEnd.Add(-3*24*3600e9) || st.Last != genEnd.Add(-2*24*3600e9) {
		t.Errorf("WouldPrune said %+v, Prune did %+v", would, st)
	}
	var kept []signin.Record
	for _, r := range recs {
		if !r.Time.Before(genEnd.Add(-24 * 3600e9)) {
			kept = append(kept, r)
		}
	}
	checkSame(t, db, kept)
}

// fakeDisk makes the store's disk look size bytes large, its free space
// what the files of the store's directory leave of it.
func fakeDisk(t *testing.T, size int64) *atomic.Int64 {
	limit := new(atomic.Int64)
	limit.Store(size)
	old := diskFree
	diskFree = func(dir string) (int64, bool) {
		var used int64
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if info, err := e.Info(); err == nil {
				used += diskUsage(info)
			}
		}
		return limit.Load() - used, true
	}
	t.Cleanup(func() { diskFree = old })
	return limit
}

// TestNoSpace ingests onto a disk too small for the input: the ingest
// stops with ErrNoSpace (wrapping ENOSPC) saying where and how much is
// needed, keeping what it committed; the store still opens for writing
// and prunes; on a larger disk the same ingest completes, every sign-in
// stored once. On a disk too full to write, the store opens read-only.
// (The command's TestFullDisk does it on a real full disk, where Badger
// crashed the process with SIGBUS.)
func TestNoSpace(t *testing.T) {
	input := genFile(t, 8000, 34, 4)
	recs := readAll(t, input)
	limit := fakeDisk(t, 10<<20)
	dir := t.TempDir()
	db := openTest(t, dir)
	st, err := db.Ingest(context.Background(), []string{input}, IngestOptions{CommitEvery: 2000})
	if !errors.Is(err, ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("ingest onto a full disk: %v, want ErrNoSpace and ENOSPC", err)
	}
	for _, want := range []string{dir, "free at least", "sign-ins still to store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	t.Logf("stored %d: %v", st.Stored, err)
	if st.Stored == 0 || st.Stored == int64(len(recs)) {
		t.Errorf("stored %d of %d: want the commits that fit", st.Stored, len(recs))
	}
	if n, _ := db.Count(); n != st.Stored {
		t.Errorf("Count = %d, the ingest says it stored %d", n, st.Stored)
	}
	for id, n := range stored(t, db) {
		if n != 1 {
			t.Errorf("%s stored %d times", id, n)
		}
	}
	db.Close()

	// Full, the store still opens for writing, and prunes.
	db = openTest(t, dir)
	if err := db.ReadOnly(); err != nil {
		t.Fatalf("the store opened read-only: %v", err)
	}
	if ps, err := db.Prune(genEnd.Add(-3 * 24 * time.Hour)); err != nil || ps.Days == 0 {
		t.Errorf("prune on the full disk: %+v, %v", ps, err)
	}
	db.Close()

	// Room made, the same ingest completes the store.
	limit.Store(1 << 30)
	db = openTest(t, dir)
	ingest(t, db, input)
	checkSame(t, db, recs)
	db.Close()

	// A disk with less free than opening for writing needs: read-only.
	before := fileHashes(t, dir)
	limit.Store(storeSize(t, dir) + 1<<20)
	db = openTest(t, dir)
	if err := db.ReadOnly(); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("ReadOnly = %v, want ErrNoSpace", err)
	}
	checkSame(t, db, recs)
	if _, err := db.IngestRecords(context.Background(), recs[:10]); !errors.Is(err, ErrNoSpace) {
		t.Errorf("IngestRecords on a full disk: %v, want ErrNoSpace", err)
	}
	db.Close()
	checkUnchanged(t, dir, before)

	// No store yet, and no room to make one.
	limit.Store(0)
	if _, err := Open(t.TempDir(), nil); !errors.Is(err, ErrNoSpace) {
		t.Errorf("Open a new store on a full disk: %v, want ErrNoSpace", err)
	}
}

// TestGrowLargeWrite checks the guard against writes larger than it
// lets pass between looks at the disk (spaceRecheck): a compacted day of
// a big store is one such value. It fits when the disk has room for it
// and its upkeep, and is refused, saying so, when it has not.
func TestGrowLargeWrite(t *testing.T) {
	dir := t.TempDir()
	limit := fakeDisk(t, 1<<30)
	g := &spaceGuard{dir: dir}
	big := int64(3 * spaceRecheck)
	g.begin()
	if err := g.grow(big); err != nil {
		t.Fatalf("a write of %d bytes on a disk with 1 GiB free: %v", big, err)
	}
	if err := g.grow(1 << 10); err != nil {
		t.Fatalf("a small write after it: %v", err)
	}
	g.end()

	limit.Store(big + upkeepSlack + growHeadroom - 1)
	g.begin()
	defer g.end()
	err := g.grow(big)
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a write of %d bytes on a disk with %d free: %v, want ErrNoSpace", big, limit.Load(), err)
	}
	if !strings.Contains(err.Error(), "free at least 1 B there") {
		t.Errorf("the error does not say how much to free: %v", err)
	}
	limit.Store(big + upkeepSlack + growHeadroom)
	if err := g.grow(big); err != nil {
		t.Errorf("a write of %d bytes that just fits: %v", big, err)
	}
}
