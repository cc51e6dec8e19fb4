package format

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// TestDurationColumn checks that every writer prints a duration as the
// language writes it (5m30s), json as that text, and null as null.
func TestDurationColumn(t *testing.T) {
	res := &result.Result{
		Columns: []result.Column{{Name: "span", Kind: signin.KindDuration}},
		Rows: [][]result.Value{
			{result.DurationValue(5*time.Minute + 30*time.Second)},
			{result.DurationValue(36 * time.Hour)},
			{result.Null(signin.KindDuration)},
		},
	}
	for _, tc := range []struct{ writer, want string }{
		{"json", "{\"span\":\"5m30s\"}\n{\"span\":\"1d12h\"}\n{\"span\":null}\n"},
		{"csv", "span\n5m30s\n1d12h\n\n"},
	} {
		p, _ := lookup(tc.writer)
		var b bytes.Buffer
		if err := plugins.WriteResult(p.(plugins.Writer), &b, res, plugins.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s:\n%q\nwant\n%q", tc.writer, b.String(), tc.want)
		}
	}
	p, _ := lookup("table")
	var b bytes.Buffer
	if err := plugins.WriteResult(p.(plugins.Writer), &b, res, plugins.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "5m30s") || !strings.Contains(b.String(), "1d12h") {
		t.Errorf("table:\n%s", b.String())
	}
}
