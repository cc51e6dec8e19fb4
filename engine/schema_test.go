package engine

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var updateColumns = flag.Bool("update-columns", false, "rewrite testdata/columns.golden from the schema (only for a new format version)")

// schemaLines describes each column as it is on disk: id, name,
// encoding, dictionary kind and whether it has bitmaps.
func schemaLines() []string {
	var out []string
	for _, c := range Columns() {
		dict := "-"
		if c.HasDict() {
			dict = fmt.Sprint(c.DictKind)
		}
		out = append(out, fmt.Sprintf("%d %s %s %s %v", c.ID, c.Name, c.Enc, dict, c.Indexed))
	}
	return out
}

// TestColumnIDsStable checks that the columns stores hold keep their ids
// and encodings: testdata/columns.golden is the schema of the format
// version, and the schema must begin with it. A new catalog field takes a
// new id after every one there (it may be added to the golden then); a
// field put before the internal columns would move their ids, and every
// store's parts would be read wrong.
func TestColumnIDsStable(t *testing.T) {
	const golden = "testdata/columns.golden"
	got := schemaLines()
	if *updateColumns {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(got) < len(want) {
		t.Fatalf("the schema has %d columns, the stored format %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("column %d is %q on disk (%s), the schema says %q: a stored column's id or encoding moved", i, w, golden, got[i])
		}
	}
}

// TestColumnTableDocumented checks docs/format.md's table of columns
// against the schema: each id's name and encoding, every column once.
func TestColumnTableDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "| ids | columns | encoding | dictionary | bitmaps |")
	if !ok {
		t.Fatal("docs/format.md has no table of columns")
	}
	row := regexp.MustCompile("^\\| ([0-9, –]+) \\| ([^|]+) \\| ([a-z]+)")
	seen := map[int]bool{}
	for _, line := range strings.Split(table, "\n")[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("docs/format.md: a row of the table of columns does not read: %s", line)
			continue
		}
		var ids []int
		for _, part := range strings.Split(m[1], ",") {
			lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "–")
			a, err1 := strconv.Atoi(lo)
			z, err2 := a, error(nil)
			if isRange {
				z, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil {
				t.Fatalf("docs/format.md: ids %q", m[1])
			}
			for id := a; id <= z; id++ {
				ids = append(ids, id)
			}
		}
		names := strings.Split(m[2], ",")
		if len(names) != len(ids) {
			t.Errorf("docs/format.md: ids %s name %d columns", m[1], len(names))
			continue
		}
		for i, id := range ids {
			name := strings.Trim(strings.TrimSpace(names[i]), "`")
			if id >= len(Columns()) {
				t.Errorf("docs/format.md: column %d (%s) is not in the schema", id, name)
				continue
			}
			c := Columns()[id]
			if c.Name != name || c.Enc.String() != m[3] {
				t.Errorf("docs/format.md: column %d is %s, %s; the schema has %s, %s", id, name, m[3], c.Name, c.Enc)
			}
			seen[id] = true
		}
	}
	for _, c := range Columns() {
		if !seen[int(c.ID)] {
			t.Errorf("docs/format.md: column %d (%s) is not in the table", c.ID, c.Name)
		}
	}
}
