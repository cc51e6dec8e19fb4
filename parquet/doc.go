// Package parquet writes sign-ins as Parquet files for data lakes (Spark,
// Trino, Athena, Synapse, DuckDB), partitioned Hive-style by day and type:
//
//	DIR/day=2026-11-01/type=nonInteractive/part-00000.parquet
//
// day is the UTC date of the sign-in's time (YYYY-MM-DD, which DuckDB,
// Spark and Trino read as a DATE partition column) and type its catalog
// name (interactive, nonInteractive, servicePrincipal, managedIdentity,
// adfs). The partition columns live in the directory names only, as Hive
// partitioning expects: a file holds every other field of the catalog
// (engine/signin) as a column named as the catalog names it, with the
// logical type its kind says (see [Schema]):
//
//   - time: INT64 TIMESTAMP(NANOS, isAdjustedToUTC=true), exact to the
//     nanosecond, or TIMESTAMP(MICROS, isAdjustedToUTC=true) when
//     Options.TimeUnit is Micros, for readers without nanoseconds;
//   - int: INT64; float: DOUBLE; bool: BOOLEAN;
//   - string: BYTE_ARRAY STRING, dictionary-encoded (but the per-sign-in
//     identifiers id, correlationId and sessionId, plain);
//   - list: LIST of STRING, elements in the record's order;
//
// and every column is optional: a missing value is a null, never a zero,
// an empty string or an empty list (an integer 0, a float 0 and false are
// values). The derived field place is written like any string, so that
// readers need not make it.
//
// [Write] streams: it holds a bounded number of files open (one per
// partition being written, at most Options.MaxOpen) and each buffers at
// most one row group (Options.RowGroupRows, 128Ki rows by default, about
// DuckDB's own), so memory does not grow with the number of sign-ins or
// the size of a day. A file is finished when a sign-in of a later day
// than any before comes, or to make room. So a source in day order (a
// store's snapshot) makes one file per partition, of as many row groups
// as it needs; a source in another order (log files as ingest reads
// them) may make several, part-00000, part-00001, ….
//
// A second export to the same directory replaces the first whole, or is
// refused (ErrExists) unless Options.Replace says to replace: the files
// are written into a hidden staging directory beside DIR, which takes
// DIR's place by rename only once every file is complete, so that no
// reader ever sees a half-written file or a mixture of two exports. A
// complete export holds a _SUCCESS marker, as Spark's writers leave.
package parquet
