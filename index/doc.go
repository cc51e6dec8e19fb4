// Package index holds the roaring-bitmap postings of the sign-in store:
// one bitmap per (field, value) per partition, and the combinators the
// query planner intersects them with. It is the bottom of signinq's
// import graph (index ← engine ← plugins ← query ← repl, bench ← cmd) and
// arrives with the issue "The store".
package index
