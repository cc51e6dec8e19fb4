package stage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/baseline"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// storedSignIn is a sign-in of the newvalue tests: it is stored, and
// when in the window it is also a row of the stage's input.
type storedSignIn struct {
	at      time.Duration // from the window's start
	user    string
	country string
	asn     int64 // 0 for none
	status  signin.Status
}

// openStore stores the sign-ins and returns a snapshot of them.
func openStore(t testing.TB, sis []storedSignIn) *engine.Snapshot {
	t.Helper()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var recs []signin.Record
	for i, s := range sis {
		r := signin.New()
		r.ID = fmt.Sprintf("id-%d", i)
		r.Time = stagetest.Start.Add(s.at)
		r.User, r.Country, r.Status = s.user, s.country, s.status
		r.IP, r.App = fmt.Sprintf("10.0.0.%d", i%250), "App"
		r.Error = 0
		if s.status == signin.StatusFailure {
			r.Error = 50126
		}
		if s.asn != 0 {
			r.ASN = s.asn
		}
		recs = append(recs, r)
	}
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { snap.Close() })
	return snap
}

// storedColumns are the columns of windowRows.
var storedColumns = []result.Column{
	{Name: "time", Kind: signin.KindTime, Field: "time"}, {Name: "user", Kind: signin.KindString, Field: "user"},
	{Name: "country", Kind: signin.KindString, Field: "country"}, {Name: "asn", Kind: signin.KindInt, Field: "asn"},
	{Name: "ip", Kind: signin.KindString, Field: "ip"}, {Name: "app", Kind: signin.KindString, Field: "app"},
	{Name: "status", Kind: signin.KindString, Field: "status"},
}

// windowRows returns the input rows of the sign-ins in [0, 7d), newest first.
func windowRows(sis []storedSignIn) [][]result.Value {
	var rows [][]result.Value
	for i, s := range sis {
		if s.at < 0 || s.at >= 7*24*time.Hour {
			continue
		}
		asn := result.Null(signin.KindInt)
		if s.asn != 0 {
			asn = result.IntValue(s.asn)
		}
		rows = append(rows, []result.Value{result.TimeValue(stagetest.Start.Add(s.at)), result.StringValue(s.user),
			result.StringValue(s.country), asn, result.StringValue(fmt.Sprintf("10.0.0.%d", i%250)),
			result.StringValue("App"), result.StringValue(s.status.String())})
	}
	slices.Reverse(rows)
	return rows
}

// TestNewValue checks newvalue on small histories: what the baseline
// holds, where it starts and ends, case, missing values, keys without a
// history, statuses and integer fields.
func TestNewValue(t *testing.T) {
	const day = 24 * time.Hour
	ok, fail := signin.StatusSuccess, signin.StatusFailure
	cases := []struct {
		name string
		args string
		sis  []storedSignIn
		want []string // "user value count"
	}{
		{"only in baseline", "country", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {-4 * day, "a@x", "FR", 0, ok}, {day, "a@x", "US", 0, ok}}, nil},
		{"only in window", "country", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {day, "a@x", "FR", 0, ok}, {2 * day, "a@x", "FR", 0, ok}, {3 * day, "a@x", "US", 0, ok}},
			[]string{"a@x FR 2"}},
		{"case", "country", []storedSignIn{
			{-5 * day, "Alice@X", "us", 0, ok}, {day, "alice@x", "US", 0, ok}, {day, "ALICE@X", "Fr", 0, ok}},
			[]string{"ALICE@X Fr 1"}},
		{"missing values", "country", []storedSignIn{
			{-5 * day, "a@x", "", 0, ok}, {-5 * day, "", "FR", 0, ok}, {day, "a@x", "", 0, ok}, {day, "", "DE", 0, ok}, {day, "a@x", "FR", 0, ok}},
			[]string{"a@x FR 1"}},
		{"new key left out", "country", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {day, "b@x", "FR", 0, ok}}, nil},
		{"new key reported", "country newkeys=true", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {day, "b@x", "FR", 0, ok}}, []string{"b@x FR 1"}},
		{"baseline starts", "country baseline=10d", []storedSignIn{
			{-10*day - time.Nanosecond, "a@x", "FR", 0, ok}, {-10 * day, "a@x", "US", 0, ok}, {day, "a@x", "FR", 0, ok}, {day, "a@x", "US", 0, ok}},
			[]string{"a@x FR 1"}},
		{"baseline ends", "country", []storedSignIn{
			{-time.Nanosecond, "a@x", "FR", 0, ok}, {0, "a@x", "DE", 0, ok}, {day, "a@x", "FR", 0, ok}},
			[]string{"a@x DE 1"}},
		{"failures are no history", "country", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {-5 * day, "a@x", "FR", 0, fail}, {day, "a@x", "FR", 0, ok}, {day, "a@x", "CN", 0, fail}},
			[]string{"a@x FR 1"}},
		{"all statuses", "country status=all", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {-5 * day, "a@x", "FR", 0, fail}, {day, "a@x", "FR", 0, ok}, {day, "a@x", "CN", 0, fail}},
			[]string{"a@x CN 1"}},
		{"integer field", "asn", []storedSignIn{
			{-5 * day, "a@x", "US", 7922, ok}, {day, "a@x", "US", 7922, ok}, {day, "a@x", "US", 701, ok}, {day, "a@x", "US", 0, ok}},
			[]string{"a@x 701 1"}},
		{"by country", "user country", []storedSignIn{
			{-5 * day, "a@x", "US", 0, ok}, {day, "a@x", "US", 0, ok}, {day, "b@x", "US", 0, ok}},
			[]string{"US b@x 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := openStore(t, c.sis)
			env := &plugins.Env{Snapshot: snap, From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(7 * day).UnixNano(), Now: stagetest.Start.Add(7 * day)}
			cols, rows, err := stagetest.RunArgs(t, newvalue{}, stagetest.Args(c.args), storedColumns, windowRows(c.sis), env)
			if err != nil {
				t.Fatal(err)
			}
			if len(cols) != 6 || cols[2].Name != "first" || cols[3].Name != "count" {
				t.Fatalf("columns %v", cols)
			}
			var got []string
			for _, r := range rows {
				got = append(got, fmt.Sprintf("%s %s %d", r[0], r[1], r[3].Int()))
				if r[2].Time().Before(stagetest.Start) || len(r[4].List()) == 0 || !slices.Equal(r[5].List(), []string{"App"}) {
					t.Errorf("row %v: first, ips or apps wrong", r)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestNewValueErrors: bad arguments, missing columns and an open window
// are errors, not panics.
func TestNewValueErrors(t *testing.T) {
	snap := openStore(t, []storedSignIn{{0, "a@x", "US", 0, signin.StatusSuccess}})
	env := &plugins.Env{Snapshot: snap, From: stagetest.Start.UnixNano(), To: math.MaxInt64}
	for _, c := range []struct {
		args, want string
		in         []result.Column
		env        *plugins.Env
	}{
		{"nosuchfield", "not a field", storedColumns, env},
		{"time", "not compared", storedColumns, env},
		{"latitude", "not compared", storedColumns, env},
		{"country policy", "not compared", storedColumns, env},
		{"country country", `newvalue's by: "country" is the field too`, storedColumns, env},
		{"country baseline=0d", "duration", storedColumns, env},
		{"country baseline=soon", "duration", storedColumns, env},
		{"country status=maybe", "status", storedColumns, env},
		{"country newkeys=perhaps", "newkeys", storedColumns, env},
		{"os", "needs a os column", storedColumns, env},
		{"country", "time window", storedColumns, &plugins.Env{Snapshot: snap, From: math.MinInt64, To: math.MaxInt64}},
		{"country", "store", storedColumns, nil},
	} {
		_, _, err := stagetest.RunArgs(t, newvalue{}, stagetest.Args(c.args), c.in, windowRows([]storedSignIn{{0, "a@x", "FR", 0, signin.StatusSuccess}}), c.env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("newvalue %s: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	// Needs: the time, the key and the field, successes by default.
	n, err := newvalue{}.Needs(stagetest.MustBindMap(t, newvalue{}, map[string]string{"field": "Country", "by": "user", "baseline": "30d", "status": "success", "newkeys": "false"}))
	if err != nil || !slices.Equal(n.Fields, []string{"time", "user", "country"}) || stagetest.WhereText(n.Where) != "status = success" || !n.Stream {
		t.Errorf("Needs = %+v, %v", n, err)
	}
}

// TestNewValueDetails: when the rows lack addresses and apps (a list
// without fields gives the stage only what it Needs), newvalue reads
// them from the store for the sign-ins of its rows with a new value: one
// list of the window's sign-ins of those keys and values, of which it
// keeps those at the rows' times.
func TestNewValueDetails(t *testing.T) {
	const day = 24 * time.Hour
	ok := signin.StatusSuccess
	sis := []storedSignIn{{-5 * day, "a@x", "US", 0, ok}, {-5 * day, "b@x", "US", 0, ok},
		{day, "a@x", "US", 0, ok}, {day, "a@x", "FR", 0, ok}, {2 * day, "A@X", "fr", 0, ok}, {day, "b@x", "DE", 0, ok}}
	snap := openStore(t, sis)
	rows := windowRows(sis)
	in := storedColumns[:3]
	for i := range rows {
		rows[i] = rows[i][:3]
	}
	// The store's answer: a's FR sign-ins from two addresses and apps,
	// one at a time none of the rows has (the list's condition left it
	// out), and b's DE sign-in.
	detail := func(at time.Duration, user, country, ip, app string) []result.Value {
		return []result.Value{result.TimeValue(stagetest.Start.Add(at)), result.StringValue(user), result.StringValue(country),
			result.StringValue(ip), result.StringValue(app)}
	}
	var queries []string
	env := &plugins.Env{Snapshot: snap, From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(7 * day).UnixNano(),
		Query: func(_ context.Context, q *ast.Query) (*result.Result, error) {
			queries = append(queries, q.String())
			return &result.Result{
				Columns: []result.Column{storedColumns[0], storedColumns[1], storedColumns[2], storedColumns[4], storedColumns[5]},
				Rows: [][]result.Value{
					detail(2*day, "A@X", "fr", "1.1.1.1", "Mail"),
					detail(day+time.Hour, "a@x", "FR", "6.6.6.6", "Evil"),
					detail(day, "a@x", "FR", "2.2.2.2", "Web"),
					detail(day, "b@x", "DE", "3.3.3.3", "Web"),
				}}, nil
		}}
	_, out, err := stagetest.RunArgs(t, newvalue{}, stagetest.Args("country"), in, rows, env)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out {
		got = append(got, fmt.Sprintf("%s %s %d %v %v", r[0], r[1], r[3].Int(), r[4].List(), r[5].List()))
	}
	want := []string{"a@x FR 2 [1.1.1.1 2.2.2.2] [Mail Web]", "b@x DE 1 [3.3.3.3] [Web]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	wantQ := `list time, user, country, ip, app where user in ("a@x", "b@x") and country in ("DE", "FR") and status = success between 2026-10-20T00:00:00Z and 2026-10-27T00:00:00Z`
	if !slices.Equal(queries, []string{wantQ}) {
		t.Errorf("queries %q, want %q", queries, wantQ)
	}
	env.Query = func(context.Context, *ast.Query) (*result.Result, error) { return nil, errors.New("no store") }
	if _, _, err := stagetest.RunArgs(t, newvalue{}, stagetest.Args("country"), in, rows, env); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Errorf("a failing query: %v", err)
	}
}

// FuzzNewValue feeds random rows (random kinds, nulls, times in any
// order) over a small store: newvalue must not panic.
func FuzzNewValue(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), "country")
	f.Add([]byte("hello world, a fuzzing seed of some length"), "asn")
	snap := openStore(f, []storedSignIn{{-time.Hour, "a", "US", 7, signin.StatusSuccess}, {-2 * time.Hour, "b", "FR", 0, signin.StatusFailure}})
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		in, rows := stagetest.FuzzRows(data, storedColumns)
		env := &plugins.Env{Snapshot: snap, From: stagetest.Start.UnixNano() + int64(len(data))*int64(time.Hour)%int64(48*time.Hour), To: math.MaxInt64}
		_, _, _ = stagetest.RunArgs(t, newvalue{}, []plugins.StageArg{{Value: field}}, in, rows, env)
	})
}

// TestNewValueFromParts checks that newvalue finds from the parts the
// list selects (readParts) what it finds from the rows the list streams
// (readRows): the same pairs, first times and spellings, counts and
// times, on random sign-ins over four days stored in two batches (so
// that a day has two parts) of users and countries spelt in two cases
// or missing, at the same time often (ties of first time across
// parts), keyed by user or by app, of a field of one value (country) or
// of a list (policy). The seed is a fixed one, else
// $SIGNINQ_NEWVALUE_SEED's, and logged.
func TestNewValueFromParts(t *testing.T) {
	seed := uint64(20261206)
	if s := os.Getenv("SIGNINQ_NEWVALUE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SIGNINQ_NEWVALUE_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay with SIGNINQ_NEWVALUE_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	users := []string{"", "alice@contoso.com", "Alice@Contoso.com", "bob@contoso.com", "carol@contoso.com"}
	countries := []string{"", "US", "us", "FR", "DE", "CN", "JP", "BR", "IN", "ZA", "NG", "AR"}
	apps := []string{"Outlook", "outlook", "Teams", "", "Azure Portal", "SharePoint", "OneDrive", "Graph Explorer", "Power BI", "Exchange"}
	policies := []string{"MFA", "mfa", "Block legacy", "", "Compliant device", "Trusted locations", "Admins MFA", "Guests", "Risky sign-ins", "Session lifetime"}
	statuses := []signin.Status{signin.StatusSuccess, signin.StatusFailure}
	var recs []signin.Record
	for i := range 500 {
		r := signin.New()
		r.ID = fmt.Sprintf("id-%d", i)
		// Every 6 hours: ties of time are frequent.
		r.Time = stagetest.Start.Add(time.Duration(rng.Int64N(4*4))*6*time.Hour - 48*time.Hour)
		r.User, r.Country, r.App = users[rng.IntN(len(users))], countries[rng.IntN(len(countries))], apps[rng.IntN(len(apps))]
		r.IP = fmt.Sprintf("10.0.%d.%d", rng.IntN(2), rng.IntN(20))
		r.Status = statuses[rng.IntN(len(statuses))]
		for range rng.IntN(3) {
			r.Policies = append(r.Policies, policies[rng.IntN(len(policies))])
		}
		recs = append(recs, r)
	}
	snap := storedSnapshot(t, recs, 250)
	from, to := stagetest.Start, stagetest.Start.Add(48*time.Hour)
	// With keys of more values than fewPairs too.
	defer func(n int) { fewPairs = n }(fewPairs)
	for _, few := range []int{fewPairs, 1} {
		fewPairs = few
		testNewValueFromParts(t, snap, from, to)
	}
}

func testNewValueFromParts(t *testing.T, snap *engine.Snapshot, from, to time.Time) {
	ctx := context.Background()
	for _, args := range []map[string]string{
		{"field": "country", "by": "user", "status": "success", "newkeys": "false"},
		{"field": "country", "by": "user", "status": "all", "newkeys": "false"},
		{"field": "country", "by": "user", "status": "success", "newkeys": "true"},
		{"field": "policy", "by": "user", "status": "success", "newkeys": "false"},
		{"field": "country", "by": "app", "status": "success", "newkeys": "false"},
		{"field": "policy", "by": "ip", "status": "all", "newkeys": "true"},
		{"field": "app", "by": "user", "status": "all", "newkeys": "true"},
		{"field": "ip", "by": "user", "status": "success", "newkeys": "false"},
	} {
		args["baseline"] = "2d"
		bound := stagetest.MustBindMap(t, newvalue{}, args)
		var in []result.Column
		for _, f := range []string{"time", args["by"], args["field"]} {
			in = append(in, result.Column{Name: f, Kind: signin.Lookup(f).Kind, Field: f})
		}
		runner, err := newvalue{}.Bind(bound, in)
		if err != nil {
			t.Fatal(err)
		}
		b := runner.(*newvalue)
		if !b.byPart {
			t.Fatalf("%v: the stage would not read the parts", args)
		}
		base, err := baseline.Read(ctx, snap, b.key, b.field, b.status, from.Add(-8*time.Hour).UnixNano(), from.UnixNano())
		if err != nil {
			t.Fatal(err)
		}
		env := &plugins.Env{Snapshot: snap, From: from.UnixNano(), To: to.UnixNano(), Parts: snap.PartsBetween(from, to)}
		env.Selected = func(ctx context.Context, p *engine.Part) (*roaring.Bitmap, error) {
			lo, hi, err := snap.Rows(p, from, to)
			if err != nil {
				return nil, err
			}
			return baseline.StatusRows(snap, p, b.status, lo, hi)
		}
		// The rows a streaming list hands over: part by part, each by
		// time, of the columns Needs asks for.
		cols := []*engine.Column{engine.LookupColumn("time"), b.key, b.field}
		var rows [][]result.Value
		for _, p := range env.Parts {
			sel, err := env.Selected(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			dicts := make([]*index.Dict, len(cols))
			for j, c := range cols {
				if c.HasDict() && p.DictLen(c) > 0 {
					if dicts[j], err = snap.Dict(p, c); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, r := range sel.ToArray() {
				vecs, err := snap.ReadBlock(p, int(r>>16), cols, nil)
				if err != nil {
					t.Fatal(err)
				}
				rows = append(rows, engine.RowValues(nil, vecs, dicts, r&0xffff))
			}
		}
		want, err := b.readRows(ctx, slices.Values(rows), base)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.readParts(ctx, env, base)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Errorf("%s: no new values: the test tests nothing", args)
		}
		show := func(m map[[2]string]*newPair) string {
			var out []string
			for name, s := range m {
				ts := slices.Sorted(slices.Values(s.times))
				out = append(out, fmt.Sprintf("%q: %v %v %d %d %v", name, s.key, s.value, s.first, s.count, ts))
			}
			slices.Sort(out)
			return strings.Join(out, "\n")
		}
		if g, w := show(got), show(want); g != w {
			t.Errorf("%s: from the parts\n%s\nwant, from the rows,\n%s", args, g, w)
		}
	}
}
