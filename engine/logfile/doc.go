// Package logfile reads Microsoft Entra ID sign-in logs in every form an
// administrator has them and turns them into [signin.Record] values.
//
// Formats are told by content, never by file name: Azure Monitor
// diagnostic-settings records (storage-blob JSON lines, Event Hub
// {"records":[…]} payloads, single records, pretty-printed or not; all
// six sign-in categories, AD FS's included), Microsoft Graph
// auditLogs/signIns responses (v1.0 and beta, {"value":[…]}, and the
// summarized sign-ins), the portal's JSON download (an array of the same
// objects) and the same objects as PowerShell's ConvertTo-Json writes
// them (times as "\/Date(…)\/", objects beyond its -Depth as text, which
// is left out with a warning), the portal's CSV downloads (typed by
// their columns, else by their file names or [Options.Type]; see
// [ErrTypeUnknown]), and Log Analytics CSV exports; and signinq's own
// canonical form ([signin.AppendJSON], as signinq parse prints it), so
// that its output reads back. Gzipped inputs are read as they are, and so is text
// in UTF-16 (little or big endian, with a byte-order mark, as Windows
// PowerShell's Out-File and > write it), decoded as it is read; a UTF-8
// byte-order mark is skipped; other compressions (xz, zstd, bzip2, zip,
// 7-Zip) are refused with what to do. Directories are read recursively,
// in lexical order, following symbolic links (a file or directory
// reached twice is read once); what a directory holds and is not read (a
// named pipe, a socket, a link that leads nowhere) is a [Warning].
//
// Bad input never stops reading: a malformed record becomes a [Reject]
// with its input, line, column and reason, and reading goes on with the
// next record; an input that is not a sign-in log is refused whole; a
// gzip file cut short is read up to the cut and reported as truncated
// ([ErrTruncated]), wherever the cut falls. What
// an input lost before it was read is a [Warning], once per input: the
// objects Windows PowerShell's ConvertTo-Json writes as text beyond its
// -Depth are left out of records read otherwise whole. A [Summary]
// counts what was read, accepted, rejected and refused, and the warnings.
//
// Each format is a [Format]; [Formats] lists the built-in ones by name
// (diag, eventhub, graph, portal-csv, la-csv, canonical) with a line of
// help. [Options.Format] forces one by name instead of telling formats
// by content: records of another built-in format are then rejected and
// inputs not in it refused. [Options.Formats] adds formats from outside
// (signinq's reader plugins): they are line-oriented, with an optional
// header line, sniffed before the built-in formats, and decoded by their
// Decode function in the same worker pool, which calls it from several
// goroutines at once; their rejects carry line and column as the
// built-in formats' do. The built-in formats keep their own fast paths.
//
// Memory is bounded whatever the input: formats are told from an input's
// first 64 KiB; no record larger than [Options.MaxRecordBytes] (64 MiB
// by default) is held, in any format (it is rejected, and reading goes on
// after it); and records and rejects reach the caller in batches of at
// most a few thousand, however many an input holds.
//
// [Scan] is the entry point: it splits inputs on one goroutine, decodes
// records on several, and delivers batches in input order. [All] is the
// same as an iterator. The package never panics on input and never exits.
package logfile
