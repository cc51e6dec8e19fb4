package format

import (
	"bufio"
	"io"
	"iter"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// jsonWriter writes one JSON object per row, keyed by column: JSON
// lines, each written as its row comes, whatever their number.
type jsonWriter struct{}

var _ plugins.Writer = jsonWriter{}

func (jsonWriter) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "json", Kind: plugins.KindWriter,
		Help: "one JSON object per row, keyed by column: numbers as numbers, times as RFC 3339 strings, lists as arrays, null as null"}
}

func (jsonWriter) Write(w io.Writer, cols []result.Column, rows iter.Seq2[[]result.Value, error], _ plugins.WriteOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	for row, err := range rows {
		if err != nil {
			_ = bw.Flush() // the rows before the error stand
			return err
		}
		line = append(line[:0], '{')
		for i, c := range cols {
			line = jsonw.Key(line, c.Name)
			line = appendJSONValue(line, row[i])
		}
		line = append(line, '}', '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendJSONValue appends a value as JSON.
func appendJSONValue(dst []byte, v result.Value) []byte {
	if v.IsNull() {
		return append(dst, "null"...)
	}
	switch v.Kind() {
	case signin.KindInt:
		return jsonw.Int(dst, v.Int())
	case signin.KindFloat:
		return jsonw.Float(dst, v.Float())
	case signin.KindTime:
		return jsonw.Time(dst, v.Time())
	case signin.KindBool:
		return jsonw.Bool(dst, v.Bool())
	case signin.KindList:
		return jsonw.Strings(dst, v.List())
	case signin.KindDuration:
		return jsonw.String(dst, v.String()) // as the table writes it: "5m30s"
	}
	return jsonw.String(dst, v.Str())
}
