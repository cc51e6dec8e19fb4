package plugins

import (
	"io"
	"slices"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

func init() { Register(tableWriter{}) }

// tableWriter writes an aligned table for people on a terminal:
//
//   - a header, then one line a row; columns separated by "│";
//   - numbers right-aligned, computed ones (counts, sums, averages) with
//     thousands separators, a catalog field's (error codes, ASNs) as they
//     are;
//   - with WriteOptions.Width > 0, long cells cut with "…" so that each
//     line fits the width: the widest text columns are narrowed first,
//     none below minCellWidth, numbers and times never (a table of many
//     narrow columns may then still be wider than the terminal);
//   - with WriteOptions.Color, values of status (success green, failure
//     red, interrupted yellow), of risk and riskAggregated (high red,
//     medium yellow, low cyan) and of riskState (atRisk yellow,
//     confirmedCompromised red) coloured with ANSI codes; other values
//     plain. Widths are counted in terminal cells, ignoring those codes;
//   - control characters of the data (an escape sequence in a user agent)
//     never reach the terminal: tabs and line breaks become spaces, the
//     others U+FFFD;
//   - a single row of more than 12 columns is written one column a line.
type tableWriter struct{}

var _ Writer = tableWriter{}

// minCellWidth is the narrowest a text column is cut to: below it, a
// cell no longer says what it holds.
const minCellWidth = 8

func (tableWriter) Describe() Descriptor {
	return Descriptor{Name: "table", Kind: KindWriter,
		Help: "an aligned table: numbers right-aligned, counts with thousands separators, long cells cut to the terminal's width"}
}

func (tableWriter) Write(w io.Writer, res *engine.Result, opts WriteOptions) error {
	if len(res.Rows) == 1 && len(res.Columns) > 12 {
		return writeVertical(w, res, opts)
	}
	// The cells as text, then the widths they need, then the cuts.
	header := make([]string, len(res.Columns))
	widths := make([]int, len(res.Columns))
	for i, c := range res.Columns {
		header[i] = TerminalText(c.Name)
		widths[i] = text.StringWidthWithoutEscSequences(header[i])
	}
	rows := make([][]string, len(res.Rows))
	for r, row := range res.Rows {
		rows[r] = make([]string, len(res.Columns))
		for i := range res.Columns {
			var s string
			if i < len(row) {
				s = TerminalText(cell(row[i], res.Columns[i].Field != ""))
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
		hrow[i] = Truncate(header[i], limits[i])
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
			s = Truncate(s, limits[i])
			if opts.Color {
				s = colorize(res.Columns[i].Field, s)
			}
			r[i] = s
		}
		t.AppendRow(r)
	}
	t.Render()
	return nil
}

// fitWidths returns the width each column is cut to (0: not cut) so
// that a table of columns of the given natural widths fits in width
// terminal cells (no limit when width <= 0). Text columns are narrowed
// widest first, evenly, never below minCellWidth (nor below their
// natural width); other kinds are not cut.
func fitWidths(cols []engine.ResultColumn, widths []int, width int) []int {
	limits := make([]int, len(widths))
	if width <= 0 || len(widths) == 0 {
		return limits
	}
	cur := slices.Clone(widths)
	// NB: each column takes a space either side, and columns are
	// separated by one "│": the light style without a border.
	total := 3*len(cur) - 1
	for _, w := range cur {
		total += w
	}
	cuttable := func(i int) bool {
		k := cols[i].Kind
		return (k == signin.KindString || k == signin.KindList) && cur[i] > minCellWidth
	}
	for total > width {
		// The widest cuttable columns, and the width of the next ones.
		widest, next := 0, minCellWidth
		for i, w := range cur {
			if cuttable(i) {
				widest = max(widest, w)
			}
		}
		if widest == 0 {
			break // nothing left to cut
		}
		var at []int
		for i, w := range cur {
			if !cuttable(i) {
				continue
			}
			if w == widest {
				at = append(at, i)
			} else {
				next = max(next, w)
			}
		}
		// Cut them all down to next, or by what is left to cut,
		// shared among them (rounded up).
		cut := min(widest-next, (total-width+len(at)-1)/len(at))
		for _, i := range at {
			cur[i] -= cut
			total -= cut
			limits[i] = cur[i]
		}
	}
	return limits
}

// cell formats a value for the table: computed numbers with thousands
// separators, a field's as they are (error codes, ASNs), null as empty.
func cell(v engine.Value, field bool) string {
	if v.IsNull() {
		return ""
	}
	switch {
	case field:
	case v.Kind() == signin.KindInt:
		return humanize.Comma(v.Int())
	case v.Kind() == signin.KindFloat:
		return humanize.CommafWithDigits(v.Float(), 3)
	}
	return v.String()
}

// writeVertical writes one row as "column  value" lines, values cut to
// the width and coloured as the table's; empty values are left out.
func writeVertical(w io.Writer, res *engine.Result, opts WriteOptions) error {
	width := 0
	for _, c := range res.Columns {
		width = max(width, text.StringWidthWithoutEscSequences(TerminalText(c.Name)))
	}
	limit := 0
	if opts.Width > 0 {
		limit = max(opts.Width-width-2, minCellWidth)
	}
	var b strings.Builder
	for i, c := range res.Columns {
		if i >= len(res.Rows[0]) {
			break
		}
		v := TerminalText(cell(res.Rows[0][i], c.Field != ""))
		if v == "" {
			continue
		}
		v = Truncate(v, limit)
		if opts.Color {
			v = colorize(c.Field, v)
		}
		name := TerminalText(c.Name)
		b.WriteString(name)
		b.WriteString(strings.Repeat(" ", width-text.StringWidthWithoutEscSequences(name)+2))
		b.WriteString(v)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
