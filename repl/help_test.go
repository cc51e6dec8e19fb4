package repl

import "testing"

func TestPlain(t *testing.T) {
	f := func(md, want string) {
		t.Helper()
		if got := plain(md); got != want {
			t.Errorf("plain(%q):\n got %q\nwant %q", md, got, want)
		}
	}
	f("See [fields](fields.md).\n```text\ncount\n```\n", "See fields.\ncount")
	f("| a | bb |\n|---|---|\n| `x \\| y` | z |\n\nafter", "a        bb\n`x | y`  z\n\nafter")
	long := "| query | gives |\n|---|---|\n| `" + "count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50` | failures from abroad |"
	f(long, "`count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50`\n    failures from abroad")
}
