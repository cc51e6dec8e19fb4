package query

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/signinq/signinq/query/ast"

	"github.com/signinq/signinq/result"
)

// TestNotNot checks that not not X is X: the plan of 15,000 nots is the
// plan of none (or of one, when they are odd), however they are written,
// and so is its explanation; such a query neither nests the tree nor
// repeats the work of a not.
func TestNotNot(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"count where " + strings.Repeat("not ", 15000) + "status=failure", "count where status=failure"},
		{"count where " + strings.Repeat("not ", 14999) + "status=failure", "count where not status=failure"},
		{"count where not (not (not (not app != x)))", "count where app != x"},
		{"count where not app != x", "count where app = x"}, // the same plan from another tree
		{"count where not (status=failure and not not app=x) or not not not user=y", "count where not (status=failure and app=x) or not user=y"},
		{"count group by app having not not count > 3", "count group by app having count > 3"},
		{"count group by app having not (not (not count > 3))", "count group by app having not count > 3"},
	} {
		got, want := mustPlan(t, tc.text), mustPlan(t, tc.want)
		sameTree := !strings.Contains(tc.text, "!=")
		if sameTree && got.Statement.String() != want.Statement.String() || fmt.Sprint(got.filter) != fmt.Sprint(want.filter) ||
			fmt.Sprintf("%#v", got.having) != fmt.Sprintf("%#v", want.having) || explainSteps(got) != explainSteps(want) {
			t.Errorf("%.80s…: plan\n  %s\n  %v\nwant that of %s:\n  %s\n  %v", tc.text, got.Statement, got.filter, tc.want, want.Statement, want.filter)
		}
	}
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{15000, 15001} {
		var work atomic.Int64
		testHookWork = func() { work.Add(1) }
		res, err := Run(t.Context(), db, nil, "count where "+strings.Repeat("not ", n)+"status=failure", Options{Now: checkNow})
		testHookWork = nil
		want := "count where status=failure"
		if n%2 == 1 {
			want = "count where not status=failure"
		}
		var wantWork atomic.Int64
		testHookWork = func() { wantWork.Add(1) }
		w, werr := Run(t.Context(), db, nil, want, Options{Now: checkNow})
		testHookWork = nil
		if err != nil || werr != nil || diffRows(res.Rows, w.Rows) || work.Load() != wantWork.Load() {
			t.Errorf("%d nots: %v (%v), %d units of work; %s: %v (%v), %d", n, res, err, work.Load(), want, w, werr, wantWork.Load())
		}
	}
}

func mustPlan(t *testing.T, text string) *Plan {
	t.Helper()
	st, err := Parse(text)
	if err != nil {
		t.Fatalf("%.80s: %v", text, err)
	}
	p, err := Check(st, nil, checkNow)
	if err != nil {
		t.Fatalf("%.80s: %v", text, err)
	}
	return p
}

// explainSteps is a plan's explanation without its first line, the
// query's text.
func explainSteps(p *Plan) string {
	_, steps, _ := strings.Cut(p.Explain(), "\n")
	return steps
}

// TestOredPatterns checks that the regular expressions and like
// patterns or'ed on one field are one predicate, which reads each
// dictionary value once and matches it only with the patterns whose
// required text it holds: 2,500 of them make about as many matches as
// one pattern does, not 2,500 times as many; and that the answers are
// those of each pattern on its own.
func TestOredPatterns(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: checkNow}
	users, err := Run(t.Context(), db, nil, "top 40 user", opts)
	if err != nil {
		t.Fatal(err)
	}
	// 2,500 patterns in a query of at most 64 KiB: the 40 users' names
	// (matched whole, in three ways), then short ones that match no one.
	var pats, names []string
	for i, row := range users.Rows {
		name := row[0].Str()
		names = append(names, ast.Quote(name))
		switch i % 3 {
		case 0:
			pats = append(pats, fmt.Sprintf("user ~ %s", ast.Quote("^"+regexp.QuoteMeta(strings.ToUpper(name))+"$")))
		case 1:
			pats = append(pats, fmt.Sprintf("user like %s", ast.Quote(name)))
		default:
			pats = append(pats, fmt.Sprintf("user ~ %s", ast.Quote(`\Q`+name+`\E$`)))
		}
	}
	for i := len(pats); i < 2500; i++ {
		pats = append(pats, fmt.Sprintf("user ~ \"^q%d\"", i))
	}
	text := "count where " + strings.Join(pats, " or ")
	p := mustPlan(t, text)
	if pr, ok := p.filter.(*pred); !ok || pr.patterns != 2500 || pr.op != opRegex || pr.set == nil {
		t.Fatalf("the plan of 2,500 or'ed patterns: %T %.200v, want one predicate", p.filter, p.filter)
	}
	matches := func(text string) (*result.Result, int64) {
		var n atomic.Int64
		testHookRegexp = func() { n.Add(1) }
		defer func() { testHookRegexp = nil }()
		res, err := Run(t.Context(), db, nil, text, opts)
		if err != nil {
			t.Fatalf("%.80s: %v", text, err)
		}
		return res, n.Load()
	}
	// Each dictionary value is matched by the patterns whose required
	// text it holds (here its own pattern, and a few whose text is
	// short): fewer than twice as many matches as one pattern makes,
	// where matching each pattern over the dictionary made 2,500 times
	// as many.
	got, n := matches(text)
	_, one := matches("count where " + pats[0])
	if n > 2*one || one == 0 {
		t.Errorf("2,500 or'ed patterns matched %d times, one pattern %d", n, one)
	}
	want, _ := matches("count where user in (" + strings.Join(names, ", ") + ")")
	if diffRows(got.Rows, want.Rows) || got.Rows[0][0].Int() == 0 {
		t.Errorf("2,500 or'ed patterns count %v, the users they name %v", got.Rows, want.Rows)
	}
	// Each pattern keeps its own flags and meaning within the
	// alternation; other operands stay as they are.
	for _, tc := range []struct{ or, each string }{
		{`user ~ "(?-i)^[A-Z]" or user ~ "^a"`, `user ~ "(?-i)^[A-Z]"|user ~ "^a"`},
		{`user ~ "\\Q.*" or user like "*.com"`, `user ~ "\\Q.*"|user like "*.com"`},
		{`user like "a*" or app = "Microsoft Teams" or user ~ "x$" or user like "?e*"`, `user like "a*"|app = "Microsoft Teams"|user ~ "x$"|user like "?e*"`},
		{`not user ~ "a" or not user ~ "e"`, `not user ~ "a"|not user ~ "e"`},
		{`app ~ "teams" or user ~ "teams" or app like "*office*"`, `app ~ "teams"|user ~ "teams"|app like "*office*"`},
	} {
		got, _ := matches("count where " + tc.or + " group by app")
		// The answer of each pattern on its own: in an and with a
		// condition every sign-in satisfies, it is not combined.
		var each []string
		for _, c := range strings.Split(tc.each, "|") {
			each = append(each, "("+c+" and time > 1970-01-01)")
		}
		want, _ := matches("count where " + strings.Join(each, " or ") + " group by app")
		if len(got.Rows) == 0 || diffRows(got.Rows, want.Rows) {
			t.Errorf("%s: %v, want %v", tc.or, got.Rows, want.Rows)
		}
	}
}

// TestPatternSet checks a set of patterns against matching each on its
// own, over texts that hold the patterns' required texts in other cases
// (the Kelvin sign is a k, ſ an s, without regard to case), at the start
// or not, and patterns anchored or not, with and without a required
// text.
func TestPatternSet(t *testing.T) {
	pats := []string{
		`(?i)^admin`, `(?i)admin$`, `(?i)svc-\d+`, `(?i)(?-i)^ABC`, `(?i)^(root|toor)@`, `(?i)x+yz`, `(?i)(?:ab){2,}c`,
		`(?i)^.*$`, `(?i)[0-9]{3}`, `(?i)`, `(?i)(?m)^line`, `(?i)kelvin`, `(?i)ßtraße`, `(?i)ſtop`, `(?i)\Qa.b\E`, `(?i)a.b`,
		`(?is)^david.*@contoso\.com$`, `(?is)^.*@fabrikam\.com$`, `(?is)^a.c$`, `(?i)é`, `(?i)^\x{FFFD}`,
	}
	texts := []string{
		"", "admin", "ADMIN@contoso.com", "root@x", "TOOR@y", "notadmin", "svc-123", "SVC-x", "ABC", "abc", "xxYZ", "ababc", "abc1",
		"first\nline", "\u212Aelvin", "STRASSE", "ſtraße", "STOP", "a.b", "aXb", "David.M@Contoso.com", "x@FABRIKAM.COM", "abc", "ÉTÉ",
		"\xffbad", "q", "qq", "é",
	}
	var res []*regexp.Regexp
	for _, p := range pats {
		res = append(res, regexp.MustCompile(p))
	}
	for n := 1; n <= len(res); n++ {
		for start := 0; start+n <= len(res); start += max(1, n/2) {
			set := newPatternSet(res[start : start+n])
			for _, text := range texts {
				want := false
				for _, re := range res[start : start+n] {
					want = want || re.MatchString(text)
				}
				if got := set.match(text); got != want {
					t.Errorf("%q: %v, want %v, of %q", text, got, want, pats[start:start+n])
				}
			}
		}
	}
}
