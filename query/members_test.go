package query

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestFoldKey checks that foldKey agrees with strings.EqualFold: two
// texts have one key exactly when EqualFold says they are equal.
func TestFoldKey(t *testing.T) {
	words := []string{"", "a", "A", "abc", "ABC", "aBc", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ", "Σ", "σ", "ς",
		"straße", "STRASSE", "\xff", "\xfe", "\ufffd", "ǅ", "ǆ", "Ǆ", "İ", "i", "ı", "I", "Ω", "\u2126", "ω",
		"user@contoso.com", "USER@CONTOSO.COM", "Üser@contoso.com", "üSER@CONTOSO.COM", "10.0.0.1", "a\x80", "A\x81"}
	for _, a := range words {
		for _, b := range words {
			if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
				t.Errorf("foldKey(%q) == foldKey(%q) is %v; EqualFold says %v", a, b, got, want)
			}
		}
	}
}

func FuzzFoldKey(f *testing.F) {
	f.Add("Kelvin", "\u212aELVIN")
	f.Add("straße", "STRASSE")
	f.Add("\xff", "\ufffd")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
			t.Fatalf("foldKey(%q) == foldKey(%q) is %v; EqualFold says %v", a, b, got, want)
		}
	})
}

// filteredSet is a set of texts with a filter (more than minFiltered):
// the given ones and fillers.
func filteredSet(t testing.TB, texts ...string) *members {
	values := slices.Clone(texts)
	for i := range minFiltered {
		values = append(values, fmt.Sprintf("filler%d@contoso.com", i))
	}
	m, err := newMembers(signin.Lookup("user"), values, func(i int, why string) error { return fmt.Errorf("%d %s", i, why) })
	if err != nil {
		t.Fatal(err)
	}
	if m.filter == nil {
		t.Fatal("no filter")
	}
	return m
}

// TestMembersText checks a set of many texts (with its filter) against a
// scan with strings.EqualFold.
func TestMembersText(t *testing.T) {
	texts := []string{"alice@contoso.com", "BOB@CONTOSO.COM", "\u212aelvin@contoso.com", "zoë.åberg@contoso.com", "ſam@contoso.com", "x", "é"}
	m := filteredSet(t, texts...)
	probes := []string{"ALICE@contoso.com", "alice@contoso.co", "bob@contoso.com", "kelvin@contoso.com", "KELVIN@CONTOSO.COM",
		"ZOË.ÅBERG@CONTOSO.COM", "zoe.aberg@contoso.com", "SAM@contoso.com", "sam@contoso.com", "X", "É", "e", "", "filler7@CONTOSO.com", "filler7@contoso.comx"}
	for _, p := range probes {
		want := slices.ContainsFunc(m.allTexts(texts), func(s string) bool { return strings.EqualFold(s, p) })
		if got := m.hasText(p); got != want {
			t.Errorf("hasText(%q) = %v, want %v", p, got, want)
		}
	}
}

// allTexts are texts and the fillers of filteredSet.
func (m *members) allTexts(texts []string) []string {
	out := slices.Clone(texts)
	for i := range minFiltered {
		out = append(out, fmt.Sprintf("filler%d@contoso.com", i))
	}
	return out
}

// FuzzMembersText checks a filtered set of one text (and fillers)
// against strings.EqualFold.
func FuzzMembersText(f *testing.F) {
	f.Add("Kelvin", "\u212aELVIN")
	f.Add("alice@contoso.com", "ALICE@CONTOSO.COM")
	f.Add("a", "b")
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.TrimSpace(a) != a || a == "" {
			return
		}
		m := filteredSet(t, a)
		want := strings.EqualFold(a, b) || strings.HasPrefix(strings.ToLower(b), "filler") && slices.ContainsFunc(m.allTexts(nil), func(s string) bool { return strings.EqualFold(s, b) })
		if got := m.hasText(b); got != want {
			t.Fatalf("a set of %q: hasText(%q) = %v, want %v", a, b, got, want)
		}
	})
}

// TestMembersAddresses checks a set of addresses and networks for ip as
// a where compares them one by one: an address in any spelling, a
// network's addresses, an address with a zone only as itself.
func TestMembersAddresses(t *testing.T) {
	values := []string{"10.0.0.0/8", "2001:db8::/32", "192.0.2.1", "fe80::1%eth0", "::ffff:198.51.100.7"}
	m, err := newMembers(signin.Lookup("ip"), values, func(i int, why string) error { return fmt.Errorf("%d %s", i, why) })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"10.1.2.3", true}, {"::ffff:10.1.2.3", true}, {"11.0.0.0", false}, {"2001:DB8:0:0::5", true}, {"2001:db9::", false},
		{"192.0.2.1", true}, {"::ffff:192.0.2.1", true}, {"192.0.2.2", false}, {"198.51.100.7", true},
		{"fe80::1%eth0", true}, {"FE80::1%ETH0", true}, {"fe80::1", false}, {"fe80::1%eth1", false}, {"", false}, {"x", false},
	} {
		if got := m.hasString(tc.v); got != tc.want {
			t.Errorf("hasString(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// TestFoldKeyOrbits checks that two texts have the same key exactly when
// strings.EqualFold says they are equal, over every pair of two-rune
// texts of runes whose case folds are unusual (the Kelvin sign, the long
// s, final sigma, dotted and dotless i) and invalid bytes.
func TestFoldKeyOrbits(t *testing.T) {
	runes := []string{"k", "K", "\u212a", "s", "S", "\u017f", "σ", "ς", "Σ", "i", "I", "ı", "İ", "ß", "ẞ", "é", "É", "a", "\xff", "\xfe", "ǅ", "ǆ", "Ǆ"}
	var texts []string
	for _, a := range runes {
		for _, b := range runes {
			texts = append(texts, a+b)
		}
	}
	for _, a := range texts {
		for _, b := range texts {
			if same := foldKey(a) == foldKey(b); same != strings.EqualFold(a, b) {
				t.Errorf("%q, %q: same key %v, EqualFold %v", a, b, same, strings.EqualFold(a, b))
			}
		}
		if utf8.ValidString(a) && !utf8.ValidString(foldKey(a)) {
			t.Errorf("foldKey(%q) = %q is not valid UTF-8", a, foldKey(a))
		}
	}
}

// TestMembersStreamed checks a subquery's set, made by add and seal: no
// null or empty text is a member; texts without regard to case, more
// than minFiltered of them with the filter; for ip, addresses however
// spelled and an address with a zone only as itself; whole and decimal
// numbers each found as the other when equal; reset empties it.
func TestMembersStreamed(t *testing.T) {
	texts := newStreamed(false)
	texts.add(result.ListValue([]string{"Alice@contoso.com", "", "\u212aelvin@contoso.com"}))
	texts.add(result.StringValue(""))
	texts.add(result.Null(signin.KindString))
	for i := range minFiltered {
		texts.add(result.StringValue(fmt.Sprintf("filler%d@contoso.com", i)))
	}
	texts.seal()
	if texts.filter == nil {
		t.Error("no filter over many texts")
	}
	ips := newStreamed(true)
	for _, s := range []string{"192.0.2.1", "::ffff:198.51.100.7", "fe80::1%eth0", "not an address", ""} {
		ips.add(result.StringValue(s))
	}
	ips.add(result.Null(signin.KindString))
	ips.seal()
	nums := newStreamed(false)
	nums.add(result.IntValue(50126))
	nums.add(result.FloatValue(2.5))
	nums.add(result.FloatValue(7))
	nums.add(result.FloatValue(math.NaN()))
	nums.add(result.Null(signin.KindInt))
	nums.seal()
	for _, tc := range []struct {
		m    *members
		v    string
		want bool
	}{
		{texts, "alice@CONTOSO.com", true}, {texts, "kelvin@contoso.com", true}, {texts, "bob@contoso.com", false},
		{texts, "", false}, {texts, "FILLER7@contoso.com", true},
		{ips, "192.0.2.1", true}, {ips, "::ffff:192.0.2.1", true}, {ips, "198.51.100.7", true}, {ips, "192.0.2.2", false},
		{ips, "FE80::1%eth0", true}, {ips, "fe80::1", false}, {ips, "NOT AN ADDRESS", true}, {ips, "", false},
	} {
		if got := tc.m.hasString(tc.v); got != tc.want {
			t.Errorf("hasString(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		i    int64
		want bool
	}{{50126, true}, {7, true}, {2, false}, {signin.NoInt, false}} {
		if got := nums.hasInt(tc.i); got != tc.want {
			t.Errorf("hasInt(%d) = %v, want %v", tc.i, got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    float64
		want bool
	}{{50126, true}, {2.5, true}, {7, true}, {3, false}} {
		if got := nums.hasFloat(tc.f); got != tc.want {
			t.Errorf("hasFloat(%v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	texts.reset()
	texts.seal()
	if texts.hasString("alice@contoso.com") || !texts.streamed {
		t.Error("reset kept a value, or made the set not streamed")
	}
}
