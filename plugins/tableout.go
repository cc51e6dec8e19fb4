package plugins

import (
	"io"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

func init() { Register(tableWriter{}) }

// tableWriter writes an aligned table for people: a header, numbers
// right-aligned, computed ones with thousands separators (a field's, such
// as error codes, as they are), long cells cut to fit the
// terminal; a single row of many columns is written one column a line.
type tableWriter struct{}

var _ Writer = tableWriter{}

func (tableWriter) Describe() Descriptor {
	return Descriptor{Name: "table", Kind: KindWriter,
		Help: "an aligned table: numbers right-aligned, counts with thousands separators, long cells cut to the terminal's width"}
}

func (tableWriter) Write(w io.Writer, res *engine.Result, opts WriteOptions) error {
	if len(res.Rows) == 1 && len(res.Columns) > 12 {
		return writeVertical(w, res, opts)
	}
	t := table.NewWriter()
	t.SetOutputMirror(w)
	style := table.StyleLight
	style.Options.DrawBorder = false
	style.Options.SeparateColumns = true
	style.Format.Header = text.FormatDefault
	t.SetStyle(style)
	var header table.Row
	var configs []table.ColumnConfig
	for i, c := range res.Columns {
		header = append(header, c.Name)
		cfg := table.ColumnConfig{Number: i + 1}
		if c.Kind == signin.KindInt || c.Kind == signin.KindFloat {
			cfg.Align, cfg.AlignHeader = text.AlignRight, text.AlignRight
		}
		if opts.Width > 0 {
			cfg.WidthMax = max(opts.Width/max(len(res.Columns), 1), 12)
			cfg.WidthMaxEnforcer = text.Trim
		}
		configs = append(configs, cfg)
	}
	t.AppendHeader(header)
	t.SetColumnConfigs(configs)
	for _, row := range res.Rows {
		r := make(table.Row, len(row))
		for i, v := range row {
			r[i] = cell(v, res.Columns[i].Field != "")
		}
		t.AppendRow(r)
	}
	t.Render()
	return nil
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

// writeVertical writes one row as "column  value" lines.
func writeVertical(w io.Writer, res *engine.Result, opts WriteOptions) error {
	width := 0
	for _, c := range res.Columns {
		width = max(width, len(c.Name))
	}
	var b strings.Builder
	for i, c := range res.Columns {
		v := cell(res.Rows[0][i], res.Columns[i].Field != "")
		if v == "" {
			continue
		}
		b.WriteString(c.Name)
		b.WriteString(strings.Repeat(" ", width-len(c.Name)+2))
		b.WriteString(v)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
