package logfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/signinq/signinq/engine/signin"
	"github.com/valyala/fastjson"
)

// worker decodes jobs. Each decoding goroutine has one.
type worker struct {
	ctx      context.Context
	d        *decoder
	j        *job
	maxBytes int
}

func newWorker(ctx context.Context, opts *Options) *worker {
	return &worker{ctx: ctx, d: newDecoder(opts.Classifier), maxBytes: opts.MaxRecordBytes}
}

// flushItems is how many records and rejects a job's batch holds before
// the worker hands them to the emitter (see job.part) and goes on.
const flushItems = 4096

// flush hands the job's batch so far to the emitter, once it holds
// flushItems records and rejects, and waits for the emitter to take it.
// It gives up when the scan is stopped. It is called between records,
// never while one is being decoded (which points into the batch).
func (w *worker) flush() {
	j := w.j
	b := &j.batch
	if len(b.Records)+len(b.Rejects) < flushItems {
		return
	}
	p := &part{batch: Batch{Rejects: b.Rejects}, verdict: j.verdict, why: j.why}
	if len(b.Records) > 0 {
		p.batch.Records = b.Records
		b.Records = nil // the emitter's now; append makes another
	}
	select {
	case j.part <- p:
	case <-w.ctx.Done():
	}
	b.Rejects = nil
}

func (w *worker) run(j *job) {
	if j.refuse != nil {
		return
	}
	w.j = j
	switch j.kind {
	case jobLines:
		j.batch.Records = make([]signin.Record, 0, j.recordRoom())
		w.lines()
	case jobUnits:
		j.batch.Records = make([]signin.Record, 0, min(len(j.units), flushItems))
		for _, u := range j.units {
			if u.err != "" {
				w.reject(u.line, u.col, u.err, j.data[u.off:u.off+u.n])
			} else {
				w.json(j.data[u.off:u.off+u.n:u.off+u.n], u.line, u.col, false)
			}
			w.flush()
		}
	case jobRows:
		j.batch.Records = make([]signin.Record, 0, j.recordRoom())
		w.rows()
	case jobExt:
		w.extLines()
	case jobNote: // the emitter's alone
	}
	w.j = nil
}

// lines decodes a job of JSON lines.
func (w *worker) lines() {
	data, line := w.j.data, w.j.line
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i:i], data[i+1:]
		} else {
			data = nil
		}
		trimmed := bytes.TrimLeft(l, " \t")
		col := 1 + len(l) - len(trimmed)
		switch trimmed = bytes.TrimRight(trimmed, " \t\r"); {
		case len(trimmed) > w.maxBytes:
			w.reject(line, col, fmt.Sprintf("a line longer than %d bytes", w.maxBytes), trimmed)
		case len(trimmed) > 0:
			w.json(trimmed, line, col, true)
		}
		w.flush()
		line++
	}
}

// noteLost counts the fields the record just decoded lost (see
// decoder.truncated) in the job's tally.
func (w *worker) noteLost(line int) {
	if len(w.d.lost) == 0 {
		return
	}
	j := w.j
	if j.lost == nil {
		j.lost, j.lostLine = map[string]int{}, line
	}
	for _, f := range w.d.lost {
		j.lost[f]++
	}
}

func (w *worker) reject(line, col int, reason string, raw []byte) {
	w.j.batch.Rejects = append(w.j.batch.Rejects, &Reject{Input: w.j.in.name, Line: line, Col: col, Reason: reason, Raw: clip(raw)})
}

// observe notes the verdict of the job's first well-formed record.
func (w *worker) observe(o outcome, why string) {
	if w.j.verdict != verdictNone {
		return
	}
	switch o {
	case outOK, outMalformed:
		w.j.verdict = verdictSignIn
	case outNotSignIn:
		w.j.verdict, w.j.why = verdictNotSignIn, why
	}
}

// json decodes one JSON value starting at line:col. raw must stay valid
// and unchanged: records keep it. A line may also hold a whole Event Hub
// payload ({"records":[…]}).
func (w *worker) json(raw []byte, line, col int, isLine bool) {
	if isLine && wrapper(raw) {
		w.wrapped(raw, line, col)
		return
	}
	v, err := w.d.p.ParseBytes(raw)
	if err != nil {
		l, c, msg := syntaxError(raw, line, col, err)
		w.reject(l, c, msg, raw)
		return
	}
	w.object(v, raw, line, col)
}

// wrapper reports whether a JSON line may be a wrapper ({"records":[…]}
// as Event Hub sends, {"value":[…]} or {"@odata.context":…,"value":[…]}
// as Graph does): whether its first key is one of those.
func wrapper(line []byte) bool {
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	rest := bytes.TrimLeft(line[1:], " \t")
	return bytes.HasPrefix(rest, []byte(`"records"`)) || bytes.HasPrefix(rest, []byte(`"value"`)) || bytes.HasPrefix(rest, []byte(`"@`))
}

// wrapped decodes the records of a wrapper line starting at line:col,
// each from its own bytes. A line that turns out not to be a wrapper is
// one record.
func (w *worker) wrapped(raw []byte, line, col int) {
	sc := newBytesScanner(raw)
	for {
		u, err := sc.next()
		if err == io.EOF {
			return
		}
		if se, ok := err.(*scanError); ok {
			w.reject(line, col+se.col-1, "invalid JSON: "+se.msg, raw)
			return
		}
		if u.err != "" {
			w.reject(line, col+u.col-1, u.err, u.raw)
		} else {
			w.json(u.raw, line, col+u.col-1, false)
		}
		w.flush()
	}
}

// object decodes a JSON object into a record.
func (w *worker) object(v *fastjson.Value, raw []byte, line, col int) {
	if v.Type() != fastjson.TypeObject {
		w.reject(line, col, fmt.Sprintf("expected a JSON object, found %s", v.Type()), raw)
		return
	}
	b := &w.j.batch
	b.Records = append(b.Records, signin.Record{})
	rec := &b.Records[len(b.Records)-1]
	d := w.d
	d.begin(rec)
	var out outcome
	var why string
	if w.j.in.canonical {
		d.fields("", v, canonicalTable)
		out, why = d.finishCanonical()
	} else {
		d.env.hint, d.env.hasHint = w.j.in.hint, w.j.in.hasHint
		d.fields("", v, topTable)
		out, why = d.finish()
	}
	w.observe(out, why)
	if out == outOK {
		w.noteLost(line)
	}
	if out != outOK {
		b.Records = b.Records[:len(b.Records)-1]
		if out == outNotSignIn {
			why = "not a sign-in record: " + why
		}
		w.reject(line, col, why, raw)
		return
	}
	switch {
	case w.j.in.canonical:
		rec.Format = signin.FormatCanonical
		if rec.Raw == nil {
			rec.Raw = raw
		}
		return
	case d.env.hasCategory || d.env.properties || !d.env.time.IsZero():
		rec.Format = signin.FormatDiag
	default:
		rec.Format = signin.FormatGraph
	}
	rec.Raw = raw
	if want := w.j.in.want; want != signin.FormatUnknown && rec.Format != want {
		b.Records = b.Records[:len(b.Records)-1]
		w.reject(line, col, fmt.Sprintf("a %s record, not %s, the format it was asked to be read in", rec.Format, w.j.in.forced.Name), raw)
	}
}

// syntaxError locates a JSON syntax error in a value that starts at
// line:col. encoding/json reports the offset; fastjson, which found the
// error, does not.
func syntaxError(raw []byte, line, col int, fastErr error) (int, int, string) {
	var x struct{}
	var se *json.SyntaxError
	if err := json.Unmarshal(raw, &x); !errors.As(err, &se) {
		return line, col, "invalid JSON: " + fastErr.Error()
	}
	off := int(se.Offset)
	if off >= len(raw) {
		l, c := advance(raw, len(raw), line, col)
		return l, c, "invalid JSON: unexpected end of input (the record is cut short)"
	}
	if off > 0 {
		off-- // Offset counts the offending byte
	}
	l, c := advance(raw, off, line, col)
	return l, c, "invalid JSON: " + se.Error()
}

// advance returns the position of raw[off] for raw starting at line:col.
func advance(raw []byte, off, line, col int) (int, int) {
	if off > len(raw) {
		off = len(raw)
	}
	head := raw[:off]
	if n := bytes.Count(head, newline); n > 0 {
		return line + n, off - bytes.LastIndexByte(head, '\n')
	}
	return line, col + off
}
