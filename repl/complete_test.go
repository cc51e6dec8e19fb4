package repl

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/query"
)

func TestComplete(t *testing.T) {
	db := openTestStore(t)
	s := &session{opts: Options{DB: db}, reg: query.RegistryOf(db), values: newValueCache(db)}
	c := &completer{s: s, quoteAt: -1}
	// f completes line (the cursor at its end) and checks the full words
	// offered include want and exclude not.
	f := func(line string, want []string, not ...string) {
		t.Helper()
		cands, n := c.Do([]rune(line), len([]rune(line)))
		prefix := string([]rune(line)[len([]rune(line))-n:])
		var got []string
		for _, r := range cands {
			got = append(got, prefix+string(r))
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %q not offered (offered %d: %.300v)", line, w, len(got), got)
			}
		}
		for _, w := range not {
			if slices.Contains(got, w) {
				t.Errorf("%q: %q offered", line, w)
			}
		}
	}
	f(`\he`, []string{`\help`})
	f(`\format j`, []string{"json"})
	f(`\help gro`, []string{"grouping"})
	f("", []string{"count", "top", "list", "dcount(", "explain", "define"}, "where")
	f("co", []string{"count", "countif("}, "where")
	f("count wh", []string{"where"})
	f("count where sta", []string{"status"})
	f("count where status=", []string{"success", "failure", "interrupted"})
	f("count where status=fa", []string{"failure"}, "success")
	f("count where STATUS = Su", []string{"Success"}) // the typed case kept; values match in any case
	f("count where app=Off", []string{`Office 365 Exchange Online"`})
	f(`count where app="Off`, []string{`Office 365 Exchange Online"`})
	f("count where type in (interactive, non", []string{"nonInteractive"})
	f("count group by ho", []string{"hour("})
	f("list since 7d | sp", []string{"spray", "spikes"})
	f("list since 7d | spray acc", []string{"accounts="})
	f("explain analyze co", []string{"count"})
	f("count where error=501", []string{"50126"})
	f("count where client=Brow", []string{`Browser"`}) // a field's name: quoted, to be a value

	// A value that needs quotes, typed bare: Tab completes it, and the
	// listener puts the opening quote before it.
	line := []rune("count where app=Office 365 Exch")
	cands, _ := c.Do([]rune("count where app=Offi"), len("count where app=Offi"))
	if len(cands) == 0 || c.quoteAt != len("count where app=") {
		t.Fatalf("cands %q, quoteAt %d", cands, c.quoteAt)
	}
	var only []rune
	for _, r := range cands {
		if strings.HasPrefix("Offi"+string(r), "Office 365 Exchange Online") {
			only = r
		}
	}
	line = append([]rune("count where app=Offi"), only...)
	got, pos, ok := c.OnChange(line, len(line), '\t')
	if !ok || string(got) != `count where app="Office 365 Exchange Online"` || pos != len(got) {
		t.Errorf("after Tab: %q at %d (%v)", string(got), pos, ok)
	}
	if _, _, ok := c.OnChange(got, len(got), '\t'); ok {
		t.Error("the quote was put twice")
	}
}
