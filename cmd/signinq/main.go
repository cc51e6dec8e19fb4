package main

import (
	"os"
	"time"

	"github.com/signinq/signinq/cmd/signinq/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now))
}
