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

func testResult() *result.Result {
	return &result.Result{
		Columns: []result.Column{
			{Name: "app", Kind: signin.KindString}, {Name: "count", Kind: signin.KindInt},
			{Name: "pct", Kind: signin.KindFloat}, {Name: "time", Kind: signin.KindTime},
			{Name: "ips", Kind: signin.KindList},
		},
		Rows: [][]result.Value{
			{result.StringValue(`Say "hi", ok`), result.IntValue(1234567), result.FloatValue(12.5),
				result.TimeValue(time.Date(2026, 11, 1, 8, 0, 0, 500_000_000, time.UTC)), result.ListValue([]string{"10.0.0.1", "::1"})},
			{result.StringValue("x"), result.IntValue(0), result.Null(signin.KindFloat),
				result.TimeValue(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)), result.ListValue(nil)},
		},
	}
}

func write(t *testing.T, name string) string {
	t.Helper()
	p, ok := lookup(name)
	if !ok {
		t.Fatalf("no writer %s", name)
	}
	var b bytes.Buffer
	if err := plugins.WriteResult(p.(plugins.Writer), &b, testResult(), plugins.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestJSONWriter(t *testing.T) {
	want := `{"app":"Say \"hi\", ok","count":1234567,"pct":12.5,"time":"2026-11-01T08:00:00.5Z","ips":["10.0.0.1","::1"]}
{"app":"x","count":0,"pct":null,"time":"2026-11-01T08:00:00Z","ips":[]}
`
	if got := write(t, "json"); got != want {
		t.Errorf("json:\n%s\nwant\n%s", got, want)
	}
}

func TestCSVWriter(t *testing.T) {
	want := "app,count,pct,time,ips\n" +
		`"Say ""hi"", ok",1234567,12.5,2026-11-01T08:00:00.5Z,"10.0.0.1, ::1"` + "\n" +
		"x,0,,2026-11-01T08:00:00Z,\n"
	if got := write(t, "csv"); got != want {
		t.Errorf("csv:\n%s\nwant\n%s", got, want)
	}
}

func TestTableWriter(t *testing.T) {
	got := write(t, "table")
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("table of %d lines:\n%s", len(lines), got)
	}
	if !strings.Contains(lines[2], " 1,234,567 ") || !strings.Contains(lines[2], "10.0.0.1, ::1") {
		t.Errorf("row: %q", lines[2])
	}
	// Numbers right-aligned: the count column ends at the same place.
	c1, c2 := strings.Index(lines[2], "1,234,567")+len("1,234,567"), strings.Index(lines[3], " 0 ")+2
	if c1 != c2 {
		t.Errorf("numbers not right-aligned:\n%s\n%s", lines[2], lines[3])
	}
}
