// Package clickhouse runs signinq's language on a ClickHouse server or
// cluster: it exports sign-ins into a table designed for the language's
// questions (Export, Schema), compiles a checked query to ClickHouse SQL
// (Compile) and runs it there, decoding the answer into the result the
// engine would give (Query).
//
// The SQL keeps to what ClickHouse 18.16 (Debian's package) and current
// releases both run: no DateTime64 (times are Int64 nanoseconds beside a
// DateTime of their second), no toStartOfInterval (bin is an intDiv), no
// CIDR functions (addresses are kept as 16 bytes, IPv4 mapped, and a
// network is a range of them), no ILIKE (text is folded with lowerUTF8),
// no window functions.
//
// A query the compiler cannot say exactly in SQL is refused with an error
// wrapping ErrNotExpressible that names the construct: the package never
// answers approximately. Having, the order of rows and the limit of an
// aggregate query are applied by signinq to the groups ClickHouse returns,
// with the engine's comparison of values, so that ties and nulls order as
// the engine orders them.
//
// Text matching folds case with ClickHouse's lowerUTF8; the engine folds
// with Unicode simple folding. They agree except on the characters
// Unicode folds together beyond upper and lower case (the Kelvin sign
// and k, the long s and s, the final sigma and σ, the micro sign and μ,
// a few more Greek and Cyrillic variants): a value holding one of those
// may match on one side and not the other.
//
// A subquery (F in (QUERY)) is compiled as a query of its own and run
// first; its values make a set written into the statement (Run). The
// operators after a | (where, order by, limit, join: its right side a
// compiled query too), the stages that read only the rows before them
// (spikes, anomalies, trend: query.Plan.RunStage) and the rows of group
// by KEY in @list's values without sign-ins are applied by signinq to
// the rows ClickHouse returns, as the engine applies them.
//
// A query the compiler refuses runs, through Query, in signinq on the
// sign-ins streamed from ClickHouse (streamed.go), its time range and the
// conditions of its where that compile pushed down; QueryOptions.SQLOnly
// refuses it instead.
package clickhouse
