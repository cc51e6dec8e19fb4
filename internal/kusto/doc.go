// Package kusto checks KQL text with Microsoft's own parser and semantic
// analyzer, the npm package @kusto/language-service-next (Version, MIT),
// run by Node.js: for the tests of package kql, which translate queries
// into KQL over the Log Analytics sign-in tables.
//
// Install puts the npm package into the user cache when it is not there
// (npm install under a file lock, as internal/azurite does; .ci/run runs
// it before the tests). Check runs one Node process for a whole batch of
// queries and returns each one's diagnostics: syntax errors and semantic
// ones (unknown columns and functions, wrong types) against the four
// tables' real schemas, declared in testdata/signin-tables.txt from
// Microsoft's table references (sources and date in the file).
//
// It is test support: only tests import it.
package kusto
