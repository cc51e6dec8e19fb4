package logfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// keyName is a name as the catalog's From writes one for the JSON
// formats: identifiers joined by dots.
var keyName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// documentedKeys returns the keys a field's From names in a format, the
// first and its fallbacks ("X, else Y", up to a "; " that begins
// prose): in the JSON formats every alternative that is one name, in the
// portal's CSV the column Keys names. Type and status have none: their
// sources hold text they are derived from, not their values.
func documentedKeys(f *signin.Field, format signin.Format) []string {
	if f.Values != nil && signin.Ref[string](f) == nil {
		return nil
	}
	if format == signin.FormatPortalCSV {
		if k := f.Keys[format]; k != "" {
			return []string{k}
		}
		return nil
	}
	var out []string
	src, _, _ := strings.Cut(f.From[format], "; ")
	for _, alt := range strings.Split(src, ", else ") {
		if keyName.MatchString(alt) && alt != "derived" {
			out = append(out, alt)
		}
	}
	return out
}

// TestCatalogKeys checks that docs/fields.md tells where the reader finds
// each field: for every field, format and key the catalog documents (its
// Keys, and the fallbacks its From names), a record of the format holding
// a value at that key alone, of the field's others, is read with that
// value in the field. The keys of the fields decoded plainly come from
// the catalog (catalogKeys, portalKeys, topTable); those read specially
// are written by hand, and this is what keeps both true to the docs.
func TestCatalogKeys(t *testing.T) {
	tested := 0
	for _, f := range signin.Fields() {
		for _, format := range signin.Formats {
			keys := documentedKeys(f, format)
			if k := f.Keys[format]; k != "" && (len(keys) == 0 || keys[0] != k) {
				t.Errorf("%s, %s: From %q does not name its key %q first", f.Name, format, f.From[format], k)
			}
			for _, key := range keys {
				got, err := readKey(t, format, keys, key, keyValue(f, format))
				if err != "" {
					t.Errorf("%s, %s, %s: %s", f.Name, format, key, err)
					continue
				}
				if want := keyText(f, format); f.Text(got) != want {
					t.Errorf("%s, %s: a record with %s = %s is read with %s = %q, want %q", f.Name, format, key, keyValue(f, format), f.Name, f.Text(got), want)
				}
				tested++
			}
		}
	}
	if tested < 150 {
		t.Errorf("tested %d keys; the catalog documents more", tested)
	}
}

// keyValue is the value the test gives a field, as the format writes it.
func keyValue(f *signin.Field, format signin.Format) any {
	switch f.Kind {
	case signin.KindInt:
		return 4242
	case signin.KindFloat:
		return 12.5
	case signin.KindBool:
		return true
	case signin.KindTime:
		return "2026-03-04T05:06:07Z"
	case signin.KindList:
		if format != signin.FormatPortalCSV {
			return []string{"v1", "v2"}
		}
	}
	return "v-" + f.Name
}

// keyText is the field's value read back from keyValue, as Field.Text
// gives it.
func keyText(f *signin.Field, format signin.Format) string {
	switch v := keyValue(f, format).(type) {
	case []string:
		return strings.Join(v, ", ")
	case string:
		return v
	}
	b, _ := json.Marshal(keyValue(f, format))
	return string(b)
}

// keyRecord is a record of a format, as a JSON object: a base with a time
// and a type, less the keys drop, with value at key.
func keyRecord(format signin.Format, drop []string, key string, value any) map[string]any {
	var rec map[string]any
	switch format {
	case signin.FormatDiag:
		rec = map[string]any{"time": "2026-01-01T00:00:00Z", "category": "SignInLogs",
			"properties": map[string]any{"createdDateTime": "2026-01-01T00:00:00Z"}}
	case signin.FormatGraph:
		rec = map[string]any{"createdDateTime": "2026-01-01T00:00:00Z"}
	case signin.FormatLogAnalyticsCSV:
		rec = map[string]any{"TimeGenerated": "2026-01-01T00:00:00Z", "Category": "SignInLogs"}
	}
	for _, k := range drop {
		setPath(rec, k, nil)
	}
	setPath(rec, key, value)
	return rec
}

// setPath sets the value at a dotted path of rec, making the objects on
// the way; nil deletes it.
func setPath(rec map[string]any, path string, value any) {
	names := strings.Split(path, ".")
	for _, n := range names[:len(names)-1] {
		next, ok := rec[n].(map[string]any)
		if !ok {
			next = map[string]any{}
			rec[n] = next
		}
		rec = next
	}
	if value == nil {
		delete(rec, names[len(names)-1])
	} else {
		rec[names[len(names)-1]] = value
	}
}

// readKey reads a record of format with value at key, its other keys
// (keys) left out; err says why there is no record.
func readKey(t *testing.T, format signin.Format, keys []string, key string, value any) (*signin.Record, string) {
	t.Helper()
	var data bytes.Buffer
	switch format {
	case signin.FormatDiag, signin.FormatGraph:
		b, _ := json.Marshal(keyRecord(format, keys, key, value))
		data.Write(b)
	case signin.FormatLogAnalyticsCSV:
		// A column per key of the top; objects and lists are JSON in
		// their cells, as Log Analytics writes its dynamic columns.
		rec := keyRecord(format, keys, key, value)
		var names, cells []string
		for k, v := range rec {
			names = append(names, k)
			if s, ok := v.(string); ok {
				cells = append(cells, s)
			} else {
				b, _ := json.Marshal(v)
				cells = append(cells, string(b))
			}
		}
		w := csv.NewWriter(&data)
		w.Write(names)
		w.Write(cells)
		w.Flush()
	case signin.FormatPortalCSV:
		cols := map[string]string{"Date (UTC)": "2026-01-01T00:00:00Z", "Request ID": "r-1"}
		b, _ := json.Marshal(value)
		cols[key] = strings.Trim(string(b), `"`)
		var names, cells []string
		for k, v := range cols {
			names, cells = append(names, k), append(cells, v)
		}
		w := csv.NewWriter(&data)
		w.Write(names)
		w.Write(cells)
		w.Flush()
	}
	text := data.String()
	recs, rejects, _, _ := scanInputs(t, Options{Format: format.String(), AssumeInteractive: true}, ReaderInput("keys", &data))
	switch {
	case len(rejects) > 0:
		return nil, "rejected: " + rejects[0].Reason + ": " + text
	case len(recs) != 1:
		return nil, "no record: " + text
	case recs[0].Format != format:
		return nil, "read as " + recs[0].Format.String()
	}
	return &recs[0], ""
}
