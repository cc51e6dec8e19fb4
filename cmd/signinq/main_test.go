package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"signinq": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the command scripts in testdata/script: each runs the
// real signinq binary against files it carries and compares what it
// prints.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
	})
}

// TestExitCodes checks the exit status the scripts cannot tell apart.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.json"
	bad := dir + "/bad.log"
	os.WriteFile(good, []byte(`{"value":[{"id":"a","createdDateTime":"2025-01-01T00:00:00Z","userPrincipalName":"u@x.com","status":{"errorCode":0}}]}`), 0o644)
	os.WriteFile(bad, []byte(`{"category":"SignInLogs","time":"2025-01-01T00:00:00Z"}`+"\n{broken\n"), 0o644)
	f := func(want int, args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		if got := run(args, strings.NewReader(""), &out, &errb); got != want {
			t.Errorf("signinq %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), got, want, errb.String())
		}
	}
	f(exitOK, "parse", good)
	f(exitOK, "--help")
	f(exitOK, "parse", "--help")
	f(exitRejected, "parse", bad)
	f(exitRejected, "parse", dir+"/missing.json")
	f(exitError, "parse")
	f(exitError, "parse", "--type", "bogus", good)
	f(exitError, "parse", "--rejects", dir+"/no/such/dir/rejects.jsonl", good)
	f(exitError, "frobnicate")
}
