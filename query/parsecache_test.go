package query

import (
	"fmt"
	"testing"
)

// TestParseCached checks what the parse cache keeps: a query's
// statement, the same one for the same text; not a define's, nor a
// failed parse; and no more than parseCacheSize statements.
func TestParseCached(t *testing.T) {
	a, err := parseCached("count where status=failure since 24h group by app")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := parseCached("count where status=failure since 24h group by app")
	if a != b {
		t.Error("the same text parsed twice: two statements, want the one kept")
	}
	if c, _ := parseCached("count where status=failure since 24h group by  app"); c == a {
		t.Error("another text: the same statement")
	}
	for _, text := range []string{"define f = count", "count where", "undefine f"} {
		_, _ = parseCached(text)
		parsed.Lock()
		_, kept := parsed.m[text]
		parsed.Unlock()
		if kept {
			t.Errorf("%q: kept", text)
		}
	}
	for i := range 2 * parseCacheSize {
		if _, err := parseCached(fmt.Sprintf("count where latency > %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	parsed.Lock()
	n := len(parsed.m)
	parsed.Unlock()
	if n > parseCacheSize {
		t.Errorf("%d statements kept, want at most %d", n, parseCacheSize)
	}
}
