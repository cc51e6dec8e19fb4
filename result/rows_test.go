package result

import (
	"errors"
	"testing"
)

// countingRows yields n rows of one integer, reusing one slice, then
// fails with fail (when not nil); closed counts the releases.
func countingRows(n int, fail error, closed *int) *Rows {
	return NewRows([]Column{{Name: "n"}}, func(r *Rows, yield func([]Value) bool) error {
		row := make([]Value, 1)
		for i := range n {
			row[0] = IntValue(int64(i))
			if !yield(row) {
				return nil
			}
		}
		r.Stats.Rows = int64(n)
		return fail
	}, func() { *closed++ })
}

// TestRowsResult checks that gathering rows copies each (the rows a
// query yields reuse their slice), and stops past the bound with
// ErrTooLarge.
func TestRowsResult(t *testing.T) {
	closed := 0
	res, err := countingRows(1000, nil, &closed).Result(0)
	if err != nil || len(res.Rows) != 1000 || res.Rows[7][0].Int() != 7 || res.Stats.Rows != 1000 || closed != 1 {
		t.Fatalf("gathered %d rows (row 7: %v), stats %+v, closed %d times: %v", len(res.Rows), res.Rows[7], res.Stats, closed, err)
	}
	closed = 0
	_, err = countingRows(100_000, nil, &closed).Result(1 << 20)
	if !errors.Is(err, ErrTooLarge) || closed != 1 {
		t.Errorf("100,000 rows gathered in 1 MiB: %v, closed %d times", err, closed)
	}
}

// TestRowsOnce checks that rows are read once, that an error ends them,
// and that the snapshot is released once: at the loop's end, by Close
// before any loop, and not by a Close inside the loop.
func TestRowsOnce(t *testing.T) {
	boom := errors.New("boom")
	closed := 0
	rows := countingRows(3, boom, &closed)
	n := 0
	var last error
	for row, err := range rows.All() {
		if err != nil {
			last = err
			break
		}
		if rows.Close(); closed != 0 {
			t.Fatalf("Close in the loop released the rows at row %d", row[0].Int())
		}
		n++
	}
	if n != 3 || !errors.Is(last, boom) || !errors.Is(rows.Err(), boom) || closed != 1 {
		t.Errorf("%d rows, then %v (Err %v), closed %d times", n, last, rows.Err(), closed)
	}
	for _, err := range rows.All() {
		if !errors.Is(err, ErrRowsRead) {
			t.Errorf("read again: %v", err)
		}
	}
	closed = 0
	rows = countingRows(3, nil, &closed)
	rows.Close()
	rows.Close()
	for _, err := range rows.All() {
		if !errors.Is(err, ErrRowsRead) {
			t.Errorf("read after Close: %v", err)
		}
	}
	if closed != 1 {
		t.Errorf("closed %d times", closed)
	}
}
