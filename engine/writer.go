package engine

import (
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// Writer adds sign-ins to the store. What it adds becomes visible, all at
// once, when Commit returns; a crash before then loses the whole
// uncommitted write and nothing else, and the next Open removes what it
// had written.
//
// A sign-in whose (type, id) is already stored, or was added earlier in
// the same write, is skipped and counted as a duplicate; one without an
// id is recognised by a hash of its content. Writers on the same DB may
// run concurrently; a Writer itself is not safe for concurrent use.
type Writer struct {
	db      *DB
	workers int
	days    map[int32]*builder
	full    []*builder // builders that reached maxPartRows
	rows    int        // rows added since the last commit
	marker  []byte     // the pending marker of the current write, or nil
	wb      *badger.WriteBatch
	comp    *compressor
	stats   WriteStats
	err     error // sticky: the writer is unusable after a failed write
	// perRow is the disk space a sign-in takes in the store, to tell
	// whether a write fits before writing it (checkSpace).
	perRow int64
	perHow string
	closed bool
	// encoding is set once the write's parts are being written: their
	// data, under ids not recorded, is then left for Open to delete.
	encoding bool

	scratch []byte
	keys    []index.Key
	fresh   []bool
	recs    []*signin.Record
	slots   []int64
}

// WriteStats counts what a Writer did.
type WriteStats struct {
	Added      int64 // new sign-ins added, committed or not
	Committed  int64 // new sign-ins committed
	Duplicates int64 // sign-ins skipped as already stored or already added
	Rejected   int64 // sign-ins refused: see RejectError
	Parts      int64 // parts committed
}

// RejectError reports sign-ins Add refused. The others were added.
type RejectError struct {
	Rejects []RecordReject
}

// RecordReject is one refused sign-in: its position in the slice given to
// Add, and why.
type RecordReject struct {
	Index  int
	ID     string
	Reason string
}

func (e *RejectError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "engine: %d sign-ins refused", len(e.Rejects))
	for i, r := range e.Rejects {
		if i == 3 {
			fmt.Fprintf(&b, "; …")
			break
		}
		fmt.Fprintf(&b, "; #%d", r.Index)
		if r.ID != "" {
			fmt.Fprintf(&b, " (id %s)", r.ID)
		}
		fmt.Fprintf(&b, ": %s", r.Reason)
	}
	return b.String()
}

// The times a store can hold: Unix nanoseconds in an int64.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Unix(0, 1<<63-1).UTC()
)

// NewWriter starts a write.
func (db *DB) NewWriter() (*Writer, error) {
	if db.isClosed() {
		return nil, ErrClosed
	}
	if err := db.writable(); err != nil {
		return nil, err
	}
	return &Writer{db: db, workers: db.opts.workers(), days: map[int32]*builder{}}, nil
}

// Stats returns what the writer has done so far.
func (w *Writer) Stats() WriteStats { return w.stats }

// Pending returns the number of sign-ins added and not yet committed.
func (w *Writer) Pending() int { return w.rows }

// begin starts a write: the pending marker goes to disk before any data,
// so that a crash leaves data Open knows to delete.
func (w *Writer) begin() error {
	if w.marker != nil {
		return nil
	}
	w.db.writeMu.RLock() // until reset
	w.db.space.begin()
	start := w.db.newID()
	key := idKey(prefixPending, start)
	val := binary.AppendUvarint(nil, start)
	err := w.db.space.grow(writeSize(key, val))
	if err == nil {
		err = w.db.bdb.Update(func(txn *badger.Txn) error {
			return txn.Set(key, val)
		})
	}
	if err != nil {
		w.db.space.end()
		w.db.writeMu.RUnlock()
		return fmt.Errorf("engine: begin write: %w", err)
	}
	w.marker = key
	w.wb = w.db.bdb.NewWriteBatch()
	w.comp = newCompressor(w.db, w.wb, w.workers)
	w.perRow, w.perHow = w.db.bytesPerRow()
	return nil
}

// checkSpace returns ErrNoSpace when the disk cannot hold the sign-ins
// added since the last commit, at perRow bytes each, saying how much they
// need: the write would otherwise fail partway, saying only what its
// last value needed. (Each value written is checked again: see put.)
func (w *Writer) checkSpace() error {
	total := int64(w.rows) * w.perRow
	return w.db.space.fits(total-w.comp.taken.Load(), total,
		fmt.Sprintf("the %s sign-ins of this write need about %s (%s each, %s)",
			humanize.Comma(int64(w.rows)), size(total), size(w.perRow), w.perHow))
}

// Add adds sign-ins. Records are copied: recs may be reused once Add
// returns. A sign-in without a time, or with one outside 1970–2262, is
// refused: Add adds the others and returns a *RejectError.
func (w *Writer) Add(recs []signin.Record) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+w.db.dir)

	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if len(recs) == 0 {
		return nil
	}
	if err := w.begin(); err != nil {
		w.err = err
		return err
	}
	// Group by day, keeping arrival order within a day.
	var rejects []RecordReject
	byDay := map[int32][]int{}
	var order []int32
	for i := range recs {
		r := &recs[i]
		if r.Time.IsZero() || r.Time.Before(minTime) || !r.Time.Before(maxTime) {
			reason := "no sign-in time"
			if !r.Time.IsZero() {
				reason = fmt.Sprintf("sign-in time %s outside 1970–2262", r.Time.Format(time.RFC3339))
			}
			rejects = append(rejects, RecordReject{Index: i, ID: r.ID, Reason: reason})
			continue
		}
		d := dayOf(r.Time.UnixNano())
		if _, ok := byDay[d]; !ok {
			order = append(order, d)
		}
		byDay[d] = append(byDay[d], i)
	}
	for _, d := range order {
		if err := w.addDay(d, recs, byDay[d]); err != nil {
			w.err = err
			return err
		}
	}
	if err := w.checkSpace(); err != nil {
		w.err = err
		return err
	}
	w.stats.Rejected += int64(len(rejects))
	if len(rejects) > 0 {
		return &RejectError{Rejects: rejects}
	}
	return nil
}

// addDay adds the sign-ins recs[idx...] of one day.
func (w *Writer) addDay(day int32, recs []signin.Record, idx []int) error {
	w.keys = w.keys[:0]
	for _, i := range idx {
		var k index.Key
		k, w.scratch = recordKey(&recs[i], w.scratch)
		w.keys = append(w.keys, k)
	}
	// Duplicates within this batch are caught by reserving in order.
	w.fresh = slices.Grow(w.fresh[:0], len(idx))[:len(idx)]
	if err := w.db.dedup.reserve(w.db, day, w.keys, w.fresh); err != nil {
		return err
	}
	b := w.days[day]
	start := 0
	for start < len(idx) {
		if b == nil || b.rows >= maxPartRows {
			if b != nil {
				w.full = append(w.full, b)
			}
			b = newBuilder(day)
			w.days[day] = b
		}
		w.recs, w.slots = w.recs[:0], w.slots[:0]
		var keys []index.Key
		j := start
		for ; j < len(idx) && b.rows+len(w.recs) < maxPartRows; j++ {
			if !w.fresh[j] {
				w.stats.Duplicates++
				continue
			}
			r := &recs[idx[j]]
			slot, closed := b.addRaw(r.Raw, w.db.newID)
			if closed != nil {
				w.comp.add(closed)
			}
			w.recs = append(w.recs, r)
			w.slots = append(w.slots, slot)
			keys = append(keys, w.keys[j])
		}
		start = j
		b.keys = append(b.keys, keys...)
		b.addRows(w.recs, w.slots, w.workers)
		w.rows += len(w.recs)
		w.stats.Added += int64(len(w.recs))
	}
	return nil
}

// Commit makes everything added since the last commit visible, atomically,
// and durable against a crash of the process. On error nothing of the
// write is visible and the writer is unusable.
func (w *Writer) Commit() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+w.db.dir)

	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if w.marker == nil {
		return nil
	}
	if err := w.commit(); err != nil {
		w.err = err
		w.abort()
		return err
	}
	return nil
}

func (w *Writer) builders() []*builder {
	bs := append([]*builder(nil), w.full...)
	for _, b := range w.days {
		bs = append(bs, b)
	}
	slices.SortFunc(bs, func(a, b *builder) int { return int(a.day) - int(b.day) })
	return bs
}

func (w *Writer) commit() error {
	bs := w.builders()
	for _, b := range bs {
		if c := b.closeRaw(); c != nil {
			w.comp.add(c)
		}
	}
	sizes, err := w.comp.wait()
	if err != nil {
		return err
	}
	var parts []*Part
	w.encoding = true
	for _, b := range bs {
		if b.rows == 0 {
			continue
		}
		d := b.finish(w.db.newID())
		for _, c := range d.chunks {
			d.rawDisk += sizes[c]
		}
		p, err := encodePart(d, w.workers, func(key, val []byte) error {
			w.comp.taken.Add(writeSize(key, val))
			return w.db.put(w.wb, key, val)
		})
		if err != nil {
			return fmt.Errorf("engine: write part of %s: %w", dayString(b.day), err)
		}
		parts = append(parts, p)
	}
	if err := w.wb.Flush(); err != nil {
		return fmt.Errorf("engine: write: %w", err)
	}
	if err := w.db.commit(parts, nil, w.marker, nil); err != nil {
		return fmt.Errorf("engine: commit: %w", err)
	}
	for _, b := range bs {
		w.db.dedup.committed(b.day, len(b.keys))
	}
	w.stats.Committed += int64(w.rows)
	w.stats.Parts += int64(len(parts))
	w.reset()
	w.db.kickCompactor()
	return nil
}

// reset ends the write begun by begin.
func (w *Writer) reset() {
	w.db.space.end()
	w.db.writeMu.RUnlock()
	w.days = map[int32]*builder{}
	w.full = nil
	w.rows = 0
	w.marker = nil
	w.wb = nil
	w.comp = nil
	w.encoding = false
}

// abort abandons the uncommitted write: its reservations are released and
// its raw chunks deleted. Once its parts were being written, their data
// and the write's pending marker are left for the next Open to delete.
func (w *Writer) abort() {
	if w.marker == nil {
		return
	}
	var doomed [][]byte
	for _, b := range w.builders() {
		w.db.dedup.release(b.day, b.keys)
		for _, c := range b.chunks {
			doomed = append(doomed, idKey(prefixRaw, c))
		}
	}
	if w.comp != nil {
		w.comp.wait()
	}
	if w.wb != nil {
		w.wb.Cancel()
	}
	if !w.encoding {
		doomed = append(doomed, w.marker)
	}
	if err := w.db.deleteKeys(doomed); err != nil {
		w.db.opts.logf("engine: abandoned write left data for the next Open to delete: %v", err)
	}
	w.reset()
}

// Close abandons what was added and not committed, and ends the writer.
func (w *Writer) Close() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+w.db.dir)
	if w.closed {
		return nil
	}
	w.closed = true
	w.abort()
	return nil
}

// compressor compresses and writes raw chunks on several goroutines.
type compressor struct {
	db   *DB
	wb   *badger.WriteBatch
	jobs chan *rawChunk
	wg   sync.WaitGroup // jobs in flight
	once sync.Once      // starts the goroutines
	stop sync.Once      // stops them
	n    int

	mu    sync.Mutex
	sizes map[uint64]int64
	err   error

	taken atomic.Int64 // bytes the write's values took of the disk (see DB.put)
}

func newCompressor(db *DB, wb *badger.WriteBatch, workers int) *compressor {
	return &compressor{db: db, wb: wb, jobs: make(chan *rawChunk, 2*workers), n: workers, sizes: map[uint64]int64{}}
}

func (c *compressor) add(ch *rawChunk) {
	c.once.Do(func() {
		for range c.n {
			go c.run()
		}
	})
	c.wg.Add(1)
	c.jobs <- ch
}

func (c *compressor) run() {
	for ch := range c.jobs {
		key := idKey(prefixRaw, ch.id)
		val := seal(key, ch.encode(nil))
		err := c.db.put(c.wb, key, val)
		c.taken.Add(writeSize(key, val))
		c.mu.Lock()
		c.sizes[ch.id] = int64(len(val))
		if err != nil && c.err == nil {
			c.err = fmt.Errorf("engine: write raw chunk: %w", err)
		}
		c.mu.Unlock()
		c.wg.Done()
	}
}

// wait waits for the chunks given so far and stops the goroutines.
func (c *compressor) wait() (map[uint64]int64, error) {
	c.wg.Wait()
	c.stop.Do(func() { close(c.jobs) })
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sizes, c.err
}
