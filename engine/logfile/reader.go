package logfile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/words"
	"github.com/valyala/fastjson"
)

// Options configure reading. The zero value is ready to use.
type Options struct {
	// Type, when set, is the sign-in type of the portal's CSV downloads
	// of user sign-ins, which do not record whether they are interactive
	// or not: it overrides what their file names say. The service
	// principal and managed identity downloads are told by their
	// columns, which a Type they contradict does not override (a
	// Warning says so).
	Type *signin.Type
	// AssumeInteractive reads a portal CSV download of user sign-ins
	// whose type neither its file name nor Type says as interactive,
	// with a Warning, instead of refusing it (with ErrTypeUnknown).
	AssumeInteractive bool
	// Classifier turns error codes into statuses; nil classifies with
	// signin.DefaultInterruptCodes.
	Classifier *signin.Classifier
	// Workers is the number of goroutines decoding records; 0 means
	// GOMAXPROCS.
	Workers int
	// Stdin is what the path "-" reads; nil means os.Stdin.
	Stdin io.Reader
	// MaxRecordBytes bounds one record (a line, a JSON value, a CSV row,
	// in every format): a larger one is rejected with its position, its
	// first 64 KiB kept as its text, and reading goes on after it. It so
	// bounds the memory reading takes, with the 64 KiB formats are told
	// from (a CSV file's header must end within them). 0 means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// Format, when set, names the format every input is read in (one of
	// [Formats] or of Formats below, in any case), instead of telling it
	// by content. Records of another built-in format are then rejected,
	// and an input that is not in the format is refused whole. An
	// unknown name makes Scan return an error that lists the known ones.
	Format string
	// Formats are formats read besides the built-in ones. They are
	// sniffed before them, in order: the first whose Sniff accepts an
	// input reads it. Built-in formats in the list are ignored; another
	// format with a built-in format's name, or twice the same name,
	// makes Scan return an error.
	Formats []Format
}

// DefaultMaxRecordBytes is the largest record read when
// Options.MaxRecordBytes does not say: 64 MiB, far beyond any real
// sign-in (2 to 5 KB, a few hundred KB at most).
const DefaultMaxRecordBytes = 64 << 20

// Reject is a record that could not be read, or an input refused whole,
// or the end of an input that is cut short (errors.Is(reject,
// ErrTruncated)).
type Reject struct {
	Input     string // the input's name
	Line, Col int    // where the record (or the problem in it) is; 0 when unknown
	Reason    string
	// Raw is the rejected text: the line, the JSON value or the CSV row
	// as read (cut at 64 KiB). It is nil for a refused input.
	Raw []byte
	// Refused is set when the whole input was refused: it is not a
	// sign-in log, or it could not be read.
	Refused bool

	err error // a sentinel the reason stands for, if any
}

// Unwrap returns ErrNotSignInLog for inputs refused as not sign-in
// logs, and ErrTruncated for inputs cut short.
func (r *Reject) Unwrap() error { return r.err }

// Error formats the reject as "input:line:col: reason", leaving out what
// is unknown.
func (r *Reject) Error() string {
	var b strings.Builder
	b.WriteString(r.Input)
	if r.Line > 0 {
		fmt.Fprintf(&b, ":%d", r.Line)
		if r.Col > 0 {
			fmt.Fprintf(&b, ":%d", r.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(r.Reason)
	return b.String()
}

// understood lists the formats for a refusal message.
const understood = "signinq reads Azure Monitor diagnostic-settings exports " +
	`(JSON lines as in storage blobs, Event Hub {"records":[…]} payloads, single records), ` +
	`Microsoft Graph signIns responses ({"value":[…]}, v1.0 and beta) and the portal's JSON download, ` +
	"the Entra portal's CSV download, Log Analytics CSV exports of the sign-in tables, " +
	"and its own canonical JSON lines (signinq parse)"

// ErrNotSignInLog is what an input refused for not being a sign-in log
// wraps: errors.Is(reject, ErrNotSignInLog) tells such refusals from
// inputs that could not be read.
var ErrNotSignInLog = errors.New("not a sign-in log")

func refuse(name, reason string) *Reject {
	return &Reject{Input: name, Reason: reason, Refused: true}
}

// notSignInLog refuses an input that is not a sign-in log; also lists
// the formats read besides the built-in ones (see formatSet).
func notSignInLog(name, why, also string) *Reject {
	r := refuse(name, fmt.Sprintf("%v: %s; %s%s", ErrNotSignInLog, why, understood, also))
	r.err = ErrNotSignInLog
	return r
}

// A Warning is something the reader read past in an input: its sign-ins
// were read, but not all the input says could be taken as it is (a
// type assumed, fields lost before the file was written). Each is
// reported once per input.
type Warning struct {
	Input   string // the input's name
	Line    int    // where it was first seen; 0 for the input as a whole
	Message string
}

// Error formats the warning as "input:line: message", leaving out the
// line when unknown. A Warning is an error only so that [All] can yield
// it; it stops nothing.
func (w *Warning) Error() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.Input, w.Line, w.Message)
	}
	return w.Input + ": " + w.Message
}

// Batch is a run of consecutive records from one input, with the records
// rejected among them. The caller owns it and everything it holds.
type Batch struct {
	Input   string
	Records []signin.Record
	Rejects []*Reject
	// Warnings are about the input as a whole: a batch may hold only
	// warnings.
	Warnings []*Warning
	// Bytes is about how much of the input (after decompression) the
	// batch was read from, for progress reports: as Summary.Bytes counts
	// them, before UTF-16 is decoded.
	Bytes int64
}

// Summary counts what a scan read.
type Summary struct {
	Inputs  int // inputs opened
	Refused int // inputs refused whole: not sign-in logs, or unreadable
	// Truncated counts the inputs cut short (see ErrTruncated): their
	// records before the cut are read and counted as usual.
	Truncated int
	Bytes     int64 // bytes read, after decompression (before UTF-16 is decoded)
	Read      int64 // records met, accepted or rejected
	Accepted  int64
	Rejected  int64 // records rejected (refused inputs not included)
	Warnings  int   // warnings (see Warning)
	// Formats and Types count the accepted records.
	Formats map[signin.Format]int64
	Types   map[signin.Type]int64
}

// Clean reports whether nothing was rejected, refused or truncated.
func (s *Summary) Clean() bool { return s.Rejected == 0 && s.Refused == 0 && s.Truncated == 0 }

// String summarizes in one line, e.g. "read 82 records from 13 inputs
// (1.2 MB): 80 accepted, 2 rejected".
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %d %s from %d %s (%s): %d accepted, %d rejected",
		s.Read, words.Plural(s.Read, "record"), s.Inputs, words.Plural(s.Inputs, "input"), humanize.IBytes(uint64(s.Bytes)), s.Accepted, s.Rejected)
	if s.Refused > 0 {
		fmt.Fprintf(&b, "; %d %s refused", s.Refused, words.Plural(s.Refused, "input"))
	}
	if s.Truncated > 0 {
		fmt.Fprintf(&b, "; %d %s truncated", s.Truncated, words.Plural(s.Truncated, "input"))
	}
	if s.Warnings > 0 {
		fmt.Fprintf(&b, "; %d %s", s.Warnings, words.Plural(s.Warnings, "warning"))
	}
	return b.String()
}

func (s *Summary) add(b *Batch) {
	s.Read += int64(len(b.Records) + len(b.Rejects))
	s.Accepted += int64(len(b.Records))
	s.Warnings += len(b.Warnings)
	for _, r := range b.Rejects {
		switch {
		case r.Refused:
			s.Read--
			s.Refused++
		case r.err == ErrTruncated:
			s.Read--
			s.Truncated++
		default:
			s.Rejected++
		}
	}
	for i := range b.Records {
		s.Formats[b.Records[i].Format]++
		s.Types[b.Records[i].Type]++
	}
}

// Scan reads the inputs that paths name (see [Paths]) and calls fn with
// each batch of records, in input order: inputs in the order given, and
// records in the order they appear. Rejected records and refused inputs
// are reported in the batches and counted in the summary; reading goes
// on past them. fn is called from the goroutine that called Scan.
//
// Scan returns early, with the error, when fn returns an error or ctx is
// done, and at once when the Options' formats are wrong (see
// [Options.Format]). It never returns an error for bad input. It does not
// wait for a stream (standard input, a pipe) that has no more input yet:
// once ctx is done, the read is abandoned, and so are the records of a
// batch that read had not completed; the batches fn was given are whole.
func Scan(ctx context.Context, paths []string, opts Options, fn func(*Batch) error) (Summary, error) {
	sum := Summary{Formats: map[signin.Format]int64{}, Types: map[signin.Type]int64{}}
	if _, err := resolveFormats(&opts); err != nil {
		return sum, err
	}
	ins, refused := Paths(paths, opts.Stdin)
	for _, r := range refused {
		b := &Batch{Input: r.Input, Rejects: []*Reject{r}}
		sum.add(b)
		if err := fn(b); err != nil {
			return sum, err
		}
	}
	s, err := ScanInputs(ctx, ins, opts, fn)
	s.Refused += sum.Refused
	return s, err
}

// All returns the records of the inputs paths name, in order, as an
// iterator; rejects come as errors (*Reject) in their place, and
// warnings as errors (*Warning) before the records they are about. It
// is the simple form of [Scan].
func All(ctx context.Context, paths []string, opts Options) iter.Seq2[*signin.Record, error] {
	return func(yield func(*signin.Record, error) bool) {
		errStop := errors.New("stop")
		_, err := Scan(ctx, paths, opts, func(b *Batch) error {
			for _, w := range b.Warnings {
				if !yield(nil, w) {
					return errStop
				}
			}
			for i := range b.Records {
				if !yield(&b.Records[i], nil) {
					return errStop
				}
			}
			for _, r := range b.Rejects {
				if !yield(nil, r) {
					return errStop
				}
			}
			return nil
		})
		if err != nil && err != errStop {
			yield(nil, err)
		}
	}
}

// inputState is what the pipeline knows of one input.
type inputState struct {
	name      string
	format    signin.Format // for CSV; JSON records say their own
	hint      signin.Type
	hasHint   bool
	forceHint bool
	csv       *csvHeader
	// signIns is set when the input is known to be a sign-in log before
	// its records are read (a recognized CSV header, the canonical form),
	// so that no record can have it refused.
	signIns bool
	// canonical is set for JSON lines in signinq's canonical form.
	canonical bool
	// forced is the format the input was forced to be read in, if any;
	// want is the record format it accepts (0 for any).
	forced *Format
	want   signin.Format
	// ext is the format added from outside that reads the input, and
	// header its header line (set before the input's first job is sent).
	ext    *Format
	header []byte
	// also lists the extra formats for refusals (see formatSet).
	also string
	// widen is about how many bytes of the input each byte of its text
	// in UTF-8 was read from: 2 for UTF-16, else 1 (see Batch.Bytes).
	widen int64
	// Set by the emitter only.
	decided bool
	refused bool
	// lost gathers the jobs' lost fields, reported at the input's end.
	lost     map[string]int
	lostLine int
}

type jobKind uint8

const (
	jobLines jobKind = iota // JSON lines in data
	jobUnits                // JSON values at units' offsets in data
	jobRows                 // CSV rows
	jobExt                  // lines of a format added from outside (in.ext)
	jobNote                 // no records: warnings, or the end of the input
)

// verdict is what the first well-formed record of a job says of its input.
type verdict uint8

const (
	verdictNone verdict = iota
	verdictSignIn
	verdictNotSignIn
)

// A job is a run of one input's records, split off by the splitter,
// decoded by a worker and emitted in turn.
type job struct {
	in     *inputState
	kind   jobKind
	data   []byte
	line   int       // jobLines, jobExt: the line of data[0]
	lines  int       // jobLines, jobExt: the newlines in data, when the splitter counted them (else 0)
	units  []unitRef // jobUnits
	tail   []*Reject // problems that end the input, after the records
	refuse *Reject   // the input is refused
	// jobNote: warnings to report, and whether the input ends here.
	warnings []*Warning
	end      bool
	// lost counts, by field, the records of the job in which a field
	// held the text ConvertTo-Json leaves where it stopped (see
	// decoder.truncated); lostLine is the first such record's line.
	lost     map[string]int
	lostLine int

	done    chan struct{}
	batch   Batch
	verdict verdict
	why     string
	// part passes the emitter the batch of a job that grew large (see
	// worker.flush), before the job is done: the records and rejects in
	// memory stay bounded whatever an input holds (a million one-byte
	// broken lines are a million rejects).
	part chan *part
}

// part is a batch of a job still being decoded, with the verdict of its
// first well-formed record so far.
type part struct {
	batch   Batch
	verdict verdict
	why     string
}

type unitRef struct {
	off, n    int
	line, col int
	err       string
}

// ScanInputs is [Scan] over inputs already made.
func ScanInputs(ctx context.Context, inputs []Input, opts Options, fn func(*Batch) error) (Summary, error) {
	sum := Summary{Formats: map[signin.Format]int64{}, Types: map[signin.Type]int64{}}
	formats, err := resolveFormats(&opts)
	if err != nil {
		return sum, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = DefaultMaxRecordBytes
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	work := make(chan *job, workers)
	order := make(chan *job, 2*workers)
	var bytesRead int64
	var opened int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the splitter
		defer wg.Done()
		defer close(work)
		defer close(order)
		sp := splitter{ctx: ctx, opts: &opts, formats: formats, work: work, order: order}
		for _, in := range inputs {
			if ctx.Err() != nil {
				return
			}
			n, ok := sp.input(in)
			bytesRead += n
			if ok {
				opened++
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(ctx, &opts)
			for j := range work {
				w.run(j)
				close(j.done)
			}
		}()
	}

	emit := func(b *Batch) {
		if b == nil || err != nil {
			return
		}
		sum.add(b)
		if e := fn(b); e != nil {
			err = e
			cancel()
		}
	}
	for j := range order {
	wait:
		for {
			select {
			case p := <-j.part:
				if err == nil && ctx.Err() == nil {
					emit(settle(j, &p.batch, p.verdict, p.why, false))
				}
			case <-j.done:
				break wait
			case <-ctx.Done():
				break wait
			}
		}
		if err != nil || ctx.Err() != nil {
			if err == nil {
				err = ctx.Err()
			}
			cancel()
			continue // drain
		}
		emit(settle(j, &j.batch, j.verdict, j.why, true))
	}
	wg.Wait()
	if err == nil {
		err = parent.Err()
	}
	sum.Bytes = bytesRead
	sum.Inputs = opened
	return sum, err
}

// notSignIn refuses the input for not being a sign-in log, or not one in
// the format it was forced to be read in.
func (in *inputState) notSignIn(why string) *Reject {
	if in.forced != nil {
		return notInFormat(in.name, in.forced, why)
	}
	return notSignInLog(in.name, why, in.also)
}

// settle applies a batch of a decoded job (b: the job's last, when
// final, else a part of it) to its input and returns the batch to emit,
// or nil. An input whose first well-formed record is not a sign-in is
// refused whole.
func settle(j *job, b *Batch, v verdict, why string, final bool) *Batch {
	in := j.in
	if in.refused {
		return nil
	}
	if j.refuse != nil {
		in.refused = true
		return &Batch{Input: in.name, Rejects: []*Reject{j.refuse}}
	}
	if !final {
		return settleRecords(j, b, v, why)
	}
	for f, n := range j.lost {
		if in.lost == nil {
			in.lost, in.lostLine = map[string]int{}, j.lostLine
		}
		in.lost[f] += n
	}
	if j.kind == jobNote {
		ws := j.warnings
		if j.end && len(in.lost) > 0 {
			ws = append(ws, lostWarning(in.name, in.lostLine, in.lost))
		}
		if len(ws) == 0 {
			return nil
		}
		return &Batch{Input: in.name, Warnings: ws}
	}
	b.Bytes = int64(len(j.data)) * in.widen
	b.Rejects = append(b.Rejects, j.tail...)
	return settleRecords(j, b, v, why)
}

// settleRecords is settle for a batch of records and rejects.
func settleRecords(j *job, b *Batch, v verdict, why string) *Batch {
	in := j.in
	if !in.decided && !in.signIns {
		switch v {
		case verdictNotSignIn:
			in.refused = true
			return &Batch{Input: in.name, Rejects: []*Reject{in.notSignIn(why)}}
		case verdictSignIn:
			in.decided = true
		}
	}
	b.Input = in.name
	if len(b.Records) == 0 && len(b.Rejects) == 0 {
		return nil
	}
	return b
}

// splitter reads inputs and cuts them into jobs.
type splitter struct {
	ctx     context.Context
	opts    *Options
	formats *formatSet
	work    chan<- *job
	order   chan<- *job
	parser  fastjson.Parser // to recognize the canonical form
}

// send queues a job for a worker and for the emitter, in order; a
// jobNote only for the emitter.
func (s *splitter) send(j *job) bool {
	j.done = make(chan struct{})
	j.part = make(chan *part)
	if j.kind == jobNote {
		close(j.done)
		select {
		case s.order <- j:
			return true
		case <-s.ctx.Done():
			return false
		}
	}
	select {
	case s.order <- j:
	case <-s.ctx.Done():
		return false
	}
	select {
	case s.work <- j:
		return true
	case <-s.ctx.Done():
		close(j.done)
		return false
	}
}

const (
	jobBytes = 1 << 20 // about this much input per job
	jobRecs  = 1024    // and at most this many records
)

// input splits one input; it returns the bytes read and whether it could
// be opened. The input's last job marks its end.
func (s *splitter) input(in Input) (int64, bool) {
	st := &inputState{name: in.Name, also: s.formats.also, widen: 1}
	if in.skipped != "" {
		s.send(&job{in: st, kind: jobNote, warnings: []*Warning{{Input: in.Name, Message: in.skipped}}})
		return 0, false
	}
	st.hint, st.hasHint = typeFromName(in.Name)
	o, err := openInput(cancellable(s.ctx, in))
	if err != nil {
		s.send(&job{in: st, refuse: refuse(in.Name, err.Error())})
		return 0, false
	}
	defer o.closer.Close()
	defer s.send(&job{in: st, kind: jobNote, end: true})
	br, counter := o.br, o.counter
	if o.utf16 {
		st.widen = 2
	}
	kind := sniff(br)
	if kind == sniffEmpty {
		// An empty file holds no sign-ins and is no error.
		return counter.n, true
	}
	f := s.formats.forced
	if f == nil && len(s.formats.extra) > 0 {
		head, _ := br.Peek(bufSize)
		f = s.formats.sniffExtra(head)
	} else if f != nil {
		st.forced, st.want = f, f.want()
	}
	if f != nil && !f.Builtin() {
		st.ext = f
		s.extLines(st, br)
		return counter.n, true
	}
	if f != nil {
		s.forcedBuiltin(st, br, kind)
		return counter.n, true
	}
	switch kind {
	case sniffJSONLines:
		if head, _ := br.Peek(bufSize); len(head) > 0 {
			first, _, _ := bytes.Cut(bytes.TrimLeft(head, " \t\r\n"), newline)
			st.canonical = isCanonical(&s.parser, bytes.TrimSpace(first))
			st.signIns = st.canonical
		}
		s.lines(st, br, jobLines, 1)
	case sniffJSON:
		s.documents(st, br)
	case sniffCSV:
		s.csv(st, br)
	}
	return counter.n, true
}

// chunks reads an input in pieces for jobs: buf holds what was read and
// not yet sent (the beginning of a record, then what was read after it).
// Pieces start small and double up to jobBytes, so that small inputs (an
// hour's blob is often a few kilobytes) cost little. Jobs own the bytes
// sent, which are never written again: more reads on after them, into
// the same array while it has room.
type chunks struct {
	br    *bufio.Reader
	buf   []byte
	grow  int
	limit int // MaxRecordBytes
}

// bigRecord is the size past which a record being read is given room up
// to the record limit at once (see chunks.more): far beyond real
// sign-ins, so that only hostile or broken inputs pay for it.
const bigRecord = 8 << 20

func newChunks(br *bufio.Reader, limit int) *chunks {
	return &chunks{br: br, grow: bufSize, limit: limit}
}

// more reads the next piece after buf. At the end of the input it
// returns io.EOF or io.ErrUnexpectedEOF; another error stops the input.
func (c *chunks) more() error {
	want := c.grow
	c.grow = min(2*c.grow, jobBytes)
	if cap(c.buf)-len(c.buf) < want {
		size := max(len(c.buf)+want, 2*len(c.buf))
		if len(c.buf) >= bigRecord {
			// A record this long may well go on to the limit: room for
			// it at once, rather than copies of copies of it, which the
			// garbage collector lets pile up to several times its size.
			size = max(size, c.limit+jobBytes)
		}
		nb := make([]byte, len(c.buf), size)
		copy(nb, c.buf)
		c.buf = nb
	}
	n, err := io.ReadFull(c.br, c.buf[len(c.buf):len(c.buf)+want])
	c.buf = c.buf[:len(c.buf)+n]
	return err
}

// sent drops the first n bytes of buf, which a job now owns.
func (c *chunks) sent(n int) { c.buf = c.buf[n:] }

// lines splits lines, from line on, into jobs of whole lines of a kind
// (jobLines for JSON lines, jobExt). A line longer than MaxRecordBytes
// is rejected and skipped; what is held never grows far past that.
func (s *splitter) lines(st *inputState, br *bufio.Reader, kind jobKind, line int) {
	c := newChunks(br, s.opts.MaxRecordBytes)
	for s.ctx.Err() == nil {
		looked := len(c.buf) // it holds no line end
		err := c.more()
		buf := c.buf
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			// The input stops here: its whole lines are read, and the
			// line it stops in is the failure's.
			cut := bytes.LastIndexByte(buf, '\n') + 1
			if cut > 0 && !s.send(&job{in: st, kind: kind, data: buf[:cut], line: line}) {
				return
			}
			line += countLines(buf[:cut])
			s.send(&job{in: st, kind: kind, line: line, tail: []*Reject{readFailure(st.name, err, line, 1, buf[cut:])}})
			return
		}
		if err != nil { // the end
			if len(buf) > 0 {
				s.send(&job{in: st, kind: kind, data: buf, line: line})
			}
			return
		}
		if cut := bytes.LastIndexByte(buf[looked:], '\n'); cut >= 0 {
			data := buf[:looked+cut+1]
			n := countLines(data)
			if !s.send(&job{in: st, kind: kind, data: data, line: line, lines: n}) {
				return
			}
			line += n
			c.sent(len(data))
			continue
		}
		if len(buf) <= c.limit {
			continue
		}
		j := &job{in: st, kind: kind, line: line}
		j.tail = []*Reject{{Input: st.name, Line: line, Col: 1, Raw: clip(buf),
			Reason: fmt.Sprintf("a line longer than %d bytes", c.limit)}}
		if !s.send(j) {
			return
		}
		if err := skipLine(br); err != nil {
			if err != io.EOF {
				s.send(&job{in: st, kind: kind, line: line, tail: []*Reject{readFailure(st.name, err, line, 0, nil)}})
			}
			return
		}
		line++
		c.buf = nil
	}
}

// skipLine discards input up to and including the next newline; it
// returns io.EOF at the end of the input, or the error that stopped the
// reading.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// documents splits JSON documents into jobs of values.
func (s *splitter) documents(st *inputState, br *bufio.Reader) {
	sc := newJSONScanner(br, s.opts.MaxRecordBytes)
	newJob := func() *job { return &job{in: st, kind: jobUnits, data: make([]byte, 0, jobBytes+jobBytes/8)} }
	j := newJob()
	for s.ctx.Err() == nil {
		u, err := sc.next()
		if err != nil {
			if se, ok := err.(*scanError); ok {
				if se.err != nil { // the reading failed, or the input is cut short
					var partial []byte
					if se.inValue {
						partial = se.raw
					}
					j.tail = append(j.tail, readFailure(st.name, se.err, se.line, se.col, partial))
				} else {
					j.tail = append(j.tail, &Reject{Input: st.name, Line: se.line, Col: se.col, Reason: "invalid JSON: " + se.msg, Raw: se.raw})
				}
			}
			if len(j.units) > 0 || len(j.tail) > 0 {
				s.send(j)
			}
			return
		}
		j.units = append(j.units, unitRef{off: len(j.data), n: len(u.raw), line: u.line, col: u.col, err: u.err})
		j.data = append(j.data, u.raw...)
		if len(j.data) >= jobBytes || len(j.units) >= jobRecs {
			if !s.send(j) {
				return
			}
			j = newJob()
		}
	}
}

func countLines(b []byte) int { return bytes.Count(b, newline) }

// recordRoom is how many records to make room for in a job of lines: one
// a line, as the splitter counted them, up to flushItems.
func (j *job) recordRoom() int {
	n := j.lines
	if n == 0 {
		n = countLines(j.data)
	}
	return min(n+1, flushItems)
}

var newline = []byte{'\n'}

// lostWarning reports the fields of an input that held, in some records,
// the text Windows PowerShell's ConvertTo-Json writes where it stops at
// its -Depth (see decoder.truncated), with how many records lost each.
func lostWarning(input string, line int, lost map[string]int) *Warning {
	fields := make([]string, 0, len(lost))
	for f := range lost {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for i, f := range fields {
		fields[i] = fmt.Sprintf("%s (%d %s)", f, lost[f], words.Plural(lost[f], "record"))
	}
	return &Warning{Input: input, Line: line, Message: `fields lost when the file was written, which hold text such as "System.Collections.Hashtable" or "@{…}" ` +
		"where ConvertTo-Json stopped at its -Depth (2 by default): " + strings.Join(fields, ", ") +
		"; the rest of each record was read. Export again with ConvertTo-Json -Depth 10 to keep them"}
}
