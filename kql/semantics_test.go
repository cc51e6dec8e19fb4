package kql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/kql"
)

// TestSemantics pins the forms each construct's meaning rests on
// (docs/scale.md argues them): the exact distinct count, total
// conditions on numbers, case-insensitive text, epoch-aligned bins, the
// documented order made explicit, fixed times, one table for one type;
// and refusals of what KQL would answer otherwise.
func TestSemantics(t *testing.T) {
	p := newPlanner(t)
	for _, c := range []struct {
		q    string
		want []string // substrings of the KQL
		not  []string
	}{
		{`dcount(user)`, []string{"count_distinctif(['user'], isnotempty(['user']))"}, []string{"= dcount("}},
		{`dcount(error)`, []string{"count_distinctif(['error'], isnotnull(['error']))"}, nil},
		{`count where not latency = 5`, []string{"not((isnotnull(['latency']) and ['latency'] == long(5)))"}, nil},
		{`count where latency != 5`, []string{"(isnotnull(['latency']) and ['latency'] != long(5))"}, nil},
		{`count where app = "teams" and country != US`, []string{`(['app'] =~ @"teams")`, `(['country'] !~ @"US")`}, []string{"=="}},
		{`count where app in (a, b) and app not in (c)`, []string{`(['app'] in~ (@"a", @"b"))`, `(['app'] !in~ (@"c"))`}, nil},
		{`count group by bin(1w)`, []string{"bin_at(['time'], totimespan(6048000000000), datetime(1970-01-01))"}, []string{"bin("}},
		{`count group by app`, []string{"| order by ['count'] desc nulls first, ['app'] asc nulls first"}, nil},
		{`count group by app, bin(1h)`, []string{"| order by ['time'] asc nulls first, ['app'] asc nulls first"}, nil},
		{`top 3 app`, []string{"| order by ['count'] desc nulls first, ['app'] asc nulls first\n| take 3"}, nil},
		{`count since 1d`, []string{"['time'] >= datetime(2026-11-09T06:30:00.0000000Z) and ['time'] <= datetime(2026-11-10T06:30:00.0000000Z)"}, []string{"ago("}},
		{`count where type = interactive`, []string{"SigninLogs\n"}, []string{"union", "AADNonInteractiveUserSignInLogs"}},
		{`count where type in (servicePrincipal, managedIdentity)`, []string{"union", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs"}, []string{"SigninLogs\n", "AADNonInteractive"}},
		{`count group by app having count > 5`, []string{"| where coalesce(['count'] > long(5), false)"}, nil},
		{`list time, user limit 3`, []string{"| order by ['time'] desc nulls first, ['id'] asc nulls first, ['type'] asc nulls first\n| take 3\n| project ['time'], ['user']"}, nil},
		// Multi-valued: each table's arrays built by mv-apply over a
		// source never empty (a null appended), a condition counting the
		// elements that satisfy it over the elements or [""] when none.
		{`count where policy = x`, []string{`mv-apply __e = array_concat(['__ca'], dynamic([null]))`, `make_set_if(`,
			`mv-apply __x = iff(array_length(['policy']) > 0, ['policy'], dynamic([""])) to typeof(string) on (summarize ['__m1'] = countif(__x =~ @"x"))`,
			`| where (['__m1'] > 0)`}, nil},
		{`count where policy != x and authMethod not in (a)`, []string{`| where ((['__m1'] == 0) and (['__m2'] == 0))`, `countif(__x in~ (@"a"))`}, nil},
		{`count group by stepResult`, []string{`| mv-expand ['stepResult'] = iff(array_length(['stepResult']) > 0, ['stepResult'], dynamic([""])) to typeof(string)
| summarize ['count'] = count() by ['stepResult']`}, nil},
		{`count where riskEvents = x`, []string{`['riskEvents'] = iff(array_length(['riskEvents']) > 0, ['riskEvents'], ['__riskLegacy'])`}, nil},
		// Arithmetic: / a decimal, null on 0; whole numbers stay long.
		{`count as c, c * 2 as d, c / 0 as e`, []string{"| extend ['d'] = (['c'] * long(2))", "| extend ['e'] = iff(todouble(long(0)) == 0, real(null), todouble(['c']) / todouble(long(0)))", "| project ['c'], ['d'], ['e']"}, nil},
		{`sum(latency), avg(latency)`, []string{"iff(countif(isnotnull(['latency'])) > 0, sum(['latency']), long(null))",
			"iff(countif(isnotnull(['latency'])) > 0, sum(todouble(['latency'])) / countif(isnotnull(['latency'])), real(null))"}, []string{"= avg("}},
		{`max(time) - min(time) as span group by app having span > 1h`, []string{"| extend ['span'] = (['__agg1'] - ['__agg2'])", "coalesce(['span'] > totimespan(36000000000), false)"}, nil},
		// group by … in @list: the rows of the list's values without
		// sign-ins, of no sign-ins, after the summarize.
		{`count, max(time) group by user in @diffUsers`, []string{"| where (['user'] in~ (", "| as __groups\n| union (datatable(['user']:string)[",
			"| where ['user'] !in~ (__groups | project ['user']) | extend ['count'] = long(0), ['max(time)'] = datetime(null))"}, nil},
		{`count where ip in 10.0.0.0/8`, []string{`ipv4_is_in_range(['ip'], @"10.0.0.0/8")`, `ipv6_is_in_range(['ip'], @"::ffff:10.0.0.0/104")`}, nil},
	} {
		out, terr, err := p.translate(c.q, querygen.End)
		if err != nil || terr != nil {
			t.Errorf("%s: %v %v", c.q, err, terr)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the KQL lacks %q:\n%s", c.q, w, out)
			}
		}
		for _, w := range c.not {
			if strings.Contains(out, w) {
				t.Errorf("%s: the KQL holds %q:\n%s", c.q, w, out)
			}
		}
	}
	for _, q := range []string{
		`min(user)`,                                 // null without a value; KQL's text is never null
		`list policy`,                               // a multi-valued value's elements
		`count * 2 as d, dcount(user) as count`,     // count names the later head, not the aggregate
		`list since 1d | spray`,                     // a stage
		`show 933f20c0-9ff1-4a9c-8ad5-8e0c3b0f2e00`, // the raw record
	} {
		if _, terr, err := p.translate(q, querygen.End); err != nil || !errors.Is(terr, kql.ErrNotExpressible) {
			t.Errorf("%s: %v %v, want a refusal", q, err, terr)
		}
	}
}
