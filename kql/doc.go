// Package kql translates a checked query of signinq's language into KQL
// over the Log Analytics sign-in tables (SigninLogs,
// AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs,
// AADManagedIdentitySignInLogs), for Log Analytics, Microsoft Sentinel
// and Azure Data Explorer: Translate reads the plan's syntax tree (never
// the query's text) and gives the KQL, or an error wrapping
// ErrNotExpressible naming the construct KQL cannot say with the same
// meaning and why.
//
// The KQL is a union of the tables the query's type conditions allow,
// each projected to the fields the query reads under their catalog names
// (docs/fields.md; tables.go maps each field to its column per table,
// parsing the JSON columns that are strings in some tables and dynamic
// in others; the multi-valued fields as dynamic arrays of their distinct
// elements, built with mv-apply), then the query over those columns:
// conditions (on multi-valued fields, any element, an empty list being
// ""), summarize with arithmetic over its aggregates, having, the order
// made explicit, take, and the rows of group by … in @list's values
// without sign-ins. docs/scale.md argues the meaning of each construct;
// the tests check every translation with Microsoft's own parser and
// semantic analyzer (internal/kusto) against the tables' real schemas.
package kql
