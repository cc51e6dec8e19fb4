// Package strtab copies many small strings into large shared blocks.
//
// The readers (engine/logfile) and the store's column builders (engine)
// make millions of short strings; strtab makes them cost one allocation
// per 64 KiB rather than one each, and keeps none of the caller's buffers
// alive.
package strtab
