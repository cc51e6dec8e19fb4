package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinq/signinq/clickhouse/localcluster"
	"github.com/signinq/signinq/internal/clock"
)

// TestQueryOnClickHouse exports a generated store to a two-shard
// ClickHouse cluster, twice (the second adds nothing), then runs queries
// with query and with query --on: they print the same, in each format;
// and explain --sql prints SQL.
func TestQueryOnClickHouse(t *testing.T) {
	cl := localcluster.StartTest(t)
	dir := queryStore(t, 3000)
	url := "clickhouse://" + cl.Addr(0) + "/cli"
	run := func(args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := Main(args, strings.NewReader(""), &out, &errb, clock.Test); code != exitOK {
			t.Fatalf("%q: exit %d\n%s", args, code, errb.String())
		}
		return out.String(), errb.String()
	}
	_, msg := run("export", "--db", dir, "--to", url, "--cluster", localcluster.Name)
	if !strings.Contains(msg, "added 3,000 new sign-ins") {
		t.Fatalf("first export: %s", msg)
	}
	_, msg = run("export", "--db", dir, "--to", url, "--cluster", localcluster.Name)
	if !strings.Contains(msg, "added 0 new sign-ins") || !strings.Contains(msg, "skipped 3,000 already there") {
		t.Fatalf("second export: %s", msg)
	}
	// A named list of the store: query --on reads it from the store --db
	// names, as query does.
	listFile := filepath.Join(t.TempDir(), "errs.txt")
	if err := os.WriteFile(listFile, []byte("50126\n50053\n99999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("lists", "import", "--db", dir, "errs", listFile)
	for _, q := range []string{
		"count where error in @errs since 7d group by app",
		"count group by error in @errs",
	} {
		want, _ := run("query", "--db", dir, "--now", "2026-11-26", "--format", "csv", q)
		got, _ := run("query", "--on", url, "--db", dir, "--now", "2026-11-26", "--format", "csv", q)
		if got != want {
			t.Errorf("%s:\nquery:\n%s\nquery --on --db:\n%s", q, want, got)
		}
	}
	sql, _ := run("explain", "--sql", "--db", dir, "--now", "2026-11-26", "count where error in @errs group by app")
	if !strings.HasPrefix(sql, "SELECT ") || !strings.Contains(sql, "IN (50126, 50053, 99999)") {
		t.Errorf("explain --sql with a store's list: %s", sql)
	}
	for _, q := range []string{
		"count where user in (list user where status=failure since 7d) since 7d group by app",
		"count group by user | join anti (list user where status=success) on user | order by count desc, user | limit 5",
		"count where status=failure since 24h group by app",
		"countif(status=failure) as failed, count as total since 7d group by app having failed > 10 order by total desc limit 5",
		"top 5 ip by dcount(user) where status=failure",
		"list time, user, app, ip, status, error where status=failure since 7d limit 20",
		"list since 7d",
		"count since 24h group by bin(1h)",
		"min(time) as first, max(time) as last, count where country != \"US\" group by country",
		"count where status!=success since 7d group by user, bin(1d) | spikes k=1 min=1",
	} {
		for _, format := range []string{"table", "json", "csv"} {
			want, _ := run("query", "--db", dir, "--now", "2026-11-26", "--format", format, q)
			got, _ := run("query", "--on", url, "--now", "2026-11-26", "--format", format, q)
			if got != want {
				t.Errorf("%s (%s):\nquery:\n%s\nquery --on:\n%s", q, format, want, got)
			}
		}
	}
	sql, _ = run("explain", "--sql", "--now", "2026-11-26", "count where status=failure since 24h group by app")
	if !strings.HasPrefix(sql, "SELECT ") || !strings.Contains(sql, "GROUP BY `app`") {
		t.Errorf("explain --sql: %s", sql)
	}
	sql, _ = run("explain", "--sql", "--now", "2026-11-26", "list since 7d | spray")
	if !strings.Contains(sql, "runs in signinq") {
		t.Errorf("explain --sql of a stage: %s", sql)
	}
}
