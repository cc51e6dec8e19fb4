package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestDifferentialTimeAndFunctions runs time arithmetic (now, times and
// durations in conditions, countif, having, order by and heads) and
// functions of fields inside aggregates through both evaluators, which
// must agree.
func TestDifferentialTimeAndFunctions(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	s := diffFixture(t, seed)
	for _, q := range []string{
		// The examples, with thresholds the generated store meets.
		`min(time) as first, max(time) as last, countif(error=500121) as denied where type=interactive since 1d group by user, ip having denied > 10 and last - first <= 5m`,
		`min(time) as first, max(time) as last, countif(error=50126) as denied where type=interactive since 3d group by user, ip having denied > 0 and last - first <= 1d`,
		`countif(time >= now - 1d) as today, countif(time < now - 1d) as before where status=success and type=interactive since 14d group by user having today > 0 and before = 0`,
		`max(time) as lastSuccess where type=servicePrincipal and status=success since 90d group by spId having lastSuccess < now - 30d`,
		`max(time) as lastSuccess where status=success since 90d group by app having lastSuccess < now - 2d`,
		`dcount(date(time)) as days where error in (50126, 50055) since 30d group by user`,
		`dcount(date(time)) as days, dcount(subnet(ip, 16)) as networks where error in (50126, 50055) since 30d group by user`,
		`values(subnet(ip, 8)), dcount(subnet(ip, 24)) group by country`,
		// Conditions.
		`count where time >= now - 1d`,
		`count where time > now - 36h and time <= now - 12h group by app`,
		`count where now - time < 2d group by type`,
		`count where time = 2026-11-09 or time < 2026-11-03 + 6h`,
		`count where time < ingested - 1h group by app`,
		`count where ingested - time > 5m30s group by status`,
		`count where time + 1m >= ingested and status = failure`,
		`count where date(time) >= now - 3d and not (time > now - 1d)`,
		`count where date(time) - time < -12h`,
		`dcountif(user, time >= now - 2d) as recent, countif(ingested - time >= 1s) as late group by country`,
		`list time, user, app where time >= now - 3h and app != ""`,
		// Over output columns.
		`max(time) - min(time) as span, count group by user order by span desc, user limit 20`,
		`now - max(time) as quiet, max(time) + 1d as next group by app having quiet > 1d`,
		`min(time) as first, max(time) as last group by user having last - first >= 9d or first > now - 1h`,
		`min(ingested) as a, max(time) as b group by app having a - b < 0s`,
		// Functions inside aggregates.
		`dcount(date(time)) as days, dcount(user) group by app`,
		`values(domain(user)) as domains, min(hour(time)) as first, max(hour(time)), dcountif(domain(user), status=success) group by country`,
		`dcount(weekday(time)), values(date(time)) where status=failure since 3d group by user`,
		`dcount(domain(user)) as n, count`,
		`min(date(time)), max(date(time)), sum(hour(time)), avg(hour(time)) group by type`,
		`top 5 app by dcount(date(time))`,
		`dcount(domain(user)) as n where user = "sparse@contoso.com" group by type`,
	} {
		for db, name := range diffStoreNames {
			o := diffRun(s, db, q, s.now)
			switch {
			case o.rejected != nil:
				t.Errorf("seed %d: the executor refuses %s: %v", seed, q, o.rejected)
			case o.diff != "":
				t.Errorf("seed %d, %s, query:\n  %s\n%s", seed, name, q, o.diff)
			}
			if testing.Verbose() && db == 0 {
				t.Logf("%d rows: %s", o.rows, q)
			}
		}
	}
}

// TestAggFunctionRuns checks a function inside an aggregate beyond the
// answers: its error is the query's, at the call; explain says how it is
// computed, and that where time >= … reads a range as since does.
func TestAggFunctionRuns(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	ctx := context.Background()
	_, err = Run(ctx, s.dbs[0], nil, "dcount(subnet(ip, 99)) group by app", Options{Now: s.now})
	var qe *Error
	if !errors.As(err, &qe) || qe.Pos.String() != "1:8" || !strings.Contains(qe.Msg, "subnet: 99 bits is not a prefix length") {
		t.Errorf("dcount(subnet(ip, 99)): %v, want an error at 1:8", err)
	}
	for _, tc := range []struct{ query, want string }{
		{"dcount(date(time)) group by app", "aggregate: dcount(date(time)): rows of the selected blocks, of date(time): a dictionary of its values made per part, the function applied once per selected row"},
		{"values(domain(user))", "of domain(user): a dictionary of its values made per part, the function applied once per dictionary value of user"},
		{"count where time >= now - 1d and app = x", "time >= now - 1d: a range of rows, as since finds its own"},
	} {
		st, err := Parse(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Check(st, nil, s.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Explain(); !strings.Contains(got, tc.want) {
			t.Errorf("explain %s:\n%s\nwant …%s…", tc.query, got, tc.want)
		}
	}
	// The range read is the filter's, the range said the query's.
	st, _ := Parse("count where time >= now - 1d and time < now - 1h since 7d")
	p, err := Check(st, nil, s.now)
	if err != nil {
		t.Fatal(err)
	}
	if p.From != s.now.Add(-7*24*time.Hour).UnixNano() || p.scanFrom != s.now.Add(-24*time.Hour).UnixNano() || p.scanTo != s.now.Add(-time.Hour).UnixNano() {
		t.Errorf("range %d–%d, read %d–%d", p.From, p.To, p.scanFrom, p.scanTo)
	}
}
