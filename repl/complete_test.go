package repl

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

func TestComplete(t *testing.T) {
	db := openTestStore(t)
	s := &session{opts: Options{DB: db}, reg: standard.Registry(), values: newValueCache(Local(db)), store: Local(db)}
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
	f("count group by app | jo", []string{"join"})
	f("list since 1d | seq", []string{"sequence"})
	f("count group by app | wh", []string{"where"})
	f("list since 7d | spray acc", []string{"accounts="})
	f("explain analyze co", []string{"count"})
	f("count where error=501", []string{"50126"})
	// Named lists, after their @.
	f("count where error in @pass", []string{"@passwordFailures"}, "@caFailures")
	f("count where error in (50057, @", []string{"@caFailures", "@sentinelSuccess"})
	// Aliases: Log Analytics and Graph names, once a word is begun; a
	// field's values after its alias.
	f("count where UserP", []string{"UserPrincipalName"})
	f("count where userp", []string{"userprincipalName"}) // the typed letters kept (readline appends); names match in any case
	f("count where IPA", []string{"IPAddress"})
	f("count where status.e", []string{"status.errorCode"})
	f("count group by DeviceDetail.b", []string{"DeviceDetail.browser"})
	f("count where ResultType=501", []string{"50126"})
	f("count where AppDisplayName=Off", []string{`Office 365 Exchange Online"`})
	f("count where ", []string{"user", "app"}, "UserPrincipalName", "AppDisplayName")
	// undefine completes the saved queries' names.
	if _, err := query.DefineIn(db, nil, "define failures(D) = count where status=failure since D"); err != nil {
		t.Fatal(err)
	}
	if _, err := query.DefineIn(db, nil, "define noisy = spray accounts=5"); err != nil {
		t.Fatal(err)
	}
	f("undef", []string{"undefine"})
	f("undefine ", []string{"failures", "noisy"}, "count")
	f("undefine fa", []string{"failures"}, "noisy")
	f("undefine failures ", nil, "failures", "where")
	// Flags are offered as results print them.
	f("count where compliant=", []string{"true", "false"}, "0", "1")
	f("count where managed=t", []string{"true"})
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

	// Several values begin so, some with spaces: Tab completes what they
	// share and puts the opening quote, so that the space does not end
	// the value; or it lists them, and the quote is put all the same,
	// for the one chosen, which brings its closing quote.
	for _, typed := range []string{"count where app=Az", "count where app=Azure", "count where app=A"} {
		line, pos := tab(c, typed)
		if !strings.HasPrefix(string(line), `count where app="`+typed[len("count where app="):]) || pos != len(line) {
			t.Errorf("%q, Tab: %q at %d", typed, string(line), pos)
			continue
		}
	}
	// In the quotes, Tab completes the value and closes them.
	if line, _ := tab(c, `count where app="Azure P`); string(line) != `count where app="Azure Portal"` {
		t.Errorf(`"Azure P, Tab: %q`, string(line))
	}
}

// tab presses Tab at the end of line as readline does: it writes the one
// ending offered, else what the endings share, else (listing them)
// nothing; then the listener may change the line.
func tab(c *completer, line string) ([]rune, int) {
	rs := []rune(line)
	cands, _ := c.Do(rs, len(rs))
	if len(cands) == 1 {
		rs = append(rs, cands[0]...)
	} else if len(cands) > 1 {
		shared := cands[0]
		for _, e := range cands[1:] {
			n := 0
			for n < len(shared) && n < len(e) && shared[n] == e[n] {
				n++
			}
			shared = shared[:n]
		}
		rs = append(rs, shared...)
	}
	if out, pos, ok := c.OnChange(rs, len(rs), '\t'); ok {
		return out, pos
	}
	return rs, len(rs)
}
