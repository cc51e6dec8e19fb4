package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// Answer is a query's answer as a Client reads it back: the rows as
// values, what a query run on the store itself gives.
type Answer struct {
	// Columns are the rows' columns; none for explain, define and
	// undefine.
	Columns []result.Column
	// Plan is what explain and explain analyze answer (Rows yields none).
	Plan *string
	// Saved is what define and undefine did (Rows yields none).
	Saved *Saved
	// Signins says the rows are sign-ins (a list without stages), not
	// groups or a stage's rows (the Signinq-Rows header).
	Signins bool

	notes []result.Note
	body  io.ReadCloser
	resp  *http.Response
}

// Rows yields the answer's rows as they come, then the error that ended
// them, if any (an *Error, or one of reading them). It may be ranged over
// once.
func (a *Answer) Rows() iter.Seq2[[]result.Value, error] {
	return func(yield func([]result.Value, error) bool) {
		if a.body == nil {
			return
		}
		r := bufio.NewReaderSize(a.body, 64<<10)
		for {
			line, err := r.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				row, derr := DecodeRow(a.Columns, line)
				if derr != nil {
					yield(nil, derr)
					return
				}
				if !yield(row, nil) {
					return
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				yield(nil, fmt.Errorf("%w: %v", ErrNoHolder, err))
				return
			}
		}
		// The trailers come with the body's end.
		if s := a.resp.Trailer.Get(TrailerError); s != "" {
			var e Error
			if err := json.Unmarshal([]byte(s), &e); err != nil {
				yield(nil, fmt.Errorf("%w: the %s trailer: %v", ErrDecode, TrailerError, err))
				return
			}
			yield(nil, &e)
			return
		}
		if s := a.resp.Trailer.Get(TrailerNotes); s != "" {
			var notes []Note
			if err := json.Unmarshal([]byte(s), &notes); err != nil {
				yield(nil, fmt.Errorf("%w: the %s trailer: %v", ErrDecode, TrailerNotes, err))
				return
			}
			a.notes = ResultNotes(notes)
		}
	}
}

// Notes are the answer's notes: those of a streamed answer once its rows
// are all read.
func (a *Answer) Notes() []result.Note { return a.notes }

// Close ends the answer; a query still running on the holder is
// cancelled.
func (a *Answer) Close() error {
	if a.body != nil {
		return a.body.Close()
	}
	return nil
}

// Query runs a statement on the holder's store: the request's format is
// ndjson, whatever it says, read back into values. An error the holder
// answers is an *Error, with the kind, position and caret the holder
// gave (and its Status); cancelling ctx cancels the query.
func (c *Client) Query(ctx context.Context, q QueryRequest) (*Answer, error) {
	q.Format = FormatNDJSON
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://signinq/v1/query", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("TE", "trailers") // a late error comes in a trailer
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	a := &Answer{resp: resp}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" {
		// explain, define and undefine: one document.
		defer resp.Body.Close()
		var qa queryAnswer
		if err := json.NewDecoder(resp.Body).Decode(&qa); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDecode, err)
		}
		a.Plan, a.Saved, a.notes = qa.Plan, qa.Saved, ResultNotes(qa.Notes)
		return a, nil
	}
	var cols []Column
	if err := json.Unmarshal([]byte(resp.Header.Get(HeaderColumns)), &cols); err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: the %s header: %v", ErrDecode, HeaderColumns, err)
	}
	if a.Columns, err = ResultColumns(cols); err != nil {
		resp.Body.Close()
		return nil, err
	}
	a.body = resp.Body
	a.Signins = resp.Header.Get(HeaderRows) == RowsSignins
	return a, nil
}

// Stats is what GET /v1/stats answers of the holder's store.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://signinq/v1/stats", nil)
	if err != nil {
		return st, err
	}
	resp, err := c.do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	return st, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Engine reads back the statistics as the store's own: for every store's
// statistics st, statsOf(&st).Engine() is st.
func (s Stats) Engine() (engine.Stats, error) {
	st := engine.Stats{Rows: s.Rows, Parts: s.Parts, RawSize: s.RawSize,
		ColumnBytes: s.Bytes.Columns, DictBytes: s.Bytes.Dictionaries, BitmapBytes: s.Bytes.Bitmaps,
		IDBytes: s.Bytes.IDIndex, RawBytes: s.Bytes.Raw, DiskBytes: s.Bytes.Directory}
	types := func(m map[string]int64, into []int64) error {
		for name, n := range m {
			t, ok := signin.ParseType(name)
			if !ok || int(t) >= len(into) {
				return fmt.Errorf("%w: sign-in type %q", ErrDecode, name)
			}
			into[t] = n
		}
		return nil
	}
	if err := types(s.Types, st.Types[:]); err != nil {
		return st, err
	}
	for _, d := range s.Days {
		day, err := time.Parse(time.DateOnly, d.Day)
		if err != nil {
			return st, fmt.Errorf("%w: day %q", ErrDecode, d.Day)
		}
		ds := engine.DayStats{Day: day, Rows: d.Rows, Parts: d.Parts, First: d.First, Last: d.Last}
		if err := types(d.Types, ds.Types[:]); err != nil {
			return st, err
		}
		st.Days = append(st.Days, ds)
	}
	return st, nil
}
