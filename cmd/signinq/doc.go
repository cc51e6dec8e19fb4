// Command signinq reads Microsoft Entra ID sign-in logs in every export
// format and answers questions about them.
//
// Usage:
//
//	signinq                           the shell, on a terminal (signinq repl)
//	signinq demo                      a sample tenant's questions answered, then the shell
//	signinq query QUERY               answer a query
//	signinq parse FILE|DIR|- ...      print sign-ins as canonical JSON lines
//	signinq gen --count N ...         generate a realistic tenant's sign-ins
//
// Run signinq --help for every command and flag. signinq exits 0 when all
// went well, 1 when records were rejected or inputs refused, 2 on a
// usage or fatal error, 3 when the store is in use by another process,
// and 4 when there is no store where --db says.
package main
