package bench

import (
	"strings"
	"time"
)

// Query is one query of the standard set: signinq's text, and the same
// question in SQL for the peers (bench/peers), kept side by side so that
// they change together.
type Query struct {
	// Text is the query in signinq's language; a benchmark is named
	// after it.
	Text string
	// SQL asks the same of a table signins with the catalog's columns
	// (docs/fields.md; absent text as NULL or "", lists as arrays) in the
	// SQL that DuckDB and SQLite share. {from} stands for the start of
	// the query's time window, which each peer writes as its own time
	// literal (SQLPeer). Output columns are named as signinq names them,
	// in its order; "" when no SQL says the same (the stages).
	SQL string
	// Window is the length of the time window of since, counting back
	// from now; 0 for none.
	Window time.Duration
	// Selective says the query reads little: a window of a day or less,
	// or an equality filter matching under 5% of sign-ins. The goals
	// want these at least five times faster than DuckDB.
	Selective bool
	// Ordered says the answer's row order is part of it (order by, top);
	// otherwise answers are compared as sets of rows.
	Ordered bool
	// Group names where the query comes from: "language" (the aggregate
	// examples of docs/query-language.md), "demo" (the questions signinq
	// demo answers) or "security" (the detection stages).
	Group string
}

// Queries returns the standard set, in a fixed order.
func Queries() []Query {
	const day = 24 * time.Hour
	return []Query{
		// The aggregate examples of docs/query-language.md.
		{Group: "language", Text: `count`,
			SQL: `SELECT count(*) AS count FROM signins`},
		{Group: "language", Text: `count where status=failure since 24h`, Window: day, Selective: true,
			SQL: `SELECT count(*) AS count FROM signins WHERE status = 'failure' AND time >= {from}`},
		{Group: "language", Text: `count where status=failure since 24h group by app`, Window: day, Selective: true,
			SQL: `SELECT coalesce(app, '') AS app, count(*) AS count FROM signins WHERE status = 'failure' AND time >= {from} GROUP BY 1`},
		{Group: "language", Text: `dcount(user) where app="Office 365 Exchange Online" since 7d`, Window: 7 * day,
			SQL: `SELECT count(DISTINCT nullif(user, '')) AS "dcount(user)" FROM signins WHERE app = 'Office 365 Exchange Online' AND time >= {from}`},
		{Group: "language", Text: `count, dcount(user) as users where type=interactive group by country`,
			SQL: `SELECT coalesce(country, '') AS country, count(*) AS count, count(DISTINCT nullif(user, '')) AS users FROM signins WHERE type = 'interactive' GROUP BY 1`},
		{Group: "language", Text: `count where type in (servicePrincipal, managedIdentity) group by type, resource`,
			SQL: `SELECT type, coalesce(resource, '') AS resource, count(*) AS count FROM signins WHERE type IN ('servicePrincipal', 'managedIdentity') GROUP BY 1, 2`},
		{Group: "language", Text: `top 10 browser where type=interactive since 7d`, Window: 7 * day, Ordered: true,
			SQL: `SELECT coalesce(browser, '') AS browser, count(*) AS count FROM signins WHERE type = 'interactive' AND time >= {from} GROUP BY 1 ORDER BY count DESC, browser LIMIT 10`},
		{Group: "language", Text: `top 5 ip by dcount(user) where error=50126 since 1h`, Window: time.Hour, Selective: true, Ordered: true,
			SQL: `SELECT coalesce(ip, '') AS ip, count(DISTINCT nullif(user, '')) AS "dcount(user)" FROM signins WHERE error = 50126 AND time >= {from} GROUP BY 1 ORDER BY 2 DESC, ip LIMIT 5`},
		{Group: "language", Text: `count where error in (50053, 50126) since 3d group by ip having count >= 20`, Window: 3 * day, Selective: true,
			SQL: `SELECT coalesce(ip, '') AS ip, count(*) AS count FROM signins WHERE error IN (50053, 50126) AND time >= {from} GROUP BY 1 HAVING count(*) >= 20`},
		{Group: "language", Text: `count since 24h group by bin(1h)`, Window: day, Selective: true,
			SQL: `SELECT {bin1h} AS time, count(*) AS count FROM signins WHERE time >= {from} GROUP BY 1`},
		{Group: "language", Text: `count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50`, Ordered: true,
			SQL: `SELECT coalesce(user, '') AS user, coalesce(country, '') AS country, count(*) AS count FROM signins WHERE status = 'failure' AND coalesce(country, '') NOT IN ('US', 'CA') GROUP BY 1, 2 ORDER BY count DESC, user, country LIMIT 50`},
		{Group: "language", Text: `countif(status=failure) as failed, count as total, failed * 100 / total as pct since 7d group by app having failed > 10 order by pct desc`, Window: 7 * day, Ordered: true,
			SQL: `SELECT coalesce(app, '') AS app, sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) AS failed, count(*) AS total, sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) * 100.0 / count(*) AS pct FROM signins WHERE time >= {from} GROUP BY 1 HAVING sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) > 10 ORDER BY pct DESC, app`},
		// The questions signinq demo answers (the Entra documentation's).
		{Group: "demo", Text: `dcount(user) where app="Microsoft Teams" since 7d`, Window: 7 * day,
			SQL: `SELECT count(DISTINCT nullif(user, '')) AS "dcount(user)" FROM signins WHERE app = 'Microsoft Teams' AND time >= {from}`},
		{Group: "demo", Text: `count where status=failure since 24h group by error`, Window: day, Selective: true,
			SQL: `SELECT error, count(*) AS count FROM signins WHERE status = 'failure' AND time >= {from} GROUP BY 1`},
		{Group: "demo", Text: `top 5 os where type=interactive since 7d`, Window: 7 * day, Ordered: true,
			SQL: `SELECT coalesce(os, '') AS os, count(*) AS count FROM signins WHERE type = 'interactive' AND time >= {from} GROUP BY 1 ORDER BY count DESC, os LIMIT 5`},
		{Group: "demo", Text: `count where type in (servicePrincipal, managedIdentity) since 7d group by type, resource`, Window: 7 * day,
			SQL: `SELECT type, coalesce(resource, '') AS resource, count(*) AS count FROM signins WHERE type IN ('servicePrincipal', 'managedIdentity') AND time >= {from} GROUP BY 1, 2`},
		// The security stages: no SQL says the same in a line.
		{Group: "security", Text: `list since 7d | spray`, Window: 7 * day},
		{Group: "security", Text: `list since 7d | bruteforce`, Window: 7 * day},
		{Group: "security", Text: `list since 7d | mfafatigue`, Window: 7 * day},
		{Group: "security", Text: `list since 7d | travel`, Window: 7 * day},
		{Group: "security", Text: `list since 7d | newvalue country by user baseline 30d`, Window: 7 * day},
		{Group: "security", Text: `count where error in (50126, 50053) since 7d group by bin(1h) | spikes`, Window: 7 * day},
	}
}

// SQLPeer writes a query's SQL for one peer: from writes a time as that
// peer's literal, bin1h the expression of the hour a sign-in's time falls
// in (as the peer returns times). now is the queries' now.
func (q Query) SQLPeer(now time.Time, from func(time.Time) string, bin1h string) string {
	return strings.NewReplacer("{from}", from(now.Add(-q.Window)), "{bin1h}", bin1h).Replace(q.SQL)
}
