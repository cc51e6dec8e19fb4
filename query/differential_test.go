package query

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

func TestExplore(t *testing.T) {
	end := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	g, err := gen.New(gen.Config{Count: 20000, Seed: 1, Users: 200, Days: 10, End: end})
	if err != nil {
		t.Fatal(err)
	}
	var recs []signin.Record
	t0 := time.Now()
	g.Generate(context.Background(), func(b []gen.Event) error {
		for i := range b {
			recs = append(recs, b[i].Record)
		}
		return nil
	})
	t.Log("gen", time.Since(t0), len(recs))
	t0 = time.Now()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.IngestRecords(context.Background(), recs)
	t.Log("ingest", time.Since(t0), st, err)
	for _, f := range signin.Fields() {
		m := map[string]int{}
		for i := range recs {
			if f.Kind == signin.KindList {
				for _, e := range f.List(&recs[i]) {
					m[e]++
				}
				if len(f.List(&recs[i])) == 0 {
					m["<none>"]++
				}
			} else {
				m[f.Text(&recs[i])]++
			}
		}
		type kv struct {
			k string
			n int
		}
		var kvs []kv
		for k, n := range m {
			kvs = append(kvs, kv{k, n})
		}
		sort.Slice(kvs, func(i, j int) bool { return kvs[i].n > kvs[j].n })
		s := fmt.Sprintf("%s (%s) distinct=%d:", f.Name, f.Kind, len(kvs))
		for i := 0; i < len(kvs) && i < 8; i++ {
			s += fmt.Sprintf(" %q=%d", kvs[i].k, kvs[i].n)
		}
		t.Log(s)
	}
}
