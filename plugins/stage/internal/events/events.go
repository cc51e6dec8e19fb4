package events

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/baseline"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// This file holds what the detection stages (grouped, spray, bruteforce,
// mfafatigue) share: finding their input columns by name, reading cells,
// and finding Bursts in a time-sorted series.

// CodesWhere is the condition "error in (codes)" that the detection
// stages give the list before them: the failures they look for. The
// successes that may follow are few of those a list would read (most
// sign-ins succeed), so the stages ask for them afterwards, for their
// candidates only (SpanAggregates, Successes).
func CodesWhere(codes []int64) ast.Expr {
	lits := make([]*ast.Literal, len(codes))
	for i, c := range codes {
		lits[i] = ast.Int(c)
	}
	return ast.IsIn(ast.Field("error"), lits...)
}

// Col is an input column a stage reads: its name and kind.
type Col struct {
	Name string
	Kind signin.Kind
}

// Columns returns the index in in of each wanted column, matched by
// name without regard to case (else by the catalog field the column
// holds), with an error naming the columns missing or of the wrong kind.
// Optional columns that are missing get -1.
func Columns(in []result.Column, want []Col, optional ...string) ([]int, error) {
	idx := make([]int, len(want))
	var missing []string
	for k, w := range want {
		if idx[k] = baseline.Column(in, w.Name); idx[k] < 0 {
			if !slices.Contains(optional, w.Name) {
				missing = append(missing, w.Name)
			}
			continue
		}
		if got := in[idx[k]].Kind; got != w.Kind {
			return nil, fmt.Errorf("column %s holds %vs, not %vs", in[idx[k]].Name, got, w.Kind)
		}
	}
	if len(missing) > 0 {
		var names []string
		for _, w := range want {
			names = append(names, w.Name)
		}
		return nil, fmt.Errorf("needs the column(s) %s, which its input lacks: write list without fields, or give it %s",
			strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	return idx, nil
}

// Cell returns the value of column i of a row; null when the row has no
// such column (i < 0, or a row shorter than its columns).
func Cell(row []result.Value, i int) result.Value {
	if i < 0 || i >= len(row) {
		return result.Null(signin.KindString)
	}
	return row[i]
}

// Str returns a string Cell, "" when null or absent.
func Str(row []result.Value, i int) string {
	v := Cell(row, i)
	if v.IsNull() || v.Kind() != signin.KindString {
		return ""
	}
	return v.Str()
}

// Time returns a time Cell in Unix nanoseconds, and false when it is
// null or not a time.
func Time(row []result.Value, i int) (int64, bool) {
	v := Cell(row, i)
	if v.IsNull() || v.Kind() != signin.KindTime {
		return 0, false
	}
	return v.Time().UnixNano(), true
}

// Int returns an integer Cell, and false when it is null or not an
// integer.
func Int(row []result.Value, i int) (int64, bool) {
	v := Cell(row, i)
	if v.IsNull() || v.Kind() != signin.KindInt {
		return 0, false
	}
	return v.Int(), true
}

// TimeValue makes a time value from Unix nanoseconds.
func TimeValue(ns int64) result.Value { return result.TimeValue(time.Unix(0, ns)) }

// Sorted returns the distinct non-empty strings of a set, sorted.
func Sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Bursts finds the runs of a time-sorted series of n events where some
// window of length w holds enough of them: it slides a window over the
// events (each window starts at an event and holds those less than w
// after it), calls add as an event enters and remove as it leaves, asks
// enough after each event enters, and merges the windows for which
// enough was true and that share an event. It returns each run as the
// indexes of its first and last event, in order. at(i) must not
// decrease with i.
func Bursts(n int, at func(i int) int64, w time.Duration, add, remove func(i int), enough func() bool) [][2]int {
	var out [][2]int
	lo := 0
	for hi := 0; hi < n; hi++ {
		add(hi)
		for Apart(at(lo), at(hi), w) {
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

// Apart reports whether b is at least w after a, without overflowing
// for times at the ends of int64.
func Apart(a, b int64, w time.Duration) bool {
	return b >= a && uint64(b)-uint64(a) >= uint64(w)
}

// WindowStart returns the start of the window of length w, aligned to
// the Unix epoch, that holds t (Unix nanoseconds): t rounded down to a
// multiple of w. The window before the first whole one of int64 starts
// at the earliest time int64 holds.
func WindowStart(t int64, w time.Duration) int64 {
	m := t % int64(w)
	if m < 0 {
		m += int64(w)
	}
	if t-m > t {
		return math.MinInt64
	}
	return t - m
}

// Within reports whether b is at most w after a (and not before it).
func Within(a, b int64, w time.Duration) bool {
	return b >= a && uint64(b)-uint64(a) <= uint64(w)
}

// Event is a sign-in as the detection stages read it.
type Event struct {
	At            int64 // Unix nanoseconds
	IP, User, App string
	Code          int64
}

// The kinds of sign-in to a detection stage.
const (
	Other   = iota // neither: left out
	Failure        // its error is one of the stage's codes
	Success        // its status is success
)

// Reader reads the sign-ins of the detection stages from rows whose
// columns SignInCols located.
type Reader struct {
	Idx   [6]int // time, ip, user, app, status, error
	Codes []int64
}

// read returns a row's sign-in and its kind: Other for a row without a
// time, or whose error is not one of the codes and whose status is not
// success.
func (r *Reader) Read(row []result.Value) (Event, int) {
	t, ok := Time(row, r.Idx[0])
	if !ok {
		return Event{}, Other
	}
	ev := Event{At: t, IP: Str(row, r.Idx[1]), User: Str(row, r.Idx[2]), App: Str(row, r.Idx[3])}
	if code, ok := Int(row, r.Idx[5]); ok {
		ev.Code = code
		if _, found := slices.BinarySearch(r.Codes, code); found {
			return ev, Failure
		}
	}
	if strings.EqualFold(Str(row, r.Idx[4]), "success") {
		return ev, Success
	}
	return ev, Other
}

// SortEvents sorts sign-ins by time, then by what they hold, so that
// the order of the rows read does not matter.
func SortEvents(evs []Event) {
	slices.SortFunc(evs, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.At, b.At), strings.Compare(a.User, b.User), strings.Compare(a.IP, b.IP),
			strings.Compare(a.App, b.App), cmp.Compare(a.Code, b.Code))
	})
}

// AddSat returns t + w, at most the latest time int64 holds.
func AddSat(t int64, w time.Duration) int64 {
	if t > math.MaxInt64-int64(w) {
		return math.MaxInt64
	}
	return t + int64(w)
}

// Span is what a detection stage asks the store about: the successes
// of one key (an address, or a user) from one time to another, both
// included (Unix nanoseconds).
type Span struct {
	Key      string
	From, To int64
}

// Successes asks the store (env.Query) for the successes whose field
// ("ip" or "user") is exactly the key of one of the spans and whose time
// falls within it, and within the query's range [env.From, env.To), and
// passes each to add, in one query however many spans there are (as
// fast as batches of them in order of key; a caller with many spans asks
// in TimeBatches's, as bruteforce does, which are faster). Sign-ins
// whose error is one of codes are failures to the stages even
// when they succeed (Reader), so it leaves them out. Without
// env.Query it asks nothing: the stage has only the successes of its
// input.
func Successes(ctx context.Context, env *plugins.Env, field string, spans []Span, codes []int64, add func(Event)) error {
	if env == nil || env.Query == nil {
		return nil
	}
	// Within the query's range, the spans of a key sorted and merged.
	var in []Span
	for _, s := range spans {
		s.From = max(s.From, env.From)
		if env.To != math.MaxInt64 { // else open
			s.To = min(s.To, env.To-1)
		}
		if s.Key != "" && s.From <= s.To {
			in = append(in, s)
		}
	}
	slices.SortFunc(in, func(a, b Span) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), cmp.Compare(a.From, b.From))
	})
	var merged []Span
	for _, s := range in {
		if k := len(merged) - 1; k >= 0 && merged[k].Key == s.Key && s.From <= merged[k].To {
			merged[k].To = max(merged[k].To, s.To)
			continue
		}
		merged = append(merged, s)
	}
	if len(merged) == 0 {
		return nil
	}
	res, err := env.Query(ctx, SuccessQuery(field, merged, codes))
	if err != nil {
		return fmt.Errorf("asking for the successes: %w", err)
	}
	idx, err := Columns(res.Columns, []Col{{"time", signin.KindTime}, {"user", signin.KindString}, {"ip", signin.KindString}})
	if err != nil {
		return fmt.Errorf("asking for the successes: %w", err)
	}
	// The spans of each key, by time (they do not overlap).
	byKey := map[string][]Span{}
	for _, s := range merged {
		byKey[s.Key] = append(byKey[s.Key], s)
	}
	for _, row := range res.Rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, ok := Time(row, idx[0])
		if !ok {
			continue
		}
		ev := Event{At: t, User: Str(row, idx[1]), IP: Str(row, idx[2])}
		key := ev.IP
		if field == "user" {
			key = ev.User
		}
		// The query matches text without regard to case, and
		// addresses however written: keep the key's own.
		ks := byKey[key]
		i, _ := slices.BinarySearchFunc(ks, t, func(s Span, t int64) int {
			switch {
			case s.To < t:
				return -1
			case s.From > t:
				return 1
			}
			return 0
		})
		if i < len(ks) && ks[i].From <= t && t <= ks[i].To {
			add(ev)
		}
	}
	return nil
}

// SuccessQuery is the query for the successes of spans (sorted by key
// and time, not empty): "list time, user, ip where status=success and not
// error in (codes) and ip in (keys) and (ip in (key) and time >= from and
// time <= to or ...) between earliest and latest". Keys are compared
// with in: ip = X refuses an X that reads as a network.
func SuccessQuery(field string, spans []Span, codes []int64) *ast.Query {
	return SpanQuery(ast.ListOf(ast.Field("time"), ast.Field("user"), ast.Field("ip")), field, spans, codes)
}

// SpanQuery gives q (a list, or an aggregate's heads) SuccessQuery's
// condition and time range, and returns it.
func SpanQuery(q *ast.Query, field string, spans []Span, codes []int64) *ast.Query {
	keys := make([]*ast.Literal, 0, len(spans))
	each := make([]ast.Expr, len(spans))
	lo, hi := spans[0].From, spans[0].To
	for i, s := range spans {
		if i == 0 || s.Key != spans[i-1].Key {
			keys = append(keys, ast.Str(s.Key))
		}
		each[i] = ast.And(ast.IsIn(ast.Field(field), ast.Str(s.Key)),
			ast.Compare(ast.Field("time"), ">=", ast.Time(time.Unix(0, s.From))),
			ast.Compare(ast.Field("time"), "<=", ast.Time(time.Unix(0, s.To))))
		lo, hi = min(lo, s.From), max(hi, s.To)
	}
	q.Where = ast.And(ast.Eq(ast.Field("status"), ast.Word("success")), ast.Negate(CodesWhere(codes)),
		ast.IsIn(ast.Field(field), keys...), ast.Or(each...))
	// between's end is excluded: hi+1, which overflows only for a query
	// open at its end whose spans reach the end of time (since lo).
	end := time.Time{}
	if hi < math.MaxInt64 {
		end = time.Unix(0, hi+1)
	}
	return q.Within(time.Unix(0, lo), end)
}

// SpanAggregates asks the store (env.Query) for aggregates of the
// successes of each span, the successes Successes would pass on for
// it: "heads where status=success and ... group by field", whose
// columns are the field and cols (the heads' names). Unlike
// Successes, it does not merge the spans of a key: each query names
// a key once (TimeBatches), so that each group is one span's. It
// calls each with the index in spans of the span, the group's row and
// the index in the row of each of cols, for the spans that have
// successes (within the query's range, with the key exactly: the store
// matches text without regard to case). The store answers aggregates
// from its bitmaps and dictionaries, where a list of the successes of
// busy addresses or users would build millions of rows. Without
// env.Query it asks nothing.
func SpanAggregates(ctx context.Context, env *plugins.Env, field string, spans []Span, codes []int64, heads []*ast.Head, cols []Col,
	each func(i int, row []result.Value, idx []int)) error {
	if env == nil || env.Query == nil {
		return nil
	}
	type item struct {
		i int // in spans
		s Span
	}
	var in []item
	for i, s := range spans {
		s.From = max(s.From, env.From)
		if env.To != math.MaxInt64 { // else open
			s.To = min(s.To, env.To-1)
		}
		if s.Key != "" && s.From <= s.To {
			in = append(in, item{i, s})
		}
	}
	batches := TimeBatches(len(in), func(j int) Span { return in[j].s })
	want := append([]Col{{field, signin.KindString}}, cols...)
	for _, batch := range batches {
		bs := make([]Span, len(batch))
		byKey := make(map[string]int, len(batch))
		for j, b := range batch {
			bs[j] = in[b].s
			byKey[in[b].s.Key] = in[b].i
		}
		q := SpanQuery(ast.AggregateOf(heads...), field, bs, codes)
		q.GroupBy = []ast.Expr{ast.Field(field)}
		res, err := env.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("asking for the successes: %w", err)
		}
		idx, err := Columns(res.Columns, want)
		if err != nil {
			return fmt.Errorf("asking for the successes: %w", err)
		}
		for _, row := range res.Rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if i, ok := byKey[Str(row, idx[0])]; ok {
				each(i, row, idx[1:])
			}
		}
	}
	return nil
}

// QueryBatch is the most spans a batch of TimeBatches holds: it
// bounds the time range of the batch's query, for speed. A query's
// condition on spans costs in proportion to the spans times the blocks
// of its range: on a million sign-ins, 5,731 one-hour spans of distinct
// addresses over 30 days took 25-34 s as one query (or in batches of
// 500 in order of key), 5-8 s in batches of 500 in order of time.
var QueryBatch = 500

// TimeBatches splits n spans (span(j) the j-th) into batches to ask the
// store about together: the indexes of their spans, in order of time, at
// most QueryBatch a batch, and naming a key once (nor two keys the
// store matches alike: SameKey). Spans in order of time make batches
// of close spans, and the store reads only the blocks of a query's
// range, where spans in order of key would make each batch reach over
// the whole range.
func TimeBatches(n int, span func(j int) Span) [][]int {
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := span(a), span(b)
		return cmp.Or(cmp.Compare(sa.From, sb.From), strings.Compare(sa.Key, sb.Key), cmp.Compare(sa.To, sb.To))
	})
	var out [][]int
	keys := map[string]bool{}
	for _, j := range order {
		k := len(out) - 1
		key := SameKey(span(j).Key)
		if k < 0 || keys[key] || len(out[k]) == QueryBatch {
			out = append(out, nil)
			clear(keys)
			k++
		}
		out[k] = append(out[k], j)
		keys[key] = true
	}
	return out
}

// SameKey returns the same for keys that the store's "in" matches the
// same sign-ins for: text without regard to case, addresses however
// written (as an IPv4 address mapped in IPv6).
func SameKey(key string) string {
	if a, err := netip.ParseAddr(key); err == nil {
		return "addr " + a.Unmap().String()
	}
	return "text " + strings.ToLower(strings.ToUpper(key))
}

// SignInCols are the columns the detection stages read, in order.
var SignInCols = []Col{{"time", signin.KindTime}, {"ip", signin.KindString}, {"user", signin.KindString},
	{"app", signin.KindString}, {"status", signin.KindString}, {"error", signin.KindInt}}

// SignInFields are the fields of SignInCols.
func SignInFields() []string {
	var out []string
	for _, c := range SignInCols {
		out = append(out, c.Name)
	}
	return out
}

// Needs is what a stage reading sign-in events needs of a list: the
// event fields, the sign-ins that succeeded or failed with one of the
// codes, streamed.
func Needs(codes []int64) plugins.Needs {
	return plugins.Needs{Fields: SignInFields(), Where: CodesWhere(codes), Stream: true}
}

// NewReader returns the Reader of the events in rows of columns in,
// failures being the codes, or an error naming a column in lacks.
func NewReader(in []result.Column, codes []int64) (Reader, error) {
	idx, err := Columns(in, SignInCols)
	if err != nil {
		return Reader{}, err
	}
	return Reader{Idx: [6]int(idx), Codes: codes}, nil
}
