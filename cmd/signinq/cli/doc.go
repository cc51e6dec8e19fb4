// Package cli is the signinq command: its subcommands, flags and output.
// It is a package of its own so that a program can add Go plugins to the
// command without changing signinq: a main that registers its plugins in
// the standard registry (plugins/standard.Registry, which the command
// queries with) and calls Main. docs/plugins.md shows such a program and
// how to build it.
//
//	package main
//
//	import (
//		"os"
//		"time"
//
//		"github.com/signinq/signinq/cmd/signinq/cli"
//		"github.com/signinq/signinq/plugins/example"
//		"github.com/signinq/signinq/plugins/standard"
//	)
//
//	func main() {
//		if err := example.Register(standard.Registry()); err != nil {
//			panic(err)
//		}
//		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now))
//	}
package cli
