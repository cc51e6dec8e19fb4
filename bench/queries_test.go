package bench

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/query"
)

// TestQueries checks the standard set: every query runs on a small
// benchmark store with the lists SetLists sets, every SQL names its time
// window when the query has one and leaves no placeholder unwritten, and
// the names are unique.
func TestQueries(t *testing.T) {
	ctx := context.Background()
	now := benchstore.End
	dir, err := benchstore.DirIn(ctx, t.TempDir(), 20_000, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lists, err := SetLists(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists["admins"]) == 0 || len(lists["vps"]) != len(vpsNetworks) || len(lists["ranges"]) != rangesCount {
		t.Fatalf("lists %v", lists)
	}
	// @ranges: the same on every run, IPv4 and IPv6 networks, some of
	// the store's sign-ins in them, and few.
	again, err := SetLists(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again["ranges"], lists["ranges"]) {
		t.Error("@ranges differs from one SetLists to the next")
	}
	v4, v6 := 0, 0
	for _, v := range lists["ranges"] {
		p, err := netip.ParsePrefix(v)
		switch {
		case err != nil:
			t.Errorf("@ranges: %v", err)
		case p.Addr().Is4():
			v4++
		default:
			v6++
		}
	}
	if v4 < rangesCount/2 || v6 < rangesCount/20 {
		t.Errorf("@ranges: %d IPv4 and %d IPv6 networks", v4, v6)
	}
	res, err := query.Run(ctx, db, nil, `countif(ip in @ranges) as listed, count`, query.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if in, all := res.Rows[0][0].Int(), res.Rows[0][1].Int(); in == 0 || in*20 > all {
		t.Errorf("%d of %d sign-ins in @ranges: want some, under 5%%", in, all)
	}
	d := Dialect{Now: now, Time: func(t time.Time) string { return "'" + t.Format(time.RFC3339) + "'" },
		Duration: func(d time.Duration) string { return d.String() }, Bin1h: "hour(time)", Day: "day(time)", Lists: lists}
	seen := map[string]bool{}
	for _, q := range Queries() {
		if seen[q.Text] {
			t.Errorf("%s: twice", q.Text)
		}
		seen[q.Text] = true
		if _, err := query.Run(ctx, db, nil, q.Text, query.Options{Now: now}); err != nil {
			t.Errorf("%s: %v", q.Text, err)
		}
		if q.SQL == "" {
			if q.Group != "security" && !strings.Contains(q.Text, "| spikes") {
				t.Errorf("%s: no SQL", q.Text)
			}
			continue
		}
		if hasWindow := strings.Contains(q.Text, " since "); hasWindow != (q.Window > 0) || hasWindow != strings.Contains(q.SQL, "{from}") {
			t.Errorf("%s: window %v, SQL %s", q.Text, q.Window, q.SQL)
		}
		sql := q.SQLPeer(d)
		if strings.ContainsAny(sql, "{}") {
			t.Errorf("%s: placeholders left in %s", q.Text, sql)
		}
	}
}

// TestSQLPeer checks the placeholders a peer's SQL is written with.
func TestSQLPeer(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	d := Dialect{Now: now, Time: func(t time.Time) string { return t.Format(time.RFC3339) },
		Duration: func(d time.Duration) string { return d.String() }, Bin1h: "H", Day: "D",
		Lists: map[string][]string{"users": {"Alice@contoso.com", "o'brien@contoso.com"}, "nets": {"10.0.0.0/8", "192.168.1.0/24"},
			"wide": {"10.0.0.0/12"}, "hosts": {"10.0.0.1/32"},
			"mixed": {"198.51.100.0/23", "192.0.2.16/30", "2001:db8::/32", "2001:db8::1"},
			"zeros": {"2001:db8:0::/48"}, "bad": {"10.0.0.0/8", "example"}}}
	for _, tc := range []struct {
		sql    string
		window time.Duration
		want   string
	}{
		{"{from} {bin1h} {day}", time.Hour, "2026-11-25T23:00:00Z H D"},
		{"{ago 30d} {ago 90m} {dur 5m}", 0, "2026-10-27T00:00:00Z 2026-11-25T22:30:00Z 5m0s"},
		{"lower(user) IN {@users}", 0, "lower(user) IN ('alice@contoso.com', 'o''brien@contoso.com')"},
		{"{ip in @nets}", 0, "(ip LIKE '10.%' OR ip LIKE '192.168.1.%')"},
		{"{ip in @wide}", 0, "(substr(ip, 1, (instr(ip, '.') + instr(substr(ip, instr(ip, '.') + 1), '.'))) IN (VALUES ('10.0.'), ('10.1.'), ('10.10.'), ('10.11.'), ('10.12.'), ('10.13.'), ('10.14.'), ('10.15.'), ('10.2.'), ('10.3.'), ('10.4.'), ('10.5.'), ('10.6.'), ('10.7.'), ('10.8.'), ('10.9.')))"},
		{"{ip in @hosts}", 0, "(ip IN (VALUES ('10.0.0.1')))"},
		{"{ip in @mixed}", 0, "(ip IN (VALUES ('192.0.2.16'), ('192.0.2.17'), ('192.0.2.18'), ('192.0.2.19'), ('2001:db8::1')) OR " +
			"CASE WHEN instr(ip, ':') > 0 THEN substr(ip, 1, (instr(ip, ':') + instr(substr(ip, instr(ip, ':') + 1), ':'))) END IN (VALUES ('2001:db8:')) OR " +
			"substr(ip, 1, ((instr(ip, '.') + instr(substr(ip, instr(ip, '.') + 1), '.')) + instr(substr(ip, (instr(ip, '.') + instr(substr(ip, instr(ip, '.') + 1), '.')) + 1), '.'))) IN (VALUES ('198.51.100.'), ('198.51.101.')))"},
		{"{ip in @zeros} {ip in @bad} {@none} {ago x}", 0, "{ip in @zeros} {ip in @bad} {@none} {ago x}"}, // left unwritten
	} {
		if got := (Query{SQL: tc.sql, Window: tc.window}).SQLPeer(d); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.sql, got, tc.want)
		}
	}
}
