package jsonw

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := string(String(nil, in)); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
	f("", `""`)
	f("plain", `"plain"`)
	f(`quote " and \ backslash`, `"quote \" and \\ backslash"`)
	f("tab\tnl\ncr\r", `"tab\tnl\ncr\r"`)
	f("\x00\x1f", `"\u0000\u001f"`)
	f("MFA für Gäste – iOS", `"MFA für Gäste – iOS"`)
	f("bad \xff utf8", `"bad \ufffd utf8"`)
	f(`<a href="x">&`, `"<a href=\"x\">&"`)
}

func TestValues(t *testing.T) {
	b := []byte("{")
	b = Key(b, "n")
	b = Int(b, -42)
	b = Key(b, "f")
	b = Float(b, 0.1)
	b = Key(b, "big")
	b = Float(b, math.MaxFloat64)
	b = Key(b, "t")
	b = Time(b, time.Date(2025, 1, 2, 3, 4, 5, 600, time.FixedZone("x", -3600)))
	b = Key(b, "ok")
	b = Bool(b, true)
	b = Key(b, "l")
	b = Strings(b, []string{"a", "b\"c"})
	b = Key(b, "e")
	b = Strings(b, nil)
	b = append(b, '}')
	want := `{"n":-42,"f":0.1,"big":1.7976931348623157e+308,"t":"2025-01-02T04:04:05.0000006Z","ok":true,"l":["a","b\"c"],"e":[]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// FuzzString checks that any string becomes valid JSON that decodes back
// to it (with invalid UTF-8 replaced).
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\n\u2028", "\xff\xfe", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("String(%q) = %s: %v", s, out, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("String(%q) decodes to %q", s, back)
		}
	})
}
