// Package index holds the immutable, self-describing byte encodings of the
// sign-in store's parts. It is the bottom of signinq's import graph
// (index ← engine ← plugins ← query ← repl, bench ← cmd) and knows nothing
// of Badger, fields or sign-ins: the engine decides what goes in each
// encoding and where it is stored.
//
// The encodings:
//
//   - packed integers (AppendIDs, AppendInts, AppendLists): a count, a
//     minimum, and each value's distance from it in a fixed number of
//     bytes; the columns of dictionary ids, of ints, and of lists;
//   - string columns (AppendStrings): mostly-unique strings, stored as 16
//     bytes per value when they are canonical GUIDs;
//   - dictionaries (AppendStringDict, AppendIntDict, AppendFloatDict): the
//     sorted distinct values of a field in a part, whose positions are the
//     ids the columns and bitmaps use;
//   - bundles (BundleWriter): the roaring bitmap of rows of each value of
//     an indexed field in a part, behind a fixed-width table;
//   - the id index (AppendIDIndex): a part's sign-in keys, sorted, with
//     their rows.
//
// Contracts:
//
//   - Decoders never panic, whatever their input: they validate it and
//     return errors wrapping ErrCorrupt. Encoders given input that breaks
//     their contract return errors wrapping ErrInvalid.
//   - Decoding is zero-copy: views (Strings, Dict, Bundle, IDIndex), the
//     strings they return and the bitmaps they build reference the input
//     bytes, which must stay alive and unmodified while any of them is in
//     use.
//   - Views are read-only and safe for concurrent readers. Bitmaps returned
//     by a Bundle are copy-on-write over its bytes: callers may modify them
//     without touching the bytes.
//   - Decoders that fill slices (DecodeIDs, DecodeInts, DecodeLists,
//     Strings.Decode) reuse the caller's memory, so that a steady state
//     does not allocate.
package index
