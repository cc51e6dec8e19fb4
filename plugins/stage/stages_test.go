package stage

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

// FuzzStages feeds each detection stage rows made from random bytes:
// values of the right kinds or null, times unsorted and at the ends of
// what a time holds, arguments at random. A stage must return rows or an
// error, never panic, and give the same rows whatever the order of its
// input.
func FuzzStages(f *testing.F) {
	f.Add(uint64(1), []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"))
	f.Add(uint64(2), []byte("spray spray spray spray spray spray"))
	f.Add(uint64(3), []byte{0xff, 0xfe, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	stages := []struct {
		st   plugins.Stage
		args [][]string
	}{
		{grouped{}, [][]string{nil, {"6h"}, {"d1"}, {"1s"}}},
		{spray{}, [][]string{nil, {"1", "1m"}, {"accounts=2", "codes=1,2,3"}}},
		{bruteforce{}, [][]string{nil, {"1", "1h", "1 2 3"}, {"failures=2", "window=5m"}}},
		{mfafatigue{}, [][]string{nil, {"1"}, {"prompts=2", "codes=1 2 500121"}}},
	}
	f.Fuzz(func(t *testing.T, seed uint64, data []byte) {
		r := rand.New(rand.NewPCG(seed, uint64(len(data))))
		next := func() byte {
			if len(data) == 0 {
				return byte(r.IntN(256))
			}
			b := data[0]
			data = data[1:]
			return b
		}
		strs := []string{"", "a", "b", "interactive", "nonInteractive", "servicePrincipal", "managedIdentity", "success", "failure", "interrupted", "SUCCESS"}
		times := []int64{math.MinInt64, math.MaxInt64, 0, -1, stagetest.Day.UnixNano(), stagetest.Day.UnixNano() + int64(time.Hour)}
		var rows [][]result.Value
		for n := int(next()) % 64; len(rows) < n; {
			row := make([]result.Value, len(stagetest.Cols))
			for i, c := range stagetest.Cols {
				b := next()
				if b%7 == 0 {
					row[i] = result.Null(c.Kind)
					continue
				}
				switch c.Kind {
				case signin.KindTime:
					if b%5 == 0 {
						row[i] = result.TimeValue(time.Unix(0, times[int(b)%len(times)]))
					} else {
						row[i] = result.TimeValue(stagetest.Day.Add(time.Duration(b) * 97 * time.Second))
					}
				case signin.KindInt:
					row[i] = result.IntValue([]int64{0, 1, 2, 3, 50126, 500121, -5, math.MaxInt64, math.MinInt64}[int(b)%9])
				default:
					row[i] = result.StringValue(strs[int(b)%len(strs)])
				}
			}
			if next()%11 == 0 {
				row = row[:int(next())%len(row)] // a short row
			}
			rows = append(rows, row)
		}
		for _, s := range stages {
			for _, args := range s.args {
				out, err := stagetest.Run(t, s.st, stagetest.Cols, rows, args...)
				if err != nil {
					continue
				}
				shuffled := slices.Clone(rows)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				again, err := stagetest.Run(t, s.st, stagetest.Cols, shuffled, args...)
				if err != nil {
					t.Fatalf("%s %v: an error on shuffled rows only: %v", s.st.Describe().Name, args, err)
				}
				if a, b := stagetest.Format(out), stagetest.Format(again); !slices.Equal(a, b) {
					t.Fatalf("%s %v: the order of the rows changes the result:\n%s\nvs\n%s", s.st.Describe().Name, args,
						strings.Join(a, "\n"), strings.Join(b, "\n"))
				}
				if s.st.Describe().Name == "grouped" {
					continue
				}
				// The successes asked of the store give the same.
				in, store := stagetest.Split(shuffled)
				fake := &stagetest.FakeStore{Rows: store}
				asked, err := stagetest.RunEnv(t, s.st, fake.Env(math.MinInt64, math.MaxInt64), stagetest.Cols, in, args...)
				if err != nil {
					t.Fatalf("%s %v: an error with the store's successes only: %v", s.st.Describe().Name, args, err)
				}
				if a, b := stagetest.Format(out), stagetest.Format(asked); !slices.Equal(a, b) {
					t.Fatalf("%s %v: the successes asked of the store change the result:\n%s\nvs\n%s\n(queries %q)", s.st.Describe().Name, args,
						strings.Join(a, "\n"), strings.Join(b, "\n"), fake.Queries)
				}
			}
		}
	})
}

// storedSnapshot stores recs in a new store in memory, in two commits
// (recs[:split], then the rest, so that a day has parts of both), and
// returns a snapshot of it, closed with the store when the test ends.
func storedSnapshot(t *testing.T, recs []signin.Record, split int) *engine.Snapshot {
	t.Helper()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, batch := range [][]signin.Record{recs[:split], recs[split:]} {
		if _, err := db.IngestRecords(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { snap.Close() })
	return snap
}
