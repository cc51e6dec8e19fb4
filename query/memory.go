package query

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// The memory limit of a query's groups (Options.MaxMemory).
//
// Everything that grows with the groups is charged as it grows: each
// part's group table and accumulators after every block (plugins.Sizer),
// the merged table every few groups, the output rows as they are made.
// A charge that takes the query past its limit fails it at once: the
// goroutines reading parts stop at their next block, and no other part
// is read. A stage's queries (plugins.Env.Query) share the limit of the
// query they run in. The estimates are on the safe side of what the Go
// heap holds (maps at their emptiest, strings at their size class), and
// the garbage is collected before it takes the heap far past the limit
// (memBudget): on a million sign-ins, the heap's peak stayed within 1.2
// times the limit for every shape measured (query/memory_test.go).

// ErrTooMuchMemory is returned (wrapped in a *MemoryError) by a query
// whose groups would take more memory than Options.MaxMemory allows.
var ErrTooMuchMemory = errors.New("query: the groups take more memory than the limit")

// DefaultMaxMemory is the memory limit of a query's groups when
// Options.MaxMemory is zero.
const DefaultMaxMemory = 1 << 30

// ParseMemory reads a memory limit as people write it: 512MiB, 4GiB,
// 1.5 GiB, 800MB (powers of 1000), 2G (K, M, G, T are powers of 1024), or
// a number of bytes. It must be more than zero.
func ParseMemory(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil {
		return 0, fmt.Errorf("%q is not a size: write it as 512MiB, 4GiB or a number of bytes", s)
	}
	mul, ok := map[string]float64{"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3, "m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9, "t": 1 << 40, "tib": 1 << 40, "tb": 1e12}[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (B, KiB, MiB, GiB, TiB, or KB, MB, GB, TB)", s, strings.TrimSpace(t[i:]))
	}
	n := f * mul
	if n < 1 || n > 1<<62 {
		return 0, fmt.Errorf("%q is out of range: a size from 1 byte to 4 EiB", s)
	}
	return int64(n), nil
}

// MemoryError is the error of a query stopped at its memory limit: what
// took the memory, and how far the query had gone. It wraps
// ErrTooMuchMemory.
type MemoryError struct {
	Limit int64 // the limit, in bytes
	// Culprits are what took the most memory, largest first: "the groups
	// of user, app" or an aggregate as written, "dcount(correlationId)",
	// each with its bytes in Bytes.
	Culprits []string
	Bytes    []int64
	// Groups is how many groups the query had made, at least: those
	// merged, or the most of a part not yet merged.
	Groups int64
	// Parts is the number of parts the query's time range holds;
	// PartsRead those it began reading before it stopped.
	Parts, PartsRead int
}

func (e *MemoryError) Error() string {
	var b strings.Builder
	for i, c := range e.Culprits {
		switch {
		case i == 0:
		case i == len(e.Culprits)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(c)
		if strings.HasPrefix(c, groupsOf) {
			fmt.Fprintf(&b, " (%s so far, %s)", countText(e.Groups), bytesText(e.Bytes[i]))
		} else {
			fmt.Fprintf(&b, " (%s)", bytesText(e.Bytes[i]))
		}
	}
	verb := "took"
	if len(e.Culprits) == 0 {
		b.WriteString("the groups")
		verb = "take"
	}
	fmt.Fprintf(&b, " %s more than the query's memory limit of %s", verb, bytesText(e.Limit))
	if e.Parts > 0 {
		fmt.Fprintf(&b, " after reading %d of %d parts", e.PartsRead, e.Parts)
	}
	b.WriteString(": group by fewer or less varied fields")
	for _, c := range e.Culprits {
		if !strings.HasPrefix(c, groupsOf) {
			b.WriteString(", count or list the values of a less varied field")
			break
		}
	}
	b.WriteString(", narrow the time range, or raise the limit")
	return b.String()
}

func (e *MemoryError) Unwrap() error { return ErrTooMuchMemory }

// groupsOf begins the culprit that is the groups themselves.
const groupsOf = "the groups of "

// bytesText writes a size in binary units: 512 KiB, 16 MiB, 1.5 GiB.
func bytesText(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f, u = f/1024, u+1
	}
	if u == 0 || f >= 10 || f == float64(int64(f)) {
		return fmt.Sprintf("%.0f %s", f, units[u])
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}

// countText writes a count for people: 950, 4,736, 12 thousand, 2.1
// million.
func countText(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1f million", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%d thousand", n/1000)
	case n >= 1000:
		return fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	return fmt.Sprint(n)
}

// memBudget is the memory limit of a query and of the queries its stages
// run: what they hold now.
//
// The charges estimate what the groups hold, not the garbage they leave
// (a part's tables once merged, the old tables of a map that grew),
// which the heap keeps until the garbage collector frees it, and which
// the collector lets grow as large as the whole live heap before it does
// (GOGC=100). So that the heap stays near the limit, a query whose
// charges pass half of it watches the heap: once the heap has grown by
// gcAt percent of the limit since the query began, a collection is run
// before the query goes on, and again each time the heap grows by an
// eighth of the limit past what the last one left. (A query far from
// its limit leaves the collector alone.)
type memBudget struct {
	limit int64
	used  atomic.Int64
	peak  atomic.Int64 // the most used at once
	mu    sync.Mutex
	heap0 int64        // the heap when the query began
	next  atomic.Int64 // the heap's growth past which a collection runs; read without mu
}

func newMemBudget(limit int64) *memBudget {
	if limit <= 0 {
		limit = DefaultMaxMemory
	}
	b := &memBudget{limit: limit, heap0: heapBytes()}
	b.next.Store(limit * gcAt / 100)
	return b
}

// gcAt is the heap's growth, in percent of the limit, past which the
// garbage is collected.
const gcAt = 70

// add charges n bytes (releases them when negative).
func (b *memBudget) add(n int64) {
	u := b.used.Add(n)
	for p := b.peak.Load(); u > p && !b.peak.CompareAndSwap(p, u); p = b.peak.Load() {
	}
}

// watch collects the garbage when the charges are past half the limit
// and the heap has grown past b.next.
func (b *memBudget) watch() {
	if b.used.Load() < b.limit/2 || heapBytes()-b.heap0 < b.next.Load() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if heapBytes()-b.heap0 < b.next.Load() {
		return // another goroutine has just collected
	}
	runtime.GC()
	b.next.Store(max(b.limit*gcAt/100, heapBytes()-b.heap0+b.limit/8))
}

// heapBytes returns the bytes of the heap's objects, live or not yet
// freed.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// memAccount is one query's charges to a budget, by what they are for:
// the groups (tables, keys, output rows), then each aggregate.
type memAccount struct {
	b       *memBudget
	names   []string
	keyless bool // a query without keys: one group
	by      []atomic.Int64
	// The groups merged, and the most a part has made.
	merged, partGroups atomic.Int64
}

// Charge categories of an account: the groups, then aggregate i at
// aggCharge+i.
const (
	groupsCharge = 0
	aggCharge    = 1
)

func newMemAccount(b *memBudget, plan *Plan) *memAccount {
	a := &memAccount{b: b, by: make([]atomic.Int64, aggCharge+len(plan.aggs)), keyless: len(plan.keys) == 0}
	keys := make([]string, len(plan.keys))
	for i, k := range plan.keys {
		keys[i] = k.String()
	}
	a.names = append(a.names, groupsOf+strings.Join(keys, ", "))
	for _, s := range plan.aggs {
		a.names = append(a.names, s.src.String())
	}
	return a
}

// add charges n bytes (releases them when negative) for what.
func (a *memAccount) add(what int, n int64) {
	a.by[what].Add(n)
	a.b.add(n)
}

// close returns every charge of the account but keep's, once its query
// is done with them (its parts and merged table are dropped).
func (a *memAccount) close(keep *charge) {
	for i := range a.by {
		n := a.by[i].Load()
		if keep != nil {
			n -= keep.by[i]
		}
		a.add(i, -n)
	}
}

// check returns the query's error once its budget is over the limit:
// a *MemoryError naming what took the most of this account's memory.
func (a *memAccount) check() error {
	b := a.b
	if b.used.Load() <= b.limit {
		b.watch()
		return nil
	}
	e := &MemoryError{Limit: b.limit, Groups: max(a.merged.Load(), a.partGroups.Load())}
	type share struct {
		name  string
		bytes int64
	}
	var shares []share
	var total int64
	for i := range a.by {
		n := a.by[i].Load()
		if i == groupsCharge && a.keyless {
			continue // one group is never the culprit
		}
		total += max(n, 0)
		shares = append(shares, share{a.names[i], n})
	}
	slices.SortStableFunc(shares, func(x, y share) int { return cmp.Compare(y.bytes, x.bytes) })
	// The largest, and each other that holds a quarter of the whole.
	for i, s := range shares {
		if i > 0 && s.bytes*4 < total {
			break
		}
		e.Culprits, e.Bytes = append(e.Culprits, s.name), append(e.Bytes, s.bytes)
	}
	return e
}

// charge is a part's (or the merge's) charges to an account: what it
// holds now for each thing, so that setting a new size charges the
// difference, and releasing it returns them all.
type charge struct {
	a  *memAccount
	by []int64
	// A part's: what it holds beside its grouper and accumulators
	// (dictCounts' counts, functions' dictionaries).
	extra int64
	// A part's: the rows it made of groups it finished, by what they
	// hold (finishPart).
	rows []int64
}

func (a *memAccount) newCharge() *charge { return &charge{a: a, by: make([]int64, len(a.by))} }

// set makes what's charge n bytes.
func (c *charge) set(what int, n int64) {
	if d := n - c.by[what]; d != 0 {
		c.by[what] = n
		c.a.add(what, d)
	}
}

// grow adds n bytes to what's charge.
func (c *charge) grow(what int, n int64) { c.set(what, c.by[what]+n) }

// release returns every charge.
func (c *charge) release() {
	for i := range c.by {
		c.set(i, 0)
	}
}

// sizePart charges what a part's grouper and accumulators hold, rows
// counting the rows given to each accumulator's Add (for those without
// plugins.Sizer), and returns the query's error once it is over the
// limit.
func (c *charge) sizePart(gr *grouper, accs []plugins.Acc, rows []int64) error {
	held := func(what int) int64 {
		if c.rows == nil {
			return 0
		}
		return c.rows[what]
	}
	c.set(groupsCharge, c.extra+held(groupsCharge)+gr.size())
	for n, p := int64(gr.len()), c.a.partGroups.Load(); n > p && !c.a.partGroups.CompareAndSwap(p, n); p = c.a.partGroups.Load() {
	}
	for i, acc := range accs {
		var n int64
		if s, ok := acc.(plugins.Sizer); ok {
			n = s.Size()
		} else {
			n = int64(gr.len()) * plugins.DefaultGroupBytes
			if rows != nil {
				n += rows[i] * plugins.DefaultRowBytes
			}
		}
		c.set(aggCharge+i, n+held(aggCharge+i))
	}
	return c.a.check()
}

// Estimates of what the merged groups and the output rows take, beside
// what mapEntryBytes and stringBytes count.
var (
	// An output row's slice, in the rows.
	rowBytes = int64(24 * 5 / 4)
)

func mapEntryBytes(kv int) int64 { return plugins.MapEntryBytes(kv) }
func stringBytes(n int) int64    { return plugins.StringBytes(n) }

// valueBytes is the memory of an result.Value, without what it refers to.
const valueBytes = plugins.ValueBytes

// valueDataBytes is the memory a value refers to: its text, or its list.
func valueDataBytes(v result.Value) int64 {
	if l := v.List(); l != nil {
		n := int64(cap(l)) * 16
		for _, s := range l {
			n += stringBytes(len(s))
		}
		return n
	}
	return stringBytes(len(v.Str()))
}

// sliceBytes is the memory of a slice of n elements of size bytes, as
// allocated (rounded up to a size class).
func sliceBytes(n int, size int64) int64 { return stringBytes(int(int64(n) * size)) }
