package plugins

import (
	"bufio"
	"encoding/csv"
	"io"
	"iter"

	"github.com/signinq/signinq/result"
)

func init() { Register(csvWriter{}) }

// csvWriter writes RFC 4180 CSV with a header row, each row as it
// comes, whatever their number.
type csvWriter struct{}

var _ Writer = csvWriter{}

func (csvWriter) Describe() Descriptor {
	return Descriptor{Name: "csv", Kind: KindWriter,
		Help: "CSV with a header row: lists joined by \", \", null as an empty cell"}
}

func (csvWriter) Write(w io.Writer, cols []result.Column, rows iter.Seq2[[]result.Value, error], _ WriteOptions) error {
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
