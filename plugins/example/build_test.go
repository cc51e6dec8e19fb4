package example

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestOutOfTreeBuild follows docs/plugins.md's recipe: a module of its
// own whose main registers this package's plugins in the standard
// registry and calls the command's
// cli.Main, built with go build; the binary then offers the example's
// plugins beside the built-in ones.
func TestOutOfTreeBuild(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The recipe's go.mod, with signinq taken from this tree instead of
	// the module proxy, and its requirements (so nothing is resolved).
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod),
		"module example.com/mysigninq\n\nrequire github.com/signinq/signinq v0.0.0\n\nreplace github.com/signinq/signinq => "+root)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", mod)
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	write("go.sum", string(sum))
	write("main.go", `package main

import (
	"os"
	"time"

	"github.com/signinq/signinq/cmd/signinq/cli"
	"github.com/signinq/signinq/plugins/example" // perkey and mailbox
	"github.com/signinq/signinq/plugins/standard"
)

func main() {
	// The command queries with the standard registry: add yours to it.
	if err := example.Register(standard.Registry()); err != nil {
		panic(err)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now))
}
`)
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(dir, "mysigninq")
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "SIGNINQ_PLUGINS=", "XDG_CONFIG_HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(goTool, "build", "-o", bin, ".")
	if out := run(bin, "plugins", "--kind", "stage", "--format", "csv"); !strings.Contains(out, "stage,perkey column [n],keeps the first n rows of each value of a column") {
		t.Errorf("the program's stages:\n%s", out)
	}
	run(bin, "gen", "--count", "2000", "--days", "2", "--users", "30", "--seed", "3", "--end", "2026-11-26T00:00:00Z", "--no-incidents", "-q", "--db", "db")
	out := run(bin, "query", "--db", "db", "--now", "2026-11-26", "--format", "csv", "list where status=success | perkey user 1")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	users := map[string]bool{}
	for _, l := range lines[1:] {
		u := strings.Split(l, ",")[1]
		if users[u] {
			t.Errorf("perkey user 1 gave user %s twice", u)
		}
		users[u] = true
	}
	if len(users) < 10 {
		t.Errorf("perkey user 1 gave %d users:\n%s", len(users), out)
	}
	out = run(bin, "query", "--db", "db", "--now", "2026-11-26", "--format", "csv", "top 1 mailbox(user) where type=interactive")
	if !regexp.MustCompile(`(?m)^[a-z0-9.\-_]+,[0-9]+$`).MatchString(out) {
		t.Errorf("top 1 mailbox(user):\n%s", out)
	}
}
