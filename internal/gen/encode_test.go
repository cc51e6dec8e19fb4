package gen

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func TestTimeFormats(t *testing.T) {
	for _, c := range []struct {
		t                time.Time
		diag, la, portal string
	}{
		{time.Date(2023, 9, 19, 13, 45, 17, 287_654_300, time.UTC), "2023-09-19T13:45:17.2876543Z", "9/19/2023, 1:45:17.287 PM", "2023-09-19T13:45:17Z"},
		{time.Date(2025, 1, 2, 0, 5, 9, 100, time.UTC), "2025-01-02T00:05:09.0000001Z", "1/2/2025, 12:05:09.000 AM", "2025-01-02T00:05:09Z"},
		{time.Date(2025, 12, 31, 12, 0, 0, 999_999_900, time.FixedZone("X", -5*3600)), "2025-12-31T17:00:00.9999999Z", "12/31/2025, 5:00:00.999 PM", "2025-12-31T17:00:00Z"},
	} {
		if got := string(appendTime7(nil, c.t, "Z")); got != c.diag {
			t.Errorf("appendTime7(%v) = %s, want %s", c.t, got, c.diag)
		}
		if got := string(appendLATime(nil, c.t)); got != c.la {
			t.Errorf("appendLATime(%v) = %s, want %s", c.t, got, c.la)
		}
		if got := string(appendPortalTime(nil, c.t)); got != c.portal {
			t.Errorf("appendPortalTime(%v) = %s, want %s", c.t, got, c.portal)
		}
	}
}

func TestCSVField(t *testing.T) {
	for _, c := range []struct {
		in            string
		plain, quoted string
	}{
		{"abc", "abc", `"abc"`},
		{"", "", `""`},
		{"a,b", `"a,b"`, `"a,b"`},
		{`say "hi"`, `"say ""hi"""`, `"say ""hi"""`},
		{" padded", `" padded"`, `" padded"`},
		{"line\nbreak", "\"line\nbreak\"", "\"line\nbreak\""},
	} {
		if got := string(appendCSV(nil, c.in, false)); got != c.plain {
			t.Errorf("appendCSV(%q) = %s, want %s", c.in, got, c.plain)
		}
		if got := string(appendCSV(nil, []byte(c.in), true)); got != c.quoted {
			t.Errorf("appendCSV(%q, always) = %s, want %s", c.in, got, c.quoted)
		}
	}
}

// parseGUID parses the text of a GUID into its .NET byte order.
func parseGUID(t *testing.T, s string) guid {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		t.Fatalf("bad GUID %q", s)
	}
	var g guid
	order := [16]int{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15}
	for i, j := range order {
		g[j] = b[i]
	}
	return g
}

func TestGUID(t *testing.T) {
	// A request id and its uniqueTokenIdentifier from a real Log
	// Analytics export (samples/log-analytics-csv).
	g := parseGUID(t, "56b9bd55-36cc-4180-b997-270fa6e61a00")
	if got := string(g.appendUTI(nil)); got != "Vb25Vsw2gEG5lycPpuYaAA" {
		t.Errorf("uniqueTokenIdentifier %s, want Vb25Vsw2gEG5lycPpuYaAA", got)
	}
	if got := g.String(); got != "56b9bd55-36cc-4180-b997-270fa6e61a00" {
		t.Errorf("text %s", got)
	}
	r := newRand(1, 1)
	for range 100 {
		s := requestID(r).String()
		if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) || !strings.HasSuffix(s, "00") {
			t.Fatalf("request id %s is not a version-4 GUID ending in 00", s)
		}
	}
}

func TestTranslit(t *testing.T) {
	for in, want := range map[string]string{"Jürgen": "juergen", "O'Brien": "obrien", "de Vries": "devries", "Małgorzata": "malgorzata", "José": "jose"} {
		if got := translit(in); got != want {
			t.Errorf("translit(%q) = %q, want %q", in, got, want)
		}
	}
}
