package format

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/term"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// prettyTable is the table writer as it was before it streamed: every
// row gathered, then laid out by go-pretty. TestTableWriterAsGoPretty
// holds the streaming writer to it for the tables it wrote whole.
func prettyTable(w io.Writer, res *result.Result, opts plugins.WriteOptions) {
	header := make([]string, len(res.Columns))
	widths := make([]int, len(res.Columns))
	for i, c := range res.Columns {
		header[i] = term.Text(c.Name)
		widths[i] = text.StringWidthWithoutEscSequences(header[i])
	}
	rows := make([][]string, len(res.Rows))
	for r, row := range res.Rows {
		rows[r] = make([]string, len(res.Columns))
		for i := range res.Columns {
			var s string
			if i < len(row) {
				s = term.Text(cell(row[i], res.Columns[i].Field != ""))
			}
			rows[r][i] = s
			widths[i] = max(widths[i], text.StringWidthWithoutEscSequences(s))
		}
	}
	limits := fitWidths(res.Columns, widths, opts.Width)
	t := table.NewWriter()
	t.SetOutputMirror(w)
	style := table.StyleLight
	style.Options.DrawBorder = false
	style.Options.SeparateColumns = true
	style.Format.Header = text.FormatDefault
	t.SetStyle(style)
	var configs []table.ColumnConfig
	hrow := make(table.Row, len(header))
	for i, c := range res.Columns {
		hrow[i] = term.Truncate(header[i], limits[i])
		cfg := table.ColumnConfig{Number: i + 1}
		if c.Kind == signin.KindInt || c.Kind == signin.KindFloat {
			cfg.Align, cfg.AlignHeader = text.AlignRight, text.AlignRight
		}
		configs = append(configs, cfg)
	}
	t.AppendHeader(hrow)
	t.SetColumnConfigs(configs)
	for _, row := range rows {
		r := make(table.Row, len(row))
		for i, s := range row {
			s = term.Truncate(s, limits[i])
			if opts.Color {
				s = term.Colorize(res.Columns[i].Field, s)
			}
			r[i] = s
		}
		t.AppendRow(r)
	}
	t.Render()
}

// randomTable makes a table of random columns (text, lists, numbers,
// fields and computed ones, status and risk for colour) and cells
// (empty, wide runes, spaces at either end, control characters, long
// text, negative and large numbers).
func randomTable(r *rand.Rand, rows int) *result.Result {
	res := &result.Result{}
	kinds := []signin.Kind{signin.KindString, signin.KindString, signin.KindList, signin.KindInt, signin.KindFloat, signin.KindBool, signin.KindTime}
	words := []string{"", " ", "a", "success", "failure", "interrupted", "high", "medium", "Azure Portal", "日本語のテキスト", "bob@日本.example",
		" leading", "trailing ", "tab\there", "line\nbreak", "esc\x1b[2Jape", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",
		"émoji 🙂 ok", strings.Repeat("x", 50)}
	for i := range 1 + r.IntN(8) {
		c := result.Column{Name: fmt.Sprintf("col%d", i), Kind: kinds[r.IntN(len(kinds))]}
		switch r.IntN(5) {
		case 0:
			c.Field = "status"
			c.Name = "status"
		case 1:
			c.Field = "risk"
		case 2:
			c.Field = "app"
		}
		if r.IntN(6) == 0 {
			c.Name = words[r.IntN(len(words))]
		}
		res.Columns = append(res.Columns, c)
	}
	for range rows {
		row := make([]result.Value, len(res.Columns))
		for i, c := range res.Columns {
			if r.IntN(10) == 0 {
				row[i] = result.Null(c.Kind)
				continue
			}
			switch c.Kind {
			case signin.KindString:
				row[i] = result.StringValue(words[r.IntN(len(words))])
			case signin.KindList:
				row[i] = result.ListValue([]string{words[r.IntN(len(words))], words[r.IntN(len(words))]})
			case signin.KindInt:
				row[i] = result.IntValue(r.Int64N(1<<40) - 1<<39)
			case signin.KindFloat:
				row[i] = result.FloatValue(r.NormFloat64() * 1e6)
			case signin.KindBool:
				row[i] = result.BoolValue(r.IntN(2) == 0)
			case signin.KindTime:
				row[i] = result.IntValue(r.Int64N(1 << 62)) // any integer: cell formats by kind
				row[i] = result.TimeValue(row[i].Time())
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res
}

// TestTableWriterAsGoPretty checks that the streaming table writer lays
// out the tables it writes whole (up to tableBatch rows) byte for byte
// as go-pretty did, for random tables, widths and colour. Replay a seed
// with -run 'TestTableWriterAsGoPretty/seed=N$'.
func TestTableWriterAsGoPretty(t *testing.T) {
	for seed := range uint64(300) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x7ab1e))
			res := randomTable(r, r.IntN(25))
			if seed%50 == 0 {
				res.Rows = res.Rows[:0] // the header alone
			}
			if len(res.Rows) == 1 && len(res.Columns) > 12 {
				return // written one column a line, not as a table
			}
			opts := plugins.WriteOptions{Width: []int{0, 0, 20, 40, 80, 200}[r.IntN(6)], Color: r.IntN(3) == 0}
			var want, got bytes.Buffer
			prettyTable(&want, res, opts)
			if err := plugins.WriteResult(tableWriter{}, &got, res, opts); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("width %d, colour %v: got\n%s\nwant (go-pretty)\n%s", opts.Width, opts.Color, got.String(), want.String())
			}
		})
	}
}

// TestTableWriterStreams writes more rows than the widths are measured
// on: the header and the first tableBatch rows are what go-pretty wrote
// for them alone, and a later cell wider than its column is written
// whole without a width to fit, or cut to the column with one.
func TestTableWriterStreams(t *testing.T) {
	cols := []result.Column{{Name: "user", Kind: signin.KindString, Field: "user"}, {Name: "count", Kind: signin.KindInt}}
	row := func(i int) []result.Value {
		user := fmt.Sprintf("u%04d@contoso.com", i)
		if i == tableBatch+5 {
			user = "a.much.longer.name.than.the.first.rows.had@contoso.com"
		}
		return []result.Value{result.StringValue(user), result.IntValue(int64(i) * 1000)}
	}
	all := &result.Result{Columns: cols}
	for i := range tableBatch + 10 {
		all.Rows = append(all.Rows, row(i))
	}
	first := &result.Result{Columns: cols, Rows: all.Rows[:tableBatch]}
	for _, tc := range []struct {
		width int
		late  string // the later wide row's line
	}{
		{0, " a.much.longer.name.than.the.first.rows.had@contoso.com │ 1,005,000 "},
		{80, " a.much.longer.na… │ 1,005,000 "},
	} {
		var got, head bytes.Buffer
		if err := plugins.WriteResult(tableWriter{}, &got, all, plugins.WriteOptions{Width: tc.width}); err != nil {
			t.Fatal(err)
		}
		prettyTable(&head, first, plugins.WriteOptions{Width: tc.width})
		if !strings.HasPrefix(got.String(), head.String()) {
			t.Errorf("width %d: the first rows differ from go-pretty's:\n%s", tc.width, got.String()[:min(got.Len(), 400)])
		}
		lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
		if len(lines) != 2+tableBatch+10 {
			t.Fatalf("width %d: %d lines", tc.width, len(lines))
		}
		if l := lines[2+tableBatch+5]; l != tc.late {
			t.Errorf("width %d: the later wide row is %q, want %q", tc.width, l, tc.late)
		}
		if l := lines[2+tableBatch+6]; l != " u1006@contoso.com │ 1,006,000 " {
			t.Errorf("width %d: the row after it is %q", tc.width, l)
		}
	}
}
