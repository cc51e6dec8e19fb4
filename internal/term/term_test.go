package term

import "testing"

func TestTruncate(t *testing.T) {
	f := func(s string, n int, want string) {
		t.Helper()
		if got := Truncate(s, n); got != want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", s, n, got, want)
		}
	}
	f("hello", 0, "hello")
	f("hello", 5, "hello")
	f("hello world", 8, "hello w…")
	f("日本語のテキスト", 8, "日本語…") // wide runes take two cells
	f("ab", 1, "…")
}
