package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/dirhash"

	"github.com/dgraph-io/badger/v4/table"
	"github.com/signinq/signinq/engine/signin"
)

// damagedStore makes a store of recs in a new directory, closed.
func damagedStore(t *testing.T, recs []signin.Record) string {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fileHashes hashes every file of dir, by name (dirhash.Files).
func fileHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	h, err := dirhash.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// checkUnchanged fails the test unless dir holds the files of before,
// each with the same contents.
func checkUnchanged(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := fileHashes(t, dir)
	for name, h := range before {
		switch a, ok := after[name]; {
		case !ok:
			t.Errorf("%s was deleted", name)
		case a != h:
			t.Errorf("%s was changed", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was made", name)
		}
	}
}

// one returns the only file of dir matching pattern.
func one(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) != 1 {
		t.Fatalf("%s in %s: %v, want one", pattern, dir, m)
	}
	return m[0]
}

func truncateTo(t *testing.T, path string, size func(int64) int64) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size(info.Size())); err != nil {
		t.Fatal(err)
	}
}

func overwrite(t *testing.T, path string, at func(size int64) int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	if _, err := f.WriteAt(b, at(info.Size())); err != nil {
		t.Fatal(err)
	}
}

// TestOpenDamaged opens stores whose files were damaged as disks and
// careless copies damage them. Each is an error wrapping ErrCorruption
// that names the file, never a panic (a table cut in half made Badger
// panic in a goroutine of its own), and never an empty store (a MANIFEST
// cut to 10 bytes opened as one, and Badger deleted the table file); or,
// for a damaged value log, which a read-write open would cut, the store
// opens read-only, and writes fail with the damage. Either way nothing
// in the store changes: not its files, not the files' number.
func TestOpenDamaged(t *testing.T) {
	t.Parallel()
	recs := readAll(t, genFile(t, 3000, 31, 3))
	half := func(n int64) int64 { return n / 2 }
	for _, tc := range []struct {
		name     string
		damage   func(t *testing.T, dir string) string // the file damaged
		readOnly bool
	}{
		{"table cut in half", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.sst")
			truncateTo(t, f, half)
			return f
		}, false},
		{"table emptied", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.sst")
			truncateTo(t, f, func(int64) int64 { return 0 })
			return f
		}, false},
		{"table overwritten in the middle", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.sst")
			overwrite(t, f, half, []byte("damage!damage!damage!"))
			return f
		}, false},
		{"table missing", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.sst")
			os.Remove(f)
			return f
		}, false},
		{"MANIFEST cut to 10 bytes", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "MANIFEST")
			truncateTo(t, f, func(int64) int64 { return 10 })
			return f
		}, false},
		{"MANIFEST cut to its magic", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "MANIFEST")
			truncateTo(t, f, func(int64) int64 { return 8 })
			return f
		}, false},
		{"MANIFEST emptied", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "MANIFEST")
			truncateTo(t, f, func(int64) int64 { return 0 })
			return f
		}, false},
		{"MANIFEST missing", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "MANIFEST")
			os.Remove(f)
			return f
		}, false},
		{"value log shorter than its header", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.vlog")
			truncateTo(t, f, func(int64) int64 { return 10 })
			return f
		}, false},
		{"value log overwritten in the middle", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.vlog")
			overwrite(t, f, half, []byte("damage!damage!damage!"))
			return f
		}, true},
		{"value log cut short", func(t *testing.T, dir string) string {
			f := one(t, dir, "*.vlog")
			truncateTo(t, f, func(n int64) int64 { return n * 2 / 3 })
			return f
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := damagedStore(t, recs)
			file := filepath.Base(tc.damage(t, dir))
			before := fileHashes(t, dir)
			db, err := Open(dir, &Options{NoBackgroundCompaction: true})
			if !tc.readOnly {
				if !IsCorruption(err) || !strings.Contains(err.Error(), file) {
					t.Fatalf("Open = %v, want a corruption error naming %s", err, file)
				}
				t.Logf("Open: %v", err)
				checkUnchanged(t, dir, before)
				return
			}
			if err != nil {
				t.Fatalf("Open: %v, want the store opened read-only", err)
			}
			ro := db.ReadOnly()
			if !IsCorruption(ro) || !strings.Contains(ro.Error(), file) {
				t.Errorf("ReadOnly = %v, want a corruption error naming %s", ro, file)
			}
			t.Logf("read-only: %v", ro)
			if n, _ := db.Count(); n != int64(len(recs)) {
				t.Errorf("Count = %d, want %d", n, len(recs))
			}
			if _, err := db.Stats(); err != nil {
				t.Errorf("Stats: %v", err)
			}
			for _, err := range readEverything(db) {
				if !IsCorruption(err) {
					t.Errorf("reading the store: %v, want only corruption errors", err)
				}
			}
			if _, err := db.IngestRecords(context.Background(), recs[:10]); !IsCorruption(err) {
				t.Errorf("IngestRecords = %v, want the damage", err)
			}
			if _, err := db.Prune(genEnd); !IsCorruption(err) {
				t.Errorf("Prune = %v, want the damage", err)
			}
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			checkUnchanged(t, dir, before)
		})
	}
}

// TestOpenAfterCrash opens copies of a store taken while it was open
// with writes in its memtable, as a crash leaves it: the copy opens (its
// logs end in what the copy cut off, and zeros), and holds every
// committed sign-in. The same copy with its memtable log damaged before
// its end is refused: Badger would cut what follows.
func TestOpenAfterCrash(t *testing.T) {
	defer func(n int64) { tuning.valueLogFileSize = n }(tuning.valueLogFileSize)
	tuning.valueLogFileSize = 4 << 20
	recs := readAll(t, genFile(t, 2000, 32, 2))
	dir := t.TempDir()
	db := openTest(t, dir)
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	copyDir := func() string {
		t.Helper()
		to := t.TempDir()
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.Name() == "LOCK" {
				continue
			}
			copySparse(t, filepath.Join(dir, e.Name()), filepath.Join(to, e.Name()))
		}
		return to
	}
	crashed, damaged, vlogDamaged, torn := copyDir(), copyDir(), copyDir(), copyDir()
	db.Close()

	// On a disk too full to finish what the crash left, which only a
	// read-write open does (Badger panicked replaying memtable logs
	// read-only), the store is refused with ErrNoSpace, unchanged.
	limit := fakeDisk(t, 0)
	before := fileHashes(t, crashed)
	if _, err := Open(crashed, &Options{NoBackgroundCompaction: true}); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Open on a full disk of a store a crash left: %v, want ErrNoSpace", err)
	}
	checkUnchanged(t, crashed, before)
	limit.Store(1 << 40)

	c, err := Open(crashed, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatalf("open a store as a crash left it: %v", err)
	}
	if c.ReadOnly() != nil {
		t.Errorf("a store as a crash left it opened read-only: %v", c.ReadOnly())
	}
	checkSame(t, c, recs)
	c.Close()

	mem := one(t, damaged, "*.mem")
	sc, err := scanLog(mem, false)
	if err != nil || sc.entries == 0 {
		t.Fatalf("scan %s: %+v, %v; want entries", mem, sc, err)
	}
	overwrite(t, mem, func(int64) int64 { return sc.end / 2 }, []byte("damage!damage!damage!"))
	before = fileHashes(t, damaged)
	if _, err := Open(damaged, &Options{NoBackgroundCompaction: true}); !IsCorruption(err) || !strings.Contains(err.Error(), filepath.Base(mem)) {
		t.Fatalf("Open with a damaged memtable log = %v, want a corruption error naming it", err)
	}
	checkUnchanged(t, damaged, before)

	// Its value log damaged, the store would open read-only, which the
	// memtable logs to replay forbid: refused.
	vlogs, _ := filepath.Glob(filepath.Join(vlogDamaged, "*.vlog"))
	vlog := vlogs[len(vlogs)-1]
	if sc, err = scanLog(vlog, false); err != nil || sc.entries == 0 {
		t.Fatalf("scan %s: %+v, %v; want entries", vlog, sc, err)
	}
	overwrite(t, vlog, func(int64) int64 { return sc.end / 2 }, []byte("damage!damage!damage!"))
	before = fileHashes(t, vlogDamaged)
	if _, err := Open(vlogDamaged, &Options{NoBackgroundCompaction: true}); !IsCorruption(err) || !strings.Contains(err.Error(), filepath.Base(vlog)) {
		t.Fatalf("Open with a damaged value log and memtable logs = %v, want a corruption error naming it", err)
	}
	checkUnchanged(t, vlogDamaged, before)

	// A bad entry past every value the memtable logs point to, with data
	// after it, is what a kill during a write leaves (scripts/crashloop.sh
	// met one): Badger cuts it there, and every committed sign-in stays.
	vlogs, _ = filepath.Glob(filepath.Join(torn, "*.vlog"))
	vlog = vlogs[len(vlogs)-1]
	if sc, err = scanLog(vlog, false); err != nil || sc.entries == 0 {
		t.Fatalf("scan %s: %+v, %v; want entries", vlog, sc, err)
	}
	overwrite(t, vlog, func(int64) int64 { return sc.end }, []byte("torn!torn!torn!torn!torn!"))
	overwrite(t, vlog, func(int64) int64 { return sc.end + 4096 }, []byte("after!after!after!"))
	c, err = Open(torn, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatalf("open a store a crash left with a bad entry past its committed values: %v", err)
	}
	if c.ReadOnly() != nil {
		t.Errorf("a store a crash left with a bad entry past its committed values opened read-only: %v", c.ReadOnly())
	}
	checkSame(t, c, recs)
	c.Close()
}

// copySparse copies a file, leaving its blocks of zeros holes: Badger's
// log files are large and mostly unwritten.
func copySparse(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	buf := make([]byte, 64<<10)
	var off int64
	for {
		n, err := in.ReadAt(buf, off)
		for _, b := range buf[:n] {
			if b != 0 {
				if _, err := out.WriteAt(buf[:n], off); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		off += int64(n)
		if err != nil {
			break
		}
	}
	if err := out.Truncate(off); err != nil {
		t.Fatal(err)
	}
}

// TestScanLogTorn checks what scanLog takes for a write a crash cut: a
// part of one entry, then zeros; anything else after the last whole
// transaction is damage.
func TestScanLogTorn(t *testing.T) {
	dir := damagedStore(t, readAll(t, genFile(t, 300, 33, 1)))
	vlog := one(t, dir, "*.vlog")
	whole, err := os.ReadFile(vlog)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scanLog(vlog, false)
	if err != nil || !sc.sound() || sc.end != int64(len(whole)) || sc.entries == 0 {
		t.Fatalf("scan of a closed value log: %+v, %v; want it sound, whole", sc, err)
	}
	scan := func(b []byte) *logScan {
		t.Helper()
		path := filepath.Join(t.TempDir(), "000001.vlog")
		os.WriteFile(path, b, 0o644)
		sc, err := scanLog(path, false)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	// The last transaction, cut at every few bytes, with zeros after (the
	// file made larger than written): sound. The same without the zeros
	// (the file cut): not. The same with its first 32 bytes not written
	// yet (Go's copy writes a large block's head last): sound.
	last := lastTxnStart(t, vlog)
	for cut := last + 1; cut < int64(len(whole)); cut += 97 {
		for _, tc := range []struct {
			zeros    int
			headLast bool
		}{{4096, false}, {0, false}, {4096, true}} {
			// The zeros reach past where the entry would end, as in a file
			// Badger made larger than it writes.
			zeros := 0
			if tc.zeros > 0 {
				zeros = len(whole) - int(cut) + tc.zeros
			}
			b := append(append([]byte(nil), whole[:cut]...), make([]byte, zeros)...)
			if tc.headLast {
				clear(b[last:min(last+32, cut)])
			}
			sc := scan(b)
			if sc.end != last {
				t.Fatalf("cut at %d: replay ends at %d, want %d", cut, sc.end, last)
			}
			if sc.sound() != (tc.zeros > 0) {
				t.Fatalf("cut at %d, %d zeros after, head zeroed %v: sound = %v (%v)", cut, tc.zeros, tc.headLast, sc.sound(), sc.problem())
			}
		}
	}
	// Damage in the middle, with whole entries after it: not sound,
	// whether the file was closed or a crash left zeros after it. (Zeros
	// in the middle of a file a crash left look like an entry whose
	// head was not written yet: that one is not told apart.)
	for _, damage := range [][]byte{make([]byte, 64), []byte("damage!damage!damage!")} {
		for _, zeros := range []int{0, 4096} {
			b := append(append([]byte(nil), whole...), make([]byte, zeros)...)
			copy(b[len(whole)/3:], damage)
			if sc := scan(b); sc.sound() && (zeros == 0 || damage[0] != 0) {
				t.Errorf("%q written at a third of a value log with %d zeros after: sound (%+v)", damage, zeros, sc)
			}
		}
	}
}

// lastTxnStart is where the last transaction of a log file starts: the
// replay's end when the file is cut one byte short.
func lastTxnStart(t *testing.T, path string) int64 {
	b, _ := os.ReadFile(path)
	cut := filepath.Join(t.TempDir(), "000001.vlog")
	os.WriteFile(cut, b[:len(b)-1], 0o644)
	sc, err := scanLog(cut, false)
	if err != nil || sc.end >= int64(len(b)) || sc.end <= logHeaderSize {
		t.Fatalf("scan: %+v, %v", sc, err)
	}
	return sc.end
}

// TestRecoverStore checks that recoverStore makes a panic of the storage
// library an error, and lets the engine's own panics go on.
func TestRecoverStore(t *testing.T) {
	badger := func() (err error) {
		defer recoverStore(&err, "table")
		table.OpenInMemoryTable([]byte("not a table at all, but long enough to look at"), 1, &table.Options{})
		return nil
	}
	if err := badger(); !IsCorruption(err) {
		t.Errorf("a panic in Badger became %v, want a corruption error", err)
	}
	own := func() (err error) {
		defer recoverStore(&err, "part")
		var m map[string]int
		m["x"] = 1 // the engine's bug
		return nil
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("the engine's own panic was recovered")
		}
	}()
	own()
	t.Error("own returned")
}
