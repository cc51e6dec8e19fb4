// Package events is what the detection stages (bruteforce, mfafatigue,
// spray, and grouped's windows) share: their input's columns located by
// name and kind (Columns), cells read (Cell, Str, Time, Int), sign-ins
// read as events (Reader, Event), sliding windows over them (Bursts,
// WindowStart, Within, Apart), the accounts' bursts of failures
// (AccountBursts) and the questions the stages ask the store about
// spans of time (Successes, SpanAggregates), built as query trees
// (query/ast), never as text, or read from the snapshot by dictionary
// id and bitmap (StoreSpanSuccesses).
package events
