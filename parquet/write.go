package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/signinq/signinq/engine/signin"
)

// ErrExists is returned by Write when the directory holds files and
// Options.Replace is not set.
var ErrExists = errors.New("the directory is not empty")

// A Source gives sign-ins in batches to add, until it returns: nil at the
// end, or the first error add returns. A batch and its records are add's
// only until add returns.
type Source func(ctx context.Context, add func([]signin.Record) error) error

// Options tune Write. The zero value is the defaults.
type Options struct {
	// Replace lets Write replace a directory that holds files (a former
	// export, or anything else) with the new export; without it Write
	// refuses such a directory with ErrExists.
	Replace bool
	// Compression is the codec of the files: "zstd" (the default),
	// "snappy" or "none".
	Compression string
	// RowGroupRows is the most rows of a row group; 0 is DefaultRowGroupRows.
	RowGroupRows int64
	// MaxOpen is the most files open at once; 0 is DefaultMaxOpen. A
	// partition whose file is closed to make room gets a new file when
	// more of its sign-ins come.
	MaxOpen int
	// TimeUnit is the unit of the time columns: Nanos (the default,
	// exact) or Micros (for readers that refuse nanoseconds).
	TimeUnit TimeUnit
	// Progress, if set, is called after each batch with the sign-ins
	// written so far.
	Progress func(rows int64)
}

// The defaults of Options.
const (
	DefaultRowGroupRows = 128 << 10
	DefaultMaxOpen      = 16
)

// Stats counts what Write wrote.
type Stats struct {
	Rows       int64 // sign-ins
	Files      int   // Parquet files
	Partitions int   // day and type directories
	Days       int
	Bytes      int64 // the files' sizes
}

// codec returns the compression codec a name says.
func codec(name string) (compress.Codec, error) {
	switch name {
	case "", "zstd":
		return &pq.Zstd, nil
	case "snappy":
		return &pq.Snappy, nil
	case "none":
		return &pq.Uncompressed, nil
	}
	return nil, fmt.Errorf("compression %q: not zstd, snappy or none", name)
}

// partition names a day and type directory.
type partition struct {
	day string
	typ signin.Type
}

func (p partition) dir() string {
	return filepath.Join(DayColumn+"="+p.day, TypeColumn+"="+p.typ.String())
}

// file is a Parquet file being written.
type file struct {
	p    partition
	f    *os.File
	w    *pq.Writer
	rows []pq.Row // rows not yet handed to w
	used int64    // when last written to, in batches
}

// rowsPerWrite is the most rows a file gathers before handing them to
// its writer (it hands them over at the end of each batch too).
const rowsPerWrite = 512

// writer writes the files of one export into a staging directory.
type writer struct {
	dir   string
	opts  Options
	codec compress.Codec
	open  map[partition]*file
	next  map[partition]int // the number of each partition's next file
	days  map[string]bool
	last  string // the latest day of a sign-in so far
	batch int64
	st    Stats
}

// Write writes the sign-ins src gives as Parquet files under dir (see the
// package doc for the layout, the columns and what happens when dir is
// not empty), and returns what it wrote. On an error, or when ctx is
// done, dir is as it was: the files written so far are removed.
func Write(ctx context.Context, dir string, src Source, opts Options) (Stats, error) {
	c, err := codec(opts.Compression)
	if err != nil {
		return Stats{}, err
	}
	if opts.TimeUnit != Nanos && opts.TimeUnit != Micros {
		return Stats{}, fmt.Errorf("time unit %d: not Nanos or Micros", opts.TimeUnit)
	}
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = DefaultRowGroupRows
	}
	if opts.MaxOpen <= 0 {
		opts.MaxOpen = DefaultMaxOpen
	}
	dir = filepath.Clean(dir)
	exists, err := occupied(dir)
	if err != nil {
		return Stats{}, err
	}
	if exists && !opts.Replace {
		return Stats{}, fmt.Errorf("%s: %w", dir, ErrExists)
	}
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o777); err != nil {
		return Stats{}, err
	}
	// Hidden (a leading dot) so that readers of the parent's tree skip it.
	stage, err := os.MkdirTemp(parent, "."+base+".signinq-export-")
	if err != nil {
		return Stats{}, err
	}
	w := &writer{dir: stage, opts: opts, codec: c, open: map[partition]*file{}, next: map[partition]int{}, days: map[string]bool{}}
	err = src(ctx, func(recs []signin.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return w.add(recs)
	})
	if err == nil {
		err = ctx.Err()
	}
	if cerr := w.closeAll(err == nil); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(stage, "_SUCCESS"), nil, 0o666)
	}
	if err == nil {
		err = swap(stage, dir)
	}
	if err != nil {
		os.RemoveAll(stage)
		return w.st, err
	}
	w.st.Partitions = len(w.next)
	w.st.Days = len(w.days)
	return w.st, nil
}

// occupied reports whether dir exists and holds anything. A dir that is
// not a directory is an error.
func occupied(dir string) (bool, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("%s: not a directory", dir)
	}
	ents, err := os.ReadDir(dir)
	return len(ents) > 0, err
}

// swap puts the complete export in stage in dir's place: dir, if it
// exists, is renamed aside, stage renamed to dir, and the old one
// removed. Readers see the old export or the new, whole.
func swap(stage, dir string) error {
	old := ""
	if _, err := os.Lstat(dir); err == nil {
		old = stage + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(stage, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// add writes a batch of sign-ins.
func (w *writer) add(recs []signin.Record) error {
	w.batch++
	for i := range recs {
		r := &recs[i]
		p := partition{day: r.Time.UTC().Format(DayLayout), typ: r.Type}
		if p.day > w.last {
			// A later day: the earlier days' files are done, if the
			// source is in order of day as a store's is.
			w.last = p.day
			if err := w.closeBefore(p.day); err != nil {
				return err
			}
		}
		f := w.open[p]
		if f == nil {
			var err error
			if f, err = w.create(p); err != nil {
				return err
			}
		}
		f.used = w.batch
		n := len(f.rows)
		if n < cap(f.rows) {
			f.rows = f.rows[:n+1]
		} else {
			f.rows = append(f.rows, nil)
		}
		f.rows[n] = layouts[w.opts.TimeUnit].appendRow(f.rows[n][:0], r)
		if len(f.rows) == rowsPerWrite {
			if err := f.flush(); err != nil {
				return err
			}
		}
		w.st.Rows++
	}
	// The rows point into the batch's strings: the writer copies them
	// before the batch is given back.
	for _, f := range w.open {
		if err := f.flush(); err != nil {
			return err
		}
	}
	if w.opts.Progress != nil {
		w.opts.Progress(w.st.Rows)
	}
	return nil
}

// create opens the next file of partition p, closing the least recently
// used file first when MaxOpen are open.
func (w *writer) create(p partition) (*file, error) {
	if len(w.open) >= w.opts.MaxOpen {
		var lru *file
		for _, f := range w.open {
			if lru == nil || f.used < lru.used {
				lru = f
			}
		}
		if err := w.close(lru, true); err != nil {
			return nil, err
		}
	}
	dir := filepath.Join(w.dir, p.dir())
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	n := w.next[p]
	w.next[p] = n + 1
	w.days[p.day] = true
	osf, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%05d.parquet", n)))
	if err != nil {
		return nil, err
	}
	f := &file{p: p, f: osf, w: pq.NewWriter(osf, layouts[w.opts.TimeUnit].schema,
		pq.Compression(w.codec),
		pq.MaxRowsPerRowGroup(w.opts.RowGroupRows),
		pq.CreatedBy("signinq", "", ""),
		pq.KeyValueMetadata("signinq.partition", strings.Join([]string{DayColumn + "=" + p.day, TypeColumn + "=" + p.typ.String()}, "/")),
	)}
	w.open[p] = f
	return f, nil
}

// flush hands f's gathered rows to its writer.
func (f *file) flush() error {
	if len(f.rows) == 0 {
		return nil
	}
	if _, err := f.w.WriteRows(f.rows); err != nil {
		return fmt.Errorf("%s: %w", f.f.Name(), err)
	}
	f.rows = f.rows[:0]
	return nil
}

// close finishes f (when complete) and closes it.
func (w *writer) close(f *file, complete bool) error {
	delete(w.open, f.p)
	var err error
	if complete {
		if err = f.flush(); err == nil {
			err = f.w.Close()
		}
	}
	if err == nil && complete {
		var fi os.FileInfo
		if fi, err = f.f.Stat(); err == nil {
			w.st.Bytes += fi.Size()
			w.st.Files++
		}
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// closeBefore finishes the files of days before day.
func (w *writer) closeBefore(day string) error {
	for p, f := range w.open {
		if p.day < day {
			if err := w.close(f, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeAll closes every open file, finishing them when complete.
func (w *writer) closeAll(complete bool) error {
	var err error
	for _, f := range w.open {
		if cerr := w.close(f, complete); err == nil {
			err = cerr
		}
	}
	return err
}
