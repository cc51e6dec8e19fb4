package gen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// recordBytes is about the size of an encoded JSON record, to size the
// output buffers once.
const recordBytes = 4 << 10

// Write writes every event to w in one format: FormatDiag (JSON lines),
// FormatGraph (one Graph beta signIns response, a record per line) or
// FormatLogAnalyticsCSV (one CSV export with a header row). The portal
// CSV is four files: see WritePortalCSV. Events are encoded on
// Config.Workers goroutines and written in order from the calling
// goroutine; the output is the same for any number of workers. progress,
// when not nil, is called from the calling goroutine after each batch
// with the number of records written so far.
func (g *Generator) Write(ctx context.Context, f signin.Format, w io.Writer, progress func(int64)) error {
	var head, sep, tail string
	var encode func(e *encoder, c *chunk)
	switch f {
	case signin.FormatDiag:
		encode = func(e *encoder, c *chunk) {
			b := slices.Grow(c.out[0][:0], len(c.events)*recordBytes)
			for i := range c.events {
				b = AppendDiag(b, &c.events[i])
				b = append(b, '\n')
			}
			c.out[0] = b
		}
	case signin.FormatGraph:
		head, sep, tail = graphHead, graphSep, graphTail
		encode = func(e *encoder, c *chunk) {
			b := slices.Grow(c.out[0][:0], len(c.events)*recordBytes)
			for i := range c.events {
				if i > 0 {
					b = append(b, graphSep...)
				}
				b = AppendGraph(b, &c.events[i])
			}
			c.out[0] = b
		}
	case signin.FormatLogAnalyticsCSV:
		head = laHeaderLine
		encode = func(e *encoder, c *chunk) {
			b := slices.Grow(c.out[0][:0], len(c.events)*recordBytes*3/2)
			for i := range c.events {
				b = e.appendLA(b, &c.events[i])
			}
			c.out[0] = b
		}
	case signin.FormatPortalCSV:
		return errors.New("gen: the portal CSV is four files; use WritePortalCSV")
	default:
		return fmt.Errorf("gen: cannot write format %v", f)
	}
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	var written int64
	err := g.run(ctx, encode, func(c *chunk) error {
		if c.idx > 0 {
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
		}
		if _, err := w.Write(c.out[0]); err != nil {
			return err
		}
		written += int64(len(c.events))
		if progress != nil {
			progress(written)
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, tail)
	return err
}

// PortalFileNames returns the names of the portal download's four files
// for the window, in type order (interactive, non-interactive, service
// principal, managed identity): InteractiveSignIns_<from>_<to>.csv and so
// on, where from is the first day of the window and to its last.
func (g *Generator) PortalFileNames() []string {
	start, end := g.window()
	from := start.Format(time.DateOnly)
	to := end.Add(-time.Nanosecond).Format(time.DateOnly)
	names := make([]string, len(portalFilePrefixes))
	for i, p := range portalFilePrefixes {
		names[i] = p + "_" + from + "_" + to + ".csv"
	}
	return names
}

// WritePortalCSV writes every event as the Entra portal's CSV download
// into the directory dir, creating it if need be: one file per type, named as
// PortalFileNames says, each UTF-8 with a byte-order mark, a header row
// and every field quoted, and times to the second. It returns the paths
// of the four files (a type without events has a header only). On error
// the files written so far are left in place. progress is as for Write.
func (g *Generator) WritePortalCSV(ctx context.Context, dir string, progress func(int64)) (paths []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files [4]*os.File
	defer func() {
		for _, f := range files {
			if f == nil {
				continue
			}
			if cerr := f.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
		if err != nil {
			paths = nil
		}
	}()
	for i, name := range g.PortalFileNames() {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		files[i] = f
		paths = append(paths, p)
		if _, err := f.Write(portalHeaderLine(signin.Types[i])); err != nil {
			return nil, err
		}
	}
	var written int64
	err = g.run(ctx, func(e *encoder, c *chunk) {
		for i := range c.out {
			c.out[i] = c.out[i][:0]
		}
		for i := range c.events {
			ev := &c.events[i]
			c.out[ev.Record.Type] = e.appendPortal(c.out[ev.Record.Type], ev)
		}
	}, func(c *chunk) error {
		for i, f := range files {
			if _, err := f.Write(c.out[i]); err != nil {
				return err
			}
		}
		written += int64(len(c.events))
		if progress != nil {
			progress(written)
		}
		return nil
	})
	return paths, err
}
