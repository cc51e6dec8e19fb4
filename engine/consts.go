package engine

import "github.com/dgraph-io/badger/v4/options"

// FormatVersion is the version of the on-disk layout described in
// docs/format.md. Open refuses a store of a later version: a reader must
// never guess at a layout it does not know. It upgrades a store of an
// earlier version it still reads (see upgradable) by setting the version:
// nothing is rewritten, and a signinq that reads only the earlier one
// then refuses the store, rather than misread the parts it adds.
const FormatVersion = 3

// upgradable are the earlier versions Open reads and upgrades: version 1,
// whose part headers have no count of types (version 2 adds the AD FS
// sign-ins' type), and version 2, whose parts lack the columns of the
// fields added in version 3 (they read as absent; a signinq of version 2
// would drop them from the parts it compacts).
var upgradable = []uint64{1, 2}

const (
	// blockRows is the most rows a block holds: 2^16, so that a block is
	// one roaring container in every bitmap and a part's row r is in
	// block r>>16.
	blockRowsShift = 16
	blockRows      = 1 << blockRowsShift

	// maxPartRows bounds a part. Compaction builds a part's columns in
	// memory (about 200 bytes a row), so this keeps it near 400 MiB; a
	// day with more sign-ins ends as several parts with disjoint times.
	maxPartRows = 1 << 21

	// slotsPerChunk is how many raw records a chunk holds at most; a
	// record's raw slot is its chunk's position in the part's chunk list
	// times slotsPerChunk, plus its index in the chunk.
	slotsPerChunk = 256

	// chunkBytes closes a raw chunk early once its records pass this many
	// bytes: 256 records of 2–5 KB compress to 6–8% with zstd, and
	// fetching one record decompresses at most about 1 MiB.
	chunkBytes = 1 << 20

	// commitRows is how many new sign-ins a file ingest gathers before it
	// commits them: large enough for big parts, small enough to bound
	// memory (about 600 bytes a row while pending).
	commitRows = 1 << 19

	// compactParts is how many parts a day may collect before background
	// compaction merges them.
	compactParts = 8

	// dedupBudget bounds the ids kept in memory for duplicate checks
	// (23 to 45 bytes each, see keySet): at most about 180 MiB, a large
	// tenant's day. The sets of the least recently used days are dropped
	// beyond it and reloaded from the parts' id indexes when needed; logs
	// arrive mostly in time order, so an ingest rarely goes back to a day
	// it dropped.
	dedupBudget = 4 << 20
)

// tuning holds the Badger settings benchmarks and tests vary; badgerOptions
// has the others, and docs/format.md ("Badger settings") the reasons.
var tuning = struct {
	// valueThreshold: values this size and up go to the value log.
	valueThreshold int64
	// compression of the LSM tree's blocks (never of the value log).
	compression options.CompressionType
	// valueLogFileSize: value-log GC rewrites whole files, never the one
	// being written; tests make them small to see space come back.
	valueLogFileSize int64
}{1 << 10, options.ZSTD, 512 << 20}

// reclaimRatio is the share of a value-log file that must be dead for
// value-log GC to rewrite it: the disk a store takes stays within about
// 1/(1-reclaimRatio) of its data, and a rewrite copies at most
// (1-reclaimRatio)/reclaimRatio bytes per byte it frees.
const reclaimRatio = 0.3
