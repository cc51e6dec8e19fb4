package query

import (
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// TestRunStage runs a plan's stages over rows another engine computed:
// the same rows the query gives on a store, through RunStage stage by
// stage, give the store's answer; a stage the plan lacks is an error.
func TestRunStage(t *testing.T) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	recs, err := querygen.Records(20261130)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	text := `count where status!=success since 14d group by user, bin(1h) | spikes k=1 min=1 | where median >= 0`
	want, err := Run(t.Context(), db, nil, text, Options{Now: querygen.End})
	if err != nil {
		t.Fatal(err)
	}
	base, err := Run(t.Context(), db, nil, `count where status!=success since 14d group by user, bin(1h)`, Options{Now: querygen.End})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(text, nil, nil, querygen.End)
	if err != nil {
		t.Fatal(err)
	}
	env := &plugins.Env{From: p.From, To: p.To, Now: p.Now}
	rows := base.Rows
	var cols []result.Column
	for i := range 2 {
		if rows, cols, err = p.RunStage(t.Context(), i, env, rows); err != nil {
			t.Fatal(err)
		}
		if got := p.StageColumns(i); len(got) != len(cols) {
			t.Errorf("stage %d: StageColumns %v, RunStage's %v", i, got, cols)
		}
	}
	if len(rows) == 0 || len(rows) != len(want.Rows) || len(cols) != len(want.Columns) {
		t.Fatalf("%d rows of %d columns, want %d of %d", len(rows), len(cols), len(want.Rows), len(want.Columns))
	}
	for i := range rows {
		for j := range rows[i] {
			if result.Compare(rows[i][j], want.Rows[i][j]) != 0 {
				t.Fatalf("row %d column %d: %v, want %v", i, j, rows[i][j], want.Rows[i][j])
			}
		}
	}
	if _, _, err := p.RunStage(t.Context(), 2, env, rows); err == nil {
		t.Error("a third stage of two ran")
	}
	if p.StageColumns(-1) != nil {
		t.Error("StageColumns(-1) is not nil")
	}
}
