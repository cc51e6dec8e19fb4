package query

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
)

// TestDocs checks docs/query-language.md against the language: its
// grammar is the parser's, every query it shows parses and checks, and it
// names every aggregate, function and output format of the default
// registry.
func TestDocs(t *testing.T) {
	b, err := os.ReadFile("../docs/query-language.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	ebnf := regexp.MustCompile("(?s)```ebnf\n(.*?)```").FindStringSubmatch(doc)
	if ebnf == nil {
		t.Fatal("no ebnf block")
	}
	if got, want := strings.TrimSpace(ebnf[1]), strings.TrimSpace(Grammar()); got != want {
		t.Errorf("the grammar in the docs is not the parser's; it is now:\n%s", want)
	}
	// Queries in the tables: the first cell of "Kinds of query", the last
	// of "From KQL" (up to a parenthesis), in backquotes.
	var queries []string
	section := ""
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "## ") {
			section = line
		}
		if !strings.HasPrefix(line, "| `") && !(section == "## From KQL" && strings.HasPrefix(line, "| ")) {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "¦"), " | ")
		cell := cells[0]
		if section == "## From KQL" {
			cell = cells[len(cells)-1]
		}
		if m := regexp.MustCompile("`([^`]+)`").FindStringSubmatch(cell); m != nil && (section == "## Kinds of query" || section == "## From KQL" || section == "## Named lists" && strings.Contains(m[1], " where ")) {
			queries = append(queries, m[1])
		}
	}
	if len(queries) < 30 {
		t.Fatalf("found %d queries in the docs' tables", len(queries))
	}
	// The saved query the docs' examples use.
	macros := NewMacros()
	if _, err := macros.Define("define failures(D) = count where status=failure since D", nil); err != nil {
		t.Fatal(err)
	}
	// The store's lists the docs' examples use.
	lists := &listSource{got: map[string]*List{
		"vps":    {Name: "vps", Values: []string{"203.0.113.0/24", "2001:db8::/32", "198.51.100.7"}},
		"admins": {Name: "admins", Values: []string{"alice@contoso.com", "bob@contoso.com"}},
	}}
	for _, q := range queries {
		q = strings.ReplaceAll(q, "¦", "|")
		st, err := Parse(q)
		if err == nil {
			_, err = prepare(st, macros, nil, checkNow, lists)
		}
		if err != nil {
			t.Errorf("docs: %s: %v", q, err)
		}
	}
	for _, kind := range []plugins.Kind{plugins.KindAggregate, plugins.KindWriter, plugins.KindFunction} {
		for _, name := range standard.Registry().Names(kind) {
			if !strings.Contains(doc, "`"+name) && !strings.Contains(doc, "format "+name) {
				t.Errorf("docs do not name the %v %s", kind, name)
			}
		}
	}
}
