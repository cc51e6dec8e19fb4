package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// The peers load the very sign-ins of the signinq store they are compared
// with: this file reads them back from the store, block by block, through
// the engine's public Snapshot API (parts, blocks of column vectors, the
// parts' dictionaries), in the store's order (by day, by time within a
// part), and hands them to a peer's loader a block at a time.

// A cell is one value of one sign-in: absent (null), or a string, an
// integer (times in Unix nanoseconds, flags 1 or 0), a float or a list.
type cell struct {
	null bool
	s    string
	i    int64
	f    float64
	l    []string
}

// block is one block of the store: the catalog's columns (in the order
// of columns) decoded, with their parts' dictionaries.
type block struct {
	rows  int
	vecs  []engine.Vector
	dicts []*index.Dict
	l     []string // cell's list buffer
}

// storeColumns are the store's columns of the catalog fields of columns,
// in the same order.
func storeColumns() ([]*engine.Column, error) {
	cols := make([]*engine.Column, len(columns))
	for i, c := range columns {
		if cols[i] = engine.LookupColumn(c.name); cols[i] == nil {
			return nil, fmt.Errorf("the store has no column %s", c.name)
		}
	}
	return cols, nil
}

// cell returns column c's value in row i. A list's strings are valid
// until the next call.
func (b *block) cell(c, i int) cell {
	v := &b.vecs[c]
	if v.Absent {
		return cell{null: true}
	}
	col := v.Column
	switch col.Enc {
	case engine.EncDict:
		d, id := b.dicts[c], v.IDs[i]
		switch d.Kind() {
		case index.DictString:
			s := d.String(id)
			return cell{null: s == "", s: s}
		case index.DictInt:
			x := d.Int(id)
			return cell{null: x == signin.NoInt, i: x}
		case index.DictFloat:
			f := d.Float(id)
			return cell{null: math.IsNaN(f), f: f}
		}
	case engine.EncList:
		d := b.dicts[c]
		b.l = b.l[:0]
		for _, id := range v.Elems[v.Offsets[i]:v.Offsets[i+1]] {
			b.l = append(b.l, d.String(id))
		}
		return cell{null: len(b.l) == 0, l: b.l}
	case engine.EncInt:
		x := v.Ints[i]
		return cell{null: x == signin.NoInt, i: x}
	case engine.EncString:
		s := v.Strings.At(i)
		return cell{null: s == "", s: s}
	}
	panic("BUG: column " + col.Name + " of encoding " + col.Enc.String())
}

// scanStore reads every sign-in of the store, calling fn for each block.
func scanStore(ctx context.Context, db *engine.DB, fn func(*block) error) error {
	cols, err := storeColumns()
	if err != nil {
		return err
	}
	snap, err := db.Snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	b := &block{dicts: make([]*index.Dict, len(cols))}
	for _, p := range snap.Parts() {
		for i, c := range cols {
			b.dicts[i] = nil
			if c.HasDict() {
				if b.dicts[i], err = snap.Dict(p, c); err != nil {
					return err
				}
			}
		}
		for bi := range p.Blocks {
			if err := ctx.Err(); err != nil {
				return err
			}
			if b.vecs, err = snap.ReadBlock(p, bi, cols, b.vecs); err != nil {
				return err
			}
			b.rows = p.Blocks[bi].Rows
			if err := fn(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// listSep separates a list's elements in the CSV file DuckDB loads (the
// ASCII unit separator: no value holds it).
const listSep = "\x1f"

// csvTime is the form of times in the CSV file: DuckDB's TIMESTAMP text,
// in microseconds, the precision of a TIMESTAMP.
const csvTime = "2006-01-02 15:04:05.000000"

// csvChunkBytes is the size after which writeCSV starts a new file: at
// about 1.3 KB a sign-in, 100 million sign-ins are 130 GB of CSV, more
// than a benchmark machine's disk holds beside the stores, so the file
// is written and loaded a chunk at a time.
var csvChunkBytes int64 = 4 << 30

// writeCSV writes the store's sign-ins as CSV with no header, one line a
// sign-in, the catalog's columns in order: absent values as empty
// fields, times as csvTime in UTC, flags as true or false, lists joined
// with listSep. The lines go to files named by chunkPath(0), chunkPath(1),
// …, each closed at the first block boundary past limit bytes and handed
// to done (its number and path) before the next is begun; done's time is
// not the writing's. A store with no sign-ins makes one empty chunk. It returns the rows and bytes written and the time
// spent writing.
func writeCSV(ctx context.Context, db *engine.DB, chunkPath func(int) string, limit int64, done func(int, string) error) (rows, bytes int64, took time.Duration, err error) {
	var (
		f     *os.File
		w     *bufio.Writer
		n     int   // the current chunk's number
		size  int64 // the current chunk's bytes
		line  []byte
		start = time.Now()
	)
	begin := func() error {
		var err error
		if f, err = os.Create(chunkPath(n)); err != nil {
			return err
		}
		w = bufio.NewWriterSize(f, 1<<20)
		size = 0
		return nil
	}
	if err := begin(); err != nil {
		return 0, 0, 0, err
	}
	// finish closes the current chunk and hands it to done.
	finish := func() error {
		err := w.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f = nil
		if err != nil {
			return err
		}
		took += time.Since(start)
		err = done(n, chunkPath(n))
		start = time.Now()
		n++
		return err
	}
	err = scanStore(ctx, db, func(b *block) error {
		if f == nil {
			if err := begin(); err != nil {
				return err
			}
		}
		for i := range b.rows {
			line = line[:0]
			for c := range columns {
				if c > 0 {
					line = append(line, ',')
				}
				line = appendCSVCell(line, columns[c].typ, b.cell(c, i))
			}
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return err
			}
			size += int64(len(line))
		}
		rows += int64(b.rows)
		if size >= limit {
			bytes += size
			size = 0
			return finish()
		}
		return nil
	})
	switch {
	case f == nil:
		took += time.Since(start)
	case err != nil:
		f.Close()
		took += time.Since(start)
	default:
		bytes += size
		err = finish()
	}
	return rows, bytes, took, err
}

// appendCSVCell appends one value of a column of SQL type typ as a CSV
// field.
func appendCSVCell(dst []byte, typ string, v cell) []byte {
	if v.null {
		return dst
	}
	switch typ {
	case tTime:
		return time.Unix(0, v.i).UTC().AppendFormat(dst, csvTime)
	case tInt:
		return strconv.AppendInt(dst, v.i, 10)
	case tFloat:
		return strconv.AppendFloat(dst, v.f, 'g', -1, 64)
	case tBool:
		return strconv.AppendBool(dst, v.i != 0)
	case tList:
		return appendCSVString(dst, strings.Join(v.l, listSep))
	}
	return appendCSVString(dst, v.s)
}

// appendCSVString appends s as a CSV field, quoted when it holds a comma,
// a quote, a line break or a leading or trailing space, and always when
// it is empty (an empty unquoted field is NULL).
func appendCSVString(dst []byte, s string) []byte {
	if s != "" && !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[len(s)-1] != ' ' {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}
