package query

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// noteStore returns a store of the sign-ins at times (one ingest per
// element, so that each is a part of its own), each with the user
// "u<i>@contoso.com", failed when its index is odd.
func noteStore(t *testing.T, times ...[]time.Time) *engine.DB {
	t.Helper()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := 0
	for _, ts := range times {
		var recs []signin.Record
		for _, tm := range ts {
			r := signin.New()
			r.ID = fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
			r.Time, r.Type = tm, signin.TypeInteractive
			r.User = fmt.Sprintf("u%d@contoso.com", n)
			r.Identity, r.Error, r.Status = r.User, 0, signin.StatusSuccess
			if n%2 == 1 {
				r.Error, r.Status = 50126, signin.StatusFailure
			}
			recs = append(recs, r)
			n++
		}
		if _, err := db.IngestRecords(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestNowLatest checks that NowLatest counts from the newest sign-in of
// the snapshot queried, in Run (DB.Query) and in Execute, whose plan was
// checked at another now.
func TestNowLatest(t *testing.T) {
	db := noteStore(t, []time.Time{at("2022-01-20T10:00:00Z"), at("2022-01-26T12:00:00Z")}, []time.Time{at("2022-01-27T09:00:00Z"), at("2022-01-27T10:00:00Z")})
	ctx := context.Background()
	count := func(res *result.Result) int64 { return res.Rows[0][0].Int() }
	for _, tc := range []struct {
		text string
		opts Options
		want int64
	}{
		{"count since 1d", Options{NowLatest: true}, 3},
		{"count since 1d", Options{NowLatest: true, Now: at("2030-01-01T00:00:00Z")}, 3}, // latest wins
		{"count since 1h", Options{NowLatest: true}, 2},                                  // both ends in: 09:00 and 10:00
		{"count since 59m", Options{NowLatest: true}, 1},
		{"count since 1d", Options{Now: at("2030-01-01T00:00:00Z")}, 0},
		{"count since 1d", Options{}, 3}, // a store without a clock: its newest sign-in
		{"count since 1w", Options{Now: at("2022-01-26T12:00:00Z")}, 2},
	} {
		res, err := Run(ctx, db, nil, tc.text, tc.opts)
		if err != nil {
			t.Fatalf("%s %+v: %v", tc.text, tc.opts, err)
		}
		if got := count(res); got != tc.want {
			t.Errorf("%s %+v: %d, want %d", tc.text, tc.opts, got, tc.want)
		}
	}
	// Execute checks again a plan prepared at another now.
	plan, err := Prepare("count since 1d", nil, nil, at("2030-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Execute(ctx, db, plan, Options{NowLatest: true})
	if err != nil {
		t.Fatal(err)
	}
	if count(res) != 3 || len(res.Notes) != 0 {
		t.Errorf("Execute with NowLatest: %d, notes %v; want 3, none", count(res), res.Notes)
	}
	plan, _ = Prepare("explain count since 1d", nil, nil, at("2030-01-01T00:00:00Z"))
	res, err = Execute(ctx, db, plan, Options{NowLatest: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "time: from 2022-01-26T10:00:00Z through now (2022-01-27T10:00:00Z)"; !strings.Contains(res.Plan, want) {
		t.Errorf("explain with NowLatest:\n%s\nwant %q", res.Plan, want)
	}
	// An empty store has no newest sign-in: now stays Now.
	empty := noteStore(t)
	res, err = Run(ctx, empty, nil, "explain count since 1d", Options{NowLatest: true, Now: at("2026-11-26T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "through now (2026-11-26T00:00:00Z)"; !strings.Contains(res.Plan, want) {
		t.Errorf("explain on an empty store with NowLatest:\n%s\nwant %q", res.Plan, want)
	}
}

// TestNoDataNote checks the note of a relative range that holds none of
// the store's sign-ins, and its absence otherwise.
func TestNoDataNote(t *testing.T) {
	db := noteStore(t, []time.Time{at("2022-01-25T08:00:00Z"), at("2022-01-27T10:31:00Z")}, []time.Time{at("2026-11-20T00:00:00Z")})
	first, mid, last := at("2022-01-25T08:00:00Z"), at("2022-01-27T10:31:00Z"), at("2026-11-20T00:00:00Z")
	for _, tc := range []struct {
		text, now string
		want      *result.NoDataNote // nil: no note
	}{
		{"count since 24h", "2022-01-28T00:00:00Z", nil}, // sign-ins in the range
		{"count where status=failure since 1h", "2022-01-27T10:31:00Z", nil},
		{"count since 24h", "2024-06-01T00:00:00Z", &result.NoDataNote{From: at("2024-05-31T00:00:00Z"), Now: at("2024-06-01T00:00:00Z"), First: first, Last: last}},
		{"list since 1d", "2022-01-28T12:00:00Z", &result.NoDataNote{From: at("2022-01-27T12:00:00Z"), Now: at("2022-01-28T12:00:00Z"), First: first, Last: last}},
		{"count since 1d group by app", "2022-01-01T00:00:00Z", &result.NoDataNote{From: at("2021-12-31T00:00:00Z"), Now: at("2022-01-01T00:00:00Z"), First: first, Last: last}},
		{"count since 2022-01-28", "2024-06-01T00:00:00Z", nil}, // an absolute start: now does not make it empty
		{"count between 2023-01-01 and 2023-02-01", "2024-06-01T00:00:00Z", nil},
		{"count", "2030-01-01T00:00:00Z", nil},
	} {
		res, err := Run(context.Background(), db, nil, tc.text, Options{Now: at(tc.now)})
		if err != nil {
			t.Fatalf("%s at %s: %v", tc.text, tc.now, err)
		}
		var got *result.NoDataNote
		for _, n := range res.Notes {
			if nd, ok := n.(result.NoDataNote); ok {
				got = &nd
			}
		}
		switch {
		case tc.want == nil && got != nil:
			t.Errorf("%s at %s: note %q, want none", tc.text, tc.now, got)
		case tc.want != nil && (got == nil || *got != *tc.want):
			t.Errorf("%s at %s: note %v, want %v", tc.text, tc.now, got, *tc.want)
		}
	}
	// Only the store's: a store of one export ending before the range.
	old := noteStore(t, []time.Time{first, mid})
	res, err := Run(context.Background(), old, nil, "count where status=failure since 24h", Options{Now: at("2026-05-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) != 1 || res.Notes[0].String() != "the store's sign-ins end at 2022-01-27T10:31:00Z, 4 years before now (2026-05-01T00:00:00Z)" {
		t.Errorf("notes %q", res.Notes)
	}
}

// TestListLimitNote checks list's note when it stops at its default
// limit: the total from the bitmaps, or only that more match when
// counting would scan; none when the limit is the query's or all fit.
func TestListLimitNote(t *testing.T) {
	var days [][]time.Time
	for d := 0; d < 4; d++ { // four parts of five sign-ins
		var ts []time.Time
		for i := 0; i < 5; i++ {
			ts = append(ts, at("2026-11-20T00:00:00Z").AddDate(0, 0, d).Add(time.Duration(i)*time.Hour))
		}
		days = append(days, ts)
	}
	db := noteStore(t, days...)
	for _, tc := range []struct {
		text string
		want string // the note, "" for none
	}{
		{"list", "3 of 20 shown; limit N for more"},
		{"list where status=failure", "3 of 10 shown; limit N for more"},
		{"list where status=failure or user in (u0@contoso.com, u2@contoso.com)", "3 of 12 shown; limit N for more"},
		{"list where not status=failure", "3 of 10 shown; limit N for more"},
		{"list since 1d", "3 of 6 shown; limit N for more"}, // now is the newest, 2026-11-23T04:00: from the 22nd's 04:00 on
		{"list since 2026-11-23", "3 of 5 shown; limit N for more"},
		{`list where user contains "contoso"`, "3 shown, and more match; limit N for more"},
		{`list where user like "u1*"`, "3 shown, and more match; limit N for more"}, // u1, u10..u19: in the oldest part and others
		{`list where user in (u19@contoso.com, u18@contoso.com, u17@contoso.com)`, ""},
		{`list where user contains "u1"`, "3 shown, and more match; limit N for more"},
		{`list where user in (u19@contoso.com, u18@contoso.com, u0@contoso.com, u1@contoso.com)`, "3 of 4 shown; limit N for more"},
		// Scans that find nothing beyond the parts read: no note.
		{`list where user like "u19*" or user like "u18*"`, ""},
		{`list where user ~ "^u1[5-9]@"`, "3 of 5 shown; limit N for more"}, // all in the part read
		{`list where user ~ "^u1[0-9]@"`, "3 shown, and more match; limit N for more"},
		{`list where user ~ "^u1[7-9]@"`, ""},
		{"list limit 3", ""},
		{"list limit 2", ""},
		{"list where user=u0@contoso.com", ""},
		{"list | spray", ""},
	} {
		res, err := Run(context.Background(), db, nil, tc.text, Options{DefaultListLimit: 3})
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		var got []string
		for _, n := range res.Notes {
			got = append(got, n.String())
		}
		if strings.Join(got, "; ") != tc.want {
			t.Errorf("%s: notes %q, want %q", tc.text, got, tc.want)
		}
	}
}
