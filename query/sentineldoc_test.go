package query

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

// TestSentinelDoc runs every signinq line of docs/sentinel.md (the
// Sentinel rules, one line each) on a generated month of sign-ins, with
// the store's lists the lines name: each must parse, check and answer,
// so that the page shows the language as it is. It checks the page's
// counts too: the summary's numbers are the rows'.
func TestSentinelDoc(t *testing.T) {
	b, err := os.ReadFile("../docs/sentinel.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	row := regexp.MustCompile(`^\| (\d+) \| (.*) \| (.*) \| (.*) \|$`)
	code := regexp.MustCompile("^`(.*)`$")
	var lines, nums []string
	counts := map[string]int{}
	for _, l := range strings.Split(doc, "\n") {
		m := row.FindStringSubmatch(strings.ReplaceAll(l, `\|`, "¦"))
		if m == nil {
			continue
		}
		switch ans := m[4]; {
		case strings.HasPrefix(ans, "**same**"):
			counts["same"]++
		case strings.HasPrefix(ans, "partial"):
			counts["partial"]++
		case strings.HasPrefix(ans, "needs another table"):
			counts["other"]++
		default:
			t.Errorf("question %s: the answer %q is none of same, partial, needs another table", m[1], ans)
		}
		if m[3] == "—" {
			if strings.HasPrefix(m[4], "**same**") || strings.HasPrefix(m[4], "partial") {
				t.Errorf("question %s has no line but says it is answered", m[1])
			}
			continue
		}
		c := code.FindStringSubmatch(m[3])
		if c == nil {
			t.Errorf("question %s: the line %q is not one piece of code", m[1], m[3])
			continue
		}
		lines, nums = append(lines, strings.ReplaceAll(c[1], "¦", "|")), append(nums, m[1])
	}
	if len(lines) < 60 {
		t.Fatalf("found %d lines in docs/sentinel.md", len(lines))
	}
	for answer, words := range map[string]string{"same": "**same**: one line, the rule's answer | ", "partial": "partial: one line, part of the answer | ", "other": "needs another table (UEBA scores, AuditLogs) | "} {
		if want := words + strconv.Itoa(counts[answer]) + " |"; !strings.Contains(doc, want) {
			t.Errorf("the summary does not say %q", want)
		}
	}

	g, err := gen.New(gen.Config{Count: 30_000, Seed: 15, Days: 30, Users: 300, End: detectEnd})
	if err != nil {
		t.Fatal(err)
	}
	var recs []signin.Record
	ctx := context.Background()
	if err := g.Generate(ctx, func(evs []gen.Event) error {
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.IngestRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	// The store's lists the lines name: networks for the address lists,
	// some of the tenant's users (and ids, domains, countries) for the
	// others.
	networks := map[string]bool{"azure": true, "vps": true, "nordvpn": true}
	var users []string
	for i := 0; i < len(recs) && len(users) < 20; i += 97 {
		if u := recs[i].User; u != "" {
			users = append(users, u, recs[i].UserID)
		}
	}
	made := map[string]bool{}
	for _, l := range lines {
		for _, m := range regexp.MustCompile(`@(\w+)`).FindAllStringSubmatch(l, -1) {
			name := m[1]
			if made[name] || slices.ContainsFunc(builtinLists, func(b *List) bool { return strings.EqualFold(b.Name, name) }) {
				continue
			}
			values := append([]string{"contoso.com", "NL", "US"}, users...)
			if networks[name] {
				values = []string{"10.0.0.0/8", "146.190.0.0/16", "2001:db8::/32"}
			}
			if err := SetList(db, name, values); err != nil {
				t.Fatalf("list @%s: %v", name, err)
			}
			made[name] = true
		}
	}
	for i, l := range lines {
		if _, err := Run(ctx, db, nil, l, Options{Now: detectEnd}); err != nil {
			t.Errorf("question %s: %s\n%v", nums[i], l, err)
		}
	}
}
