// Package signin defines the sign-in record that every part of signinq
// shares: the canonical [Record] for the five kinds of Entra ID sign-in
// (the four of Entra ID itself and AD FS's, through Connect Health),
// the field catalog ([Fields]) whose names the query language uses, and
// the classification of error codes into a [Status].
//
// There are only a few types: [Record] is one sign-in; [Type] and
// [Status] are its two enumerations; [Field] describes one queryable
// field of the catalog; [Classifier] turns an error code into a status.
//
// The catalog is where a field is declared. A field read from one key per
// format (its Keys) needs, besides its entry and its [Record] field, only
// a column id at the end of engine's columnIDs: the readers of package
// logfile, the store's column and bench/peers' SQL are derived from the
// entry, and docs/fields.md and docs/format.md are regenerated (go test
// ./engine/signin -run TestFieldsDoc -update; go test ./engine -run
// TestColumnTableDocumented -update). A field derived or read specially
// also needs its code where it is read, and in internal/gen, whose typed
// records must hold what reading its exports gives (TestRoundTrip). A
// field made from other fields of the record alone (place, from
// country, state and city) is better not held in the record: its entry's
// derivation makes it whenever it is read ([Field.Derived]), so that no
// reader, internal/gen nor the store's typed records need code for it,
// and bench/peers gets its SQL by hand.
//
// The package has no I/O. Reading the export formats is the job of
// package logfile; storing records is the job of package engine.
package signin
