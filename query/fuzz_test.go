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
		"count, values(ip) as ips group by app, hour(time), bin(1h) | spikes k=1 min=0",
		"count where status!=success since 14d group by user, bin(1h) | anomalies k=2.5 trend=linefit period=24 method=tukey direction=both | where baseline > 5",
		// Numbers at their limits, shapes made cheap, bad networks.
		"count group by app limit 1152921504606846976", "top 9223372036854775807 app", "count as c, c * c * c * c * c * c as x",
		"sum(latency) + 9223372036854775807 group by app", "count * 1e300 * 1e300", "count since 106751d group by bin(1ms)",
		"count where ip in (10.0.0.0/33, 300.0.0.0/8, ::/129)", "count where not not not (status=failure and not not app != x)",
		`count where user ~ "^a" or user like "*b*" or app = x or user ~ "(?i)\Qc" group by app having not not count > 1`,
		// Saved queries: defined, used, removed.
		"define failures(D) = count where status=failure since D", "define noisy(N) = spray accounts=N window=30m | grouped 1h",
		"define x(a, b) = top a b", "undefine failures", "DEFINE x = noisy(5) | grouped 1h", "define y = spray accounts=5 | noisy(1) min=2",
		"failures(24h) group by app", "list since 7d | noisy(5) min=3", "explain failures(status=failure) limit 1", "failures(1d), count",
		// Time arithmetic, functions inside aggregates.
		"count where time >= now - 1d", "count where time < ingested - 1h and now - time <= 5m30s", "count where time > now + 106751d",
		"countif(time >= now - 1d) as today, countif(time < now - 1d) as before group by user having today > 0 and before = 0",
		"min(time) as first, max(time) as last group by user having last - first <= 5m", "max(time) - min(time) as span order by span desc",
		"max(time) as l group by app having l < now - 30d or now - l > -9223372036854775808ns",
		"dcount(date(time)) as days, dcount(subnet(ip, 16)) as networks, values(domain(user)), min(hour(time)) group by user",
		"dcountif(domain(user), status=success), top 5 app by dcount(weekday(time))",
		// Named lists.
		"count where ip in @vps group by ip", "count where error in (@passwordFailures, 50057) and user not in @admins",
		"count where user in (@, @9x, @a.b, \"@vps\", @contoso.com)", "count where ip = @vps", "countif(client in @LEGACYCLIENTS) group by user",
		"count where ip not in (@diffNets, 10.0.0.1) group by ip", "count where app in @diffApps or user in @diffUsers",
		// Subqueries, operators after |, joins.
		"count | where", "count | join", "count | join left (count) on", "count | order by", "count | limit 1 | limit",
		"count where user in (list user | where user = x | join (list user) on user)", "count where ip not in ((top 1 ip))",
		"count where user in (count, dcount(user) group by user having count > 1 | order by count | limit 2)",
		"count group by user | join anti (list user where user in (list user)) on user, user",
		"count group by ip | where count * 2 / (count - count) > 1 or ip = '::1' | JOIN (top 2 ip) ON IPAddress",
		// Sequences.
		"list since 1d | sequence by user, app within 10m: status=success then status=failure and subnet(ip, 16) != prev.subnet(ip, 16)",
		"list | sequence by user gap 20m: 10+ status!=success then status=success | where events > 10",
		"list | SEQUENCE BY user WITHIN 1h GAP 5m : * THEN 2+ * then app = \"then\" and x = 10+", "list | sequence: *", "list | sequence by user within 1h:",
		"list | sequence by user within 1h: 0+ x then 99999999999999999999+ y", "list | sequence within 1h within 2h: prev.x = prev.y(1)",
		"list | sequence by a within 1h: time - prev.time >= 5m then (ip in (list ip | sequence by ip gap 1m: *)) | sequence gap 1s: *",
		"list time, user where app = '10:00' | sequence by user gap 1d: time >= 2026-11-01T08:00:00Z then app = within",
		// Absence.
		"count as successes where status=success since 90d group by user in @admins having successes = 0",
		"count group by error in @passwordFailures | where count = 0", "count group by user in (list user)", "count group by a, b in @x",
		"max(time) group by ip in @diffNets having max(time) < now - 1d", "count group by user in",
		// Lists of fields.
		"count where (ip, user) in (count where status=failure group by ip, user having count = 1) group by user",
		"count where (ip, country, user) not in (list ip, country, user) and (a = 1 or b = 2)", "count where (ip, user) = x",
		"count where ((ip, user)) in (top 1 ip, user)", "count where (ip, (user, app)) in (list ip, user)", "count where (,) in (list)",
		"count where (a, b, c, d, e, f, g, h, i) in (list a)", "countif((user, error) in (list user, error)), count group by (ip, user)",
		"count where not (ip, user) in ((count group by ip, user)) | where (count, x) in (list user, ip)", "count where (ip, user) in (1, 2)"} {
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
		if _, err := Check(st, nil, checkNow); errors.Is(err, ErrInternal) || errors.Is(err, ErrPluginPanic) {
			t.Fatalf("%q: Check recovered a panic: %v", text, err)
		}
		canon := st.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", text, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("%q prints as %q, which prints as %q", text, canon, again.String())
		}
	})
}

var fuzzStore = sync.OnceValues(func() (*engine.DB, error) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		return nil, err
	}
	for _, d := range []string{"define failures(D) = count where status=failure since D", "define noisy(N) = spray accounts=N window=30m"} {
		if _, err := DefineIn(db, nil, d); err != nil {
			return nil, err
		}
	}
	if err := setDiffLists(db); err != nil { // @diffNets, @diffUsers, …
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
// whose rows fit its columns, or an error, and never panic or hang. The
// executor recovers panics into errors, so that one query cannot take a
// program down; here any recovered panic fails: signinq's own
// (ErrInternal) is a bug, and so is a panic of the built-in plugins,
// the only ones the store has (ErrPluginPanic, which stages' and
// functions' errors wrap).
func FuzzQuery(f *testing.F) {
	addSeeds(f)
	db, err := fuzzStore()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if st, err := Parse(text); err == nil && (st.Define != nil || st.Undefine != nil) {
			// Checked against the store's saved queries, and not saved:
			// each text runs against the same store.
			ms, err := MacrosOf(db, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Define != nil {
				_, err = ms.define(st.Define, nil)
			} else {
				_, err = ms.undefine(st.Undefine)
			}
			if errors.Is(err, ErrInternal) || errors.Is(err, ErrPluginPanic) {
				t.Fatalf("%q: a recovered panic: %v", text, err)
			}
			return
		}
		res, err := Run(context.Background(), db, nil, text, Options{Now: checkNow, MaxMemory: 64 << 20, Timeout: 10 * time.Second})
		if errors.Is(err, ErrInternal) || errors.Is(err, ErrPluginPanic) {
			t.Fatalf("%q: a recovered panic: %v", text, err)
		}
		if err != nil {
			if errors.Is(err, ErrTimeout) {
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
