package plugins

import (
	"encoding/csv"
	"io"

	"github.com/signinq/signinq/engine"
)

func init() { Register(csvWriter{}) }

// csvWriter writes RFC 4180 CSV with a header row.
type csvWriter struct{}

var _ Writer = csvWriter{}

func (csvWriter) Describe() Descriptor {
	return Descriptor{Name: "csv", Kind: KindWriter,
		Help: "CSV with a header row: lists joined by \", \", null as an empty cell"}
}

func (csvWriter) Write(w io.Writer, res *engine.Result, _ WriteOptions) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		rec[i] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range res.Rows {
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
