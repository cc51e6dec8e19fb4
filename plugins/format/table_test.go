package format

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// wideResult has long text columns, a field's code, a computed count,
// a status and a risk, wide runes and an escape sequence in the data.
func wideResult() *result.Result {
	return &result.Result{
		Columns: []result.Column{
			{Name: "user", Kind: signin.KindString, Field: "user"},
			{Name: "status", Kind: signin.KindString, Field: "status"},
			{Name: "risk", Kind: signin.KindString, Field: "risk"},
			{Name: "error", Kind: signin.KindInt, Field: "error"},
			{Name: "count", Kind: signin.KindInt},
			{Name: "userAgent", Kind: signin.KindString, Field: "userAgent"},
		},
		Rows: [][]result.Value{
			{result.StringValue("alice.longname@contoso.example.com"), result.StringValue("failure"), result.StringValue("high"),
				result.IntValue(50126), result.IntValue(1234567), result.StringValue("Mozilla/5.0 (Windows NT 10.0; Win64; x64)\x1b[2J")},
			{result.StringValue("bob@日本.example"), result.StringValue("success"), result.StringValue("none"),
				result.IntValue(0), result.IntValue(3), result.StringValue("curl\n8.0")},
			{result.StringValue("carol@contoso.com"), result.StringValue("interrupted"), result.StringValue("medium"),
				result.IntValue(50074), result.IntValue(12), result.StringValue("")},
		},
	}
}

func TestTableWriterWidthAndColor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  plugins.WriteOptions
		want  string
		color []string // substrings expected (nil: no escape sequence at all)
	}{
		{
			name: "no limit",
			opts: plugins.WriteOptions{},
			want: `
 user                               │ status      │ risk   │ error │     count │ userAgent                                     
────────────────────────────────────┼─────────────┼────────┼───────┼───────────┼───────────────────────────────────────────────
 alice.longname@contoso.example.com │ failure     │ high   │ 50126 │ 1,234,567 │ Mozilla/5.0 (Windows NT 10.0; Win64; x64)�[2J 
 bob@日本.example                   │ success     │ none   │     0 │         3 │ curl 8.0                                      
 carol@contoso.com                  │ interrupted │ medium │ 50074 │        12 │                                               
`,
		},
		{
			name: "80 columns: the widest text columns cut first",
			opts: plugins.WriteOptions{Width: 80},
			want: `
 user             │ status      │ risk   │ error │     count │ userAgent        
──────────────────┼─────────────┼────────┼───────┼───────────┼──────────────────
 alice.longname@… │ failure     │ high   │ 50126 │ 1,234,567 │ Mozilla/5.0 (Wi… 
 bob@日本.example │ success     │ none   │     0 │         3 │ curl 8.0         
 carol@contoso.c… │ interrupted │ medium │ 50074 │        12 │                  
`,
		},
		{
			name: "40 columns: never below 8, numbers never cut",
			opts: plugins.WriteOptions{Width: 40},
			want: `
 user     │ status   │ risk   │ error │     count │ userAge… 
──────────┼──────────┼────────┼───────┼───────────┼──────────
 alice.l… │ failure  │ high   │ 50126 │ 1,234,567 │ Mozilla… 
 bob@日…  │ success  │ none   │     0 │         3 │ curl 8.0 
 carol@c… │ interru… │ medium │ 50074 │        12 │          
`,
		},
		{
			name:  "colour",
			opts:  plugins.WriteOptions{Width: 80, Color: true},
			color: []string{"\x1b[31mfailure\x1b[0m", "\x1b[32msuccess\x1b[0m", "\x1b[33minterrupted\x1b[0m", "\x1b[31mhigh\x1b[0m", "\x1b[33mmedium\x1b[0m", "│ none "},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := plugins.WriteResult(tableWriter{}, &b, wideResult(), tc.opts); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if tc.want != "" && got != tc.want[1:] {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want[1:])
			}
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if w := text.StringWidthWithoutEscSequences(line); tc.opts.Width > 0 && w > tc.opts.Width && tc.opts.Width >= 80 {
					t.Errorf("line of %d cells, over %d: %q", w, tc.opts.Width, line)
				}
			}
			if tc.color == nil && strings.Contains(got, "\x1b[") {
				t.Errorf("escape sequence without colour:\n%q", got)
			}
			for _, s := range tc.color {
				if !strings.Contains(got, s) {
					t.Errorf("no %q in\n%q", s, got)
				}
			}
			if tc.color != nil {
				// Colour does not change the layout.
				var plain bytes.Buffer
				_ = plugins.WriteResult(tableWriter{}, &plain, wideResult(), plugins.WriteOptions{Width: tc.opts.Width})
				if stripped := text.StripEscape(got); stripped != plain.String() {
					t.Errorf("coloured table differs from the plain one:\n%s\nwant\n%s", stripped, plain.String())
				}
			}
		})
	}
}

func TestTableWriterColorOnlyStatusAndRisk(t *testing.T) {
	// A computed column that happens to hold "failure", and a field that
	// is not a status: plain.
	res := &result.Result{
		Columns: []result.Column{{Name: "app", Kind: signin.KindString, Field: "app"}, {Name: "max(status)", Kind: signin.KindString}},
		Rows:    [][]result.Value{{result.StringValue("failure"), result.StringValue("failure")}},
	}
	var b bytes.Buffer
	if err := plugins.WriteResult(tableWriter{}, &b, res, plugins.WriteOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b[") {
		t.Errorf("coloured:\n%q", b.String())
	}
}

func TestFitWidths(t *testing.T) {
	str := result.Column{Kind: signin.KindString}
	num := result.Column{Kind: signin.KindInt}
	for _, tc := range []struct {
		name   string
		cols   []result.Column
		widths []int
		width  int
		want   []int
	}{
		{"no limit", []result.Column{str, str}, []int{50, 50}, 0, []int{0, 0}},
		{"fits", []result.Column{str, str}, []int{10, 10}, 25, []int{0, 0}},
		{"widest first", []result.Column{str, str}, []int{40, 10}, 40, []int{25, 0}},
		{"then evenly", []result.Column{str, str}, []int{40, 30}, 40, []int{17, 17}},
		{"floor", []result.Column{str, num, str}, []int{40, 12, 30}, 20, []int{8, 0, 8}},
		{"narrow columns kept", []result.Column{str, str}, []int{6, 100}, 30, []int{0, 19}},
		{"numbers kept", []result.Column{num, num}, []int{40, 40}, 20, []int{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitWidths(tc.cols, tc.widths, tc.width)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("fitWidths(%v, %d) = %v, want %v", tc.widths, tc.width, got, tc.want)
				}
			}
		})
	}
}

func TestTableWriterVertical(t *testing.T) {
	res := &result.Result{}
	var row []result.Value
	for i := range 13 {
		res.Columns = append(res.Columns, result.Column{Name: "c" + string(rune('a'+i)), Kind: signin.KindString})
		row = append(row, result.StringValue(strings.Repeat("x", 30)))
	}
	res.Columns[0].Field = "status"
	row[0] = result.StringValue("failure")
	res.Rows = [][]result.Value{row}
	var b bytes.Buffer
	if err := plugins.WriteResult(tableWriter{}, &b, res, plugins.WriteOptions{Width: 20, Color: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 13 || lines[0] != "ca  \x1b[31mfailure\x1b[0m" || lines[1] != "cb  xxxxxxxxxxxxxxx…" {
		t.Errorf("vertical:\n%q", b.String())
	}
}
