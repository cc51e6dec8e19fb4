package format

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"strings"
	"syscall"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// manyRows yields up to n rows of two columns, counting those read.
func manyRows(n int, read *int, fail error) iter.Seq2[[]result.Value, error] {
	return func(yield func([]result.Value, error) bool) {
		row := make([]result.Value, 2)
		for i := range n {
			*read++
			row[0], row[1] = result.StringValue(fmt.Sprintf("user%d@contoso.com", i)), result.IntValue(int64(i))
			if !yield(row, nil) {
				return
			}
		}
		if fail != nil {
			yield(nil, fail)
		}
	}
}

var streamCols = []result.Column{{Name: "user", Kind: signin.KindString, Field: "user"}, {Name: "n", Kind: signin.KindInt}}

// closedPipe takes size bytes, then fails as a pipe whose reader went
// away; it counts the writes after that.
type closedPipe struct {
	size, after int
}

func (p *closedPipe) Write(b []byte) (int, error) {
	if p.size <= 0 {
		p.after++
		return 0, syscall.EPIPE
	}
	n := min(len(b), p.size)
	p.size -= n
	if n < len(b) {
		return n, syscall.EPIPE
	}
	return n, nil
}

// TestWritersStopOnWriteError writes a million rows to a pipe closed
// after 100 KB (signinq query 'list *' | head): each writer returns the
// pipe's error at once, after reading only the rows the buffer held, and
// writes nothing more.
func TestWritersStopOnWriteError(t *testing.T) {
	for _, name := range []string{"json", "csv", "table"} {
		t.Run(name, func(t *testing.T) {
			p, _ := lookup(name)
			pipe := &closedPipe{size: 100 << 10}
			read := 0
			err := p.(plugins.Writer).Write(pipe, streamCols, manyRows(1_000_000, &read, nil), plugins.WriteOptions{})
			if !errors.Is(err, syscall.EPIPE) {
				t.Fatalf("error %v, want EPIPE", err)
			}
			if read > 20_000 {
				t.Errorf("%d rows read after the pipe closed: the writer went on", read)
			}
			if pipe.after > 1 {
				t.Errorf("%d writes after the pipe failed", pipe.after)
			}
		})
	}
}

// TestWritersRowsError checks that an error among the rows is the
// writer's, after the rows before it are written.
func TestWritersRowsError(t *testing.T) {
	boom := errors.New("the store failed")
	for _, name := range []string{"json", "csv", "table"} {
		t.Run(name, func(t *testing.T) {
			p, _ := lookup(name)
			var b bytes.Buffer
			read := 0
			err := p.(plugins.Writer).Write(&b, streamCols, manyRows(5, &read, boom), plugins.WriteOptions{})
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want the rows' error", err)
			}
			if !strings.Contains(b.String(), "user4@contoso.com") {
				t.Errorf("the rows before the error are not written:\n%s", b.String())
			}
		})
	}
}
