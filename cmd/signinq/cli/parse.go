package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
)

type parseCmd struct {
	Files          []string `arg:"" name:"file" help:"Files, directories (read recursively, following links) or - for standard input. Gzipped files are read as they are."`
	Format         string   `placeholder:"NAME" help:"Read every input in this format instead of telling it by content: diag, eventhub, graph, portal-csv, la-csv, canonical, or another reader (signinq plugins --kind reader)."`
	Type           string   `placeholder:"TYPE" help:"The sign-in type of portal CSV downloads of user sign-ins, whose columns do not say whether they are interactive or nonInteractive; overrides the type the file name implies. A download whose type neither its name (InteractiveSignIns_…, NonInteractiveSignIns_…) nor --type says is read as interactive, with a warning."`
	Rejects        string   `placeholder:"FILE" help:"Write each rejected record, with its position and reason, to FILE as JSON lines (not an input, nor in an input directory)."`
	Raw            bool     `help:"Add each record's original form, as \"raw\"."`
	InterruptCodes []int64  `name:"interrupt-codes" sep:"," placeholder:"CODES" help:"Error codes that count as interrupted rather than failed, replacing the default list (see docs/fields.md)."`
	Workers        int      `default:"0" help:"Goroutines decoding records (0: one per CPU)."`
	Quiet          bool     `short:"q" help:"Print no summary."`
}

// maxShown bounds the rejects printed on standard error.
const maxShown = 20

func (c *parseCmd) Run(e *env) error {
	opts, err := readOptions(c.Format, c.Type, c.InterruptCodes, c.Workers)
	if err != nil {
		return err
	}
	opts.Stdin = e.stdin
	// parse shows what a file holds: a download whose type nothing says
	// is read as interactive, with a warning, where ingest refuses it.
	opts.AssumeInteractive = true
	if err := checkOutputs(e, c.Files, flagPath{"--rejects", c.Rejects}); err != nil {
		return err
	}
	var rejects *rejectWriter
	if c.Rejects != "" {
		if rejects, err = createRejects(c.Rejects); err != nil {
			return err
		}
	}
	out := bufio.NewWriterSize(e.stdout, 1<<20)
	var buf []byte
	shown := 0
	sum, err := logfile.Scan(e.ctx, c.Files, opts, func(b *logfile.Batch) error {
		for _, w := range b.Warnings {
			fmt.Fprintf(e.stderr, "signinq: warning: %v\n", w)
		}
		for i := range b.Records {
			buf = appendRecord(buf[:0], &b.Records[i], c.Raw)
			if _, err := out.Write(buf); err != nil {
				return err
			}
		}
		for _, r := range b.Rejects {
			if shown < maxShown {
				fmt.Fprintf(e.stderr, "signinq: %v\n", r)
			}
			shown++
			if rejects != nil {
				if err := rejects.write(r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if rejects != nil {
		if cerr := rejects.close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	if shown > maxShown {
		fmt.Fprintf(e.stderr, "signinq: … and %d more rejected%s\n", shown-maxShown, rejectsHint(c.Rejects))
	}
	if !c.Quiet {
		fmt.Fprintf(e.stderr, "signinq: %s\n", sum.String())
	}
	if !sum.Clean() {
		return errRejected
	}
	return nil
}

func rejectsHint(file string) string {
	if file != "" {
		return " (all are in " + file + ")"
	}
	return " (--rejects FILE keeps them all)"
}

// readOptions turns the reading flags into logfile.Options. The input
// formats are the default registry's readers: format, when set, names
// the one every input is read in, and the readers logfile does not have
// built in are sniffed too.
func readOptions(format, typ string, interrupt []int64, workers int) (logfile.Options, error) {
	opts := logfile.Options{Workers: workers, Formats: plugins.ExtraFormats(standard.Registry())}
	if format != "" {
		r, err := plugins.LookupReader(standard.Registry(), format)
		if err != nil {
			return opts, fmt.Errorf("--format: %v", err)
		}
		opts.Format = r.Format().Name
	}
	if typ != "" {
		t, ok := signin.ParseType(typ)
		if !ok {
			var names []string
			for _, t := range signin.Types {
				names = append(names, t.String())
			}
			return opts, fmt.Errorf("--type %q: not a sign-in type (%s)", typ, strings.Join(names, ", "))
		}
		opts.Type = &t
	}
	if interrupt != nil {
		opts.Classifier = signin.NewClassifier(interrupt)
	}
	return opts, nil
}

// appendRecord appends r's canonical JSON line, with its raw form when
// asked.
func appendRecord(dst []byte, r *signin.Record, raw bool) []byte {
	if raw {
		dst = signin.AppendJSONRaw(dst, r)
	} else {
		dst = signin.AppendJSON(dst, r)
	}
	return append(dst, '\n')
}

// rejectWriter writes rejects as JSON lines: input, line, col, reason,
// and the rejected text as a string (or refused: true for whole inputs;
// truncated: true, with the cut record's beginning, for an input cut
// short).
type rejectWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

func createRejects(path string) (*rejectWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &rejectWriter{f: f, w: bufio.NewWriter(f)}, nil
}

func (w *rejectWriter) write(r *logfile.Reject) error { return w.writeReject(api.RejectOf(r)) }

// writeReject writes a reject as a JSON line: the same whether this
// process read it or the store's holder did.
func (w *rejectWriter) writeReject(r api.Reject) error {
	b := append(w.buf[:0], '{')
	b = jsonw.Key(b, "input")
	b = jsonw.String(b, r.Input)
	if r.Line > 0 {
		b = jsonw.Key(b, "line")
		b = jsonw.Int(b, int64(r.Line))
	}
	if r.Col > 0 {
		b = jsonw.Key(b, "col")
		b = jsonw.Int(b, int64(r.Col))
	}
	b = jsonw.Key(b, "reason")
	b = jsonw.String(b, r.Reason)
	if r.Truncated {
		b = jsonw.Key(b, "truncated")
		b = jsonw.Bool(b, true)
	}
	if r.Refused {
		b = jsonw.Key(b, "refused")
		b = jsonw.Bool(b, true)
	} else {
		b = jsonw.Key(b, "raw")
		b = jsonw.String(b, r.Raw)
	}
	b = append(b, '}', '\n')
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

func (w *rejectWriter) close() error {
	err := w.w.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}
