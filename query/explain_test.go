package query

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateExplain = flag.Bool("explain.update", false, "rewrite the golden files of TestExplainGolden in testdata/explain")

// TestExplainOrder checks the order explain prints, which is the order
// the plan sorts by: the keys complete it once each, after a bin's time
// or a key order by names.
func TestExplainOrder(t *testing.T) {
	for _, c := range []struct{ query, want string }{
		{"count since 1d group by bin(1h), user", "time, user"},
		{"count group by user, bin(1h)", "time, user"},
		{"count group by app", "count desc, app"},
		{"count group by app order by app desc", "app desc"},
		{"count group by app, country order by country", "country, app"},
		{"count group by app order by count, count desc", "count, app"},
		{"count, dcount(user) as users group by bin(1d), app order by users desc, time", "users desc, time, app"},
		{"top 5 app, country", "count desc, app, country"},
		{"count", "count desc"},
	} {
		st, err := Parse("explain " + c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		p, err := Check(st, nil, checkNow)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		m := regexp.MustCompile(`(?m)^order: (.*)$`).FindStringSubmatch(p.Explain())
		if m == nil || m[1] != c.want {
			t.Errorf("explain %s: order %q, want %q", c.query, m, c.want)
		}
	}
}

// TestExplainReadsEveryPart: explain analyze, and a result's Stats,
// count every part whose sign-ins were examined, those in which nothing
// matched too.
func TestExplainReadsEveryPart(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	for _, q := range []string{
		`count where user="nobody@nowhere.example"`,
		`count where user="nobody@nowhere.example" group by app`,
		`count where latency > 99999999 group by bin(1h)`,
		`count where user="sparse@contoso.com" group by app, country`,
		`dcount(ip) where user="sparse@contoso.com"`,
		`list where user="nobody@nowhere.example"`,
		`list time, user where user="sparse@contoso.com"`,
		`list where user="nobody@nowhere.example" | grouped`,
		`list where user="sparse@contoso.com" | grouped`,
	} {
		for db, name := range diffStoreNames {
			res, err := Run(context.Background(), s.dbs[db], nil, "explain analyze "+q, Options{Now: s.now})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			st := res.Stats
			if st.Parts < 20 || st.PartsRead != st.Parts {
				t.Errorf("%s, %s: %d of %d parts read; every part holds sign-ins of the range", name, q, st.PartsRead, st.Parts)
			}
			if want := fmt.Sprintf("read: %d of %d parts,", st.Parts, st.Parts); !strings.Contains(res.Plan, want) {
				t.Errorf("%s, %s: explain analyze does not say %q:\n%s", name, q, want, res.Plan)
			}
		}
	}
}

// TestExplainGolden compares explain and explain analyze (on the
// differential test's store of the default seed without a block cache,
// and without a clock, so that what they say is the same every run) with
// the files of testdata/explain; -explain.update rewrites them.
func TestExplainGolden(t *testing.T) {
	s := diffFixture(t, diffDefaultSeed) // whatever -diff.seed says: the files are of this store
	for _, c := range []struct{ name, query string }{
		{"bin-and-key", "explain count since 1d group by bin(1h), user"},
		{"dict-counts", "explain count where status=failure since 24h group by app"},
		{"analyze-nothing-matches", "explain analyze count where user=\"nobody@nowhere.example\" group by app"},
		{"analyze-some-parts", "explain analyze count where user=\"sparse@contoso.com\" group by bin(1h)"},
		{"analyze-list", "explain analyze list time, user where user=\"sparse@contoso.com\""},
		{"analyze-stream", "explain analyze list where user=\"sparse@contoso.com\" | grouped"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Run(context.Background(), s.dbs[1], nil, c.query, Options{Now: s.now})
			if err != nil {
				t.Fatal(err)
			}
			got := "$ " + c.query + "\n" + res.Plan
			path := filepath.Join("testdata", "explain", c.name+".txt")
			if *updateExplain {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (write it with -explain.update)", err)
			}
			if got != string(want) {
				t.Errorf("explain differs from %s (-explain.update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}
