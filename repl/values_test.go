package repl

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query"
)

// TestFieldsWholeStore checks that \fields describes the whole store,
// not its newest day: the app most sign-ins of the store have is one
// the newest day has few of. Flags are shown as results print them.
func TestFieldsWholeStore(t *testing.T) {
	db, err := engine.Open(t.TempDir(), &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var recs []signin.Record
	add := func(n int, at time.Time, app string, compliant signin.Bool) {
		for range n {
			r := signin.New()
			r.ID = fmt.Sprintf("id-%d", len(recs))
			r.Time = at.Add(time.Duration(len(recs)) * time.Second)
			r.User, r.Identity = "u@contoso.com", "u@contoso.com"
			r.App = app
			r.Status = signin.StatusSuccess
			if err := signin.Lookup("compliant").SetBool(&r, compliant); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
	}
	add(50, day, "Old Portal", signin.BoolTrue) // the older day: 50
	add(10, day.Add(24*time.Hour), "Old Portal", signin.BoolTrue)
	add(20, day.Add(24*time.Hour), "New Portal", signin.BoolFalse) // the newest day: 20 against 10
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	out, errs, err := runScript(t, db, `\fields`)
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	row := func(field string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, field+" ") {
				return l
			}
		}
		t.Fatalf("\\fields has no row for %s:\n%s", field, out)
		return ""
	}
	if l := row("app"); !strings.Contains(l, "Old Portal, New Portal") {
		t.Errorf("app: the store's most common first (Old Portal: 60, New Portal: 20):\n%s", l)
	}
	if l := row("compliant"); !strings.Contains(l, "true, false") || strings.Contains(l, " 1, 0") {
		t.Errorf("compliant: true and false, most common first:\n%s", l)
	}
}

// TestValuesAgreeWithResults checks that what completion and \fields say
// of the store's values is what queries answer: for every field stored
// with bitmaps, the values and their counts equal those of top (the
// query engine's group by), printed the same way.
func TestValuesAgreeWithResults(t *testing.T) {
	db := openTestStore(t)
	vc := newValueCache(Local(db))
	checked := 0
	for _, col := range engine.Columns() {
		if col.Field == nil || !col.Indexed {
			continue
		}
		name := col.Field.Name
		fv, err := vc.field(name, true)
		if err != nil || fv == nil {
			t.Fatalf("%s: %v, %v", name, fv, err)
		}
		res, err := query.Run(t.Context(), db, nil, "top 1000000 "+name, query.Options{Now: testEnd})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]uint64{}
		for _, r := range res.Rows {
			if !r[0].IsAbsent() {
				want[r[0].String()] = uint64(r[1].Int())
			}
		}
		got := map[string]uint64{}
		for i, text := range fv.texts {
			got[text] = fv.counts[i]
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d values, top has %d", name, len(got), len(want))
		}
		for text, n := range want {
			if got[text] != n {
				t.Errorf("%s=%q: %d sign-ins, top says %d", name, text, got[text], n)
			}
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("only %d fields checked", checked)
	}
	// Flags are true and false, as results print them, not 0 and 1.
	if got := vc.of("compliant"); !slices.Equal(got, []string{"false", "true"}) {
		t.Errorf("compliant's values: %q", got)
	}
	// An integer field's values are its numbers.
	for _, v := range vc.of("error") {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			t.Errorf("error's value %q", v)
		}
	}
}
