package query

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/querygen"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// setDiffLists sets Lists on a store.
func setDiffLists(db *engine.DB) error {
	for name, values := range querygen.Lists {
		if err := SetList(db, name, values); err != nil {
			return err
		}
	}
	return nil
}

// naiveListValues are the values of a list for the naive evaluator: a
// built-in's or querygen.Lists', by name in any case.
func naiveListValues(name string) ([]string, bool) {
	for _, l := range builtinLists {
		if strings.EqualFold(l.Name, name) {
			return l.Values, true
		}
	}
	for n, v := range querygen.Lists {
		if strings.EqualFold(n, name) {
			return v, true
		}
	}
	return nil, false
}

// listTestDB is a store of a few sign-ins with the lists of querygen.Lists.
func listTestDB(t *testing.T) *engine.DB {
	t.Helper()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var recs []signin.Record
	for i, ip := range []string{"10.0.0.1", "10.1.255.255", "10.2.0.1", "::ffff:10.2.0.1", "2001:db8:1:5::1", "2001:db8:2::7", "8.8.8.8", "172.20.1.1", ""} {
		recs = append(recs, signin.Record{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Time: base.Add(time.Duration(i) * time.Minute),
			User: []string{"zoë.åberg@contoso.com", "a@contoso.com", "B@contoso.com"}[i%3], IP: ip,
			App: []string{"Microsoft Teams", "Azure Portal", "Other"}[i%3], Error: []int64{0, 50126, 53003, signin.NoInt}[i%4],
			Client: []string{"IMAP4", "Browser", "exchange activesync"}[i%3],
		})
	}
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	if err := setDiffLists(db); err != nil {
		t.Fatal(err)
	}
	return db
}

func listRun(t *testing.T, db *engine.DB, text string) (*result.Result, error) {
	t.Helper()
	return Run(context.Background(), db, nil, text, Options{Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
}

// TestListCounts checks membership of lists against counts worked out
// by hand.
func TestNamedListCounts(t *testing.T) {
	db := listTestDB(t)
	for _, tc := range []struct {
		query string
		want  int64
	}{
		// All but the sign-in without an address: 10.0.0.1 and
		// 10.1.255.255 in 10.0.0.0/15, 10.2.0.1 and ::ffff:10.2.0.1 as
		// ::ffff:10.2.0.1, 2001:db8:1:5::1 in 2001:db8:1::/48,
		// 2001:db8:2::7, 8.8.8.8 in 0.0.0.0/3, 172.20.1.1 in 172.16.0.0/12.
		{"count where ip in @diffNets", 8},
		{"count where ip in @DIFFNETS", 8},
		{"count where ip not in @diffNets", 1},
		{"count where ip in (@diffNets, 2001:db8::/32)", 8},
		{"count where user in @diffUsers", 3},
		{"count where user not in @diffUsers", 6},
		{"count where app in @diffApps", 6},
		{"count where error in @passwordFailures", 2},
		{"count where error in @sentinelSuccess", 3},
		{"count where error not in @sentinelSuccess", 4}, // a missing error is in neither
		{"count where error in (@passwordFailures, 53003)", 4},
		{"count where error in (@passwordFailures, @caFailures)", 2}, // 53003 is in neither
		{"count where client in @legacyClients", 6},
		{"count where ip in (8.8.8.8, @diffNets)", 8},
	} {
		res, err := listRun(t, db, tc.query)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if got := res.Rows[0][0].Int(); got != tc.want {
			t.Errorf("%s = %d, want %d", tc.query, got, tc.want)
		}
	}
}

// TestListsAsLiterals checks that a list answers as its values written
// in the query do (in (v1, v2, …)), for each list and field, and with
// not.
func TestNamedListsAsLiterals(t *testing.T) {
	db := listTestDB(t)
	more := map[string][]string{"doms": {"CONTOSO.com", "fabrikam.com"}, "hours": {"0", "3", "23"}}
	for name, values := range more {
		if err := SetList(db, name, values); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ field, list string }{
		{"ip", "diffNets"}, {"user", "diffUsers"}, {"app", "diffApps"}, {"error", "diffCodes"},
		{"error", "passwordFailures"}, {"client", "legacyClients"}, {"country", "diffCountries"},
		{"domain(user)", "doms"}, {"hour(time)", "hours"},
	} {
		values, ok := naiveListValues(tc.list)
		if !ok {
			values = more[tc.list]
		}
		var lits []string
		for _, v := range values {
			lits = append(lits, strings.ReplaceAll(fmt.Sprintf("%q", v), `\u`, `u`))
		}
		for _, not := range []string{"", "not "} {
			a := fmt.Sprintf("count where %s %sin @%s group by ip, user, app", tc.field, not, tc.list)
			b := fmt.Sprintf("count where %s %sin (%s) group by ip, user, app", tc.field, not, strings.Join(lits, ", "))
			ra, err := listRun(t, db, a)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			rb, err := listRun(t, db, b)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if fmt.Sprint(ra.Rows) != fmt.Sprint(rb.Rows) {
				t.Errorf("%s:\n%v\nwith the values written:\n%v", a, ra.Rows, rb.Rows)
			}
		}
	}
}

// TestListErrors checks the errors of using lists: where they stand and
// what they suggest.
func TestNamedListErrors(t *testing.T) {
	db := listTestDB(t)
	if err := SetList(db, "words", []string{"alpha", "beta"}); err != nil {
		t.Fatal(err)
	}
	if err := SetList(db, "enumBad", []string{"success", "faliure"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, pos, msg string }{
		{"count where ip in @diffNet", "1:19", `unknown list @diffNet; did you mean "@diffNets"?`},
		{"count where error in @passwordFailure", "1:22", `unknown list @passwordFailure; did you mean "@passwordFailures"?`},
		{"count where user in (alice, @nope)", "1:29", "unknown list @nope"},
		{"count where error in @words", "1:22", `list @words cannot be tested against error: its value "alpha" (the 1st) is not a whole number, which error is`},
		{"count where ip in @words", "1:19", `list @words cannot be tested against ip: its value "alpha" (the 1st) is not an IP address or network`},
		{"count where ip in (8.8.8.8, @diffUsers)", "1:29", `its value "ZOË.ÅBERG@contoso.com" (the 1st) is not an IP address or network`},
		{"count where ip in @diffCodes", "1:19", `its value "0" (the 1st) is not an IP address or network`},
		{"count where status in @enumBad", "1:23", `list @enumBad cannot be tested against status: its value "faliure" (the 2nd) is not one of status's values; did you mean "failure"?`},
		{"count where time in @diffCodes", "1:21", "compare time with <"},
		{"count where user = @diffUsers", "1:20", "@diffUsers is a list: test membership with in (user in @diffUsers)"},
		{"count where latency in @diffApps", "1:24", `its value "microsoft teams" (the 1st) is not a whole number, which latency is`},
	} {
		_, err := listRun(t, db, tc.text)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: got %v, want an *Error", tc.text, err)
			continue
		}
		if qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%s:\n got %s: %s\nwant %s: …%s…", tc.text, qe.Pos, qe.Msg, tc.pos, tc.msg)
		}
	}
	// Without a store, only the built-ins are known.
	if _, err := Prepare("count where ip in @diffNets", nil, nil, querygen.End); err == nil || !strings.Contains(err.Error(), "unknown list @diffNets") {
		t.Errorf("Prepare of a store's list: %v", err)
	}
	if _, err := Prepare("count where error in @caFailures", nil, nil, querygen.End); err != nil {
		t.Errorf("Prepare of a built-in list: %v", err)
	}
}

// TestListStore checks setting, replacing, listing and removing a
// store's lists, and what it refuses.
func TestNamedListStore(t *testing.T) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A list over several pieces, then replaced by a small one: no piece
	// is left behind.
	var big []string
	for i := range 40000 {
		big = append(big, fmt.Sprintf("user%06d@contoso.com", i))
	}
	if err := SetList(db, "Admins", big); err != nil {
		t.Fatal(err)
	}
	l, err := ListOf(db, "@admins")
	if err != nil || l.Name != "Admins" || !slices.Equal(l.Values, big) || l.Kind() != ListText {
		t.Fatalf("ListOf after SetList: %v, %v", l, err)
	}
	all, _ := db.AllMeta(ListSpace)
	if len(all) < 4 {
		t.Errorf("a list of %d bytes is in %d keys; want pieces", 40000*22, len(all))
	}
	if err := SetList(db, "ADMINS", []string{"a@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	if all, _ = db.AllMeta(ListSpace); len(all) != 2 {
		t.Errorf("after a replace the space holds %d keys, want 2 (a header and a piece): %v", len(all), slices.Collect(mapsKeys(all)))
	}
	if err := SetList(db, "nets", []string{"10.0.0.0/8", "2001:db8::1"}); err != nil {
		t.Fatal(err)
	}
	lists, err := ListsOf(db)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range lists {
		names = append(names, fmt.Sprintf("%s:%s:%d:%v", l.Name, l.Kind(), len(l.Values), l.Builtin))
	}
	want := "ADMINS:text:1:false caFailures:numbers:7:true legacyClients:text:13:true mfaCodes:numbers:5:true nets:addresses:2:false passwordFailures:numbers:4:true sentinelSuccess:numbers:5:true"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("ListsOf:\n got %s\nwant %s", got, want)
	}
	for _, tc := range []struct {
		name   string
		values []string
		want   error
		msg    string
	}{
		{name: "passwordfailures", values: []string{"1"}, want: ErrBuiltinList},
		{name: "9lives", values: []string{"1"}, msg: "letters, digits and _"},
		{name: "a-b", values: []string{"1"}, msg: "letters, digits and _"},
		{name: "x", values: []string{" padded"}, msg: "no space around it"},
		{name: "x", values: []string{""}, msg: "not empty"},
		{name: "x", values: []string{"a\nb"}, msg: "line break"},
	} {
		err := SetList(db, tc.name, tc.values)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("SetList(%q, %q) = %v; want %v %q", tc.name, tc.values, err, tc.want, tc.msg)
		}
	}
	if err := RemoveList(db, "caFailures"); !errors.Is(err, ErrBuiltinList) {
		t.Errorf("RemoveList of a built-in: %v", err)
	}
	if err := RemoveList(db, "nope"); !errors.Is(err, ErrUnknownList) {
		t.Errorf("RemoveList of no list: %v", err)
	}
	// A piece's key is not a list's name.
	if err := SetList(db, "pieces", big[:20000]); err != nil {
		t.Fatal(err)
	}
	if err := RemoveList(db, "pieces/1"); !errors.Is(err, ErrUnknownList) {
		t.Errorf("RemoveList of a piece: %v", err)
	}
	if _, err := ListOf(db, "pieces/1"); !errors.Is(err, ErrUnknownList) {
		t.Errorf("ListOf a piece: %v", err)
	}
	if l, err := ListOf(db, "pieces"); err != nil || len(l.Values) != 20000 {
		t.Errorf("ListOf after refusing its piece: %v", err)
	}
	if err := RemoveList(db, "pieces"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveList(db, "admins"); err != nil {
		t.Fatal(err)
	}
	if _, err := ListOf(db, "admins"); !errors.Is(err, ErrUnknownList) {
		t.Errorf("ListOf after RemoveList: %v", err)
	}
	if all, _ = db.AllMeta(ListSpace); len(all) != 2 { // nets
		t.Errorf("after RemoveList the space holds %d keys, want 2", len(all))
	}
}

func mapsKeys(m map[string][]byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestListCorrupt checks that a list whose metadata does not decode is
// an error (ErrCorruption), never another list or none.
func TestNamedListCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(all map[string][]byte) map[string][]byte
	}{
		{"piece missing", func(map[string][]byte) map[string][]byte { return map[string][]byte{"vps/1": nil} }},
		{"piece changed", func(all map[string][]byte) map[string][]byte {
			p := slices.Clone(all["vps/1"])
			p[len(p)-1] ^= 1
			return map[string][]byte{"vps/1": p}
		}},
		{"header cut", func(all map[string][]byte) map[string][]byte { return map[string][]byte{"vps": all["vps"][:5]} }},
		{"header of another name", func(all map[string][]byte) map[string][]byte {
			return map[string][]byte{"vps": (&listHeader{name: "other", count: 1, pieces: 1}).encode()}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := listTestDB(t)
			if err := SetList(db, "vps", []string{"10.0.0.0/8"}); err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateMeta(ListSpace, func(all map[string][]byte) (map[string][]byte, error) { return tc.damage(all), nil }); err != nil {
				t.Fatal(err)
			}
			_, err := listRun(t, db, "count where ip in @vps")
			if !errors.Is(err, engine.ErrCorruption) {
				t.Errorf("a query of a damaged list: %v, want ErrCorruption", err)
			}
		})
	}
	// A newer version's list is refused, not misread.
	db := listTestDB(t)
	if err := db.UpdateMeta(ListSpace, func(map[string][]byte) (map[string][]byte, error) {
		return map[string][]byte{"vps": {2, 0}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := listRun(t, db, "count where ip in @vps"); err == nil || !strings.Contains(err.Error(), "newer signinq") {
		t.Errorf("a list of a newer version: %v", err)
	}
}

// TestLiteralSets checks that an in-list long enough to become a set
// answers as the same values one at a time do: the values split into
// short in-lists or'ed together.
func TestLiteralSets(t *testing.T) {
	db := listTestDB(t)
	for _, tc := range []struct {
		field  string
		values []string
	}{
		{"ip", querygen.Lists["diffNets"][:40]},
		{"ip", append([]string{"10.0.0.1", "::FFFF:10.2.0.1", "2001:DB8:2::7"}, querygen.Lists["diffNets"][20:40]...)},
		{"user", []string{"a@contoso.com", `"ZOË.ÅBERG@contoso.com"`, "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16"}},
		{"error", []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "50126"}},
	} {
		for _, not := range []string{"", "not "} {
			// in: or'ed in-lists; not in: and'ed not-in-lists.
			var parts []string
			for i := 0; i < len(tc.values); i += 4 {
				parts = append(parts, fmt.Sprintf("%s %sin (%s)", tc.field, not, strings.Join(tc.values[i:min(i+4, len(tc.values))], ", ")))
			}
			a := fmt.Sprintf("count where %s %sin (%s) group by ip, user", tc.field, not, strings.Join(tc.values, ", "))
			b := fmt.Sprintf("count where %s group by ip, user", strings.Join(parts, map[string]string{"": " or ", "not ": " and "}[not]))
			ra, err := listRun(t, db, a)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			rb, err := listRun(t, db, b)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if fmt.Sprint(ra.Rows) != fmt.Sprint(rb.Rows) {
				t.Errorf("%s:\n%v\none at a time:\n%v", a, ra.Rows, rb.Rows)
			}
		}
	}
}

// TestNamedListSaved checks a saved query that uses a list: it is defined
// whether or not the store has the list, and reads the list where it
// runs.
func TestNamedListSaved(t *testing.T) {
	db := listTestDB(t)
	for _, d := range []string{"define fromVPS = count where ip in @vps", "define admins(L) = count where user in (L, @diffUsers)"} {
		if _, err := DefineIn(db, nil, d); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	if _, err := listRun(t, db, "fromVPS"); err == nil || !strings.Contains(err.Error(), "unknown list @vps") {
		t.Errorf("a saved query of a list the store lacks: %v", err)
	}
	if err := SetList(db, "vps", []string{"10.0.0.0/15"}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{"fromVPS": 2, "admins(a@contoso.com)": 6} {
		res, err := listRun(t, db, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got := res.Rows[0][0].Int(); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
}

// TestNamedListPlanAgain checks that a plan of a store's list runs again
// (Execute, which with NowLatest checks it again) with the list it was
// checked with.
func TestNamedListPlanAgain(t *testing.T) {
	db := listTestDB(t)
	ctx := context.Background()
	out, err := Exec(ctx, db, nil, "count where ip in @diffNets", Options{Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Rows.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := Execute(ctx, db, out.Plan, Options{NowLatest: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows[0][0].Int(); got != 8 {
		t.Errorf("count = %d, want 8", got)
	}
}

// TestCheckLists checks lists given by their values (PrepareLists,
// CheckLists): known as a store's would be, in a subquery too, offered
// by did-you-mean, and refused as SetList refuses them.
func TestCheckLists(t *testing.T) {
	lists := map[string][]string{"Watch": {"alice@contoso.com", "bob@contoso.com"}, "badNets": {"203.0.113.0/24"}}
	for _, text := range []string{
		"count where user in @watch",
		"count where ip in @badNets and error in @passwordFailures",
		"count where app in (list app where user in @Watch)",
	} {
		p, err := PrepareLists(text, nil, nil, querygen.End, lists)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		st, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CheckLists(st, nil, querygen.End, lists); err != nil {
			t.Errorf("CheckLists %s: %v", text, err)
		}
		if p.Kind != st.Query.Kind {
			t.Errorf("%s: kind %v", text, p.Kind)
		}
		if _, err := Prepare(text, nil, nil, querygen.End); err == nil {
			t.Errorf("%s: Prepare, without the lists, knows them", text)
		}
	}
	for _, tc := range []struct {
		text  string
		lists map[string][]string
		msg   string
	}{
		{"count where user in @watches", lists, `unknown list @watches; did you mean "@Watch"?`},
		{"count where ip in @watch", lists, `list @Watch cannot be tested against ip: its value "alice@contoso.com" (the 1st) is not an IP address or network`},
		{"count", map[string][]string{"9lives": {"x"}}, "9lives"},
		{"count", map[string][]string{"passwordFailures": {"1"}}, "built in"},
		{"count", map[string][]string{"empty": {" "}}, "list empty"},
	} {
		_, err := PrepareLists(tc.text, nil, nil, querygen.End, tc.lists)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s with %v: error %v, want one saying %q", tc.text, tc.lists, err, tc.msg)
		}
	}
}
