package engine

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
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

var updateDocs = flag.Bool("update", false, "rewrite the table of columns in docs/format.md from the schema")

// The generated part of docs/format.md, "Columns", lies between these.
const (
	columnsBegin = "<!-- columns: generated from engine/schema.go by go test ./engine -run TestColumnTableDocumented -update; do not edit -->\n"
	columnsEnd   = "<!-- end of columns -->\n"
)

// TestColumnTableDocumented keeps docs/format.md's table of columns in
// step with the schema: the table is written from it (columnTable), and
// read back to check each id's name and encoding, every column once. Run
// with -update after adding a catalog field.
func TestColumnTableDocumented(t *testing.T) {
	const path = "../docs/format.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	head, rest, ok1 := strings.Cut(doc, columnsBegin)
	_, tail, ok2 := strings.Cut(rest, columnsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no generated table of columns (between %q and %q)", path, columnsBegin, columnsEnd)
	}
	table := columnTable()
	checkColumnTable(t, table)
	if want := head + columnsBegin + table + columnsEnd + tail; *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if doc != want {
		t.Errorf("%s: the table of columns is out of date with the schema; run go test ./engine -run TestColumnTableDocumented -update", path)
	}
}

// columnTable is docs/format.md's table of columns: a row per run of
// columns with consecutive ids stored alike, and the paragraph that
// says which ids are what.
func columnTable() string {
	cols := Columns()
	internal := colFormatC.ID // the first internal column: fields before it are format version 1's
	var b strings.Builder
	and := func(a, z int) string { return strings.Replace(idList(a, z), ", ", " and ", 1) }
	fmt.Fprintf(&b, "\nIds %s are the catalog's fields (`docs/fields.md`) in its order as of\nformat version 1; %s are internal", and(0, int(internal)-1), and(int(internal), int(colRawC.ID)))
	if last := len(cols) - 1; last > int(colRawC.ID) {
		fmt.Fprintf(&b, "; %s are the fields added since, in the order they came", and(int(colRawC.ID)+1, last))
	}
	b.WriteString(".\n\n| ids | columns | encoding | dictionary | bitmaps |\n|---|---|---|---|---|\n")
	for i := 0; i < len(cols); {
		j := i + 1
		for j < len(cols) && columnCells(cols[j]) == columnCells(cols[i]) {
			j++
		}
		var names []string
		for _, c := range cols[i:j] {
			if c.Field == nil {
				names = append(names, "`"+c.Name+"`")
			} else {
				names = append(names, c.Name)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", idList(i, j-1), strings.Join(names, ", "), columnCells(cols[i]))
		i = j
	}
	b.WriteString("\n")
	return b.String()
}

// idList writes the ids from a to z: 5; 0, 1; 6–20.
func idList(a, z int) string {
	switch z - a {
	case 0:
		return strconv.Itoa(a)
	case 1:
		return fmt.Sprintf("%d, %d", a, z)
	}
	return fmt.Sprintf("%d–%d", a, z)
}

// columnCells are a column's encoding, dictionary and bitmaps cells.
func columnCells(c *Column) string {
	enc, dict, bitmaps := c.Enc.String(), "—", "—"
	switch {
	case c == colRawC:
		enc = "int: raw slot, or 2⁶³−1 for none"
	case c.Enc == EncInt && c.Field.Kind == signin.KindTime:
		enc = "int: Unix nanoseconds; absent = −2⁶³"
	case c.Enc == EncInt:
		enc = "int; absent = −2⁶³"
	}
	if c.HasDict() {
		switch {
		case c == colFormatC:
			dict = "ints: the signin.Format read from"
		case c.Enc == EncList:
			dict = "strings"
		case c.Field.Kind == signin.KindString && c.Field.Derived():
			dict = `strings, derived (made when written); absent = ""`
		case c.Field.Kind == signin.KindString && signin.Ref[string](c.Field) == nil:
			dict = "strings (the enum names)"
		case c.Field.Kind == signin.KindString:
			dict = `strings; absent = ""`
		case c.Field.Kind == signin.KindBool:
			dict = "ints: 1 true, 0 false, −2⁶³ absent"
		case c.DictKind == index.DictInt:
			dict = "ints; absent = −2⁶³"
		case c.DictKind == index.DictFloat:
			dict = "floats; absent = NaN"
		}
		bitmaps = "no"
		if c.Indexed {
			bitmaps = "yes"
			if c.Enc == EncList {
				bitmaps = "yes, any element"
			}
		}
	}
	return enc + " | " + dict + " | " + bitmaps
}

// checkColumnTable reads a table of columns back and checks it against
// the schema: each id's name and encoding, every column once.
func checkColumnTable(t *testing.T, table string) {
	t.Helper()
	_, table, ok := strings.Cut(table, "| ids | columns | encoding | dictionary | bitmaps |")
	if !ok {
		t.Fatal("no table of columns")
	}
	row := regexp.MustCompile("^\\| ([0-9, –]+) \\| ([^|]+) \\| ([a-z]+)")
	seen := map[int]bool{}
	for _, line := range strings.Split(table, "\n")[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("a row of the table of columns does not read: %s", line)
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
				t.Fatalf("ids %q", m[1])
			}
			for id := a; id <= z; id++ {
				ids = append(ids, id)
			}
		}
		names := strings.Split(m[2], ",")
		if len(names) != len(ids) {
			t.Errorf("ids %s name %d columns", m[1], len(names))
			continue
		}
		for i, id := range ids {
			name := strings.Trim(strings.TrimSpace(names[i]), "`")
			if id >= len(Columns()) {
				t.Errorf("column %d (%s) is not in the schema", id, name)
				continue
			}
			c := Columns()[id]
			if c.Name != name || c.Enc.String() != m[3] {
				t.Errorf("column %d is %s, %s; the schema has %s, %s", id, name, m[3], c.Name, c.Enc)
			}
			seen[id] = true
		}
	}
	for _, c := range Columns() {
		if !seen[int(c.ID)] {
			t.Errorf("column %d (%s) is not in the table", c.ID, c.Name)
		}
	}
}
