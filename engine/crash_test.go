package engine

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/race"
)

// The crash tests run a child process (this test binary, re-executed)
// that ingests or compacts, kill it with SIGKILL at a random moment, and
// check what it left: the store opens, every commit the child saw return
// is there in full, no partial commit is visible, and ingesting again
// completes the store without duplicates.

const crashEnv = "SIGNINQ_CRASH_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(crashEnv); mode != "" {
		crashChild(mode)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild is the child: it does what the environment says and prints
// "committed N" after every commit.
func crashChild(mode string) {
	dir, input := os.Getenv("SIGNINQ_CRASH_DIR"), os.Getenv("SIGNINQ_CRASH_INPUT")
	db, err := Open(dir, &Options{NoBackgroundCompaction: mode != "ingest"})
	if mode == "open" {
		fmt.Println("opened:", err, errors.Is(err, ErrLocked))
	}
	if err != nil {
		fmt.Println("open:", err)
		return
	}
	defer db.Close()
	ctx := context.Background()
	switch mode {
	case "ingest":
		_, err = db.Ingest(ctx, []string{input}, IngestOptions{CommitEvery: crashBatch, OnCommit: func(n int64) {
			fmt.Printf("committed %d\n", n)
		}})
	case "records":
		// Commits of exactly crashBatch sign-ins, in input order: the
		// store must always hold whole groups.
		var recs []signin.Record
		for r, rerr := range logfile.All(ctx, []string{input}, logfile.Options{}) {
			if rerr != nil {
				fmt.Println("read:", rerr)
				return
			}
			recs = append(recs, *r)
		}
		var w *Writer
		if w, err = db.NewWriter(); err != nil {
			break
		}
		for i := 0; i < len(recs) && err == nil; i += crashBatch {
			if err = w.Add(recs[i:min(i+crashBatch, len(recs))]); err == nil {
				err = w.Commit()
			}
			fmt.Printf("committed %d\n", w.Stats().Committed)
		}
		w.Close()
	case "meta":
		// Updates of crashMetaNames names at once, all to the update's
		// number: the store must always hold one update's whole.
		for g := 1; err == nil; g++ {
			err = db.UpdateMeta("crash", func(map[string][]byte) (map[string][]byte, error) {
				changes := map[string][]byte{}
				for i := range crashMetaNames {
					changes[fmt.Sprint("name", i)] = fmt.Append(nil, g)
				}
				return changes, nil
			})
			if err == nil {
				fmt.Printf("committed %d\n", g)
			}
		}
	case "compact":
		for err == nil {
			_, err = db.Compact(ctx)
			fmt.Println("compacted")
		}
	}
	fmt.Println("done:", err)
}

const crashBatch = 1000

func TestCrash(t *testing.T) {
	t.Parallel()
	input := genFile(t, race.Quick[int64](8000, 4000), 11, 3)
	recs := readAll(t, input)
	rng := seededRand(t)
	// Under -race and -short, half the sign-ins and one round of each mode
	// (scripts/crashloop.sh runs hundreds of rounds).
	for round := range race.Quick(4, 2) {
		mode := []string{"records", "ingest"}[round%2]
		dir := t.TempDir()
		// Several kills per store: each restart goes on from what the
		// last one left.
		before := int64(0)
		for kill := range 3 {
			seen := runAndKill(t, rng, dir, input, mode, time.Duration(rng.IntN(400))*time.Millisecond)
			db, err := Open(dir, &Options{NoBackgroundCompaction: true})
			if err != nil {
				t.Fatalf("round %d kill %d: open after kill: %v", round, kill, err)
			}
			n, _ := db.Count()
			if n < before+seen {
				t.Fatalf("round %d (%s) kill %d: %d sign-ins stored; %d were before and the child saw %d more committed", round, mode, kill, n, before, seen)
			}
			if mode == "records" && n%crashBatch != 0 && n != int64(len(recs)) {
				t.Fatalf("round %d kill %d: %d sign-ins stored: not whole commits of %d", round, kill, n, crashBatch)
			}
			before = n
			checkSubset(t, db, recs)
			db.Close()
		}
		db, err := Open(dir, &Options{NoBackgroundCompaction: true})
		if err != nil {
			t.Fatal(err)
		}
		ingest(t, db, input)
		checkSame(t, db, recs)
		db.Close()
	}
}

const crashMetaNames = 20

// TestCrashMeta kills a process updating metadata: every update it saw
// commit is there, and the store holds one update whole, never parts
// of two.
func TestCrashMeta(t *testing.T) {
	rng := seededRand(t)
	dir := t.TempDir()
	before := int64(0)
	for kill := range race.Pick(6, 3) {
		seen := runAndKill(t, rng, dir, "", "meta", time.Duration(50+rng.IntN(300))*time.Millisecond)
		db, err := Open(dir, &Options{NoBackgroundCompaction: true})
		if err != nil {
			t.Fatalf("kill %d: open after kill: %v", kill, err)
		}
		m, err := db.AllMeta("crash")
		if err != nil {
			t.Fatalf("kill %d: %v", kill, err)
		}
		db.Close()
		if len(m) == 0 && before == 0 && seen == 0 {
			continue // killed before its first commit
		}
		if len(m) != crashMetaNames {
			t.Fatalf("kill %d: %d names after the child saw update %d commit, want %d", kill, len(m), seen, crashMetaNames)
		}
		for name, v := range m {
			if string(v) != string(m["name0"]) {
				t.Fatalf("kill %d: %s is %s, name0 %s: parts of two updates", kill, name, v, m["name0"])
			}
		}
		// The store holds the last update the child saw commit, or the
		// one after, killed before it said so; each child numbers its
		// updates from 1, and one that saw none leaves the last child's.
		g, _ := strconv.ParseInt(string(m["name0"]), 10, 64)
		if ok := g == seen || g == seen+1 || seen == 0 && g == before; !ok {
			t.Fatalf("kill %d: the store holds update %d; the child saw %d commit, the one before left %d", kill, g, seen, before)
		}
		t.Logf("kill %d: update %d stored, %d seen", kill, g, seen)
		before = g
	}
}

func TestCrashCompaction(t *testing.T) {
	t.Parallel()
	input := genFile(t, race.Quick[int64](12000, 6000), 12, 2)
	recs := readAll(t, input)
	rng := seededRand(t)
	for round := range race.Quick(4, 2) {
		dir := t.TempDir()
		db, err := Open(dir, &Options{NoBackgroundCompaction: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 { // four interleaved writes: four parts a day
			var part []signin.Record
			for j := i; j < len(recs); j += 4 {
				part = append(part, recs[j])
			}
			if _, err := db.IngestRecords(context.Background(), part); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		runAndKill(t, rng, dir, input, "compact", time.Duration(50+rng.IntN(500))*time.Millisecond)
		db, err = Open(dir, &Options{NoBackgroundCompaction: true})
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		checkSame(t, db, recs)
		checkIndexes(t, db)
		db.Close()
	}
}

// TestLockedOtherProcess opens a store in another process while this one
// has it open: the other gets ErrLocked, and the store is unharmed.
func TestLockedOtherProcess(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashEnv+"=open", "SIGNINQ_CRASH_DIR="+dir)
	out, _ := cmd.Output()
	if !strings.Contains(string(out), "opened: engine: store is in use by another process") || !strings.Contains(string(out), " true") {
		t.Fatalf("the other process got: %s", out)
	}
	if _, err := db.Count(); err != nil {
		t.Fatal(err)
	}
}

// TestLockedWhileChanging opens, in another process, a store this one
// holds while its files change under it: Badger has just made a log
// file, still empty, which is what a process killed at that moment
// leaves and what Open removes before Badger sees it. The other process
// must say the store is in use, and touch nothing: it takes the store's
// own lock before it reads or removes any file.
func TestLockedWhileChanging(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	ingest(t, db, genFile(t, 3000, 91, 3))
	fresh := filepath.Join(dir, "999999.vlog")
	if err := os.WriteFile(fresh, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := fileHashes(t, dir)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashEnv+"=open", "SIGNINQ_CRASH_DIR="+dir)
	out, _ := cmd.Output()
	checkUnchanged(t, dir, before)
	os.Remove(fresh)
	if !strings.Contains(string(out), "opened: engine: store is in use by another process") || !strings.Contains(string(out), " true") {
		t.Fatalf("the other process got: %s", out)
	}
	if _, err := db.Count(); err != nil {
		t.Fatal(err)
	}
}

var crashSeed = flag.Uint64("crash-seed", 0, "the seed of the crash tests' kill times (0: a new one each run, printed on failure)")

// seededRand returns the random source of a crash test's kill times:
// -crash-seed, else a new seed, which a failure prints with the flag
// that replays it.
func seededRand(t *testing.T) *rand.Rand {
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay: go test ./engine -run '^%s$' -crash-seed=%d", t.Name(), seed)
		}
	})
	return rand.New(rand.NewPCG(seed, 1))
}

// runAndKill runs the child and kills it after d (or lets it finish), and
// returns the last commit it reported.
func runAndKill(t *testing.T, rng *rand.Rand, dir, input, mode string, d time.Duration) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashEnv+"="+mode, "SIGNINQ_CRASH_DIR="+dir, "SIGNINQ_CRASH_INPUT="+input)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer timer.Stop()
	committed := int64(0)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			committed, _ = strconv.ParseInt(n, 10, 64)
		}
		if strings.HasPrefix(line, "open:") || strings.HasPrefix(line, "read:") {
			t.Fatalf("child: %s", line)
		}
	}
	cmd.Wait()
	return committed
}

// checkSubset checks that every stored record is one of recs, once.
func checkSubset(t *testing.T, db *DB, recs []signin.Record) {
	t.Helper()
	want := map[string]bool{}
	for i := range recs {
		want[canonical(&recs[i])] = true
	}
	for k, n := range stored(t, db) {
		if n != 1 || !want[k] {
			t.Fatalf("stored %d times, and in the input: %v: %.200s", n, want[k], k)
		}
	}
}

// TestEmptyLogFiles checks that a store opens, with everything it had
// committed, after a kill at the moments that leave an empty log file,
// which Badger's own Open refuses with "Create a new file": between Badger
// creating a memtable file and sizing it (dgraph-io/badger#2207); the same
// for the value-log file every Open creates (a kill during TestCrash's
// start once hit it: "Open existing file: .../000003.vlog err: Create a new
// file"); and between Badger truncating an older value-log file that
// holds no values and removing it, as Open does (the crash loop found it:
// "000001.vlog is empty, and newer ones exist").
func TestEmptyLogFiles(t *testing.T) {
	recs := readAll(t, genFile(t, 300, 4, 1))
	for _, tc := range []struct {
		name   string
		damage func(dir string, vlogs []string) string // the file to empty
	}{
		{"new memtable", func(dir string, _ []string) string { return filepath.Join(dir, "00099.mem") }},
		{"new value log", func(dir string, vlogs []string) string {
			return filepath.Join(dir, fmt.Sprintf("%06d.vlog", len(vlogs)+1))
		}},
		{"deleted value log", func(dir string, vlogs []string) string { return vlogs[0] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// The first session writes nothing: its value-log file holds
			// only its header, and the next Open would delete it.
			for _, recs := range [][]signin.Record{nil, recs} {
				db, err := Open(dir, &Options{NoBackgroundCompaction: true})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.IngestRecords(context.Background(), recs); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			vlogs, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
			if len(vlogs) != 2 {
				t.Fatalf("value-log files %v: want one a session", vlogs)
			}
			if err := os.WriteFile(tc.damage(dir, vlogs), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			db, err := Open(dir, &Options{NoBackgroundCompaction: true})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer db.Close()
			checkSame(t, db, recs)
		})
	}
}
