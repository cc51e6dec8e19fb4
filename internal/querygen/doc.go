// Package querygen makes what the differential tests ask and what about:
// random query text from a seed ([New], [Gen.Query] and the generators of
// particular forms), and the sign-ins and named lists they are about
// ([Records], [Sparse], [Lists], [End]). The language's own differential
// test (query) checks every answer against a naive evaluator; the
// translations of the language to other engines are checked against the
// language's answers on the same queries and sign-ins.
//
// The queries are text, not ASTs, so that the lexer and the parser are
// tested too: keywords and names in varied case, values bare and quoted,
// clauses in varied order. The same seed gives the same queries and
// sign-ins.
package querygen
