// Package engine is signinq's embedded analytics engine: the columnar
// sign-in store on Badger, its roaring-bitmap indexes, and the Go API that
// other tools embed.
//
// The sign-in record and its field catalog are in package engine/signin;
// reading the export formats into records is package engine/logfile. The
// store itself arrives with the issue "The store".
//
// A stored value becomes a result's Value in one place, decode.go: a
// value at a row (Vector.Value), the present values at a row or their
// dictionary ids (Vector.AppendValues, AppendIDs), the values of a row
// (RowValues), a dictionary's values (Column.DictValue), which queries,
// aggregates and the shell all read the store through; Value.String is
// its text. Snapshot.Values lists a column's values over
// the whole store with their counts.
//
// The engine knows nothing of the query language: package query reads
// the store through Snapshot and answers statements (query.Exec), and
// package signinq wires the two, with the built-in plugins, for
// embedders.
//
// Besides the sign-ins, a store keeps the metadata of the layers above
// it: small values by name, in spaces of their own (meta.go), read
// through a Snapshot and changed by DB.UpdateMeta in one transaction.
// Package query keeps its saved queries there.
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
