package kql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/kql"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

// FuzzTranslate translates whatever the language accepts: Translate
// never panics, and gives KQL (a source, then | steps) or a refusal
// wrapping ErrNotExpressible with its reason; never another error. (The
// analyzer checks translations in the other tests, in batches: a Node
// process per input would make fuzzing crawl.)
func FuzzTranslate(f *testing.F) {
	for _, q := range goldenQueries {
		f.Add(q)
	}
	f.Add(`count where "x" = 1`)
	f.Add(`list * since 1d`)
	f.Add(`count where time = 2026-11-01T00:00:00.000000001Z or time != now`)
	f.Fuzz(func(t *testing.T, text string) {
		plan, err := query.Prepare(text, nil, standard.Registry(), querygen.End)
		if err != nil {
			return
		}
		out, err := kql.Translate(plan, kql.Options{})
		if err != nil {
			if !errors.Is(err, kql.ErrNotExpressible) || !strings.Contains(err.Error(), ", because ") {
				t.Fatalf("%s: %v: not a refusal with its reason", text, err)
			}
			return
		}
		if !strings.Contains(out, "\n| ") || strings.TrimSpace(out) != out {
			t.Fatalf("%s: no KQL: %q", text, out)
		}
	})
}
