package query

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

func addSeeds(f *testing.F) {
	for _, ex := range examples {
		f.Add(ex.text)
	}
	for _, s := range []string{"", "(", ")", "((((", `"`, "'", "count |", "count where a in ()", "top", "list *,", "count where not", "show", "explain explain", "count where ip in 1.2.3.4/99", "count since 99999999999999999999w", "count group by bin(0s)",
		"count where tenant != resourceTenant", "count where client = Browser", "count where latency > asn or time < ingested",
		"count, values(ip) as ips group by app, hour(time), bin(1h) | spikes k=1 min=0"} {
		f.Add(s)
	}
}

// FuzzParse checks that no text makes the parser panic, and that what it
// accepts prints in a canonical form that parses back to itself.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		st, err := Parse(text)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("%q: error %T %v is not a *query.Error", text, err, err)
			}
			return
		}
		canon := st.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", text, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("%q prints as %q, which prints as %q", text, canon, again.String())
		}
		_, _ = Check(st, nil, checkNow)
	})
}

var fuzzStore = sync.OnceValues(func() (*engine.DB, error) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		return nil, err
	}
	g, err := gen.New(gen.Config{Count: 3000, Seed: 3, Days: 3, Users: 50, End: checkNow})
	if err != nil {
		return nil, err
	}
	var recs []signin.Record
	err = g.Generate(context.Background(), func(evs []gen.Event) error {
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	_, err = db.IngestRecords(context.Background(), recs)
	return db, err
})

// FuzzQuery runs any text against a small store: it must give a result
// whose rows fit its columns, or an error, and never panic or hang.
func FuzzQuery(f *testing.F) {
	addSeeds(f)
	db, err := fuzzStore()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := db.Query(ctx, text, engine.QueryOptions{Now: checkNow, MaxMemory: 64 << 20})
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%q: still running after 10 s", text)
			}
			return
		}
		for _, r := range res.Rows {
			if len(r) != len(res.Columns) {
				t.Fatalf("%q: a row of %d values for %d columns", text, len(r), len(res.Columns))
			}
		}
	})
}
