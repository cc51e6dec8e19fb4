package kql_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/kusto"
	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/kql"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

var (
	seedFlag    = flag.Uint64("kql.seed", 20261130, "seed of the random queries (the differential test's default)")
	queriesFlag = flag.Int("kql.queries", 2000, "how many random queries (200 with -short)")
	update      = flag.Bool("update", false, "rewrite the golden files in testdata")
	examples    = flag.Int("kql.examples", 0, "log up to this many queries refused for each reason")
)

// planner checks queries as a store with the differential test's named
// lists does (without sign-ins: explain reads none).
type planner struct {
	db    *engine.DB
	lists []*query.List
}

func newPlanner(t *testing.T) *planner {
	t.Helper()
	db, err := engine.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &planner{db: db}
	names := make([]string, 0, len(querygen.Lists))
	for name := range querygen.Lists {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := query.SetList(db, name, querygen.Lists[name]); err != nil {
			t.Fatal(err)
		}
		p.lists = append(p.lists, &query.List{Name: name, Values: querygen.Lists[name]})
	}
	return p
}

// translate checks a query at now and translates it: the KQL, or the
// translation's error; err is the language's own (a query it refuses).
func (p *planner) translate(text string, now time.Time) (out string, terr, err error) {
	// As explain, which reads no sign-in (an explain example as it is:
	// its query is translated).
	stmt := text
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(text)), "explain ") {
		stmt = "explain " + text
	}
	o, err := query.Exec(context.Background(), p.db, standard.Registry(), stmt, query.Options{Now: now})
	if err != nil {
		return "", nil, err
	}
	o.Rows.Close()
	out, terr = kql.Translate(o.Plan, kql.Options{Lists: p.lists})
	return out, terr, nil
}

// reason is a refusal's reason, for counting them: the text after
// "because", without the query's own values.
func reason(err error) string {
	s := err.Error()
	if i := strings.Index(s, ", because "); i >= 0 {
		s = s[i+len(", because "):]
	}
	return s
}

// validate translates the queries, checks every translation with
// Microsoft's analyzer, fails on any diagnostic, and reports the counts.
func validate(t *testing.T, p *planner, texts []string, nows []time.Time) {
	t.Helper()
	var kqls, srcs []string
	refused := map[string]int{}
	invalid := 0
	for i, text := range texts {
		out, terr, err := p.translate(text, nows[i])
		switch {
		case err != nil:
			invalid++
			if testing.Verbose() {
				t.Logf("the language refuses %s: %v", text, err)
			}
		case terr != nil:
			if !errors.Is(terr, kql.ErrNotExpressible) || !strings.Contains(terr.Error(), "because") {
				t.Errorf("%s: an error other than a refusal with its reason: %v", text, terr)
			}
			if refused[reason(terr)]++; refused[reason(terr)] <= *examples {
				t.Logf("refused %s: %v", text, terr)
			}
		default:
			kqls = append(kqls, out)
			srcs = append(srcs, text)
		}
	}
	ds := kusto.CheckT(t, kqls)
	bad := 0
	for i, d := range ds {
		if len(d) > 0 {
			bad++
			if bad <= 20 {
				t.Errorf("%s\n%s\ndiagnostics: %v", srcs[i], kqls[i], d)
			}
		}
	}
	if bad > 20 {
		t.Errorf("and %d more translations with diagnostics", bad-20)
	}
	t.Logf("%d queries: %d translated (%d with diagnostics), %d refused as not expressible, %d refused by the language itself",
		len(texts), len(kqls), bad, len(texts)-len(kqls)-invalid, invalid)
	type rc struct {
		r string
		n int
	}
	var rs []rc
	for r, n := range refused {
		rs = append(rs, rc{r, n})
	}
	slices.SortFunc(rs, func(a, b rc) int { return b.n - a.n })
	for _, r := range rs {
		t.Logf("  refused %5d: %s", r.n, r.r)
	}
}

// TestKQLDifferential translates the differential test's random queries
// (querygen, the same seed and count as TestDifferential) and checks
// every translation with Microsoft's parser and semantic analyzer
// against the tables' real schemas: none may have a diagnostic, and
// every other query is refused as not expressible with its reason.
func TestKQLDifferential(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d (replay: go test ./kql -run TestKQLDifferential -kql.seed=%d)", seed, seed)
	recs, err := querygen.Records(seed)
	if err != nil {
		t.Fatal(err)
	}
	p := newPlanner(t)
	g := querygen.New(seed, recs, querygen.End)
	n := *queriesFlag
	if testing.Short() && n == 2000 {
		n = 200 // the quick lane, as TestDifferential's
	}
	texts, nows := make([]string, n), make([]time.Time, n)
	for i := range texts {
		nows[i] = g.PickNow(querygen.End)
		g.SetNow(nows[i])
		texts[i] = g.Query()
	}
	validate(t, p, texts, nows)
}

// docExamples are the queries of docs/query-language.md's tables and
// text blocks, as TestDocs (query) collects them, and the
// differential test's list of examples.
func docExamples(t *testing.T) []string {
	b, err := os.ReadFile("../docs/query-language.md")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	section := ""
	cell := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			section = line
		}
		if !strings.HasPrefix(line, "| `") && !(section == "## From KQL" && strings.HasPrefix(line, "| ")) {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "¦"), " | ")
		c := cells[0]
		if section == "## From KQL" {
			c = cells[len(cells)-1]
		}
		if m := cell.FindStringSubmatch(c); m != nil && (section == "## Kinds of query" || section == "## From KQL" || section == "## Named lists" && strings.Contains(m[1], " where ")) {
			qs = append(qs, strings.ReplaceAll(m[1], "¦", "|"))
		}
	}
	// The text blocks of examples (```text): each line a query.
	// The text blocks of examples (```text) whose every line is a query
	// (others show output, errors or plans).
blocks:
	for _, m := range regexp.MustCompile("(?s)```text\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		lines := strings.Split(strings.TrimSpace(m[1]), "\n")
		for _, l := range lines {
			if st, err := query.Parse(l); err != nil || st.Query == nil {
				continue blocks
			}
		}
		qs = append(qs, lines...)
	}
	return qs
}

// TestKQLExamples translates every documented example (with the
// documented lists @vps and @admins given) and checks each translation
// with the analyzer.
func TestKQLExamples(t *testing.T) {
	p := newPlanner(t)
	for name, vals := range map[string][]string{
		"vps":    {"203.0.113.0/24", "2001:db8::/32", "198.51.100.7"},
		"admins": {"alice@contoso.com", "bob@contoso.com"},
	} {
		if err := query.SetList(p.db, name, vals); err != nil {
			t.Fatal(err)
		}
		p.lists = append(p.lists, &query.List{Name: name, Values: vals})
	}
	// The saved query the examples use, as TestDocs (query) defines it.
	o, err := query.Exec(context.Background(), p.db, standard.Registry(), "define failures(D) = count where status=failure since D", query.Options{Now: querygen.End})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rows != nil {
		o.Rows.Close()
	}
	qs := docExamples(t)
	if len(qs) < 40 {
		t.Fatalf("found %d examples in the docs", len(qs))
	}
	now := querygen.End
	nows := make([]time.Time, len(qs))
	for i := range nows {
		nows[i] = now
	}
	// Examples the language refuses (a saved query not defined here,
	// explain, show of an id) are not counted as translated.
	validate(t, p, qs, nows)
}
