package ast

import "testing"

func TestBareQuote(t *testing.T) {
	for _, tc := range []struct {
		s    string
		bare bool
	}{
		{"Azure Portal", false}, {"Fits", true}, {"10.0.0.0/8", true}, {"*@contoso.com", true},
		{"2026-11-01", true}, {"-", false}, {"*", false}, {"-x", true}, {"", false},
		{"where", false}, {"WHERE", false}, {"contains", false}, {"a=b", false}, {"a\"b", false},
		{"a|b", false}, {"(x)", false}, {"x\ty", false}, {"naïve", true},
		{"then", false}, {"THEN", false}, {"within", true}, {"10+", true}, // then is a sequence's
	} {
		if got := Bare(tc.s); got != tc.bare {
			t.Errorf("Bare(%q) = %v, want %v", tc.s, got, tc.bare)
		}
		if q := Quote(tc.s); Unquote(q) != tc.s {
			t.Errorf("Unquote(Quote(%q)) = %q (quoted %s)", tc.s, Unquote(q), q)
		}
	}
}

// TestLiteralString checks that a literal prints bare when it can and
// quoted when it must.
func TestLiteralString(t *testing.T) {
	for _, tc := range []struct {
		lit  Literal
		want string
	}{
		{Literal{Text: "Fits"}, "Fits"},
		{Literal{Text: "Azure Portal"}, `"Azure Portal"`},
		{Literal{Text: "show"}, `"show"`},
		{Literal{Text: `a\"b`}, `"a\\\"b"`},
	} {
		if got := tc.lit.String(); got != tc.want {
			t.Errorf("%#v: %s, want %s", tc.lit, got, tc.want)
		}
	}
}

// TestQuote checks Quote's escapes: a backslash is escaped before a
// quote, a backslash or the end, and left alone before anything else.
func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		``:         `""`,
		`ann`:      `"ann"`,
		`a"b`:      `"a\"b"`,
		`a\`:       `"a\\"`,
		`a\b`:      `"a\b"`,
		`a\\b`:     `"a\\\b"`, // read back: \\ is \, then \b
		`a\"`:      `"a\\\""`,
		"a\nb\x00": "\"a\nb\x00\"",
	} {
		if got := Quote(in); got != want || Unquote(got) != in {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}
