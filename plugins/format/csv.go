package format

import (
	"bufio"
	"encoding/csv"
	"io"
	"iter"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// csvWriter writes RFC 4180 CSV with a header row, each row as it
// comes, whatever their number.
type csvWriter struct{}

var _ plugins.Writer = csvWriter{}

func (csvWriter) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "csv", Kind: plugins.KindWriter,
		Help: "CSV with a header row: lists joined by \", \", null as an empty cell"}
}

func (csvWriter) Write(w io.Writer, cols []result.Column, rows iter.Seq2[[]result.Value, error], _ plugins.WriteOptions) error {
	cw := csv.NewWriter(bufio.NewWriterSize(w, 64<<10))
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for row, err := range rows {
		if err != nil {
			cw.Flush() // the rows before the error stand
			return err
		}
		for i, v := range row {
			rec[i] = v.String()
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
