package bench

import (
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
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
	// SQL that DuckDB and SQLite share. Placeholders in braces stand for
	// what each peer writes its own way: {from}, the start of the query's
	// time window, other times, durations, bins and named lists (Dialect,
	// SQLPeer). Output columns are named as signinq names them, in its
	// order; "" when no SQL says the same (the stages).
	SQL string
	// Window is the length of the time window of since, counting back
	// from now; 0 for none.
	Window time.Duration
	// Selective says the query reads little: a window of a day or less,
	// or a filter matching under 5% of sign-ins (of the 1M benchmark
	// store). The goals want these at least five times faster than
	// DuckDB.
	Selective bool
	// Ordered says the answer's row order is part of it (order by, top);
	// otherwise answers are compared as sets of rows.
	Ordered bool
	// Group names where the query comes from: "language" (the aggregate
	// examples of docs/query-language.md), "demo" (the questions signinq
	// demo answers), "security" (the detection stages) or "hunting" (the
	// examples of the hunting language: subqueries, named lists, time
	// arithmetic, joins and filters after a stage; and issue 16's
	// hunting set: per-user and per-address groupings over 1 to 30 days,
	// Sentinel's brute-force rule, two fields compared, ip in a list of
	// 10,000 networks).
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
		// The hunting language's examples (docs/sentinel.md). Their SQL
		// says what signinq's semantics say: text compared without regard
		// to case (lower(…)), a missing value in no set and equal to no
		// value (a subquery's missing values left out; not in of text
		// holds for a missing value, as not of in does), dcount counting
		// present values, / dividing as decimals, and top's ties broken
		// by the key.
		{Group: "hunting", Text: `count where ip in (top 20 ip where error in (50126, 50053) since 1d) since 1d group by user`, Window: day, Selective: true,
			SQL: `SELECT coalesce(user, '') AS user, count(*) AS count FROM signins WHERE time >= {from} AND ip IN (SELECT coalesce(ip, '') FROM signins WHERE error IN (50126, 50053) AND time >= {from} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20) GROUP BY 1`},
		{Group: "hunting", Text: `dcount(user) as users where user not in (list user where status=success since 30d) and status=failure since 1d group by ip`, Window: day, Selective: true,
			SQL: `SELECT coalesce(ip, '') AS ip, count(DISTINCT nullif(user, '')) AS users FROM signins WHERE status = 'failure' AND time >= {from} AND lower(coalesce(user, '')) NOT IN (SELECT lower(user) FROM signins WHERE status = 'success' AND time >= {ago 30d} AND user <> '') GROUP BY 1`},
		{Group: "hunting", Text: `count where ip in @vps since 30d group by ip, user`, Window: 30 * day, Selective: true,
			SQL: `SELECT coalesce(ip, '') AS ip, coalesce(user, '') AS user, count(*) AS count FROM signins WHERE {ip in @vps} AND time >= {from} GROUP BY 1, 2`},
		{Group: "hunting", Text: `list where user in @admins and status=success since 7d`, Window: 7 * day, Selective: true, Ordered: true,
			// query.Run sets no default limit: the list is every sign-in.
			SQL: `SELECT time, type, identity, app, resource, ip, status, error FROM signins WHERE lower(user) IN {@admins} AND status = 'success' AND time >= {from} ORDER BY time DESC`},
		{Group: "hunting", Text: `dcount(user) as accounts where error in @passwordFailures since 1d group by ip having accounts >= 5`, Window: day, Selective: true,
			// @passwordFailures is built in: 50126, 50053, 50055, 50056.
			SQL: `SELECT coalesce(ip, '') AS ip, count(DISTINCT nullif(user, '')) AS accounts FROM signins WHERE error IN (50126, 50053, 50055, 50056) AND time >= {from} GROUP BY 1 HAVING count(DISTINCT nullif(user, '')) >= 5`},
		// spikes scores each bin against the median of its key's bins: no
		// SQL says that in a line.
		{Group: "hunting", Text: `count where status!=success since 14d group by user, bin(1d) | spikes k=3 | where median > 50`, Window: 14 * day},
		{Group: "hunting", Text: `min(time) as first, max(time) as last, countif(error=500121) as denied where type=interactive since 1d group by user, ip having denied > 10 and last - first <= 5m`, Window: day, Selective: true,
			SQL: `SELECT coalesce(user, '') AS user, coalesce(ip, '') AS ip, min(time) AS first, max(time) AS last, sum(CASE WHEN error = 500121 THEN 1 ELSE 0 END) AS denied FROM signins WHERE type = 'interactive' AND time >= {from} GROUP BY 1, 2 HAVING sum(CASE WHEN error = 500121 THEN 1 ELSE 0 END) > 10 AND max(time) - min(time) <= {dur 5m}`},
		{Group: "hunting", Text: `countif(time >= now - 1d) as today, countif(time < now - 1d) as before where status=success and type=interactive since 14d group by user having today > 0 and before = 0`, Window: 14 * day,
			SQL: `SELECT coalesce(user, '') AS user, sum(CASE WHEN time >= {ago 1d} THEN 1 ELSE 0 END) AS today, sum(CASE WHEN time < {ago 1d} THEN 1 ELSE 0 END) AS "before" FROM signins WHERE status = 'success' AND type = 'interactive' AND time >= {from} GROUP BY 1 HAVING sum(CASE WHEN time >= {ago 1d} THEN 1 ELSE 0 END) > 0 AND sum(CASE WHEN time < {ago 1d} THEN 1 ELSE 0 END) = 0`},
		{Group: "hunting", Text: `max(time) as lastSuccess where type=servicePrincipal and status=success since 90d group by spId having lastSuccess < now - 30d`, Window: 90 * day,
			SQL: `SELECT coalesce(spId, '') AS spId, max(time) AS lastSuccess FROM signins WHERE type = 'servicePrincipal' AND status = 'success' AND time >= {from} GROUP BY 1 HAVING max(time) < {ago 30d}`},
		{Group: "hunting", Text: `dcount(date(time)) as days, dcount(subnet(ip, 16)) as networks where error in (50126, 50055) since 30d group by user`, Window: 30 * day,
			// subnet(ip, 16): the first two numbers of an IPv4 address, the
			// /64 of an IPv6 one (docs/query-language.md): its first four
			// groups as written, which is its /64 when no :: shortens
			// them, as in the addresses the generator writes (a :: there
			// would make the answers disagree, which the check reports).
			SQL: `SELECT coalesce(user, '') AS user, count(DISTINCT {day}) AS days, count(DISTINCT CASE WHEN instr(ip, ':') > 0 THEN 'v6 ' || substr(ip, 1, length(ip) - length(substr(substr(substr(ip, instr(ip, ':') + 1), instr(substr(ip, instr(ip, ':') + 1), ':') + 1), instr(substr(substr(ip, instr(ip, ':') + 1), instr(substr(ip, instr(ip, ':') + 1), ':') + 1), ':') + 1)) + instr(substr(substr(substr(ip, instr(ip, ':') + 1), instr(substr(ip, instr(ip, ':') + 1), ':') + 1), instr(substr(substr(ip, instr(ip, ':') + 1), instr(substr(ip, instr(ip, ':') + 1), ':') + 1), ':') + 1), ':') - 1) WHEN instr(ip, '.') > 0 THEN substr(ip, 1, instr(ip, '.') + instr(substr(ip, instr(ip, '.') + 1), '.') - 1) END) AS networks FROM signins WHERE error IN (50126, 50055) AND time >= {from} GROUP BY 1`},
		{Group: "hunting", Text: `countif(status!=success) as failures where app contains "Azure Portal" since 1d group by user | join (countif(status!=success) as weekFailures, count as weekTotal where app contains "Azure Portal" since 7d group by user) on user | where failures >= 10 and failures > 5 * weekFailures / weekTotal`, Window: day, Selective: true,
			SQL: `SELECT d.user AS user, d.failures, w.weekFailures, w.weekTotal FROM (SELECT coalesce(user, '') AS user, sum(CASE WHEN status <> 'success' THEN 1 ELSE 0 END) AS failures FROM signins WHERE lower(app) LIKE '%azure portal%' AND time >= {from} GROUP BY 1) d JOIN (SELECT coalesce(user, '') AS user, sum(CASE WHEN status <> 'success' THEN 1 ELSE 0 END) AS weekFailures, count(*) AS weekTotal FROM signins WHERE lower(app) LIKE '%azure portal%' AND time >= {ago 7d} GROUP BY 1) w ON lower(d.user) = lower(w.user) WHERE d.failures >= 10 AND d.failures > 5.0 * w.weekFailures / w.weekTotal`},
		{Group: "hunting", Text: `count where status=failure since 1d group by user | join anti (list user where status=success since 1d) on user`, Window: day, Selective: true,
			// A missing key matches no row of the right side: the sign-ins
			// without a user stay, as a group of their own.
			SQL: `SELECT coalesce(user, '') AS user, count(*) AS count FROM signins WHERE status = 'failure' AND time >= {from} AND (coalesce(user, '') = '' OR lower(user) NOT IN (SELECT lower(user) FROM signins WHERE status = 'success' AND time >= {from} AND user <> '')) GROUP BY 1`},
		// Per-user and per-address questions over 1 to 30 days (issue 16's
		// hunting set): wide groupings whose keys have many values, where
		// bitmaps per value help least. Their SQL counts distinct values
		// as dcount does (present ones, by their stored spelling),
		// dcountif as a count of distinct CASE values, and writes values
		// as its distinct present values in byte order joined by commas,
		// as the comparison reads signinq's lists.
		{Group: "hunting", Text: `count, dcountif(user, status=success) as ok, dcountif(user, error in (50053, 50126)) as bad since 3d group by ip having bad > ok`, Window: 3 * day,
			SQL: `SELECT coalesce(ip, '') AS ip, count(*) AS count, count(DISTINCT CASE WHEN status = 'success' THEN nullif(user, '') END) AS ok, count(DISTINCT CASE WHEN error IN (50053, 50126) THEN nullif(user, '') END) AS bad FROM signins WHERE time >= {from} GROUP BY 1 HAVING count(DISTINCT CASE WHEN error IN (50053, 50126) THEN nullif(user, '') END) > count(DISTINCT CASE WHEN status = 'success' THEN nullif(user, '') END)`},
		// Microsoft Sentinel's brute-force rule, as issue 16 writes it.
		{Group: "hunting", Text: `countif(status=failure) as failures, countif(status=success) as successes where type in (interactive, nonInteractive) since 30d group by bin(1h), user, ip having failures > 100 and successes > 0`, Window: 30 * day,
			SQL: `SELECT {bin1h} AS time, coalesce(user, '') AS user, coalesce(ip, '') AS ip, sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) AS failures, sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS successes FROM signins WHERE type IN ('interactive', 'nonInteractive') AND time >= {from} GROUP BY 1, 2, 3 HAVING sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) > 100 AND sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) > 0`},
		{Group: "hunting", Text: `count, dcountif(user, status=success) as ok, dcountif(user, status=failure) as failed since 30d group by ip, type`, Window: 30 * day,
			SQL: `SELECT coalesce(ip, '') AS ip, type, count(*) AS count, count(DISTINCT CASE WHEN status = 'success' THEN nullif(user, '') END) AS ok, count(DISTINCT CASE WHEN status = 'failure' THEN nullif(user, '') END) AS failed FROM signins WHERE time >= {from} GROUP BY 1, 2`},
		{Group: "hunting", Text: `values(country) as countries, min(time) as first, max(time) as last since 30d group by user`, Window: 30 * day,
			SQL: `SELECT coalesce(user, '') AS user, group_concat(DISTINCT nullif(country, '') ORDER BY nullif(country, '')) AS countries, min(time) AS first, max(time) AS last FROM signins WHERE time >= {from} GROUP BY 1`},
		{Group: "hunting", Text: `count, dcount(ip) as ips, values(app) as apps where status=failure since 1d group by user`, Window: day, Selective: true,
			SQL: `SELECT coalesce(user, '') AS user, count(*) AS count, count(DISTINCT nullif(ip, '')) AS ips, group_concat(DISTINCT nullif(app, '') ORDER BY nullif(app, '')) AS apps FROM signins WHERE status = 'failure' AND time >= {from} GROUP BY 1`},
		{Group: "hunting", Text: `dcount(user) as users since 1d group by ip`, Window: day, Selective: true,
			SQL: `SELECT coalesce(ip, '') AS ip, count(DISTINCT nullif(user, '')) AS users FROM signins WHERE time >= {from} GROUP BY 1`},
		{Group: "hunting", Text: `dcount(user) as users since 30d group by ip`, Window: 30 * day,
			SQL: `SELECT coalesce(ip, '') AS ip, count(DISTINCT nullif(user, '')) AS users FROM signins WHERE time >= {from} GROUP BY 1`},
		{Group: "hunting", Text: `count since 7d group by user, ip`, Window: 7 * day,
			SQL: `SELECT coalesce(user, '') AS user, coalesce(ip, '') AS ip, count(*) AS count FROM signins WHERE time >= {from} GROUP BY 1, 2`},
		{Group: "hunting", Text: `countif(status=failure) as failures, count as total where type=interactive since 30d group by user having failures > 10`, Window: 30 * day,
			SQL: `SELECT coalesce(user, '') AS user, sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) AS failures, count(*) AS total FROM signins WHERE type = 'interactive' AND time >= {from} GROUP BY 1 HAVING sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) > 10`},
		// A named list of 10,000 networks (SetLists: @ranges), IPv4 and
		// IPv6. The peers, without a type of addresses, test the
		// address's text and its prefixes against sets of texts (ipIn).
		{Group: "hunting", Text: `count, dcount(user) as users where ip in @ranges since 30d group by ip`, Window: 30 * day, Selective: true,
			SQL: `SELECT coalesce(ip, '') AS ip, count(*) AS count, count(DISTINCT nullif(user, '')) AS users FROM signins WHERE {ip in @ranges} AND time >= {from} GROUP BY 1`},
		// Two fields compared: of a sign-in in where (text, without
		// regard to case, a missing value as ""; 4% of the 1M store's
		// sign-ins), and of a group's columns after a pipe and in having
		// (the last reads the failures: 3% of the 1M store's sign-ins).
		{Group: "hunting", Text: `count, dcount(resourceTenant) as tenants where tenant != resourceTenant since 30d group by user`, Window: 30 * day, Selective: true,
			SQL: `SELECT coalesce(user, '') AS user, count(*) AS count, count(DISTINCT nullif(resourceTenant, '')) AS tenants FROM signins WHERE lower(coalesce(tenant, '')) <> lower(coalesce(resourceTenant, '')) AND time >= {from} GROUP BY 1`},
		{Group: "hunting", Text: `countif(status=failure) as failures, countif(status=success) as successes since 7d group by ip | where failures > successes`, Window: 7 * day,
			SQL: `SELECT coalesce(ip, '') AS ip, sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) AS failures, sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS successes FROM signins WHERE time >= {from} GROUP BY 1 HAVING sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END) > sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END)`},
		{Group: "hunting", Text: `min(time) as first, max(time) as last, count where status=failure since 30d group by user, ip having count >= 5 and last - first <= 1h`, Window: 30 * day, Selective: true,
			SQL: `SELECT coalesce(user, '') AS user, coalesce(ip, '') AS ip, min(time) AS first, max(time) AS last, count(*) AS count FROM signins WHERE status = 'failure' AND time >= {from} GROUP BY 1, 2 HAVING count(*) >= 5 AND max(time) - min(time) <= {dur 1h}`},
	}
}

// Dialect is how one peer writes what the SQL's placeholders stand for:
//
//	{from}            the start of the query's window (now - Window)
//	{ago D}           the time D before now (D as since takes it: 30d, 1h)
//	{dur D}           the duration D as the difference of two times is
//	{bin1h}, {day}    the start of the hour, and of the day (UTC), a
//	                  sign-in's time falls in, as the peer returns times
//	{@NAME}           a named list of texts as an SQL list, ('a', 'b'),
//	                  in small letters: compared with lower(column), as
//	                  in compares text without regard to case
//	{ip in @NAME}     ip in a named list of addresses and networks
//	                  (ipIn): a short list of IPv4 /8, /16 and /24
//	                  networks as prefix matches of the address's text,
//	                  any other as equality tests of the text and its
//	                  prefixes with sets of values
type Dialect struct {
	// Now is the queries' now.
	Now time.Time
	// Time writes a time as the peer's literal.
	Time func(time.Time) string
	// Duration writes a duration as the difference of two of the peer's
	// times is (an interval, or nanoseconds).
	Duration func(time.Duration) string
	// Bin1h and Day are the start of the hour and of the day a
	// sign-in's time falls in.
	Bin1h, Day string
	// Lists are the named lists' values (SetLists).
	Lists map[string][]string
}

var placeholder = regexp.MustCompile(`\{(from|bin1h|day|ago [0-9a-z]+|dur [0-9a-z]+|@[A-Za-z_]+|ip in @[A-Za-z_]+)\}`)

// SQLPeer writes a query's SQL for one peer. A placeholder the dialect
// cannot write (a list it lacks, a network ipIn cannot match) is left as
// it is, which no peer parses.
func (q Query) SQLPeer(d Dialect) string {
	return placeholder.ReplaceAllStringFunc(q.SQL, func(ph string) string {
		in := ph[1 : len(ph)-1]
		switch {
		case in == "from":
			return d.Time(d.Now.Add(-q.Window))
		case in == "bin1h":
			return d.Bin1h
		case in == "day":
			return d.Day
		case strings.HasPrefix(in, "ago "), strings.HasPrefix(in, "dur "):
			dur, err := parseDuration(in[4:])
			if err != nil {
				return ph
			}
			if in[0] == 'a' {
				return d.Time(d.Now.Add(-dur))
			}
			return d.Duration(dur)
		case strings.HasPrefix(in, "@"):
			values, ok := d.Lists[in[1:]]
			if !ok || len(values) == 0 {
				return ph
			}
			quoted := make([]string, len(values))
			for i, v := range values {
				quoted[i] = "'" + strings.ReplaceAll(strings.ToLower(v), "'", "''") + "'"
			}
			return "(" + strings.Join(quoted, ", ") + ")"
		default: // ip in @NAME
			values, ok := d.Lists[strings.TrimPrefix(in, "ip in @")]
			if !ok || len(values) == 0 {
				return ph
			}
			if sql, ok := ipIn(values); ok {
				return sql
			}
			return ph
		}
	})
}

// ipIn writes ip in a list of addresses and networks as SQL that DuckDB
// and SQLite share, over ip as the store writes it (canonical text; the
// peers have no type of addresses: DuckDB's inet extension is not built
// in). A list of at most 64 IPv4 networks of /8, /16 or /24 is an OR of
// prefix matches, ip LIKE '10.1.%'. Any other is a set of texts for
// each length of prefix the list needs, each network written as the
// prefixes of that length it holds (a /20 as its 16 /24s, a /28 as its
// 16 addresses): the address itself (an IPv4 /32, an IPv6 /128), its
// first one, two or three numbers up to the dot after the last
// ('10.1.2.'), or its first groups up to the colon after the last (an
// IPv6 /48 as '2001:db8:7:'). An IPv6 prefix is only
// written with none of its groups 0, since the canonical text may
// shorten those ("::"); such a list, one of more than 1<<20 prefixes,
// or a value that is neither an address nor a network, is not written
// (false).
func ipIn(values []string) (string, bool) {
	if sql, ok := ipLike(values); ok {
		return sql, true
	}
	hosts := map[string]bool{}
	v4 := [4]map[string]bool{} // by octets: 1 to 3
	v6 := [8]map[string]bool{} // by groups: 1 to 7
	n := 0
	put := func(m map[string]bool, key string) bool {
		if n++; n > 1<<20 {
			return false
		}
		m[key] = true
		return true
	}
	for _, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return "", false
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-(p.Addr().BitLen()-p.Addr().Unmap().BitLen())).Masked()
		a, bits := p.Addr(), p.Bits()
		if bits <= 0 {
			return "", false
		}
		if a.Is4() {
			level := (bits + 7) / 8 // octets the keys hold
			base := a.As4()
			start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
			for i := range uint32(1) << (8*level - bits) {
				x := start + i<<(32-8*level)
				o := [4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}
				if level == 4 {
					if !put(hosts, netip.AddrFrom4(o).String()) {
						return "", false
					}
					continue
				}
				parts := make([]string, level)
				for j := range parts {
					parts[j] = strconv.Itoa(int(o[j]))
				}
				if v4[level] == nil {
					v4[level] = map[string]bool{}
				}
				if !put(v4[level], strings.Join(parts, ".")+".") {
					return "", false
				}
			}
			continue
		}
		level := (bits + 15) / 16 // groups the keys hold
		if level == 8 && bits == 128 {
			put(hosts, a.String())
			continue
		}
		if level == 8 { // a /113 to /127
			return "", false
		}
		b := a.As16()
		for i := range 1 << (16*level - bits) {
			g := make([]int, level)
			for j := range g {
				g[j] = int(b[2*j])<<8 | int(b[2*j+1])
			}
			g[level-1] += i
			parts := make([]string, level)
			for j, x := range g {
				if x == 0 {
					return "", false
				}
				parts[j] = strconv.FormatInt(int64(x), 16)
			}
			if v6[level] == nil {
				v6[level] = map[string]bool{}
			}
			if !put(v6[level], strings.Join(parts, ":")+":") {
				return "", false
			}
		}
	}
	var terms []string
	term := func(expr string, keys map[string]bool) {
		if len(keys) == 0 {
			return
		}
		sorted := slices.Sorted(maps.Keys(keys))
		for i, k := range sorted {
			sorted[i] = "('" + k + "')"
		}
		terms = append(terms, expr+" IN (VALUES "+strings.Join(sorted, ", ")+")")
	}
	term("ip", hosts)
	// The text up to the n-th dot or colon, by nested instr: an address
	// with fewer gives a shorter text, which no key equals.
	dot, colon := "instr(ip, '.')", "instr(ip, ':')"
	for level := 1; level < 8; level++ {
		if level < 4 {
			term("substr(ip, 1, "+dot+")", v4[level])
		}
		// Only IPv6 addresses: the nested instr cost each row.
		term("CASE WHEN instr(ip, ':') > 0 THEN substr(ip, 1, "+colon+") END", v6[level])
		dot = "(" + dot + " + instr(substr(ip, " + dot + " + 1), '.'))"
		colon = "(" + colon + " + instr(substr(ip, " + colon + " + 1), ':'))"
	}
	return "(" + strings.Join(terms, " OR ") + ")", true
}

// ipLike writes ip in a short list of IPv4 /8, /16 and /24 networks as
// an OR of prefix matches of the address's text.
func ipLike(values []string) (string, bool) {
	if len(values) > 64 {
		return "", false
	}
	var likes []string
	for _, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil || !p.Addr().Is4() || p.Bits()%8 != 0 || p.Bits() == 0 || p.Bits() == 32 || p.Masked() != p {
			return "", false
		}
		octets := strings.Split(p.Addr().String(), ".")
		likes = append(likes, `ip LIKE '`+strings.Join(octets[:p.Bits()/8], ".")+`.%'`)
	}
	return "(" + strings.Join(likes, " OR ") + ")", true
}

// parseDuration reads a duration as since does: a number and s, m, h or
// d.
func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		return time.Duration(days) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}
