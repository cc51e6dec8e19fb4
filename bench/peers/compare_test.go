package main

import (
	"context"
	sql2 "database/sql"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

func TestEqualVal(t *testing.T) {
	num := func(f float64) val { return val{k: vNum, f: f} }
	text := func(s string) val { return val{k: vText, s: s} }
	for _, c := range []struct {
		a, b val
		want bool
	}{
		{num(3), num(3), true},
		{num(3), num(4), false},
		{num(33.333333333333336), num(33.33333333333333), true}, // within 1e-9 relative
		{num(100), num(100.000001), false},                      // 1e-9 relative is 1e-7 here
		{num(0), num(0), true},
		{text("a"), text("a"), true},
		{text("a"), text("A"), false},
		{val{k: vNull}, text(""), true},
		{text(""), val{k: vNull}, true},
		{val{k: vNull}, text("x"), false},
		{val{k: vNull}, val{k: vNull}, true},
		{val{k: vNull}, num(0), false},
		{num(1), text("1"), false},
		{val{k: vTime, t: 5}, val{k: vTime, t: 5}, true},
		{val{k: vTime, t: 5}, num(5), false},
		{val{k: vTime, t: 1_000_000_500}, val{k: vTime, t: 1_000_000_999}, true}, // one microsecond
		{val{k: vTime, t: 1_000_000_999}, val{k: vTime, t: 1_000_001_000}, false},
	} {
		if got := equalVal(c.a, c.b); got != c.want {
			t.Errorf("equalVal(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestPeerVal(t *testing.T) {
	hour := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		x    any
		kind signin.Kind
		want val
	}{
		{nil, signin.KindString, val{k: vNull}},
		{int64(7), signin.KindInt, val{k: vNum, f: 7}},
		{int32(7), 0, val{k: vNum, f: 7}},
		{uint64(7), 0, val{k: vNum, f: 7}},
		{2.5, signin.KindFloat, val{k: vNum, f: 2.5}},
		{big.NewInt(12345), 0, val{k: vNum, f: 12345}},
		{duckdb.Decimal{Width: 10, Scale: 2, Value: big.NewInt(1250)}, 0, val{k: vNum, f: 12.5}},
		{true, 0, val{k: vNum, f: 1}},
		{"Office", signin.KindString, val{k: vText, s: "Office"}},
		{[]byte("Office"), signin.KindString, val{k: vText, s: "Office"}},
		// DuckDB's TIMESTAMP comes as a time.Time in UTC.
		{hour, signin.KindTime, val{k: vTime, t: hour.UnixNano()}},
		// SQLite's times are Unix nanoseconds: an integer in a time column.
		{hour.UnixNano(), signin.KindTime, val{k: vTime, t: hour.UnixNano()}},
		{"2026-11-25T08:00:00-05:00", signin.KindTime, val{k: vTime, t: hour.UnixNano()}},
	} {
		got, err := peerVal(c.x, c.kind)
		if err != nil || got != c.want {
			t.Errorf("peerVal(%#v, %v) = %v, %v; want %v", c.x, c.kind, got, err, c.want)
		}
	}
	if _, err := peerVal(struct{}{}, 0); err == nil {
		t.Error("peerVal of a struct: no error")
	}
}

func TestSigninqVal(t *testing.T) {
	tm := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		v    result.Value
		want val
	}{
		{result.IntValue(42), val{k: vNum, f: 42}},
		{result.FloatValue(0.5), val{k: vNum, f: 0.5}},
		{result.StringValue("x"), val{k: vText, s: "x"}},
		{result.TimeValue(tm), val{k: vTime, t: tm.UnixNano()}},
		{result.BoolValue(true), val{k: vNum, f: 1}},
		{result.ListValue([]string{"a", "b"}), val{k: vText, s: "a,b"}},
		{result.Null(signin.KindString), val{k: vNull}},
	} {
		if got := signinqVal(c.v); got != c.want {
			t.Errorf("signinqVal(%v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestDiff(t *testing.T) {
	num := func(f float64) val { return val{k: vNum, f: f} }
	text := func(s string) val { return val{k: vText, s: s} }
	want := answer{names: []string{"app", "count"}, rows: [][]val{{text("a"), num(2)}, {val{k: vNull}, num(1)}}}
	swapped := answer{names: []string{"app", "count"}, rows: [][]val{{text(""), num(1)}, {text("a"), num(2)}}}
	if d := diff(want, swapped, false); d != "" {
		t.Errorf("as sets: %s", d)
	}
	if d := diff(want, swapped, true); d == "" {
		t.Error("in order: rows in another order agree")
	}
	for _, got := range []answer{
		{names: []string{"app"}, rows: [][]val{{text("a")}, {text("")}}},
		{names: []string{"app", "n"}, rows: swapped.rows},
		{names: []string{"app", "count"}, rows: swapped.rows[:1]},
		{names: []string{"app", "count"}, rows: [][]val{{text("a"), num(2)}, {text(""), num(2)}}},
	} {
		if d := diff(want, got, false); d == "" {
			t.Errorf("%v agrees with %v", got, want)
		}
	}
	// Column names are compared without regard to case.
	if d := diff(want, answer{names: []string{"APP", "Count"}, rows: want.rows}, true); d != "" {
		t.Error(d)
	}
}

// TestLiterals checks each peer's {from}, {bin1h}, {day} and {dur D},
// and that every query's SQL is written whole (with lists as SetLists
// sets them).
func TestLiterals(t *testing.T) {
	from := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if got, want := duckFrom(from), "TIMESTAMP '2026-11-25 00:00:00.000000'"; got != want {
		t.Errorf("duckFrom = %s, want %s", got, want)
	}
	if got, want := sqliteFrom(from), "1795564800000000000"; got != want {
		t.Errorf("sqliteFrom = %s, want %s", got, want)
	}
	for _, q := range bench.Queries() {
		if q.SQL == "" {
			continue
		}
		lists := map[string][]string{"vps": {"45.87.0.0/16"}, "admins": {"alice@contoso.com"}, "ranges": {"45.88.0.0/20", "2001:db8:1::/48"}}
		for _, p := range []*peer{{kind: "duckdb", from: duckFrom, duration: duckDuration, bin1h: duckBin1h, day: duckDay},
			{kind: "sqlite", from: sqliteFrom, duration: sqliteDuration, bin1h: sqliteBin1h, day: sqliteDay}} {
			s := p.sql(q, lists)
			if strings.ContainsAny(s, "{}") {
				t.Errorf("%s: %s: placeholders left: %s", p.kind, q.Text, s)
			}
			if want := p.from(benchEnd.Add(-q.Window)); q.Window > 0 && !strings.Contains(s, want) {
				t.Errorf("%s: %s: no %s in %s", p.kind, q.Text, want, s)
			}
		}
	}
	// The literals and the bins mean the same in the engines themselves.
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Date(2026, 11, 25, 13, 47, 12, 345678000, time.UTC)
	duck, err := openPeer(ctx, "duckdb", filepath.Join(dir, "t.duckdb"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer duck.close()
	var ok, near bool
	var bin, day time.Time
	if err := duck.conn.QueryRowContext(ctx, `SELECT "time" >= `+duckFrom(from)+`, `+duckBin1h+`, `+duckDay+`, "time" - `+duckFrom(from)+` <= `+duckDuration(at.Sub(from))+
		` FROM (SELECT `+duckFrom(at)+` AS "time")`).Scan(&ok, &bin, &day, &near); err != nil {
		t.Fatal(err)
	}
	if !ok || !bin.Equal(at.Truncate(time.Hour)) || !day.Equal(at.Truncate(24*time.Hour)) || !near {
		t.Errorf("DuckDB: %v, %v, %v, %v", ok, bin, day, near)
	}
	lite, err := openPeer(ctx, "sqlite", filepath.Join(dir, "t.sqlite"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.close()
	var nbin, nday int64
	if err := lite.conn.QueryRowContext(ctx, `SELECT "time" >= `+sqliteFrom(from)+`, `+sqliteBin1h+`, `+sqliteDay+`, "time" - `+sqliteFrom(from)+` <= `+sqliteDuration(at.Sub(from))+
		` FROM (SELECT `+sqliteFrom(at)+` AS "time")`).Scan(&ok, &nbin, &nday, &near); err != nil {
		t.Fatal(err)
	}
	if !ok || nbin != at.Truncate(time.Hour).UnixNano() || nday != at.Truncate(24*time.Hour).UnixNano() || !near {
		t.Errorf("SQLite: %v, %v, %v, %v", ok, time.Unix(0, nbin).UTC(), time.Unix(0, nday).UTC(), near)
	}
}

// TestIPIn checks that {ip in @NAME}, as bench.Dialect writes it for a
// list of networks of every form @ranges holds (IPv4 /32 to /10, IPv6
// /32, /48, /64, /128), selects in DuckDB and in SQLite exactly the
// addresses netip says are in one of them: addresses inside, just
// outside at either end, written with "::", and random ones, as the
// store writes them (IPv4 dotted, IPv6 canonical).
func TestIPIn(t *testing.T) {
	const seed = 20261206
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	var nets []netip.Prefix
	for _, s := range []string{"198.51.100.0/23", "192.0.2.16/30", "203.0.113.7/32", "10.0.0.0/12", "100.64.0.0/10", "1.2.3.0/24", "9.0.0.0/8",
		"172.20.16.0/20", "172.20.48.0/28", "2001:db8::/32", "2001:db9:1::/48", "2a01:4f8:1c1c:1a2b::/64", "2a01:4f9:1::1/128", "2600:1000:ab00::/40"} {
		nets = append(nets, netip.MustParsePrefix(s))
	}
	seen := map[netip.Addr]bool{}
	var addrs []netip.Addr
	add := func(a netip.Addr) {
		if a.IsValid() && !seen[a] {
			seen[a] = true
			addrs = append(addrs, a)
		}
	}
	random := func(n int) netip.Addr {
		if n == 4 {
			return netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
		}
		var b [16]byte
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return netip.AddrFrom16(b)
	}
	// within is the address of p whose host bits are those of x.
	within := func(p netip.Prefix, x netip.Addr) netip.Addr {
		b, h := p.Masked().Addr().AsSlice(), x.AsSlice()
		for i := range b {
			keep := min(max(p.Bits()-8*i, 0), 8)
			mask := ^(byte(0xff) >> keep) // the prefix's bits of byte i
			b[i] = b[i]&mask | h[i]&^mask
		}
		a, _ := netip.AddrFromSlice(b)
		return a
	}
	for _, p := range nets {
		first := p.Masked().Addr()
		ones := netip.AddrFrom16([16]byte{255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255})
		if first.Is4() {
			ones = netip.AddrFrom4([4]byte{255, 255, 255, 255})
		}
		last := within(p, ones)
		add(first)
		add(first.Prev())
		add(first.Next())
		add(last.Prev())
		add(last)
		add(last.Next())
		for range 20 { // inside: the prefix, then random bits
			add(within(p, random(first.BitLen())))
		}
	}
	for _, s := range []string{"2001:db8::", "2001:db8::1", "2001:db8:0:1::", "2001:db9:1::", "2001:db9::1", "2001:db9:1:0:0:0:0:1", "2a01:4f8:1c1c:1a2b::", "2a01:4f8:1c1c:1a2c::", "9.9.9.9", "19.0.0.1", "2600:1000:abff:ffff::1", "2600:1000:ac00::"} {
		add(netip.MustParseAddr(s))
	}
	for range 500 {
		add(random(4))
		add(random(16))
	}
	var values []string
	for _, p := range nets {
		values = append(values, p.String())
	}
	want := map[string]bool{}
	for _, a := range addrs {
		for _, p := range nets {
			if p.Contains(a) {
				want[a.String()] = true
			}
		}
	}
	q := bench.Query{SQL: `SELECT ip FROM signins WHERE {ip in @nets}`}
	sql := q.SQLPeer(bench.Dialect{Lists: map[string][]string{"nets": values}})
	if strings.ContainsAny(sql, "{}") {
		t.Fatalf("not written: %s", sql)
	}
	ctx := context.Background()
	dir := t.TempDir()
	for _, driver := range []string{"duckdb", "sqlite"} {
		db, err := sql2.Open(driver, filepath.Join(dir, "ips."+driver))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `CREATE TABLE signins (ip VARCHAR)`); err != nil {
			t.Fatal(err)
		}
		tuples := make([]string, len(addrs))
		for i, a := range addrs {
			tuples[i] = "('" + a.String() + "')"
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO signins VALUES `+strings.Join(tuples, ", ")); err != nil {
			t.Fatal(err)
		}
		rows, err := db.QueryContext(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", driver, err)
		}
		got := map[string]bool{}
		for rows.Next() {
			var ip string
			if err := rows.Scan(&ip); err != nil {
				t.Fatal(err)
			}
			got[ip] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		for ip := range want {
			if !got[ip] {
				t.Errorf("%s: %s is in the list, not selected", driver, ip)
			}
		}
		for ip := range got {
			if !want[ip] {
				t.Errorf("%s: %s is not in the list, selected", driver, ip)
			}
		}
		if len(want) < 200 || len(want) == len(addrs) {
			t.Errorf("%d of %d addresses in the list: the test checks too little", len(want), len(addrs))
		}
	}
}

func TestAppendCSVCell(t *testing.T) {
	for _, c := range []struct {
		typ  string
		v    cell
		want string
	}{
		{tString, cell{null: true}, ``},
		{tString, cell{s: "plain"}, `plain`},
		{tString, cell{s: `a, "b"`}, `"a, ""b"""`},
		{tString, cell{s: "two\nlines"}, "\"two\nlines\""},
		{tString, cell{s: " lead"}, `" lead"`},
		{tInt, cell{i: -50126}, `-50126`},
		{tFloat, cell{f: 47.6062}, `47.6062`},
		{tBool, cell{i: 1}, `true`},
		{tBool, cell{i: 0}, `false`},
		{tTime, cell{i: time.Date(2026, 11, 25, 13, 47, 12, 345678912, time.UTC).UnixNano()}, `2026-11-25 13:47:12.345678`},
		{tList, cell{l: []string{"Password", "Text message"}}, "Password\x1fText message"},
	} {
		if got := string(appendCSVCell(nil, c.typ, c.v)); got != c.want {
			t.Errorf("appendCSVCell(%s, %+v) = %q, want %q", c.typ, c.v, got, c.want)
		}
	}
}

// TestCompare generates a small benchmark store with the signinq command,
// loads both peers from it and runs the whole standard set: every answer
// must agree with signinq's.
// sqlPeers are the peers asked SQL (TestCompareClickHouse runs the
// other).
var sqlPeers = []string{"duckdb", "sqlite", "parquet"}

func TestCompare(t *testing.T) {
	root := t.TempDir()
	const rows = 20000
	c := &CompareCmd{now: func() time.Time { return benchEnd }, Rows: rows, Runs: 1, Peers: sqlPeers, Threads: 2, Repo: "../..", Markdown: filepath.Join(root, "report.md")}
	rep, err := c.measure(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var withSQL, without int
	for _, q := range bench.Queries() {
		if q.SQL == "" {
			without++
		} else {
			withSQL++
		}
	}
	if len(rep.results) != withSQL || len(rep.skipped) != without {
		t.Errorf("%d queries run, %d skipped; want %d and %d", len(rep.results), len(rep.skipped), withSQL, without)
	}
	for _, r := range rep.results {
		for _, m := range r.mismatch {
			t.Error(m)
		}
		if len(r.medians) != 1+len(sqlPeers) {
			t.Errorf("%s: %d medians", r.q.Text, len(r.medians))
		}
	}
	for _, p := range sqlPeers {
		if l := rep.loads[p]; l.Rows != rows || l.Bytes <= 0 || l.Seconds <= 0 {
			t.Errorf("%s: load %+v", p, l)
		}
	}
	// Some query must select something, or agreement means little. Of
	// the hunting queries, which look for rare events (a burst of denied
	// pushes within 5 minutes, a service principal idle for a month), a
	// store this small has rows for half.
	var nonEmpty, total, huntRows, hunts int
	for _, r := range rep.results {
		if r.q.Group == "hunting" {
			hunts++
			if r.rows > 0 {
				huntRows++
			}
			continue
		}
		total++
		if r.rows > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < total-2 || huntRows < hunts/2 {
		t.Errorf("only %d of %d answers have rows, and %d of %d hunting ones", nonEmpty, total, huntRows, hunts)
	}
	var md strings.Builder
	rep.markdown(&md)
	for _, want := range []string{"| `count` |", "signinq÷DuckDB", "agrees with signinq's"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report has no %q:\n%s", want, md.String())
		}
	}

	// A second run finds the store and the peers loaded.
	if _, err := os.Stat(loadsFile(rep.peersCache)); err != nil {
		t.Fatal(err)
	}
	before := rep.loads["sqlite"].At
	rep2, err := c.measure(context.Background(), root, regexp.MustCompile("^count$"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.results) != 1 || len(rep2.results[0].mismatch) > 0 {
		t.Errorf("the second run: %d results", len(rep2.results))
	}
	if rep2.loads["sqlite"].At != before {
		t.Error("the second run loaded SQLite again")
	}
}
