package format

import (
	"bufio"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/term"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

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
//
// Rows are written as they come, in memory that does not depend on their
// number: the columns' widths are those of the header and the first
// tableBatch rows, held until then. A later cell wider than its column
// is cut with "…" to the column's width when there is a width to fit
// (WriteOptions.Width > 0), and written whole otherwise, its line then
// running past the column (numbers are never cut).
type tableWriter struct{}

var _ plugins.Writer = tableWriter{}

// minCellWidth is the narrowest a text column is cut to: below it, a
// cell no longer says what it holds.
const minCellWidth = 8

// tableBatch is how many rows the table's column widths are measured on
// before rows are written.
const tableBatch = 1000

func (tableWriter) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "table", Kind: plugins.KindWriter,
		Help: "an aligned table: numbers right-aligned, counts with thousands separators, long cells cut to the terminal's width"}
}

func (tableWriter) Write(w io.Writer, cols []result.Column, rows iter.Seq2[[]result.Value, error], opts plugins.WriteOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	t := &tableOut{w: bw, cols: cols, opts: opts}
	var first [][]string // the first rows, as text
	var vertical []result.Value
	for row, err := range rows {
		if err != nil {
			// The rows before the error stand.
			if !t.started && len(first) > 0 {
				_ = t.start(first)
			}
			_ = bw.Flush()
			return err
		}
		if t.started {
			if err := t.row(t.text(row)); err != nil {
				return err
			}
			continue
		}
		if len(first) == 0 && len(cols) > 12 {
			vertical = slices.Clone(row)
		}
		first = append(first, t.text(row))
		if len(first) == tableBatch {
			if err := t.start(first); err != nil {
				return err
			}
			first = nil
		}
	}
	if !t.started {
		if len(first) == 1 && len(cols) > 12 {
			return writeVertical(w, cols, vertical, opts)
		}
		if err := t.start(first); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// tableOut is a table being written.
type tableOut struct {
	w       *bufio.Writer
	cols    []result.Column
	opts    plugins.WriteOptions
	started bool  // the header is written
	widths  []int // each column's width, in terminal cells
	limits  []int // the width a column's cells are cut to (0: not cut)
	line    []byte
	// cellWidths are the widths of the cells of the line written, but
	// for their colour.
	cellWidths []int
}

// textWidth is the width of text in terminal cells, without escape
// sequences (the colour's).
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			return text.StringWidthWithoutEscSequences(s)
		}
	}
	return len(s) // ASCII without escapes: one cell a byte
}

// text returns a row's cells as the table shows them, before any cut.
func (t *tableOut) text(row []result.Value) []string {
	out := make([]string, len(t.cols))
	for i := range t.cols {
		if i < len(row) {
			out[i] = term.Text(cell(row[i], t.cols[i].Field != ""))
		}
	}
	return out
}

// start measures the columns on the header and the first rows, cuts
// them to the width, and writes the header and those rows.
func (t *tableOut) start(first [][]string) error {
	t.started = true
	if len(t.cols) == 0 {
		return nil
	}
	header := make([]string, len(t.cols))
	natural := make([]int, len(t.cols))
	for i, c := range t.cols {
		header[i] = term.Text(c.Name)
		natural[i] = textWidth(header[i])
	}
	for _, r := range first {
		for i, s := range r {
			natural[i] = max(natural[i], textWidth(s))
		}
	}
	t.limits = fitWidths(t.cols, natural, t.opts.Width)
	// The widths of the cells as cut.
	t.widths = make([]int, len(t.cols))
	t.cellWidths = make([]int, len(t.cols))
	for i := range header {
		header[i] = term.Truncate(header[i], t.limits[i])
		t.widths[i] = textWidth(header[i])
		t.cellWidths[i] = t.widths[i]
	}
	for _, r := range first {
		for i, s := range r {
			t.widths[i] = max(t.widths[i], textWidth(term.Truncate(s, t.limits[i])))
		}
	}
	if err := t.write(header); err != nil {
		return err
	}
	t.line = t.line[:0]
	for i, w := range t.widths {
		if i > 0 {
			t.line = append(t.line, "┼"...)
		}
		for range w + 2 {
			t.line = append(t.line, "─"...)
		}
	}
	t.line = append(t.line, '\n')
	if _, err := t.w.Write(t.line); err != nil {
		return err
	}
	for _, r := range first {
		if err := t.row(r); err != nil {
			return err
		}
	}
	return nil
}

// row writes a row's cells: cut to their column's limit, or, when later
// than the first rows and wider than the column, to its width when there
// is a width to fit.
func (t *tableOut) row(cells []string) error {
	for i, s := range cells {
		limit := t.limits[i]
		if limit == 0 && t.opts.Width > 0 && cuttable(t.cols[i]) {
			limit = max(t.widths[i], minCellWidth)
		}
		s = term.Truncate(s, limit)
		t.cellWidths[i] = textWidth(s)
		if t.opts.Color {
			s = term.Colorize(t.cols[i].Field, s)
		}
		cells[i] = s
	}
	return t.write(cells)
}

// write writes one line of the table, of cells as wide as cellWidths
// says: each padded to its column's width (numbers on the left), a space
// either side, columns separated by "│".
func (t *tableOut) write(cells []string) error {
	t.line = t.line[:0]
	for i, s := range cells {
		if i > 0 {
			t.line = append(t.line, "│"...)
		}
		right := isNumberKind(t.cols[i].Kind)
		pad := max(t.widths[i]-t.cellWidths[i], 0)
		t.line = append(t.line, ' ')
		if right {
			t.line = appendSpaces(t.line, pad)
		}
		t.line = append(t.line, s...)
		if !right {
			t.line = appendSpaces(t.line, pad)
		}
		t.line = append(t.line, ' ')
	}
	t.line = append(t.line, '\n')
	_, err := t.w.Write(t.line)
	return err
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

func isNumberKind(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }

// cuttable reports whether a column's cells may be cut: text.
func cuttable(c result.Column) bool {
	return c.Kind == signin.KindString || c.Kind == signin.KindList
}

// fitWidths returns the width each column is cut to (0: not cut) so
// that a table of columns of the given natural widths fits in width
// terminal cells (no limit when width <= 0). Text columns are narrowed
// widest first, evenly, never below minCellWidth (nor below their
// natural width); other kinds are not cut.
func fitWidths(cols []result.Column, widths []int, width int) []int {
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
	cuttable := func(i int) bool { return cuttable(cols[i]) && cur[i] > minCellWidth }
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
func cell(v result.Value, field bool) string {
	if v.IsNull() {
		return ""
	}
	switch {
	case field:
	case v.Kind() == signin.KindInt:
		return humanize.Comma(v.Int())
	case v.Kind() == signin.KindFloat:
		return words.Float(v.Float(), 3)
	}
	return v.String()
}

// writeVertical writes one row as "column  value" lines, values cut to
// the width and coloured as the table's; empty values are left out.
func writeVertical(w io.Writer, cols []result.Column, row []result.Value, opts plugins.WriteOptions) error {
	width := 0
	for _, c := range cols {
		width = max(width, text.StringWidthWithoutEscSequences(term.Text(c.Name)))
	}
	limit := 0
	if opts.Width > 0 {
		limit = max(opts.Width-width-2, minCellWidth)
	}
	var b strings.Builder
	for i, c := range cols {
		if i >= len(row) {
			break
		}
		v := term.Text(cell(row[i], c.Field != ""))
		if v == "" {
			continue
		}
		v = term.Truncate(v, limit)
		if opts.Color {
			v = term.Colorize(c.Field, v)
		}
		name := term.Text(c.Name)
		b.WriteString(name)
		b.WriteString(strings.Repeat(" ", width-text.StringWidthWithoutEscSequences(name)+2))
		b.WriteString(v)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
