package cli

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

// TestPluginsDoc checks the reference of docs/plugins.md against the
// registry the command uses (with -update, rewrites it), and that every
// plugin's example is a query the language accepts.
func TestPluginsDoc(t *testing.T) {
	const path = "../../../docs/plugins.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	const begin, end = "<!-- reference -->\n", "<!-- end of reference -->\n"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	want := pluginsReference(standard.Registry())
	if got := doc[i+len(begin) : j]; got != want {
		if *update {
			doc = doc[:i+len(begin)] + want + doc[j:]
			if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s: the reference is out of date: run go test ./cmd/signinq/cli -run TestPluginsDoc -update", path)
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for _, p := range standard.Registry().All(0) {
		d := p.Describe()
		switch d.Kind {
		case plugins.KindAggregate, plugins.KindFunction, plugins.KindStage:
		default:
			continue
		}
		if d.Example == "" || d.Help == "" {
			t.Errorf("%s has no example or no help", d.Name)
			continue
		}
		if _, err := query.Prepare(d.Example, nil, standard.Registry(), now); err != nil {
			t.Errorf("%s's example %q: %v", d.Name, d.Example, err)
		}
		if !strings.Contains(strings.ToLower(d.Example), strings.ToLower(d.Name)) {
			t.Errorf("%s's example %q does not use it", d.Name, d.Example)
		}
	}
}

// pluginsReference writes the registry's plugins as docs/plugins.md's
// reference: a section per kind, a subsection per plugin.
func pluginsReference(reg *plugins.Registry) string {
	var b strings.Builder
	kinds := []struct {
		kind  plugins.Kind
		title string
	}{
		{plugins.KindFunction, "Functions"},
		{plugins.KindStage, "Stages"},
		{plugins.KindAggregate, "Aggregates"},
		{plugins.KindReader, "Readers (input formats)"},
		{plugins.KindWriter, "Writers (output formats)"},
	}
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n### %s\n", k.title)
		for _, p := range reg.All(k.kind) {
			d := p.Describe()
			fmt.Fprintf(&b, "\n#### %s\n\n`%s` — %s\n", d.Name, d.Usage(), d.Help)
			if len(d.Args) > 0 {
				b.WriteString("\n| argument | type | default | |\n|---|---|---|---|\n")
				for _, a := range d.Args {
					def := "required"
					if a.Default != "" {
						def = "`" + a.Default + "`"
					}
					fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", a.Name, a.Type, cell(def), cell(a.Help))
				}
			}
			if len(d.Output) > 0 {
				fmt.Fprintf(&b, "\nOutput: %s.", strings.Join(d.Output, ", "))
				if d.Streams {
					b.WriteString(" It streams.")
				}
				b.WriteString("\n")
			}
			if d.Example != "" {
				fmt.Fprintf(&b, "\n    signinq> %s\n", d.Example)
			}
		}
	}
	return b.String()
}
