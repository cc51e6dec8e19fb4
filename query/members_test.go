package query

import (
	"strings"
	"testing"
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
