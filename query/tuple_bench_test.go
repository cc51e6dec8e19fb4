package query

import (
	"context"
	"testing"
)

// BenchmarkTuple measures lists of fields in subqueries on the benchmark
// store, beside the one-field subquery of the same shape.
func BenchmarkTuple(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`count where (ip, user) in (count where status=failure group by ip, user having count = 1) group by user`,
		`count where ip in (count where status=failure group by ip having count = 1) group by user`,
		`count where (ip, country, user) in (count where error in (50055, 50126) group by ip, country, user having count = 1) and error in (50055, 50126) group by user`,
		`count where (ip, user) not in (list ip, user where status=success) and status=failure group by app`,
		// Sentinel's "Low & slow password attempts with volatile IP
		// addresses" (docs/sentinel.md).
		`count as failures, dcount(ip) as ips, dcount(country) as countries, dcount(date(time)) as days, values(ip) as addresses, values(country) as failCountries where type=interactive and error in (50055, 50126) and (ip, country, user) in (count where type=interactive and error in (50055, 50126) since 365d group by ip, country, user having count = 1) and ip not in (count where type=interactive and error=0 since 365d group by ip having count >= 2) since 365d group by user having countries > 5 | join left (values(country) as successCountries where type=interactive and error=0 since 365d group by user) on user`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
