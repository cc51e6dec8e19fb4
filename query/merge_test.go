package query

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
)

// partialOnly is a built-in aggregate under another name, without its
// table: the executor merges its partials (partialTable), as it does an
// aggregate a plugin adds without plugins.Tabler.
type partialOnly struct {
	plugins.Aggregate
	name string
}

func (p partialOnly) Describe() plugins.Descriptor {
	d := p.Aggregate.Describe()
	d.Name = p.name
	return d
}

// TestPartialTable runs queries with aggregates that have tables and
// the same aggregates without: the answers must be the same, over parts
// merged, groups finished in their part (a bin key) and groups of no
// sign-ins (absence).
func TestPartialTable(t *testing.T) {
	t.Parallel()
	db := memStore(t)
	reg := standard.New()
	for _, name := range []string{"count", "dcount", "values", "min", "max", "sum", "countif"} {
		p, ok := reg.Lookup(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if err := reg.Register(partialOnly{p.(plugins.Aggregate), "p" + name}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range [][2]string{
		{`count, dcount(user), values(country), min(time), max(time), sum(latency) group by app`,
			`pcount() as count, pdcount(user), pvalues(country), pmin(time), pmax(time), psum(latency) group by app`},
		{`count, dcount(ip) as ips, countif(status=failure) as failed group by bin(1h), country having failed > 2`,
			`pcount() as count, pdcount(ip) as ips, pcountif(status=failure) as failed group by bin(1h), country having failed > 2`},
		{`count, values(app) group by error in @passwordFailures order by count desc`,
			`pcount() as count, pvalues(app) group by error in @passwordFailures order by count desc`},
		{`count, sum(latency) where app="nothing at all"`, `pcount(), psum(latency) where app="nothing at all"`},
	} {
		q, pq := q[0], q[1]
		run := func(text string) []string {
			plan, err := Prepare(text, nil, reg, memEnd)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			res, err := Execute(t.Context(), db, plan, Options{Now: memEnd})
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			var rows []string
			for _, r := range res.Rows {
				rows = append(rows, strings.Join(slices.Collect(func(yield func(string) bool) {
					for _, v := range r {
						if !yield(v.String()) {
							return
						}
					}
				}), " | "))
			}
			return rows
		}
		want, got := run(q), run(pq)
		if len(want) == 0 {
			t.Errorf("%s: no rows", q)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d rows without tables, %d with; first differing:\n%s", pq, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + "\n" + b[i]
		}
	}
	return "(one is longer)"
}
