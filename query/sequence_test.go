package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// seqBase is the time the sequence tests' sign-ins count minutes from.
var seqBase = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// seqTestDB is a store of sign-ins written as "user minute S|F ip id",
// S a success (error 0) and F a failure (50126); a user - is none.
func seqTestDB(t *testing.T, events ...string) *engine.DB {
	t.Helper()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var recs []signin.Record
	for _, e := range events {
		var user, kind, ip, id string
		var minute int
		if _, err := fmt.Sscan(e, &user, &minute, &kind, &ip, &id); err != nil {
			t.Fatalf("%q: %v", e, err)
		}
		r := signin.Record{ID: "00000000-0000-4000-8000-" + fmt.Sprintf("%012s", id), Type: signin.TypeInteractive,
			Time: seqBase.Add(time.Duration(minute) * time.Minute), User: user + "@contoso.com", IP: ip, App: "Azure Portal"}
		if user == "-" {
			r.User = ""
		}
		r.Error, r.Status = 0, signin.StatusSuccess
		if kind == "F" {
			r.Error, r.Status = 50126, signin.StatusFailure
		}
		recs = append(recs, r)
	}
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return db
}

// seqEvents are the sign-ins of TestSequenceMatches.
var seqEvents = []string{
	// a: successes and failures from addresses in and out of 10.0/16.
	"a 0 S 10.0.0.1 a1", "a 5 S 10.0.0.2 a2", "a 12 F 10.9.0.1 a3", "a 13 F 10.0.0.3 a4", "a 30 S 10.0.5.5 a5", "a 31 F 10.0.0.9 a6",
	// b: runs of failures, a success after three, after two, and after
	// a pause of 25 minutes.
	"b 0 F 10.1.0.1 b01", "b 1 F 10.1.0.1 b02", "b 2 F 10.1.0.1 b03", "b 3 F 10.1.0.1 b04", "b 4 S 10.1.0.1 b05",
	"b 30 F 10.1.0.1 b06", "b 31 F 10.1.0.1 b07", "b 32 S 10.1.0.1 b08",
	"b 60 F 10.1.0.1 b09", "b 61 F 10.1.0.1 b10", "b 62 F 10.1.0.1 b11", "b 87 F 10.1.0.1 b12", "b 88 S 10.1.0.1 b13",
	// c and d: a success and a failure at one time, in either order of
	// their request ids.
	"c 0 S 10.2.0.1 c1", "c 0 F 10.2.0.2 c2",
	"d 0 F 10.3.0.1 d1", "d 0 S 10.3.0.2 d2",
	// Without a user: no user's events.
	"- 0 S 10.4.0.1 e1", "- 1 F 10.5.0.1 e2",
}

// TestSequenceMatches checks matches worked out by hand: windows and
// sessions, counts, prev., functions, *, ties, and no overlap.
func TestSequenceMatches(t *testing.T) {
	db := seqTestDB(t, seqEvents...)
	for _, tc := range []struct {
		query string
		want  []string // user first-last events, in minutes
	}{
		// a: from 0 the failure at 12 is beyond 10m; from 5 it is within.
		// 30 then 31 too.
		{"list time, user, ip, status | sequence by user within 10m: status=success then status=failure", []string{"c 0-0 2", "a 5-12 2", "a 30-31 2"}},
		// Another /16: 31 is in 30's.
		{"list time, user, ip, status | sequence by user within 10m: status=success then status=failure and subnet(ip, 16) != prev.subnet(ip, 16)", []string{"a 5-12 2"}},
		{"list | sequence by user within 10m: status=success then status=failure and subnet(ip, 16) != prev.subnet(ip, 16)", []string{"a 5-12 2"}},
		// b: 0-3 then 4 matches; at 32 only two failures came before the
		// success (a try from 30 or 31 fails); 87 is 25 minutes after 62.
		{"list time, user, status | sequence by user gap 20m: 3+ status=failure then status=success", []string{"b 0-4 5"}},
		{"list time, user, status | sequence by user gap 30m: 3+ status=failure then status=success", []string{"b 0-4 5", "b 60-88 5"}},
		{"list time, user, status | sequence by user gap 30m within 20m: 3+ status=failure then status=success", []string{"b 0-4 5"}},
		// A last step N+ ends at its Nth event.
		{"list time, user, status | sequence by user within 10m: 3+ status=failure", []string{"b 0-2 3", "b 60-62 3"}},
		// Plain steps take one event each; * any.
		{"list time, user, ip | sequence by user within 1h: * then ip != prev.ip", []string{"a 0-5 2", "c 0-0 2", "d 0-0 2", "a 12-13 2", "a 30-31 2"}},
		{"list time, user, status | sequence by user within 1h: status=failure then status=failure then status=success", []string{"b 0-4 3", "a 12-30 3", "b 30-32 3", "b 60-88 3"}},
		// Time arithmetic on prev.: from a's 0, 30 is the first 17
		// minutes after; b's 31 and 61 start tries after matches.
		{"list time, user, status | sequence by user within 1h: * then time - prev.time >= 17m", []string{"a 0-30 2", "b 0-30 2", "b 31-60 2", "b 61-87 2"}},
		// After: where on the output's columns.
		{`list time, user, ip, status | sequence by user within 10m: status=success then status=failure | where first.ip = "10.0.0.2" and last.ip != first.ip`, []string{"a 5-12 2"}},
		{"list time, user, status | sequence by user gap 30m: 3+ status=failure then status=success | where events > 4 and last - first >= 10m", []string{"b 60-88 5"}},
		// Without keys, one sequence of every sign-in.
		{"list time, user, status where user startswith a | sequence within 10m: status=success then status=failure", []string{"a 5-12 2", "a 30-31 2"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res, err := Run(context.Background(), db, nil, tc.query, Options{Now: seqBase.Add(24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			ui, fi, li, ei := -1, -1, -1, -1
			for i, c := range res.Columns {
				switch c.Name {
				case "user":
					ui = i
				case "first":
					fi = i
				case "last":
					li = i
				case "events":
					ei = i
				}
			}
			var got []string
			for _, row := range res.Rows {
				user := "?"
				if ui >= 0 {
					user = strings.TrimSuffix(row[ui].Str(), "@contoso.com")
				} else {
					for i, c := range res.Columns {
						if c.Name == "first.user" {
							user = strings.TrimSuffix(row[i].Str(), "@contoso.com")
						}
					}
				}
				min := func(v int) int { return int(row[v].Time().Sub(seqBase) / time.Minute) }
				got = append(got, fmt.Sprintf("%s %d-%d %d", user, min(fi), min(li), row[ei].Int()))
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("got  %s\nwant %s", strings.Join(got, "; "), strings.Join(tc.want, "; "))
			}
		})
	}
}

// TestSequenceColumns checks the columns of a sequence's rows, and the
// fields a list without fields reads for it.
func TestSequenceColumns(t *testing.T) {
	db := seqTestDB(t, seqEvents...)
	for _, tc := range []struct{ query, want string }{
		{"list time, user, ip | sequence by user within 1h: * then *",
			"user first last events first.ip last.ip"},
		{"list | sequence by user, app within 1h: status=success then subnet(ip, 16) != prev.subnet(ip, 16) and country != prev.country",
			"user app first last events first.type first.identity first.resource first.ip first.status first.error first.country last.type last.identity last.resource last.ip last.status last.error last.country"},
		{"list time, user, ip | sequence by UserPrincipalName within 1h: * then *",
			"user first last events first.ip last.ip"},
	} {
		res, err := Run(context.Background(), db, nil, tc.query, Options{Now: seqBase.Add(24 * time.Hour)})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got := strings.Join(columnNames(res.Columns), " "); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.query, got, tc.want)
		}
	}
}

// TestSequenceErrors checks a sequence's errors: where, and what they
// say.
func TestSequenceErrors(t *testing.T) {
	db := seqTestDB(t, seqEvents...)
	for _, tc := range []struct{ query, pos, msg string }{
		{"list | sequence by user: * then *", "1:8", "a sequence is bounded in time: within D"},
		{"list time, user | sequence by usr within 1h: * then *", "1:31", `unknown column "usr"; did you mean "user"?`},
		{"list time, user | sequence by app within 1h: * then *", "1:31", `unknown column "app"`},
		{"list user, ip | sequence by user within 1h: * then *", "1:17", "need a time column"},
		{"count group by user | sequence by user within 1h: * then *", "1:23", "need a time column"},
		{"list | sequence by user within 1h: prev.ip = ip then *", "1:36", "the first step has no step before it"},
		{"list | sequence by user within 1h: prev.subnet(ip, 16) = ip then *", "1:36", "the first step has no step before it"},
		{"list | sequence by user within 1h: * then prev.stauts = x", "1:43", `unknown column "prev.stauts"; did you mean "prev.status"?`},
		{"list | sequence by user within 1h: 0+ status=failure then *", "1:36", "at least 1"},
		{"list | sequence by user within 1h within 2h: * then *", "1:35", "one within"},
		{"list | sequence by user within 1x: * then *", "1:32", "within takes a duration"},
		{"list | sequence by user within 1h: stauts=failure then *", "1:36", `did you mean "status"?`},
		{"list | sequence by user within 1h: * then subnet(ipp, 16) = x", "1:50", `unknown field "ipp"`},
		{"list time, user | sequence by user within 1h: * then subnet(ip, 16) = x", "1:54", "subnet reads ip, which the rows before the sequence lack"},
		{"list time, user, policy | sequence by policy within 1h: * then *", "1:39", "a list of values"},
		{"list | sequence by user, user within 1h: * then *", "1:26", "a key twice"},
		{"list | sequence by user within 1h: * then status=failure then", "1:62", ""},
		{"list | sequence by user within 1h * then *", "1:35", ""},
	} {
		_, err := Run(context.Background(), db, nil, tc.query, Options{Now: seqBase.Add(24 * time.Hour)})
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: %v, want a query error", tc.query, err)
			continue
		}
		pos := fmt.Sprintf("%d:%d", qe.Pos.Line, qe.Pos.Col)
		if pos != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%s:\n got  %s: %s\n want %s: …%s…", tc.query, pos, qe.Msg, tc.pos, tc.msg)
		}
	}
}

// TestSequenceExamplesMatch keeps the differential test's sequence
// examples from being vacuous: each but the issue's own (whose
// thresholds the generated sign-ins do not reach) gives rows.
func TestSequenceExamplesMatch(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	n := 0
	for _, q := range diffExamples {
		if !strings.Contains(q, "| sequence") || strings.Contains(q, "since 1d") {
			continue
		}
		n++
		res, err := Run(context.Background(), s.dbs[0], nil, q, Options{Now: s.now})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(res.Rows) == 0 {
			t.Errorf("seed %d: no rows from %s", seed, q)
		}
	}
	if n < 8 {
		t.Errorf("%d sequence examples, want at least 8", n)
	}
}

// TestParseSequence checks how sequences read: the words of their head,
// N+ at a step's start only, then as a value elsewhere, a sequence in a
// subquery ending with it; and their canonical text.
func TestParseSequence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"list | SEQUENCE BY user WITHIN 10m GAP 1m: 10+ status!=success THEN *",
			"list | sequence by user within 10m gap 1m: 10+ status != success then *"},
		{"list | sequence within 1h : app = within and x = gap then 2+ y = 10+",
			"list | sequence within 1h: app = within and x = gap then 2+ y = 10+"},
		{`list | sequence gap 1d: app = "then" then time >= 2026-11-01T08:00:00Z`,
			`list | sequence gap 1d: app = "then" then time >= 2026-11-01T08:00:00Z`},
		{"list | sequence by a within 1m: prev.subnet(ip, 16) != subnet(ip, 16) | where first.ip = x | sequence gap 1s: *",
			"list | sequence by a within 1m: prev.subnet(ip, 16) != subnet(ip, 16) | where first.ip = x | sequence gap 1s: *"},
		// After the subquery the sequence is in, then is a word again.
		{"count where user in (list | sequence within 1h: *) and app = then",
			"count where user in (list | sequence within 1h: *) and app = then"},
		{"count group by user in @admins having count = 0", "count group by user in @admins having count = 0"},
	} {
		st, err := Parse(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := st.String(); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.in, got, tc.want)
		}
	}
}
