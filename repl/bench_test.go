package repl

import (
	"context"
	"flag"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/plugins/standard"
)

var benchRows = flag.Int64("store-rows", 1_000_000, "sign-ins in the generated store the benchmarks use")

// BenchmarkCompleteValue measures Tab after "user=" on the generated
// benchmark store: cold (the values read from every part's dictionary)
// and warm (from the session's cache).
func BenchmarkCompleteValue(b *testing.B) {
	dir, err := benchstore.Dir(context.Background(), *benchRows, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	line := []rune("count where user=an")
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			s := &session{opts: Options{DB: db}, reg: standard.Registry(), values: newValueCache(Local(db)), store: Local(db)}
			c := &completer{s: s}
			if warm {
				c.Do(line, len(line))
			}
			for b.Loop() {
				if !warm {
					s.values.reset()
				}
				if cands, _ := c.Do(line, len(line)); len(cands) == 0 {
					b.Fatal("no user starts with an")
				}
			}
		})
	}
}
