package storage

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// FuzzBlobHour: an hour found is a real one, and the path holds its
// segments, y=…/m=…/d=…/h=…, as diagnostic settings write them.
func FuzzBlobHour(f *testing.F) {
	f.Add("tenantId=aaaabbbb-0000-cccc-1111-dddd2222eeee/y=2024/m=06/d=20/h=05/m=00/PT1H.json")
	f.Add("resourceId=/SUBSCRIPTIONS/X/y=2024/m=02/d=29/h=23/m=00/PT1H.json")
	f.Add("y=2023/m=02/d=29/h=00/m=00/PT1H.json")
	f.Add("y=2024/m=13/d=01/h=00")
	f.Add("y=2024/m=1/d=01/h=00")
	f.Add("x/y=2024/m=01/d=01/h=24/y=2024/m=01/d=02/h=03")
	f.Fuzz(func(t *testing.T, name string) {
		h, ok := BlobHour(name)
		if !ok {
			if !h.IsZero() {
				t.Fatalf("%q: not ok, with an hour %v", name, h)
			}
			return
		}
		if h.Location() != time.UTC || h.Minute() != 0 || h.Second() != 0 || h.Nanosecond() != 0 {
			t.Fatalf("%q: hour %v is not a whole UTC hour", name, h)
		}
		segs := fmt.Sprintf("y=%04d/m=%02d/d=%02d/h=%02d", h.Year(), h.Month(), h.Day(), h.Hour())
		if !strings.HasPrefix(name, segs) && !strings.Contains(name, "/"+segs) {
			t.Fatalf("%q: hour %v, but the path does not hold %s", name, h, segs)
		}
	})
}

// TestBlobHour checks the cases the fuzz test's invariant cannot: which
// hour, and that impossible dates are refused.
func TestBlobHour(t *testing.T) {
	for name, want := range map[string]string{
		"tenantId=t/y=2024/m=06/d=20/h=05/m=00/PT1H.json":            "2024-06-20T05:00:00Z",
		"resourceId=/A/B/y=2024/m=02/d=29/h=23/m=00/PT1H.json":       "2024-02-29T23:00:00Z",
		"tenantId=t/y=2023/m=02/d=29/h=05/m=00/PT1H.json":            "",
		"tenantId=t/y=2023/m=12/d=01/h=24/m=00/PT1H.json":            "",
		"tenantId=t/y=2023/m=12/d=01/PT1H.json":                      "",
		"tenantId=t/y=2023/m=12/d=01/h=+1/m=00/PT1H.json":            "",
		"y=2023/m=12/d=01/h=22/m=00/y=2023/m=00/d=01/h=01/PT1H.json": "2023-12-01T22:00:00Z",
	} {
		h, ok := BlobHour(name)
		got := ""
		if ok {
			got = h.Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("BlobHour(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzCursor: a value decodes only to a cursor that holds together, and
// a cursor encoded decodes to itself.
func FuzzCursor(f *testing.F) {
	good := cursor{Offset: 120, Lines: 3, Size: 300, ETag: `"0x8D"`, Created: time.Date(2024, 6, 20, 5, 0, 0, 0, time.UTC), Last: []byte("{}\n")}
	f.Add(good.encode())
	f.Add([]byte(`{"v":1,"offset":5,"lines":9,"size":5}`))
	f.Add([]byte(`{"v":2,"offset":0,"lines":0,"size":0}`))
	f.Add([]byte(`{"v":1,"offset":0,"lines":0,"size":0,"extra":1}`))
	f.Add([]byte(`{"v":1,"offset":0,"lines":0,"size":0} {}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := decodeCursor(v)
		if err != nil {
			return
		}
		if c.V != cursorVersion || c.Offset < 0 || c.Lines < 0 || c.Lines > c.Offset || c.Offset > c.Size || len(c.Last) > maxCheck || int64(len(c.Last)) > c.Offset {
			t.Fatalf("%q decoded to %+v", v, c)
		}
		again, err := decodeCursor(c.encode())
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("%+v encoded and decoded: %+v, %v", c, again, err)
		}
	})
}

var linesSeed = flag.Uint64("lines.seed", 20261206, "the seed of TestWholeLines's random pieces")

// TestWholeLines reads texts in pieces of every size: what is passed on
// ends at the last line end, or after a last record that is whole;
// consumed, lines and last agree with it.
func TestWholeLines(t *testing.T) {
	seed := *linesSeed
	t.Logf("seed %d (-lines.seed tries another)", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for _, c := range []struct{ text, want string }{
		{"", ""},
		{"{\"a\":1}\n{\"b\":", "{\"a\":1}\n"},
		{"{\"a\":1}\n{\"b\":2}", "{\"a\":1}\n{\"b\":2}"},
		{"{\"a\":1}\r\n{\"b\":2}\r", "{\"a\":1}\r\n{\"b\":2}\r"},
		{"{\"a\":1}\n{\"b\":\"}\"", "{\"a\":1}\n"},
		{"{\"a\":1}\n   ", "{\"a\":1}\n   "},
		{"{\"a\":1}\n[1]", "{\"a\":1}\n"},
		{strings.Repeat("{\"a\":1}\n", 5000) + "{\"x", strings.Repeat("{\"a\":1}\n", 5000)},
	} {
		for range 5 {
			w := newWholeLines(iotest.OneByteReader(&pieces{s: c.text, r: r}), 1<<20)
			got, err := io.ReadAll(w)
			if err != nil || string(got) != c.want {
				t.Fatalf("%.40q: read %.40q, %v; want %.40q", c.text, got, err, c.want)
			}
			if w.consumed.Load() != int64(len(c.want)) || w.lines.Load() != int64(strings.Count(c.want, "\n")) {
				t.Fatalf("%.40q: consumed %d, lines %d", c.text, w.consumed.Load(), w.lines.Load())
			}
			start := strings.LastIndexByte(strings.TrimSuffix(c.want, "\n"), '\n') + 1
			start = max(start, len(c.want)-maxCheck)
			if string(w.last) != c.want[start:] {
				t.Fatalf("%.40q: last %q, want %q", c.text, w.last, c.want[start:])
			}
		}
	}
	// The check of what the last pull read.
	for _, c := range []struct {
		text, check string
		replaced    bool
	}{{"ab\ncd\n", "ab\n", false}, {"xb\ncd\n", "ab\n", true}, {"a", "ab\n", true}} {
		w := newWholeLines(strings.NewReader(c.text), 1<<20)
		w.check = []byte(c.check)
		got, err := io.ReadAll(w)
		if (err == errReplaced) != c.replaced || (!c.replaced && string(got) != c.text[len(c.check):]) {
			t.Fatalf("%q after %q: %q, %v", c.text, c.check, got, err)
		}
	}
}

// pieces reads a string in pieces of random sizes.
type pieces struct {
	s string
	r *rand.Rand
}

func (p *pieces) Read(b []byte) (int, error) {
	if p.s == "" {
		return 0, io.EOF
	}
	n := min(len(b), len(p.s), 1+p.r.IntN(9000))
	copy(b, p.s[:n])
	p.s = p.s[n:]
	return n, nil
}
