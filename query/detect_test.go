package query

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/result"
)

// The detection stages (grouped, spray, bruteforce, mfafatigue) run here
// end to end, on a generated tenant whose injected incidents they must
// find exactly, and nothing else.

var detectEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// detectData is a store of generated sign-ins, what was generated, and
// the incidents injected, by kind.
type detectData struct {
	db        *engine.DB
	recs      []signin.Record
	incidents map[string]gen.Incident
}

// detectStore generates 200,000 sign-ins over 30 days once for every test
// of this file.
var detectStore = sync.OnceValues(func() (*detectData, error) {
	g, err := gen.New(gen.Config{Count: 100_000, Seed: 7, End: detectEnd})
	if err != nil {
		return nil, err
	}
	d := &detectData{incidents: map[string]gen.Incident{}}
	for _, inc := range g.Incidents() {
		if _, dup := d.incidents[inc.Kind]; dup {
			return nil, fmt.Errorf("two %s incidents", inc.Kind)
		}
		d.incidents[inc.Kind] = inc
	}
	ctx := context.Background()
	err = g.Generate(ctx, func(evs []gen.Event) error {
		for i := range evs {
			d.recs = append(d.recs, evs[i].Record)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.db, err = engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true}); err != nil {
		return nil, err
	}
	if _, err := d.db.IngestRecords(ctx, d.recs); err != nil {
		return nil, err
	}
	return d, nil
})

// detect returns the generated store, skipping nothing: a store that
// cannot be made fails the test.
func detect(t *testing.T) *detectData {
	t.Helper()
	d, err := detectStore()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// query runs a query as of the window's end.
func (d *detectData) query(t *testing.T, text string) *result.Result {
	t.Helper()
	res, err := Run(t.Context(), d.db, nil, text, Options{Now: detectEnd})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return res
}

// incident returns the incident of a kind.
func (d *detectData) incident(t *testing.T, kind string) gen.Incident {
	t.Helper()
	inc, ok := d.incidents[kind]
	if !ok {
		t.Fatalf("no %s incident was injected", kind)
	}
	return inc
}

// col returns the index of a result's column, named without regard to
// case.
func col(t *testing.T, res *result.Result, name string) int {
	t.Helper()
	for i, c := range res.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	t.Fatalf("no column %s among %v", name, res.Columns)
	return -1
}

// rowText prints a row for messages.
func rowText(row []result.Value) string {
	var s []string
	for _, v := range row {
		s = append(s, v.String())
	}
	return strings.Join(s, " | ")
}

func TestDetectSpray(t *testing.T) {
	t.Parallel()
	d := detect(t)
	inc := d.incident(t, gen.IncidentPasswordSpray)
	// What the spray's address did, from the generated sign-ins.
	failed := map[string]bool{}
	var first, last time.Time
	var failures int
	var winners []string
	for _, r := range d.recs {
		if r.IP != inc.IP {
			continue
		}
		switch {
		case r.Error == 50126 || r.Error == 50053 || r.Error == 50034:
			failed[r.User] = true
			failures++
			if first.IsZero() || r.Time.Before(first) {
				first = r.Time
			}
			if r.Time.After(last) {
				last = r.Time
			}
		case r.Status == signin.StatusSuccess:
			winners = append(winners, r.User)
		default:
			t.Fatalf("the spray's address made a sign-in with error %d", r.Error)
		}
	}
	if failures != inc.Count-1 || len(winners) != 1 || len(failed) != len(inc.Users)-1 {
		t.Fatalf("the spray made %d failures for %d accounts and %d successes; the incident says %d sign-ins for %d accounts",
			failures, len(failed), len(winners), inc.Count, len(inc.Users))
	}
	want := slices.Sorted(maps.Keys(failed))
	if got := slices.DeleteFunc(slices.Clone(inc.Users), func(u string) bool { return u == winners[0] }); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Fatalf("the accounts that failed are not the incident's less the one that succeeded")
	}

	for _, q := range []string{"list since 30d | spray", "list time, ip, user, app, status, error since 30d | spray 10 1h \"50126, 50053, 50055, 50034\""} {
		res := d.query(t, q)
		if len(res.Rows) != 1 {
			for _, r := range res.Rows {
				t.Log(rowText(r))
			}
			t.Fatalf("%s: %d sprays, want 1", q, len(res.Rows))
		}
		row := res.Rows[0]
		check := func(name string, want any) {
			t.Helper()
			v := row[col(t, res, name)]
			var got any
			switch want.(type) {
			case string:
				got = v.Str()
			case int:
				got = int(v.Int())
			case bool:
				got = v.Bool()
			case time.Time:
				got = v.Time()
			case []string:
				got = v.List()
				if slices.Equal(v.List(), want.([]string)) {
					return
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, want %v", q, name, got, want)
			}
		}
		check("ip", inc.IP)
		check("first", first)
		check("last", last)
		check("accounts", len(want))
		check("failures", failures)
		check("users", want)
		// The one success is at a random time of the spray, nearly
		// always after its first failure.
		succeeded := !d.successTime(inc.IP, winners[0]).Before(first)
		check("succeeded", succeeded)
		if succeeded {
			check("successUsers", winners)
		} else {
			check("successUsers", []string{})
		}
		if first.Before(inc.Start) || last.After(inc.End) {
			t.Errorf("%s: the spray runs from %v to %v, outside the incident's %v to %v", q, first, last, inc.Start, inc.End)
		}
	}
}

// successTime returns when a user succeeded from an address.
func (d *detectData) successTime(ip, user string) time.Time {
	for _, r := range d.recs {
		if r.IP == ip && r.User == user && r.Status == signin.StatusSuccess {
			return r.Time
		}
	}
	return time.Time{}
}

// TestDetectBursts checks bruteforce and mfafatigue: each finds its
// incident, with every failure, and nothing else.
func TestDetectBursts(t *testing.T) {
	d := detect(t)
	for _, tc := range []struct {
		query, kind, count string
		denied             bool
	}{
		{"list since 30d | bruteforce", gen.IncidentBruteForce, "failures", false},
		{"list since 30d | mfafatigue", gen.IncidentMFAFatigue, "prompts", true},
		{"list error, status, app, user, ip, time since 30d | mfafatigue prompts=8 window=1h", gen.IncidentMFAFatigue, "prompts", true},
	} {
		inc := d.incident(t, tc.kind)
		res := d.query(t, tc.query)
		if len(res.Rows) != 1 {
			for _, r := range res.Rows {
				t.Log(rowText(r))
			}
			t.Errorf("%s: %d rows, want 1", tc.query, len(res.Rows))
			continue
		}
		row := res.Rows[0]
		var lastFailure time.Time
		for _, r := range d.recs {
			if r.IP == inc.IP && r.Status != signin.StatusSuccess && r.Time.After(lastFailure) {
				lastFailure = r.Time
			}
		}
		want := map[string]string{
			"user": inc.Users[0], tc.count: fmt.Sprint(inc.Count - 1),
			"first": inc.Start.Format(time.RFC3339Nano), "last": lastFailure.Format(time.RFC3339Nano),
			"success": inc.End.Format(time.RFC3339Nano), "successIp": inc.IP, "ips": inc.IP,
		}
		if tc.denied {
			want["denied"] = fmt.Sprint(inc.Count - 1)
		}
		for name, w := range want {
			if got := row[col(t, res, name)].String(); got != w {
				t.Errorf("%s: %s = %s, want %s", tc.query, name, got, w)
			}
		}
	}
}

// TestDetectNoise runs the detections with thresholds far below their
// defaults: on the generated tenant the incidents are still found, and
// what else is found stays below the defaults, so the defaults leave a
// margin.
func TestDetectNoise(t *testing.T) {
	d := detect(t)
	f := func(q, count, key, incidentKind string, max int64) {
		t.Helper()
		res := d.query(t, q)
		inc := d.incident(t, incidentKind)
		found := false
		for _, row := range res.Rows {
			if k := row[col(t, res, key)].Str(); k == inc.IP || k == inc.Users[0] {
				found = true
				continue
			}
			if n := row[col(t, res, count)].Int(); n >= max {
				t.Errorf("%s: background %s reaches %d: %s", q, count, n, rowText(row))
			}
		}
		if !found {
			t.Errorf("%s: the %s is not found", q, incidentKind)
		}
	}
	f("list since 30d | spray accounts=2 share=0", "accounts", "ip", gen.IncidentPasswordSpray, 6)
	f("list since 30d | bruteforce failures=2", "failures", "user", gen.IncidentBruteForce, 6)
	f("list since 30d | mfafatigue prompts=2 denials=0", "prompts", "user", gen.IncidentMFAFatigue, 5)
	f("list since 30d | mfafatigue prompts=1 denials=1", "denied", "user", gen.IncidentMFAFatigue, 3)
}

// TestDetectGrouped compares grouped with counting sign-ins by the same
// keys, and with the first and last sign-in of each group computed from
// the generated sign-ins.
func TestDetectGrouped(t *testing.T) {
	t.Parallel()
	d := detect(t)
	for _, tc := range []struct {
		typ    signin.Type
		window string
		keys   []string // the grouping keys, as count groups by them
	}{
		{signin.TypeNonInteractive, "1h", []string{"app", "user", "ip", "status", "resourceId"}},
		{signin.TypeServicePrincipal, "6h", []string{"spId", "ip", "status", "resourceId"}},
		{signin.TypeManagedIdentity, "24h", []string{"spId", "status", "resourceId"}},
	} {
		grouped := d.query(t, fmt.Sprintf("list where type=%s since 30d | grouped %s", tc.typ, tc.window))
		counted := d.query(t, fmt.Sprintf("count where type=%s since 30d group by bin(%s), %s", tc.typ, tc.window, strings.Join(tc.keys, ", ")))
		win, _ := time.ParseDuration(tc.window)

		key := func(res *result.Result, row []result.Value, timeCol string) string {
			parts := []string{row[col(t, res, timeCol)].String()}
			for _, k := range tc.keys {
				parts = append(parts, row[col(t, res, k)].String())
			}
			return strings.Join(parts, "\x00")
		}
		want := map[string]int64{}
		for _, row := range counted.Rows {
			want[key(counted, row, "time")] = row[col(t, counted, "count")].Int()
		}
		type span struct{ first, last time.Time }
		spans := map[string]span{}
		for _, r := range d.recs {
			if r.Type != tc.typ {
				continue
			}
			ns := r.Time.UnixNano()
			parts := []string{time.Unix(0, ns-ns%int64(win)).UTC().Format(time.RFC3339Nano)}
			for _, k := range tc.keys {
				parts = append(parts, map[string]string{"app": r.App, "user": r.User, "ip": r.IP, "status": r.Status.String(),
					"resourceId": r.ResourceID, "spId": r.SPID}[k])
			}
			k := strings.Join(parts, "\x00")
			s, ok := spans[k]
			if !ok || r.Time.Before(s.first) {
				s.first = r.Time
			}
			if r.Time.After(s.last) {
				s.last = r.Time
			}
			spans[k] = s
		}
		if len(want) == 0 || len(spans) != len(want) {
			t.Fatalf("%s: count gives %d groups, the sign-ins %d", tc.typ, len(want), len(spans))
		}
		got := map[string]int64{}
		var prev string
		for i, row := range grouped.Rows {
			k := key(grouped, row, "aggregationDateTime")
			if _, dup := got[k]; dup {
				t.Fatalf("%s: group %q twice", tc.typ, k)
			}
			got[k] = row[col(t, grouped, "signInCount")].Int()
			if s := spans[k]; !row[col(t, grouped, "firstSignInDateTime")].Time().Equal(s.first) || !row[col(t, grouped, "lastSignInDateTime")].Time().Equal(s.last) {
				t.Errorf("%s: %s: first and last %s, %s; want %v, %v", tc.typ, k, row[col(t, grouped, "firstSignInDateTime")], row[col(t, grouped, "lastSignInDateTime")], s.first, s.last)
			}
			if typ := row[col(t, grouped, "type")].Str(); typ != tc.typ.String() {
				t.Fatalf("%s: a row of type %s", tc.typ, typ)
			}
			// Rows come by window first.
			w := row[0].String()
			if i > 0 && w < prev {
				t.Fatalf("%s: row %d's window %s comes after %s", tc.typ, i, w, prev)
			}
			prev = w
		}
		if !maps.Equal(got, want) {
			n := 0
			for k, v := range want {
				if got[k] != v && n < 5 {
					t.Errorf("%s: %q: grouped %d, count %d", tc.typ, k, got[k], v)
					n++
				}
			}
			t.Fatalf("%s: grouped gives %d groups, count %d", tc.typ, len(got), len(want))
		}
	}
	// Interactive sign-ins are not merged.
	res := d.query(t, "list where type=interactive since 1d | grouped 24h")
	n := d.query(t, "count where type=interactive since 1d")
	if int64(len(res.Rows)) != n.Rows[0][0].Int() {
		t.Errorf("%d interactive sign-ins give %d grouped rows", n.Rows[0][0].Int(), len(res.Rows))
	}
}

// TestDetectErrors checks the errors the stages give for input they
// cannot read and arguments they cannot take.
func TestDetectErrors(t *testing.T) {
	d := detect(t)
	f := func(q, want string) {
		t.Helper()
		_, err := Run(t.Context(), d.db, nil, q, Options{Now: detectEnd})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", q, err, want)
		}
	}
	f("list time, user | spray", "needs the column(s) ip, app, status, error")
	f("list time, user | bruteforce", "needs the column(s) ip, app, status, error")
	f("list time, user | mfafatigue", "needs the column(s) ip, app, status, error")
	f("list time, user | grouped", "needs the column(s) type, app, appId, sp, spId, ip, status, resource, resourceId")
	f("count group by user | spray", "spray reads sign-ins, and the rows before it are groups (of user): put it right after a list (list since 7d | spray)")
	f("list | spray window=7x", `window: "7x" is not a duration like 1h`)
	f("list | grouped 7x", `window: "7x" is not a duration like 1h`)
	f("list | bruteforce failures=0", `failures: "0" is not a whole number of at least 1`)
	f("list | mfafatigue codes=abc", `codes: "abc" is not an error code`)
	f("list | spray accounts=many", `accounts: "many" is not a whole number of at least 1`)
}

// TestDetectWhere checks that the list before a stage reads only what
// the stage needs (its failures: it asks for the successes it needs),
// and that the stage's condition is added to the query's own.
func TestDetectWhere(t *testing.T) {
	d := detect(t)
	res := d.query(t, "explain list since 30d | spray codes=50126")
	if !strings.Contains(res.Plan, "50126") || strings.Contains(res.Plan, "success") {
		t.Errorf("the plan of spray does not select its codes alone:\n%s", res.Plan)
	}
	inc := d.incident(t, gen.IncidentPasswordSpray)
	all := d.query(t, "list since 30d | spray")
	nl := d.query(t, fmt.Sprintf("list where country=%s since 30d | spray", inc.Country))
	other := d.query(t, fmt.Sprintf("list where country!=%s since 30d | spray", inc.Country))
	if len(all.Rows) != 1 || len(nl.Rows) != 1 || rowText(nl.Rows[0]) != rowText(all.Rows[0]) {
		t.Errorf("the spray from %s differs when the query selects %s", inc.Country, inc.Country)
	}
	if len(other.Rows) != 0 {
		t.Errorf("a spray found outside %s: %s", inc.Country, rowText(other.Rows[0]))
	}
}

// TestDetectOddValues runs spray and bruteforce on a store whose users
// and addresses a query's text would have to quote (the stages build
// their queries for the successes as trees), or that match other
// spellings in them: the stages must count the successes of exactly
// their users and addresses, as when they read them from the list.
func TestDetectOddValues(t *testing.T) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var recs []signin.Record
	add := func(min float64, user, ip string, code int64) {
		r := signin.New()
		r.ID = fmt.Sprintf("0dd0dd00-0000-4000-8000-%012x", len(recs))
		r.Type = signin.TypeInteractive
		r.Time = day.Add(time.Duration(min * float64(time.Minute)))
		r.User, r.Identity, r.IP, r.App, r.Error = user, user, ip, "OfficeHome", code
		r.Status = signin.StatusFailure
		if code == 0 {
			r.Status = signin.StatusSuccess
		}
		recs = append(recs, r)
	}
	odd := `o"dd\u ser\`
	for i := range 25 {
		add(float64(i), odd, "10.0.0.0/8", 50126) // an address that reads as a network
	}
	add(25, strings.ToUpper(odd), "10.0.0.0/8", 0) // another user, to the language
	add(26, odd, "10.0.0.0/8", 0)
	spray := "203.0.113.9"
	for i := range 12 {
		add(float64(i), fmt.Sprintf("u%d'\\@contoso.com", i), spray, 50126)
	}
	add(20, "z@contoso.com", "::ffff:"+spray, 0) // another address, to the language
	add(21, "u3'\\@contoso.com", spray, 0)
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"list | bruteforce": odd + " | 25 | 2026-11-02T10:00:00Z | 2026-11-02T10:24:00Z | 2026-11-02T10:26:00Z | 10.0.0.0/8 | 10.0.0.0/8",
		"list | spray":      spray + " | 2026-11-02T10:00:00Z | 2026-11-02T10:11:00Z | 12 | 12 | OfficeHome | true | u3'\\@contoso.com | ",
	} {
		res, err := Run(t.Context(), db, nil, q, Options{Now: day.Add(24 * time.Hour)})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(res.Rows) != 1 || !strings.HasPrefix(rowText(res.Rows[0]), want) {
			for _, r := range res.Rows {
				t.Log(rowText(r))
			}
			t.Errorf("%s: %d rows, want one that starts %s", q, len(res.Rows), want)
		}
	}
}

// BenchmarkDetectionsExact runs spray, bruteforce and mfafatigue at their
// defaults over the 7 days around their incidents in the benchmark store
// (-store-rows; 10000000 for the goal that each takes under 1 s), as
// BenchmarkDetections does, and fails unless each finds exactly the
// incident the generator injected for it, and nothing else; it uses the
// generated store of -store-rows whatever -store-dir says:
//
//	go test ./query -run XXX -bench DetectionsExact -store-rows=10000000 -benchtime 5x
func BenchmarkDetectionsExact(b *testing.B) {
	db := generatedBenchStore(b)
	g, err := gen.New(gen.Config{Count: *benchRows, Seed: benchstore.Seed, End: benchstore.End})
	if err != nil {
		b.Fatal(err)
	}
	incidents := map[string]gen.Incident{}
	for _, inc := range g.Incidents() {
		incidents[inc.Kind] = inc
	}
	for _, tc := range []struct {
		stage, kind string
		want        func(inc gen.Incident) map[string]string // column: value
	}{
		{"spray", gen.IncidentPasswordSpray, func(inc gen.Incident) map[string]string {
			return map[string]string{"ip": inc.IP, "accounts": fmt.Sprint(len(inc.Users) - 1), "failures": fmt.Sprint(inc.Count - 1)}
		}},
		{"bruteforce", gen.IncidentBruteForce, func(inc gen.Incident) map[string]string {
			return map[string]string{"user": inc.Users[0], "failures": fmt.Sprint(inc.Count - 1), "success": inc.End.Format(time.RFC3339Nano),
				"first": inc.Start.Format(time.RFC3339Nano), "successIp": inc.IP, "ips": inc.IP}
		}},
		{"mfafatigue", gen.IncidentMFAFatigue, func(inc gen.Incident) map[string]string {
			return map[string]string{"user": inc.Users[0], "prompts": fmt.Sprint(inc.Count - 1), "denied": fmt.Sprint(inc.Count - 1),
				"success": inc.End.Format(time.RFC3339Nano), "first": inc.Start.Format(time.RFC3339Nano), "successIp": inc.IP, "ips": inc.IP}
		}},
	} {
		b.Run(tc.stage, func(b *testing.B) {
			inc, ok := incidents[tc.kind]
			if !ok {
				b.Fatalf("no %s incident in a store of %d sign-ins", tc.kind, *benchRows)
			}
			// The 7 days from 4 days before the incident's day.
			from := inc.Start.Truncate(24*time.Hour).AddDate(0, 0, -4)
			text := fmt.Sprintf("list between %s and %s | %s", from.Format(time.DateOnly), from.AddDate(0, 0, 7).Format(time.DateOnly), tc.stage)
			b.Log(text)
			var res *result.Result
			for b.Loop() {
				if res, err = Run(context.Background(), db, nil, text, Options{Now: benchEnd}); err != nil {
					b.Fatal(err)
				}
			}
			if len(res.Rows) != 1 {
				for _, r := range res.Rows {
					b.Log(rowText(r))
				}
				b.Fatalf("%d rows, want the %s of %v alone", len(res.Rows), tc.kind, inc.Start)
			}
			row := res.Rows[0]
			for name, want := range tc.want(inc) {
				i := slices.IndexFunc(res.Columns, func(c result.Column) bool { return c.Name == name })
				if i < 0 || row[i].String() != want {
					b.Errorf("%s: %s = %v, want %s", text, name, row[max(i, 0)], want)
				}
			}
			for _, name := range []string{"first", "last"} {
				i := slices.IndexFunc(res.Columns, func(c result.Column) bool { return c.Name == name })
				if at := row[i].Time(); at.Before(inc.Start) || at.After(inc.End) {
					b.Errorf("%s: %s %v is outside the incident's %v to %v", text, name, at, inc.Start, inc.End)
				}
			}
		})
	}
}
