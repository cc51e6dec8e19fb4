// Package engine is signinq's embedded analytics engine: the columnar
// sign-in store on Badger, its roaring-bitmap indexes, and the Go API that
// other tools embed.
//
// The sign-in record and its field catalog are in package engine/signin;
// reading the export formats into records is package engine/logfile. The
// store itself arrives with the issue "The store".
//
// A stored value becomes a result's Value in one place: Vector.Value,
// Column.DictValue and Column.IntValue, which queries, plugins and the
// shell all read the store through; Value.String is its text. Values
// lists a column's values over the whole store with their counts.
//
// With the query language linked in (package query), DB.Query answers a
// query gathered in a Result, and DB.QueryRows streams it as Rows: the
// rows flow from the store to the reader one at a time, in memory that
// does not grow with their number.
//
// Open checks a store's files before the storage library may change
// them (storecheck.go), and the engine checks the free space before every
// write (space.go): a damaged store is refused, or opened read-only, with
// ErrCorruption naming the file, and a full disk is ErrNoSpace saying how
// much to free, never a crash (docs/format.md, "Damaged stores and full
// disks").
//
// Imports flow one way through signinq: index ← engine ← plugins ← query
// ← repl, bench ← cmd. Nothing in engine reads the wall clock; the time
// is an option.
package engine
