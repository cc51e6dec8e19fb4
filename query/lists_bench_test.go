package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// BenchmarkNamedLists measures membership of large lists against one
// equality on the bench store (-store-rows, default 1M sign-ins): ip in
// a list of 100,000 random networks (/20 to /32, and the busiest
// address), user in a list of 100,000 users (the busiest, and others),
// and a literal in-list of 2,000 networks as a set and tested network by
// network (the way before sets). It sets two lists on the store and
// removes them after: with -store-dir, give it a copy.
//
//	go test ./query -run XXX -bench BenchmarkNamedLists -store-dir /tmp/copy-of-a-store
func BenchmarkNamedLists(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	top := func(field string) string {
		res, err := Run(ctx, db, nil, "top 1 "+field+" where "+field+" != \"\"", opts)
		if err != nil || len(res.Rows) == 0 {
			b.Fatalf("no %s: %v", field, err)
		}
		return res.Rows[0][0].String()
	}
	ip, user := top("ip"), top("user")
	r := rand.New(rand.NewPCG(1, 2))
	var nets []string
	for range 100_000 {
		a := netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
		p, _ := a.Prefix(20 + r.IntN(13)) // /20 to /32, as VPS providers' ranges are

		nets = append(nets, p.String())
	}
	nets[len(nets)/2] = ip
	users := []string{user}
	for i := range 100_000 - 1 {
		users = append(users, fmt.Sprintf("user%06d.%x@contoso.com", i, r.Uint32()))
	}
	for name, values := range map[string][]string{"benchNets": nets, "benchUsers": users} {
		if err := SetList(db, name, values); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { RemoveList(db, name) })
	}
	literal := "(" + strings.Join(append([]string{ip}, nets[:1999]...), ", ") + ")"
	for _, q := range []struct{ name, text string }{
		{"ip=one", fmt.Sprintf("count where ip = %q", ip)},
		{"ip_in_100k_networks", "count where ip in @benchNets"},
		{"user=one", fmt.Sprintf("count where user = %q", user)},
		{"user_in_100k_users", "count where user in @benchUsers"},
		{"ip_in_2000_literal_networks", "count where ip in " + literal},
		{"ip_in_2000_literal_networks_one_by_one", "count where ip in " + literal},
	} {
		b.Run(q.name, func(b *testing.B) {
			if strings.HasSuffix(q.name, "one_by_one") {
				defer func(n int) { smallIn = n }(smallIn)
				smallIn = 1 << 30
			}
			var n int64
			for b.Loop() {
				res, err := Run(ctx, db, nil, q.text, opts)
				if err != nil {
					b.Fatal(err)
				}
				n = res.Rows[0][0].Int()
			}
			b.ReportMetric(float64(n), "sign-ins")
		})
	}
}
