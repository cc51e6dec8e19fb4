package storage

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
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
	if !st.Newest.IsZero() {
		t.Fatalf("Newest of a pull reading nothing is %v, want zero", st.Newest)
	}
	// Newest of a whole pull is the newest sign-in generated.
	if got, want := pull(t, ctx, openStore(t), a, Options{}).ok(t).Newest, newestGenerated(t, 3000, 1); !got.Equal(want) {
		t.Fatalf("Newest of a whole pull is %v, want %v", got, want)
	}
}

// TestPullReplaced deletes blobs read before and creates them again, one
// shorter and one longer than what was read (in the same second, so that
// their creation time may not tell): each is read again whole, with a
// warning; a blob deleted for good has its cursor dropped.
func TestPullReplaced(t *testing.T) {
	data := generate(t, 400, 2)
	a := newAccount(t)
	db := openStore(t)
	ctx := context.Background()
	blobs := data.largest()
	short, long, gone := blobs[0], blobs[1], blobs[2]
	lines := func(b [2]string) [][]byte { return data[b[0]][b[1]] }
	if len(lines(short)) < 4 || len(lines(long)) < 4 {
		t.Fatalf("blobs too small for the test: %d, %d lines", len(lines(short)), len(lines(long)))
	}
	// Other sign-ins than those read: the second half of another blob's.
	other := lines(blobs[3])
	a.appendTo(short[0], short[1], join(lines(short)))
	a.appendTo(long[0], long[1], join(lines(long)[:2]))
	a.appendTo(gone[0], gone[1], join(lines(gone)))
	first := pull(t, ctx, db, a, Options{}).ok(t)

	a.remove(short[0], short[1])
	a.appendTo(short[0], short[1], join(other[:1]))
	a.remove(long[0], long[1])
	a.appendTo(long[0], long[1], join(other[1:]))
	a.remove(gone[0], gone[1])
	p := pull(t, ctx, db, a, Options{})
	st := p.ok(t)
	if st.BlobsAgain != 2 || st.Stored != int64(len(other)) || st.Forgotten != 1 || st.Duplicates != 0 {
		t.Fatalf("pull after the replacements: %+v; want 2 blobs read again, %d stored, 1 cursor dropped", st, len(other))
	}
	again := 0
	for _, w := range p.warnings {
		if strings.Contains(w.Message, "read again whole") && (w.Input == short[0]+"/"+short[1] || w.Input == long[0]+"/"+long[1]) {
			again++
		}
	}
	if again != 2 {
		t.Fatalf("%d warnings of blobs read again whole, want 2", again)
	}
	if n := count(t, db); n != first.Stored+int64(len(other)) {
		t.Fatalf("store holds %d, want %d", n, first.Stored+int64(len(other)))
	}
	meta, err := db.AllMeta(MetaSpace)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) != 2 {
		t.Fatalf("%d cursors kept, want the 2 blobs left", len(meta))
	}
}

// TestPullRejects reads a malformed line appended to a blob read before:
// it is rejected with the blob's name and its line in the blob, and the
// lines around it are stored.
func TestPullRejects(t *testing.T) {
	data := generate(t, 200, 3)
	a := newAccount(t)
	db := openStore(t)
	ctx := context.Background()
	b := data.largest()[0]
	lines := data[b[0]][b[1]]
	if len(lines) < 5 {
		t.Fatalf("blob too small: %d lines", len(lines))
	}
	a.appendTo(b[0], b[1], join(lines[:3]))
	pull(t, ctx, db, a, Options{Containers: []string{b[0]}}).ok(t)
	a.appendTo(b[0], b[1], join([][]byte{lines[3], []byte("{\"time\": not json\n"), lines[4]}))
	p := pull(t, ctx, db, a, Options{Containers: []string{b[0]}})
	st := p.ok(t)
	if st.Stored != 2 || st.Rejected != 1 || len(p.rejects) != 1 {
		t.Fatalf("%+v, %d rejects; want 2 stored, 1 rejected", st, len(p.rejects))
	}
	if r := p.rejects[0]; r.Input != b[0]+"/"+b[1] || r.Line != 5 {
		t.Fatalf("reject %v: want %s/%s line 5", r, b[0], b[1])
	}
}

// TestPullSinceUntil reads only the blobs whose path's hour overlaps the
// bounds, then the rest.
func TestPullSinceUntil(t *testing.T) {
	data := generate(t, 1000, 4)
	a := newAccount(t)
	db := openStore(t)
	ctx := context.Background()
	day := testEnd.Add(-24 * time.Hour)
	since, until := day.Add(5*time.Hour+30*time.Minute), day.Add(10*time.Hour)
	var inside, all int64
	for _, b := range data.blobs() {
		a.appendTo(b[0], b[1], join(data[b[0]][b[1]]))
		n := int64(len(data[b[0]][b[1]]))
		all += n
		if h, _ := BlobHour(b[1]); h.Hour() >= 5 && h.Hour() < 10 {
			inside += n
		}
	}
	st := pull(t, ctx, db, a, Options{Since: since, Until: until}).ok(t)
	if st.Stored != inside || st.BlobsOutside == 0 {
		t.Fatalf("bounded pull: %+v; want the %d sign-ins of hours 5 to 9", st, inside)
	}
	st = pull(t, ctx, db, a, Options{}).ok(t)
	if st.Stored != all-inside || st.Duplicates != 0 {
		t.Fatalf("pull after: %+v; want the %d others", st, all-inside)
	}
}

// TestPullContainers: a default container missing is a warning, a named
// one an error.
func TestPullContainers(t *testing.T) {
	data := generate(t, 100, 5)
	a := newAccount(t)
	db := openStore(t)
	ctx := context.Background()
	b := data.blobs()[0]
	a.appendTo(b[0], b[1], join(data[b[0]][b[1]]))
	p := pull(t, ctx, db, a, Options{})
	st := p.ok(t)
	if st.Containers != 1 || st.Missing != len(SignInContainers)-1 || len(p.warnings) != st.Missing {
		t.Fatalf("%+v with %d warnings; want 1 container and %d missing, each a warning", st, len(p.warnings), len(SignInContainers)-1)
	}
	p = pull(t, ctx, db, a, Options{Containers: []string{b[0], "insights-logs-nosuch"}})
	if !errors.Is(p.err, ErrNoContainer) || !strings.Contains(p.err.Error(), "insights-logs-nosuch") {
		t.Fatalf("pull of a missing container named: %v, want ErrNoContainer naming it", p.err)
	}
}

// TestPullInterrupted cancels a pull midway, then pulls again: every
// sign-in is stored once.
func TestPullInterrupted(t *testing.T) {
	data := generate(t, 4000, 6)
	a := newAccount(t)
	db := openStore(t)
	for _, b := range data.blobs() {
		a.appendTo(b[0], b[1], join(data[b[0]][b[1]]))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := pull(t, ctx, db, a, Options{Progress: func(pr Progress) {
		if pr.Blobs >= 10 {
			cancel()
		}
	}})
	if !errors.Is(p.err, engine.ErrInterrupted) {
		t.Fatalf("interrupted pull: %v, want ErrInterrupted", p.err)
	}
	first := count(t, db)
	if first != p.st.Stored || first == 0 || first == 4000 {
		t.Fatalf("interrupted pull stored %d, store holds %d: want the same, some and not all", p.st.Stored, first)
	}
	st := pull(t, context.Background(), db, a, Options{}).ok(t)
	if n := count(t, db); n != 4000 || first+st.Stored != 4000 {
		t.Fatalf("store holds %d after the second pull (%+v), want 4000", n, st)
	}
	if st.BlobsRead >= len(data.blobs()) {
		t.Fatalf("the second pull read %d blobs again, want fewer than all %d: the interrupted one kept the cursors of those it read", st.BlobsRead, len(data.blobs()))
	}
}

// TestPullSamples pulls real records (one per category, and two in a
// blob without a line end after its last) and stores what ingesting the
// same files stores.
func TestPullSamples(t *testing.T) {
	a := newAccount(t)
	db := openStore(t)
	ctx := context.Background()
	raw, err := os.ReadFile("testdata/test-signinlogs-raw.log")
	if err != nil {
		t.Fatal(err)
	}
	byCategory := map[string]string{
		"SignInLogs":                          "insights-logs-signinlogs",
		"NonInteractiveUserSignInLogs":        "insights-logs-noninteractiveusersigninlogs",
		"ServicePrincipalSignInLogs":          "insights-logs-serviceprincipalsigninlogs",
		"ManagedIdentitySignInLogs":           "insights-logs-managedidentitysigninlogs",
		"MicrosoftServicePrincipalSignInLogs": "insights-logs-microsoftserviceprincipalsigninlogs",
	}
	name := "tenantId=aaaabbbb-0000-cccc-1111-dddd2222eeee/y=2019/m=10/d=18/h=09/m=00/PT1H.json"
	for line := range strings.Lines(string(raw)) {
		_, cat, _ := strings.Cut(line, `"category":"`)
		cat, _, _ = strings.Cut(cat, `"`)
		c, ok := byCategory[cat]
		if !ok {
			t.Fatalf("category %q", cat)
		}
		a.appendTo(c, name, []byte(line))
	}
	nolf, err := os.ReadFile("testdata/test-signinlogs.log")
	if err != nil {
		t.Fatal(err)
	}
	a.appendTo("insights-logs-signinlogs", strings.Replace(name, "h=09", "h=10", 1), nolf)
	st := pull(t, ctx, db, a, Options{}).ok(t)

	ref := openStore(t)
	ist, err := ref.Ingest(ctx, []string{"testdata/test-signinlogs-raw.log", "testdata/test-signinlogs.log"}, engine.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Read != 7 || st.Stored != ist.Stored || st.Duplicates != ist.Duplicates || st.Rejected != 0 || count(t, db) != count(t, ref) {
		t.Fatalf("pull: %+v; ingest of the same files: %+v", st, ist)
	}
	if st = pull(t, ctx, db, a, Options{}).ok(t); st.Read != 0 || st.BlobsRead != 0 {
		t.Fatalf("second pull read %+v; the blob without a final line end was read whole the first time", st)
	}
}
