package query

import (
	"context"
	"testing"
)

// BenchmarkTimeAndFunctions measures time arithmetic against what it
// replaces (where time >= now - 1d reads a range of rows, as since 1d
// does) and functions inside aggregates against their field's aggregate
// (dcount(date(time)) against dcount(user)), warm.
func BenchmarkTimeAndFunctions(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`count since 1d`,
		`count where time >= now - 1d`,
		`count since 1d group by app`,
		`count where time >= now - 1d group by app`,
		`countif(time >= now - 1d) as today, count since 14d group by user`,
		`dcount(user)`,
		`dcount(date(time))`,
		`dcount(user) group by app`,
		`dcount(date(time)) group by app`,
		`dcount(ip) group by user`,
		`dcount(subnet(ip, 16)) group by user`,
		`min(time) as first, max(time) as last since 7d group by user, ip having last - first <= 5m`,
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
