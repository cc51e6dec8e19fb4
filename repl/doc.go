// Package repl is signinq's interactive shell on chzyer/readline, with
// completion from the field catalog, history and tables. It owns no
// globals and never exits the process. It arrives with the issue "The
// REPL".
package repl
