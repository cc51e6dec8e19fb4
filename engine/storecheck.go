package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
)

// Badger's Open repairs what it finds wrong by deleting and cutting
// files: a table file its MANIFEST does not name is deleted, and the last
// value-log file and every memtable log are cut at their first bad
// entry. After a crash that is right: those are what the interrupted
// write left. On a damaged store it destroys data: a MANIFEST cut short
// makes Badger delete the tables it no longer names (the whole store,
// which then opens as an empty one), and a value log damaged in the
// middle loses everything after the damage. A damaged table makes Badger
// panic in goroutines of its own, which no caller can recover, and a log
// file shorter than its header makes it exit the process.
//
// So Open first reads the files as Badger will, changing nothing
// (checkStore), and lets Badger open the store read-write only when what
// it would change is what a crash leaves behind.

// checkStore looks at the store in dir before Badger opens it. err, which
// wraps ErrCorruption, is damage Badger must not see at all: the store is
// refused and nothing in it is touched. readOnly, which also wraps
// ErrCorruption, is damage a read-write open would make worse and a
// read-only one would not: the store is opened read-only.
func checkStore(dir string) (readOnly, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("engine: open %s: %w", dir, err)
	}
	tables := map[uint64]string{}
	var vlogs, mems []badgerLog
	hasManifest := false
	for _, e := range ents {
		name := e.Name()
		switch ext := filepath.Ext(name); {
		case name == "MANIFEST":
			hasManifest = true
		case ext == ".sst":
			if id, ok := table.ParseFileID(name); ok {
				tables[id] = name
			}
		case ext == ".vlog" || ext == ".mem":
			fid, err := strconv.ParseUint(strings.TrimSuffix(name, ext), 10, 32)
			if err != nil {
				continue
			}
			info, err := e.Info()
			if err != nil {
				return nil, fmt.Errorf("engine: open %s: %w", dir, err)
			}
			l := badgerLog{path: filepath.Join(dir, name), fid: uint32(fid), size: info.Size()}
			if ext == ".vlog" {
				vlogs = append(vlogs, l)
			} else {
				mems = append(mems, l)
			}
		}
	}
	// Badger reads the header of every log file, and exits the process
	// when one is shorter (an empty one is a file it was creating;
	// removeEmptyLogs has deleted those).
	for _, l := range slices.Concat(vlogs, mems) {
		if l.size > 0 && l.size < logHeaderSize {
			return nil, damaged(dir, l.name(), fmt.Errorf("%d bytes, shorter than a log file's header", l.size))
		}
	}
	// Badger replays every memtable log, cutting it where its entries
	// stop: it must stop where a crash stopped writing.
	memEntries := false
	pointed := map[uint32]int64{} // where the memtable logs' values end, by value-log file
	for _, l := range mems {
		sc, err := scanLog(l.path, false)
		if err != nil {
			return nil, fmt.Errorf("engine: open %s: %w", dir, err)
		}
		if !sc.sound() {
			return nil, damaged(dir, l.name(), sc.problem())
		}
		memEntries = memEntries || sc.entries > 0
		for fid, end := range sc.pointed {
			pointed[fid] = max(pointed[fid], end)
		}
	}
	if !hasManifest {
		// Badger writes its MANIFEST before any other file: without one,
		// files holding data mean it was lost, and Badger would start an
		// empty store over them, deleting the tables.
		for _, name := range tables {
			return nil, damaged(dir, "MANIFEST", fmt.Errorf("missing, while table file %s is there", name))
		}
		for _, l := range vlogs {
			sc, err := scanLog(l.path, true)
			if err != nil {
				return nil, fmt.Errorf("engine: open %s: %w", dir, err)
			}
			if sc.entries > 0 {
				return nil, damaged(dir, "MANIFEST", fmt.Errorf("missing, while %s holds data", l.name()))
			}
		}
		if memEntries {
			return nil, damaged(dir, "MANIFEST", errors.New("missing, while the memtable logs hold data"))
		}
		return nil, nil
	}

	man, torn, err := readBadgerManifest(dir)
	if err != nil {
		return nil, damaged(dir, "MANIFEST", err)
	}
	ids := make([]uint64, 0, len(man.Tables))
	for id := range man.Tables {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		name := table.IDToFilename(id)
		if _, ok := tables[id]; !ok {
			return nil, damaged(dir, name, errors.New("missing: the MANIFEST names it"))
		}
		if err := verifyTable(filepath.Join(dir, name), id, man.Tables[id]); err != nil {
			return nil, damaged(dir, name, err)
		}
	}
	// A table the MANIFEST does not name is one a crash interrupted
	// (a memtable flush, whose log is still there, or a compaction of
	// tables it names), which Badger deletes. Badger appends each change
	// to the MANIFEST in one write, which a crash does not cut: one cut
	// short, or one that names no table at all while a table's data is
	// nowhere else, has lost what it said.
	var unnamed []string
	for id, name := range tables {
		if _, ok := man.Tables[id]; !ok {
			unnamed = append(unnamed, name)
		}
	}
	slices.Sort(unnamed)
	switch {
	case len(unnamed) > 0 && torn:
		return nil, damaged(dir, "MANIFEST", fmt.Errorf("cut short, and it does not name %s, which Badger would delete", strings.Join(unnamed, ", ")))
	case len(unnamed) > 0 && len(man.Tables) == 0 && !memEntries:
		return nil, damaged(dir, "MANIFEST", fmt.Errorf("names no table, while %s holds data Badger would delete", strings.Join(unnamed, ", ")))
	}

	// Badger cuts the last value-log file where its entries stop. Read
	// only, the rest of the store can still be read. In a store a crash
	// left (its memtable logs are still there), a bad entry no committed
	// write points at or past is one the crash interrupted, whatever
	// follows it: a kill during a write has been seen to leave a bad
	// entry with data after it (scripts/crashloop.sh), and Badger's cut
	// there loses nothing committed. One that committed writes point
	// past is damage.
	if len(vlogs) > 0 {
		last := slices.MaxFunc(vlogs, func(a, b badgerLog) int { return int(a.fid) - int(b.fid) })
		sc, err := scanLog(last.path, false)
		if err != nil {
			return nil, fmt.Errorf("engine: open %s: %w", dir, err)
		}
		if !sc.sound() && (len(mems) == 0 || pointed[last.fid] > sc.stop) {
			return damaged(dir, last.name(), sc.problem()), nil
		}
	}
	return nil, nil
}

// damaged is the error about a damaged file of the store in dir.
func damaged(dir, file string, err error) error {
	return corrupt(fmt.Sprintf("store %s: %s", dir, file), err)
}

// readBadgerManifest reads Badger's MANIFEST in dir as Badger does, and
// reports whether it ends in a change cut short (which Badger's Open
// cuts off).
func readBadgerManifest(dir string) (man badger.Manifest, torn bool, err error) {
	f, err := os.Open(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		return man, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return man, false, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable: %v", r)
		}
	}()
	o := badgerOptions(dir, false)
	man, end, err := badger.ReplayManifestFile(f, o.ExternalMagicVersion, o)
	if err != nil {
		return man, false, err
	}
	return man, end < info.Size(), nil
}

// verifyTable reads a table file whole, as Badger would open it, and
// checks the checksums of its index and every block. It reads the file
// into memory rather than mapping it: a table is at most a memtable's
// size, and the check must not fault on a file cut short.
func verifyTable(path string, id uint64, tm badger.TableManifest) (err error) {
	if tm.KeyID != 0 {
		return nil // encrypted: signinq never writes such tables
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("empty")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable, cut short or damaged (%s)", firstLine(fmt.Sprint(r)))
			if strings.Contains(fmt.Sprint(r), "initIndex") {
				err = errors.New("its index is unreadable: the file is cut short or damaged")
			}
		}
	}()
	t, err := table.OpenInMemoryTable(data, id, &table.Options{
		ChkMode:     options.OnTableAndBlockRead,
		BlockSize:   badger.DefaultOptions("").BlockSize,
		Compression: tm.Compression,
	})
	if err != nil {
		return err
	}
	return t.VerifyChecksum()
}

// firstLine returns s up to its first non-empty line's end.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return s
}

// logHeaderSize is the header of Badger's log files (value log and
// memtable logs): a key id and an IV for encryption.
const logHeaderSize = 20

// badgerLog is a value-log or memtable-log file.
type badgerLog struct {
	path string
	fid  uint32
	size int64
}

func (l badgerLog) name() string { return filepath.Base(l.path) }

// logScan is what scanLog found in a log file.
type logScan struct {
	size    int64
	entries int // whole entries of finished transactions
	// end is where Badger's replay stops: after the last whole
	// transaction. A read-write open cuts the file there.
	end int64
	// stop is where the entries stopped: the first entry that is not
	// whole, or that breaks a transaction; reach is where that entry
	// says it ends (its header's lengths), or -1 when its header is
	// zeros, unwritten.
	stop, reach int64
	// whole: the entry at stop is whole and its checksum holds, but it
	// breaks a transaction; or its header is not one (a length
	// overflows). Either way, not a write cut short.
	whole bool
	// last is the last byte from stop on that is not zero, or stop-1.
	last int64
	// pointed holds, for each value-log file, where the values the
	// finished transactions of a memtable log point into it end.
	pointed map[uint32]int64
}

// minZeroTail is the least run of zeros that ends a log file a crash
// left: Badger makes the file much larger than it writes (twice the
// value-log or memtable size) and writes from its start, so what it had
// not written yet is zeros to the end of the file. A file closed cleanly
// is cut where its last entry ends, with a checksum: its last bytes are
// zeros only by chance (once in 2^32 for four).
const minZeroTail = 8

// sound reports whether cutting the file at end loses nothing but what a
// crash interrupted. Badger copies each entry into the file whole, and a
// crash cuts at most the copy under way: so a crash leaves whole
// entries, then perhaps entries of an unfinished transaction, then what
// was copied of one entry, then zeros to the end of the file. Go copies
// large blocks head and tail last, so the entry's header may still be
// zeros with its body written; a written header says where the entry
// ends, and nothing after that may be written.
func (s *logScan) sound() bool {
	switch {
	case s.end == s.size:
		return true
	case s.whole || s.size-1-s.last < minZeroTail:
		return false
	case s.reach < 0:
		return true
	}
	return s.reach <= s.size && s.last < s.reach
}

// problem describes an unsound scan.
func (s *logScan) problem() error {
	switch {
	case s.whole:
		return fmt.Errorf("its entries break off at byte %d of %d, and a read-write open would cut the rest", s.stop, s.size)
	case s.reach > s.size || s.size-1-s.last < minZeroTail && s.last < s.reach:
		return fmt.Errorf("cut short: its last entry, at byte %d, runs past its end at byte %d", s.stop, s.size)
	}
	return fmt.Errorf("a bad entry at byte %d of %d has data after it, which a read-write open would cut", s.stop, s.size)
}

// scanLog reads a log file's entries as Badger's replay does
// (logFile.iterate): each is meta, user meta, uvarint key length, value
// length and expiry, the key, the value, and a big-endian CRC-32C of all
// that; entries flagged as part of a transaction count once the
// transaction's end entry is read. With first, it stops after the first
// whole entry.
func scanLog(path string, first bool) (*logScan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	s := &logScan{size: info.Size(), end: logHeaderSize, stop: logHeaderSize, reach: logHeaderSize}
	if s.size <= logHeaderSize {
		s.end, s.stop, s.reach, s.last = s.size, s.size, s.size, s.size-1
		return s, nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, logHeaderSize, s.size-logHeaderSize), 1<<20)
	off := int64(logHeaderSize)
	var txn uint64     // the transaction being read, or 0
	pending := 0       // its entries
	var ptrs []pointer // the value pointers of the entries not yet counted
	crc := crc32.New(castagnoli)
	var key []byte
	for {
		s.stop, s.reach = off, off
		head, _ := r.Peek(maxEntryHeader)
		h, hlen := decodeEntryHeader(head)
		if hlen <= 0 {
			// Not a whole header: the file ends within it (a crash leaves
			// zeros after what it wrote, which read as a header), or a
			// length overflows.
			s.reach = s.size + 1
			s.whole = len(head) == maxEntryHeader
			break
		}
		if zeros(head[:hlen]) {
			s.reach = -1 // not written, or not yet
			break
		}
		s.reach = off + int64(hlen) + int64(h.klen) + int64(h.vlen) + crc32.Size
		if h.klen > 1<<16 || h.klen == 0 {
			break
		}
		crc.Reset()
		crc.Write(head[:hlen])
		r.Discard(hlen)
		// A transaction's timestamp is in its entries' keys (the last 8
		// bytes), and its end entry's value is it in decimal.
		key = slices.Grow(key[:0], int(h.klen))[:h.klen]
		if _, err := io.ReadFull(r, key); err != nil {
			break
		}
		crc.Write(key)
		var val []byte
		if h.meta&(logBitFinTxn|logBitValuePointer) != 0 && h.vlen <= 64 {
			val = make([]byte, h.vlen)
			if _, err := io.ReadFull(r, val); err != nil {
				break
			}
			crc.Write(val)
		} else if n, _ := io.CopyN(crc, r, int64(h.vlen)); n < int64(h.vlen) {
			break
		}
		var sum [crc32.Size]byte
		if _, err := io.ReadFull(r, sum[:]); err != nil || binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			break
		}
		// A whole entry: does it continue the replay?
		s.whole = true
		if h.meta&logBitValuePointer != 0 && len(val) == vptrSize {
			// Fid, Len, Offset, as Badger lays them out in memory.
			fid := binary.LittleEndian.Uint32(val)
			end := int64(binary.LittleEndian.Uint32(val[8:])) + int64(binary.LittleEndian.Uint32(val[4:]))
			ptrs = append(ptrs, pointer{fid, end})
		}
		switch {
		case h.meta&logBitTxn != 0:
			ts := keyTimestamp(key)
			if txn == 0 {
				txn = ts
			}
			if txn != ts {
				return s, s.findLast(f)
			}
			pending++
		case h.meta&logBitFinTxn != 0:
			ts, err := strconv.ParseUint(string(val), 10, 64)
			if err != nil || ts != txn {
				return s, s.findLast(f)
			}
			txn = 0
			s.entries += pending + 1
			pending = 0
			s.end = s.reach
			s.point(ptrs)
			ptrs = ptrs[:0]
		default:
			if txn != 0 {
				return s, s.findLast(f)
			}
			s.entries++
			s.end = s.reach
			s.point(ptrs)
			ptrs = ptrs[:0]
		}
		s.whole = false
		off = s.reach
		if first && s.entries > 0 {
			return s, nil
		}
		if off == s.size {
			s.stop, s.reach, s.last = off, off, off-1
			return s, nil
		}
	}
	return s, s.findLast(f)
}

// pointer is where a value a memtable log points to ends in a value log.
type pointer struct {
	fid uint32
	end int64
}

// vptrSize is the size of Badger's value pointer: its value-log file,
// the value's length and its offset, each 32 bits.
const vptrSize = 12

// point records the value pointers of entries the replay counts.
func (s *logScan) point(ptrs []pointer) {
	for _, p := range ptrs {
		if s.pointed == nil {
			s.pointed = map[uint32]int64{}
		}
		s.pointed[p.fid] = max(s.pointed[p.fid], p.end)
	}
}

func zeros(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// findLast sets s.last: the last byte of the file from s.stop on that is
// not zero, reading only the parts of the file that hold data
// (dataAfter).
func (s *logScan) findLast(f *os.File) error {
	s.last = s.stop - 1
	buf := make([]byte, 1<<20)
	for off := s.stop; off < s.size; {
		data, hole, err := dataAfter(f, off, s.size)
		if err != nil {
			return err
		}
		for off = data; off < hole; {
			n, err := f.ReadAt(buf[:min(int64(len(buf)), hole-off)], off)
			for i := n - 1; i >= 0; i-- {
				if buf[i] != 0 {
					s.last = off + int64(i)
					break
				}
			}
			off += int64(n)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Badger's log entry header: flags of the meta byte, and its largest
// size (two bytes and three uvarints of up to 32, 32 and 64 bits).
const (
	logBitValuePointer = 1 << 1 // the value is a pointer into a value log
	logBitTxn          = 1 << 6
	logBitFinTxn       = 1 << 7
	maxEntryHeader     = 2 + 5 + 5 + 10
)

type entryHeader struct {
	meta       byte
	klen, vlen uint32
}

// decodeEntryHeader decodes a log entry's header at the start of b, and
// returns its length, or 0 when b does not hold a whole one.
func decodeEntryHeader(b []byte) (entryHeader, int) {
	if len(b) < 2 {
		return entryHeader{}, 0
	}
	h := entryHeader{meta: b[0]}
	n := 2
	for i := range 3 {
		v, k := binary.Uvarint(b[n:])
		if k <= 0 || (i < 2 && v > 1<<32-1) {
			return entryHeader{}, 0
		}
		switch i {
		case 0:
			h.klen = uint32(v)
		case 1:
			h.vlen = uint32(v)
		}
		n += k
	}
	return h, n
}

// keyTimestamp is the version Badger appends to a key: the bitwise
// complement of the big-endian uint64 in its last 8 bytes.
func keyTimestamp(key []byte) uint64 {
	if len(key) < 8 {
		return 0
	}
	return math.MaxUint64 - binary.BigEndian.Uint64(key[len(key)-8:])
}
