// Package query is signinq's query language: a participle grammar lowered
// into an AST with positions, a planner that uses the store's bitmaps,
// and a parallel executor. Field names are the catalog's (package
// engine/signin, docs/fields.md). Nothing in query reads the wall clock:
// "now" is a parameter. It arrives with the issue "The query language".
package query
