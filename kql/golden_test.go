package kql_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/kusto"
	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/kql"
)

// goldenQueries are representative translations (and refusals), which
// testdata/translations.txt shows a reviewer: go test ./kql -run
// TestGolden -update rewrites it.
var goldenQueries = []string{
	`count`,
	`count where status=failure since 24h group by app`,
	`count where type in (servicePrincipal, managedIdentity) group by type, resource`,
	`dcount(user) where app="Office 365 Exchange Online" since 7d`,
	`count, dcount(user) as users where type=interactive group by country`,
	`top 5 ip by dcount(user) where error=50126 since 1h`,
	`count where error in (50053, 50126) since 3d group by ip having count >= 20`,
	`count since 7d group by bin(1w)`,
	`count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50`,
	`count where ip in 10.0.0.0/8 or ip in 2001:db8::/32`,
	`count where ip = 203.0.113.7 or ip != 2001:db8::1`,
	`count where user like "*@contoso.com" and client != "Browser" and app ~ "^azure"`,
	`count where latency > 1000 and not latency = 5 and compliant`,
	`count where tenant != resourceTenant since 7d group by app`,
	`count where now - 1d < time and time - ingested > 5m and hour(time) != hour(ingested) and time < date(ingested) + 1d and user != domain(identity)`,
	`countif(time >= now - 1d) as today, countif(time < now - 1d) as before where status=success since 14d group by user having today > 0 and before = 0`,
	`min(time) as first, max(time) as last, count where user="alice@contoso.com" group by country`,
	`count, dcountif(user, status=success) as ok, dcountif(user, error in (50053, 50126)) as bad since 3d group by ip having bad > ok`,
	`dcount(user) as accounts where error in @passwordFailures since 1d group by ip having accounts >= 5`,
	`list time, user, app, ip, status, error where user="alice@contoso.com" since 7d limit 20`,
	`list time, user, latency where app="Azure Portal" order by latency desc limit 10`,
	`list where ip="203.0.113.7" between 2026-11-01 and 2026-11-08`,
	`count where status=failure since 7d group by hour(time)`,
	`dcount(date(time)) as days where error in (50126, 50055) since 30d group by user, weekday(time)`,
	`count group by app, country | where count > 100 | order by country, count desc | limit 20`,
	`count group by logTenant, msiType`,
	`count where type=adfs`,
	`count where policy="Require MFA" group by user`,
	`count where authMethod != "Password" and riskEvents in (unlikelyTravel, leakedCredentials) and not stepResult contains "denied" group by policyResult`,
	`countif(policyFailed like "*mfa*") as failedMfa, count where type in (interactive, servicePrincipal) group by networkType, policyReportOnly`,
	`list policy`,
	`count where app = policy or firstAuthMethod != authMethod group by app`,
	`count where networkName = "HQ"`,
	`countif(status=failure) as failed, count as total, failed * 100 / total as pct since 7d group by app`,
	`sum(latency) as total, avg(latency) where type=interactive group by app`,
	`sum(latitude), count * 2 + dcount(user) - 1 as x, max(latency) / 1000.5 as y, x * y as z group by country having x > 10`,
	`min(user) group by app`,
	`count, values(app) as apps, valuesif(error, status=failure) as errors group by user in @diffUsers`,
	`max(time) - min(time) as span, now - max(time) as idle, min(time) + 1h as soon where status=success since 30d group by user having span > 1d and idle <= 12h and soon < now - 1d`,
	`top 5 app by countif(status=failure) * 100 / count since 7d`,
	`count as c, dcount(user) as u group by app having c - u * 2 > 10 | where c / u >= 1.5`,
	`now - max(time), count where time >= now - 1d12h group by user having now - max(time) > 1h order by now - max(time) desc`,
	`count where ip in (top 20 ip where error in (50126, 50053) since 1d) since 1d group by user`,
	`dcount(user) as users where user not in (list user where status=success since 30d) and status=failure since 1d group by ip`,
	`count where error in (top 3 error where status=failure since 1d) group by error`,
	`count where (user, app) in (count where status=failure group by user, app having count = 1) and (error, compliant) not in (list error, compliant limit 10) group by user`,
	`count where status=failure since 1d group by user | join anti (list user where status=success since 1d) on user`,
	`count where status!=success since 14d group by user, bin(1d) | spikes k=3`,
	`count as successes where status=success since 90d group by user in @diffUsers having successes = 0`,
	`countif(status=failure) as failed, count as total, failed * 100 / total as pct, max(time) as last since 7d group by error in @passwordFailures order by last`,
	`show 933f20c0-9ff1-4a9c-8ad5-8e0c3b0f2e00`,
}

func TestGolden(t *testing.T) {
	p := newPlanner(t)
	var b bytes.Buffer
	b.WriteString("# signinq queries and their KQL (go test ./kql -run TestGolden -update rewrites this file).\n")
	fmt.Fprintf(&b, "# now: %s\n", querygen.End.Format("2006-01-02T15:04:05Z"))
	var outs []string
	for _, q := range goldenQueries {
		out, terr, err := p.translate(q, querygen.End)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "\n-- %s --\n", q)
		if terr != nil {
			if !errors.Is(terr, kql.ErrNotExpressible) {
				t.Errorf("%s: %v, not a refusal", q, terr)
			}
			fmt.Fprintf(&b, "refused: %v\n", terr)
			continue
		}
		b.WriteString(out + "\n")
		outs = append(outs, out)
	}
	for i, d := range kusto.CheckT(t, outs) {
		if len(d) > 0 {
			t.Errorf("%s\ndiagnostics: %v", outs[i], d)
		}
	}
	const file = "testdata/translations.txt"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test ./kql -run TestGolden -update writes it)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(go test ./kql -run TestGolden -update rewrites it)", file, i+1, g, w)
			}
		}
	}
}
