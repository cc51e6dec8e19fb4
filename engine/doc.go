// Package engine is signinq's store of Entra ID sign-ins: a columnar store
// on Badger with a roaring bitmap of rows per value of each indexed field,
// kept in immutable parts of one UTC day each (docs/format.md). It stores,
// keeps and reads sign-ins; it knows nothing of the query language.
//
// The sign-in record and its field catalog are package engine/signin;
// reading the export formats into records is package engine/logfile; the
// byte encodings of a part are package index. Queries are package query's
// (query.Exec reads the store through a Snapshot), and package signinq
// wires the store, the language and the built-in plugins for embedders.
//
// # The embedder's API
//
// Open opens or creates a store in a directory (or in memory) with
// Options, and returns a DB. Sign-ins go in by Ingest (files and
// directories, logfile.Paths), IngestInputs (inputs already made, such as
// a stream) or IngestBatches (records from the caller), configured by
// IngestOptions and counted by IngestStats; or atomically, by
// IngestRecords or a Writer (NewWriter), counted by WriteStats, which
// refuse what cannot be stored with a RejectError listing each
// RecordReject. Compact merges a day's parts (CompactStats); Prune deletes
// the days before a time and WouldPrune says what it would (PruneStats);
// Stats describes what the store holds and takes on disk (Stats,
// DayStats); Count, Now, Clock, Dir and ReadOnly answer the rest.
// FormatVersion is the on-disk layout's version, DefaultCommitInterval
// how often an ingest commits.
//
// Besides the sign-ins, a store keeps the metadata of the layers above
// it: small values by name, in spaces of their own (meta.go), read
// through a Snapshot (Snapshot.Meta, AllMeta) and changed by
// DB.UpdateMeta in one synced transaction. Package query keeps its saved
// queries there.
//
// # The reading API
//
// What the query layer, plugins and the shell read the store through.
// DB.Snapshot (or DB.View) takes a Snapshot, a consistent view of the
// parts committed when it was taken:
//
//   - parts: Snapshot.Parts and PartsBetween give each Part (a day's run
//     of rows in time order, cut into blocks described by BlockHeader);
//     Span and Rows find times; Lookup, Get, Record and Records find and
//     rebuild sign-ins (a Location is where one is);
//   - columns: Columns and LookupColumn give each Column, a catalog field
//     stored with an Encoding (EncDict, EncList, EncInt, EncString);
//   - vectors: ReadBlock decodes a block's columns into a Vector each,
//     through a cache of decoded blocks (Options.BlockCache; BlockCached
//     says what it holds), ReadBlockOnce past it; Part.BlockRange gives a
//     block's range of values without reading it;
//   - dictionaries: Dict and ReadDict give a part's index.Dict of a
//     column, whose positions are the ids vectors and bitmaps use;
//     Part.DictLen its size;
//   - bitmaps: Bitmap, BitmapRange and EachBitmap give the rows having
//     values, Cardinalities and CardinalityOf their counts without
//     reading rows;
//   - decoders: a stored value becomes a result.Value in one place,
//     decode.go: Vector.Value (a value at a row), Vector.AppendValues and
//     AppendIDs (the present values at a row, or their dictionary ids),
//     RowValues (the values of a row), Column.DictValue, Column.IntValue
//     and Column.Absent, and RecordValue for a record not yet stored;
//     Column.HasDict says whether a column's values have dictionary ids;
//     Snapshot.Values lists a column's values over the store with their
//     counts (ValueCount); DayTime turns a Part's day into a time;
//     Snapshot.Numbers renumbers a part's dictionary of a text column
//     into the store's Numbering of the column (the same number for the
//     same text in every part), for merging what parts found by value,
//     and Column.NumberedValue decodes a number.
//
// # Errors
//
// Errors are few and named, and wrap their causes: ErrClosed, ErrLocked,
// ErrVersion, ErrNotStore, ErrCorruption (IsCorruption), ErrNoSpace,
// ErrNotFound and ErrInterrupted; test for them with errors.Is. A refused
// sign-in is a RejectError.
//
// # Contracts
//
//   - A DB is safe for concurrent use: many goroutines read snapshots
//     while others ingest, and compaction runs beside both. A Snapshot is
//     safe for concurrent readers and must be closed; a Writer is not
//     safe for concurrent use.
//   - A write becomes visible, all at once, when it commits, and is then
//     durable against a crash of the process; Open finishes or removes
//     what a crash interrupted.
//   - Nothing on disk makes the engine panic: data that fails its checksum
//     or does not decode is an error wrapping ErrCorruption, naming the
//     part and value or the file. Open checks a store's files before the
//     storage library may change them (storecheck.go) and refuses a
//     damaged store, or opens it read-only (DB.ReadOnly).
//   - The engine checks the free space before every write (space.go): a
//     full disk is ErrNoSpace saying how much to free, never a crash
//     (docs/format.md, "Damaged stores and full disks").
//   - Nothing in engine reads the wall clock (the time is Options.Clock)
//     or writes to standard output or standard error (Options.Logf).
//
// Imports flow one way through signinq: index ← engine ← plugins ← query
// ← repl, bench ← cmd.
package engine
