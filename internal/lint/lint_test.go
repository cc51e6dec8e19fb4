package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/signinq/signinq/"

// allowed lists, for each tree of the module, the trees its packages may
// import. A tree is a path prefix; the longest match wins. An allowed
// tree written "=path" is that package alone, not the ones below it:
// the built-ins' packages import plugins, never each other nor
// plugins/standard, which only the language and above import.
var allowed = map[string][]string{
	".":                       {"engine", "plugins", "query", "result"},
	"index":                   {"internal/jsonw"},
	"result":                  {"engine/signin"},
	"engine":                  {"index", "engine", "result", "internal/jsonw", "internal/strtab", "internal/words"},
	"plugins":                 {"index", "engine", "result", "query/ast", "=plugins", "internal/jsonw"},
	"plugins/aggregate":       {"index", "engine", "result", "=plugins"},
	"plugins/function":        {"engine", "result", "=plugins"},
	"plugins/format":          {"engine", "result", "=plugins", "internal/jsonw", "internal/term", "internal/words"},
	"plugins/stage":           {"index", "engine", "result", "query/ast", "=plugins", "plugins/stage/internal"},
	"plugins/standard":        {"=plugins", "plugins/aggregate", "plugins/function", "plugins/format", "plugins/stage"},
	"query/ast":               {},
	"query":                   {"index", "engine", "result", "plugins", "query", "internal/ipset", "internal/words"},
	"repl":                    {"index", "engine", "result", "plugins", "query", "repl", "docs", "internal/progress", "internal/term", "internal/words"},
	"docs":                    {},
	"bench":                   {"index", "engine", "result", "plugins", "query", "bench", "parquet", "clickhouse", "internal/gen", "internal/benchstore", "internal/progress", "internal/words"},
	"api":                     {"engine", "result", "plugins", "query", "pull"},
	"cmd":                     {"index", "engine", "result", "plugins", "query", "repl", "bench", "api", "pull", "clickhouse", "kql", "parquet", "internal", "cmd"},
	"clickhouse":              {"engine", "result", "plugins", "query", "clickhouse", "internal/progress"},
	"kql":                     {"engine", "result", "plugins", "query", "kql"},
	"parquet":                 {"engine", "result", "parquet"},
	"pull":                    {"engine", "pull", "internal/progress"},
	"internal/jsonw":          {},
	"internal/progress":       {},
	"internal/strtab":         {},
	"internal/term":           {},
	"internal/gen":            {"engine/signin", "internal/jsonw"},
	"internal/benchstore":     {"engine", "internal/gen"},
	"internal/fakegraph":      {"engine/signin", "internal/gen"},
	"internal/lint":           {},
	"internal/clock":          {},
	"internal/peakmem":        {},
	"internal/race":           {},
	"internal/dirhash":        {},
	"internal/listgen":        {},
	"internal/words":          {},
	"internal/ipset":          {},
	"internal/querygen":       {"engine/signin", "query/ast", "internal/gen"},
	"internal/azurite":        {"internal/testcert"},
	"internal/testcert":       {},
	"internal/kusto":          {},
	"clickhouse/localcluster": {},
}

// testAllowed are imports tests may add: generated data (and the stores
// the benchmarks make of it), the readers that check the generator's
// output round-trips, the clock tests run the command under, the
// measure of a test's peak memory, whether the race detector is on (for
// smaller cases under it), the generator of the built-ins' lists, the
// fake Microsoft Graph pulls are tested against, Azurite, the
// storage emulator, Microsoft's KQL analyzer (internal/kusto), a
// two-shard ClickHouse cluster (clickhouse/localcluster) and the
// certificate test servers present (internal/testcert).
var testAllowed = []string{"internal/gen", "internal/benchstore", "engine/logfile", "internal/clock", "internal/peakmem", "internal/race", "internal/dirhash", "internal/listgen", "internal/fakegraph", "internal/azurite", "internal/querygen", "internal/kusto", "clickhouse/localcluster", "internal/testcert"}

// testAllowedIn are imports the tests of one tree may add: the REPL's
// scripts drive the real command; plugins' tests use the standard
// registry.
var testAllowedIn = map[string][]string{"repl": {"cmd/signinq/cli"}, "plugins": {"plugins/standard"}, "plugins/stage": {"plugins/stage"}}

// Packages only some trees may import.
var restricted = map[string][]string{
	"github.com/alecthomas/participle": {"query"},
	"github.com/dgraph-io/badger":      {"engine", "index"},
	"github.com/chzyer/readline":       {"repl"},
	"github.com/parquet-go/parquet-go": {"parquet"},
}

func tree(rel string, table map[string][]string) (string, bool) {
	best := ""
	for t := range table {
		if (rel == t || strings.HasPrefix(rel, t+"/")) && len(t) > len(best) {
			best = t
		}
	}
	return best, best != ""
}

func under(path string, trees []string) bool {
	for _, t := range trees {
		if exact, ok := strings.CutPrefix(t, "="); ok {
			if path == exact {
				return true
			}
		} else if path == t || strings.HasPrefix(path, t+"/") {
			return true
		}
	}
	return false
}

type file struct {
	rel  string // directory relative to the module root
	name string
	ast  *ast.File
}

func files(t *testing.T) []file {
	t.Helper()
	root := filepath.Join("..", "..")
	var out []file
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "testdata" || strings.HasPrefix(e.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		out = append(out, file{rel: filepath.ToSlash(rel), name: filepath.Base(p), ast: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no Go files found")
	}
	return out
}

// TestImports enforces the one-way import graph and keeps the heavy
// libraries in the packages they are for.
func TestImports(t *testing.T) {
	for _, f := range files(t) {
		from, ok := tree(f.rel, allowed)
		if !ok {
			t.Errorf("%s: package in no known tree; add it to allowed", f.rel)
			continue
		}
		for _, imp := range f.ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if rel, ok := strings.CutPrefix(path, module); ok {
				ok := under(rel, allowed[from]) || rel == f.rel ||
					strings.HasSuffix(f.name, "_test.go") && (under(rel, testAllowed) || under(rel, testAllowedIn[from]))
				if !ok {
					t.Errorf("%s/%s imports %s: %s may import only %v", f.rel, f.name, rel, from, allowed[from])
				}
				continue
			}
			for lib, trees := range restricted {
				if strings.HasPrefix(path, lib) && !under(f.rel, trees) && !strings.HasPrefix(f.rel, "cmd") {
					t.Errorf("%s/%s imports %s, which only %v may", f.rel, f.name, path, trees)
				}
			}
		}
	}
}

// clockFree are the trees that never read the wall clock: the time is an
// option of the engine and the language, and the command and the shell
// read the clock they are given (cli.Main's now), so that tests choose
// the date (internal/clock).
var clockFree = []string{"engine", "query", "repl", "cmd"}

// clockReader is the one file that reads the machine's clock, to give it
// to the command.
const clockReader = "cmd/signinq/main.go"

// TestNoExitOrClock forbids leaving the process outside cmd, and reading
// the wall clock in the clockFree trees.
func TestNoExitOrClock(t *testing.T) {
	for _, f := range files(t) {
		if strings.HasSuffix(f.name, "_test.go") || f.rel+"/"+f.name == clockReader {
			continue
		}
		inCmd := f.rel == "cmd" || strings.HasPrefix(f.rel, "cmd/")
		names := map[string]string{} // local name → import path
		for _, imp := range f.ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			name := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = path
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			call := names[x.Name] + "." + sel.Sel.Name
			switch {
			case !inCmd && (call == "os.Exit" || strings.HasPrefix(call, "log.Fatal") || strings.HasPrefix(call, "log.Panic")):
				t.Errorf("%s/%s: %s outside cmd", f.rel, f.name, call)
			case (call == "time.Now" || call == "time.Since" || call == "time.Until") && under(f.rel, clockFree):
				t.Errorf("%s/%s: %s in %s: take the time as an option, or the clock the command is given", f.rel, f.name, call, f.rel)
			}
			return true
		})
	}
}

// TestDocFiles checks that every package has a doc.go.
func TestDocFiles(t *testing.T) {
	dirs := map[string]bool{}
	for _, f := range files(t) {
		if _, ok := dirs[f.rel]; !ok {
			dirs[f.rel] = false
		}
		if f.name == "doc.go" {
			dirs[f.rel] = true
		}
	}
	for d, ok := range dirs {
		if !ok {
			t.Errorf("%s has no doc.go", d)
		}
	}
}

// builtinPackages are the packages of built-ins whose All is generated
// from their files (internal/listgen): each is one package, its shared
// code under internal/, so that a built-in cannot sit in a package of
// its own that no All lists.
var builtinPackages = []string{"plugins/aggregate", "plugins/function", "plugins/stage"}

// TestBuiltinPackages checks that the built-ins' packages have no
// subpackages but internal ones.
func TestBuiltinPackages(t *testing.T) {
	for _, f := range files(t) {
		for _, p := range builtinPackages {
			if sub, ok := strings.CutPrefix(f.rel, p+"/"); ok && sub != "internal" && !strings.HasPrefix(sub, "internal/") {
				t.Errorf("%s/%s: %s is one package, with its shared code under %s/internal: put the built-in in a file of %s", f.rel, f.name, p, p, p)
			}
		}
	}
}
