package plugins

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// This file holds what the detection stages (grouped, spray, bruteforce,
// mfafatigue) share: reading their arguments, finding their input columns
// by name, reading cells, and finding srBursts in a time-sorted series.

// srDurationRE is the query language's duration: a whole number and a unit
// (as query.parseDuration reads it; plugins cannot import query).
var srDurationRE = regexp.MustCompile(`^([0-9]+)(ms|s|m|h|d|w)$`)

var srDurationUnits = map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute,
	"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}

// srWindow reads the argument name as a positive duration written as
// the query language writes them (30m, 1h, 7d).
func srWindow(name, s string) (time.Duration, error) {
	m := srDurationRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, fmt.Errorf("%s: %q is not a duration like 1h", name, s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := srDurationUnits[m[2]]
	if err != nil || n > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("%s: %q is too long a duration", name, s)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration", name, s)
	}
	return time.Duration(n) * unit, nil
}

// srAtLeast reads the argument name as a whole number of at least 1.
func srAtLeast(name, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s: %q is not a whole number of at least 1", name, s)
	}
	return n, nil
}

// srCodes reads the argument name as error codes separated by commas
// or spaces ("50126, 50053"), without repeats, in increasing order.
func srCodes(name, s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		c, err := strconv.ParseInt(f, 10, 64)
		if err != nil || c < 0 {
			return nil, fmt.Errorf("%s: %q is not an error code (write codes like \"50126, 50053\")", name, f)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %q names no error code (write codes like \"50126, 50053\")", name, s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// srCodesWhere is the condition "error in (codes) or status=success" that
// the detection stages give the list before them: the failures they look
// for, and the successes that may follow.
func srCodesWhere(codes []int64) string {
	var b strings.Builder
	b.WriteString("error in (")
	for i, c := range codes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(c, 10))
	}
	b.WriteString(") or status=success")
	return b.String()
}

// srCol is an input column a stage reads: its name and kind.
type srCol struct {
	name string
	kind signin.Kind
}

// srColumns returns the index in in of each wanted column, matched by
// name without regard to case (else by the catalog field the column
// holds), with an error naming the columns missing or of the wrong kind.
// Optional columns that are missing get -1.
func srColumns(in []engine.ResultColumn, want []srCol, optional ...string) ([]int, error) {
	idx := make([]int, len(want))
	var missing []string
	for k, w := range want {
		idx[k] = -1
		for i, c := range in {
			if strings.EqualFold(c.Name, w.name) {
				idx[k] = i
				break
			}
		}
		if idx[k] < 0 {
			for i, c := range in {
				if strings.EqualFold(c.Field, w.name) {
					idx[k] = i
					break
				}
			}
		}
		if idx[k] < 0 {
			if !slices.Contains(optional, w.name) {
				missing = append(missing, w.name)
			}
			continue
		}
		if got := in[idx[k]].Kind; got != w.kind {
			return nil, fmt.Errorf("column %s holds %vs, not %vs", in[idx[k]].Name, got, w.kind)
		}
	}
	if len(missing) > 0 {
		var names []string
		for _, w := range want {
			names = append(names, w.name)
		}
		return nil, fmt.Errorf("needs the column(s) %s, which its input lacks: write list without fields, or give it %s",
			strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	return idx, nil
}

// srCell returns the value of column i of a row; null when the row has no
// such column (i < 0, or a row shorter than its columns).
func srCell(row []engine.Value, i int) engine.Value {
	if i < 0 || i >= len(row) {
		return engine.Null(signin.KindString)
	}
	return row[i]
}

// srStr returns a string srCell, "" when null or absent.
func srStr(row []engine.Value, i int) string {
	v := srCell(row, i)
	if v.IsNull() || v.Kind() != signin.KindString {
		return ""
	}
	return v.Str()
}

// srTime returns a time srCell in Unix nanoseconds, and false when it is
// null or not a time.
func srTime(row []engine.Value, i int) (int64, bool) {
	v := srCell(row, i)
	if v.IsNull() || v.Kind() != signin.KindTime {
		return 0, false
	}
	return v.Time().UnixNano(), true
}

// srInt returns an integer srCell, and false when it is null or not an
// integer.
func srInt(row []engine.Value, i int) (int64, bool) {
	v := srCell(row, i)
	if v.IsNull() || v.Kind() != signin.KindInt {
		return 0, false
	}
	return v.Int(), true
}

// srTimeValue makes a time value from Unix nanoseconds.
func srTimeValue(ns int64) engine.Value { return engine.TimeValue(time.Unix(0, ns)) }

// srSorted returns the distinct non-empty strings of a set, sorted.
func srSorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// srBursts finds the runs of a time-sorted series of n events where some
// window of length w holds enough of them: it slides a window over the
// events (each window starts at an event and holds those less than w
// after it), calls add as an event enters and remove as it leaves, asks
// enough after each event enters, and merges the windows for which
// enough was true and that share an event. It returns each run as the
// indexes of its first and last event, in order. at(i) must not
// decrease with i.
func srBursts(n int, at func(i int) int64, w time.Duration, add, remove func(i int), enough func() bool) [][2]int {
	var out [][2]int
	lo := 0
	for hi := 0; hi < n; hi++ {
		add(hi)
		for srApart(at(lo), at(hi), w) {
			remove(lo)
			lo++
		}
		if !enough() {
			continue
		}
		if k := len(out) - 1; k >= 0 && lo <= out[k][1] {
			out[k][1] = hi
		} else {
			out = append(out, [2]int{lo, hi})
		}
	}
	return out
}

// srApart reports whether b is at least w after a, without overflowing
// for times at the ends of int64.
func srApart(a, b int64, w time.Duration) bool {
	return b >= a && uint64(b)-uint64(a) >= uint64(w)
}

// srWindowStart returns the start of the window of length w, aligned to
// the Unix epoch, that holds t (Unix nanoseconds): t rounded down to a
// multiple of w. The window before the first whole one of int64 starts
// at the earliest time int64 holds.
func srWindowStart(t int64, w time.Duration) int64 {
	m := t % int64(w)
	if m < 0 {
		m += int64(w)
	}
	if t-m > t {
		return math.MinInt64
	}
	return t - m
}

// srWithin reports whether b is at most w after a (and not before it).
func srWithin(a, b int64, w time.Duration) bool {
	return b >= a && uint64(b)-uint64(a) <= uint64(w)
}

// srEvent is a sign-in as the detection stages read it.
type srEvent struct {
	t             int64 // Unix nanoseconds
	ip, user, app string
	code          int64
}

// The kinds of sign-in to a detection stage.
const (
	srOther   = iota // neither: left out
	srFailure        // its error is one of the stage's codes
	srSuccess        // its status is success
)

// srReader reads the sign-ins of the detection stages from rows whose
// columns srSignInCols located.
type srReader struct {
	idx   [6]int // time, ip, user, app, status, error
	codes []int64
}

// read returns a row's sign-in and its kind: srOther for a row without a
// time, or whose error is not one of the codes and whose status is not
// success.
func (r *srReader) read(row []engine.Value) (srEvent, int) {
	t, ok := srTime(row, r.idx[0])
	if !ok {
		return srEvent{}, srOther
	}
	ev := srEvent{t: t, ip: srStr(row, r.idx[1]), user: srStr(row, r.idx[2]), app: srStr(row, r.idx[3])}
	if code, ok := srInt(row, r.idx[5]); ok {
		ev.code = code
		if _, found := slices.BinarySearch(r.codes, code); found {
			return ev, srFailure
		}
	}
	if strings.EqualFold(srStr(row, r.idx[4]), "success") {
		return ev, srSuccess
	}
	return ev, srOther
}

// srSortEvents sorts sign-ins by time, then by what they hold, so that
// the order of the rows read does not matter.
func srSortEvents(evs []srEvent) {
	slices.SortFunc(evs, func(a, b srEvent) int {
		return cmp.Or(cmp.Compare(a.t, b.t), strings.Compare(a.user, b.user), strings.Compare(a.ip, b.ip),
			strings.Compare(a.app, b.app), cmp.Compare(a.code, b.code))
	})
}
