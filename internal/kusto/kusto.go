package kusto

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Version is the @kusto/language-service-next release installed.
const Version = "12.4.1"

const pkg = "@kusto/language-service-next"

//go:embed check.js
var checkJS []byte

// Tables is the declaration of the four sign-in tables (one a line,
// Name(Column:type, …), # comments), from Microsoft's table references.
//
//go:embed testdata/signin-tables.txt
var Tables []byte

// Diagnostic is one of the analyzer's findings on a query.
type Diagnostic struct {
	Code     string `json:"code"`     // KS…: KS142 an unknown name, KS141 a wrong type, …
	Severity string `json:"severity"` // Error, Warning, …
	Message  string `json:"message"`
	Start    int    `json:"start"` // in characters of the query
	Length   int    `json:"length"`
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s %s at %d+%d: %s", d.Severity, d.Code, d.Start, d.Length, d.Message)
}

// Dir is the directory Install installs Version into.
func Dir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("kusto: no cache directory to install %s into (set XDG_CACHE_HOME): %w", pkg, err)
	}
	return filepath.Join(cache, "signinq-test", "kusto", Version), nil
}

// Install installs the npm package's Version into Dir unless it is
// there, and returns the directory of its files (bridge.js,
// Kusto.Language.Bridge.js). It holds a lock on a file beside Dir
// meanwhile, so that test processes started together install it once;
// an interrupted install leaves nothing that is taken for a whole one.
func Install() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	files := filepath.Join(dir, "node_modules", "@kusto", "language-service-next")
	bridge := filepath.Join(files, "Kusto.Language.Bridge.js")
	if _, err := os.Stat(bridge); err == nil {
		return files, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("kusto: %w", err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("kusto: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("kusto: locking %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bridge); err == nil {
		return files, nil // another process installed it meanwhile
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("kusto: %s is not installed (%s), and npm, which installs it, is not found: install Node.js 20 or later with npm, or run .ci/run, which installs it before the tests", pkg, bridge)
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("kusto: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", fmt.Errorf("kusto: %w", err)
	}
	cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--loglevel=error", pkg+"@"+Version)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("kusto: npm install %s@%s in %s: %w\n%s", pkg, Version, tmp, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("kusto: %w", err)
	}
	return files, nil
}

// Check analyzes each query, in one Node process for them all, and
// returns each one's diagnostics, in order (nil for a query without
// any). It fails when the package cannot be installed or Node not run.
func Check(queries []string) ([][]Diagnostic, error) {
	files, err := Install()
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("kusto: node is not found: install Node.js 20 or later")
	}
	tmp, err := os.MkdirTemp("", "signinq-kusto-")
	if err != nil {
		return nil, fmt.Errorf("kusto: %w", err)
	}
	defer os.RemoveAll(tmp)
	script, tables := filepath.Join(tmp, "check.js"), filepath.Join(tmp, "tables.txt")
	if err := os.WriteFile(script, checkJS, 0o644); err != nil {
		return nil, fmt.Errorf("kusto: %w", err)
	}
	if err := os.WriteFile(tables, Tables, 0o644); err != nil {
		return nil, fmt.Errorf("kusto: %w", err)
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, q := range queries {
		if err := enc.Encode(q); err != nil {
			return nil, fmt.Errorf("kusto: %w", err)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, script, files, tables)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = &in, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kusto: node %s: %w\n%s", script, err, stderr.Bytes())
	}
	out := make([][]Diagnostic, 0, len(queries))
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var ds []Diagnostic
		if err := json.Unmarshal(sc.Bytes(), &ds); err != nil {
			return nil, fmt.Errorf("kusto: reading the analyzer's output: %w", err)
		}
		out = append(out, ds)
	}
	if len(out) != len(queries) {
		return nil, fmt.Errorf("kusto: the analyzer answered %d queries of %d\n%s", len(out), len(queries), stderr.Bytes())
	}
	return out, nil
}

// CheckT is Check for a test: it fails the test (never skips it) when
// the analyzer cannot run.
func CheckT(t testing.TB, queries []string) [][]Diagnostic {
	t.Helper()
	ds, err := Check(queries)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
