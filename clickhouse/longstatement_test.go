package clickhouse

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/query"
)

// TestLongStatement: a named list of 60,000 users, one of 30,000
// networks and a subquery of every user make statements beyond
// ClickHouse's default limits of a statement's size and elements; they
// run in SQL (SQLOnly) and give the engine's answers.
func TestLongStatement(t *testing.T) {
	f := newFixture(t)
	users := map[string]bool{}
	var many []string
	for _, r := range f.recs {
		if r.User != "" && !users[strings.ToLower(r.User)] {
			users[strings.ToLower(r.User)] = true
			many = append(many, strings.ToUpper(r.User))
		}
	}
	for i := len(many); i < 60_000; i++ {
		many = append(many, fmt.Sprintf("nobody-%d@contoso.com", i))
	}
	var nets []string
	for i := range 30_000 {
		a := netip.AddrFrom4([4]byte{byte(i >> 8), byte(i), byte(i * 7), 0})
		p, _ := a.Prefix(16 + i%9)
		nets = append(nets, p.String())
	}
	for _, r := range f.recs[:50] {
		if r.IP != "" {
			nets = append(nets, r.IP)
		}
	}
	lists := map[string][]string{"many": many, "nets": nets}
	for name, values := range lists {
		if err := query.SetList(f.db, name, values); err != nil {
			t.Fatal(err)
		}
	}
	for _, text := range []string{
		`count where user in @many group by app`,
		`count where ip in @nets group by ip`,
		`count where ip not in @nets and user not in @many group by type`,
		`count where user in (list user) and ip in (list ip) group by app`,
	} {
		want, err := query.Run(t.Context(), f.db, f.reg, text, query.Options{Now: querygen.End})
		if err != nil {
			t.Fatalf("%s: engine: %v", text, err)
		}
		cp, _, err := ExplainLists(text, f.reg, testDB, querygen.End, lists)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		got, err := Query(t.Context(), f.conn, f.reg, text, QueryOptions{Database: testDB, Now: querygen.End, Lists: lists, SQLOnly: true})
		if err != nil {
			t.Fatalf("%s (%d bytes of SQL): %v", text, len(cp), err)
		}
		if d := diffResults(want, got); d != "" {
			t.Errorf("%s: %s", text, d)
		}
		t.Logf("%s: %d rows, %d bytes of SQL", text, len(got.Rows), len(cp))
	}
}
