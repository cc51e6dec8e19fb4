// Package baseline is what newvalue and travel share: what values of a
// field each key had before a window (Read, through one engine
// primitive, engine.Snapshot.Combinations), the status they ask about
// (Status, StatusWhere), folded keys and values (Fold, Text), and the
// queries they ask the store, built as trees (Query, Fields, In,
// Literal).
package baseline
