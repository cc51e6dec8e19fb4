package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	pq "github.com/parquet-go/parquet-go"

	"github.com/signinq/signinq/engine/signin"
)

// ErrNotExport is returned by Read for a file or directory an export does
// not make.
var ErrNotExport = errors.New("not a signinq Parquet export")

// Read calls fn with each sign-in of the export Write made in dir: files
// in the order of their paths, rows in file order. Each record has every
// catalog field Write wrote (type from its directory) and no Raw; times
// are in the unit the files say (Options.TimeUnit). fn owns the record.
func Read(ctx context.Context, dir string, fn func(*signin.Record) error) error {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(paths)
	for _, path := range paths {
		typ, err := typeOf(dir, path)
		if err != nil {
			return err
		}
		if err := readFile(ctx, path, typ, fn); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// typeOf returns the type that a file's path says: DIR/day=…/type=NAME/….
func typeOf(dir, path string) (signin.Type, error) {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return 0, err
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if len(parts) == 3 && strings.HasPrefix(parts[0], DayColumn+"=") {
		if name, ok := strings.CutPrefix(parts[1], TypeColumn+"="); ok {
			if t, ok := signin.ParseType(name); ok {
				return t, nil
			}
		}
	}
	return 0, fmt.Errorf("%s: %w: not DIR/%s=…/%s=…/FILE", path, ErrNotExport, DayColumn, TypeColumn)
}

func readFile(ctx context.Context, path string, typ signin.Type, fn func(*signin.Record) error) error {
	osf, err := os.Open(path)
	if err != nil {
		return err
	}
	defer osf.Close()
	fi, err := osf.Stat()
	if err != nil {
		return err
	}
	pf, err := pq.OpenFile(osf, fi.Size())
	if err != nil {
		return err
	}
	var l *layout
	for _, c := range layouts {
		if pq.EqualNodes(pf.Schema(), c.schema) {
			l = c
		}
	}
	if l == nil {
		return fmt.Errorf("%w: schema %v", ErrNotExport, pf.Schema())
	}
	rows := make([]pq.Row, 256)
	cols := make([][]pq.Value, len(l.leaves))
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		for {
			if err := ctx.Err(); err != nil {
				rr.Close()
				return err
			}
			n, err := rr.ReadRows(rows)
			for _, row := range rows[:n] {
				for i := range cols {
					cols[i] = cols[i][:0]
				}
				for _, v := range row {
					cols[v.Column()] = append(cols[v.Column()], v)
				}
				r := signin.New()
				r.Type = typ
				for _, lf := range l.leaves {
					if serr := l.setValue(&r, lf.f, cols[lf.index]); serr != nil {
						rr.Close()
						return serr
					}
				}
				if ferr := fn(&r); ferr != nil {
					rr.Close()
					return ferr
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				rr.Close()
				return err
			}
		}
		if err := rr.Close(); err != nil {
			return err
		}
	}
	return nil
}
