// Package ast is the syntax tree of signinq's query language: a
// Statement holds a Query, whose clauses hold expressions (Name, Literal,
// Call, Binary, Not, In, whose Query is a subquery, and Tuple, the
// fields of (F1, F2, …) in (QUERY)), heads, orders and
// stages (a plugin's, or the language's operators after a |: where,
// order by, limit, Join), each with its position in the text (Pos); or
// the Define or Undefine of a saved query. String gives a node's canonical text,
// which parses back to an equal tree.
//
// It is the language as data, apart from its parser, as go/ast is apart
// from go/parser: package query parses text into it (query.Parse) and
// checks it (query.Check), and plugins build trees with it to run
// queries of their own, never text. It imports nothing of signinq's and
// no parsing library. The words of the syntax (IsKeyword, IsOperatorWord), when a value
// needs quotes (Bare, Quote), how a quoted one reads (Unquote) and how a
// duration reads (ParseDuration, for since, bin and plugins' arguments
// alike) are here, as go/token holds Go's keywords, so that printing a
// tree needs no parser.
package ast
