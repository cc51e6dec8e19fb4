// Package cli is the signinq command: its subcommands, flags and output.
// It is a package of its own so that a program can add Go plugins to the
// command without changing signinq: a main that imports plugin packages
// for their side effect (they register in plugins.Default from init) and
// calls Main. docs/plugins.md shows such a program and how to build it.
//
//	package main
//
//	import (
//		"os"
//		"time"
//
//		"github.com/signinq/signinq/cmd/signinq/cli"
//		_ "github.com/signinq/signinq/plugins/example"
//	)
//
//	func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now)) }
package cli
