package query

import (
	"errors"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// showColumns are show's columns: every field, then raw.
func showColumns() []result.Column {
	var cols []result.Column
	for _, f := range signin.Fields() {
		cols = append(cols, result.Column{Name: f.Name, Kind: f.Kind, Field: f.Name})
	}
	return append(cols, result.Column{Name: "raw", Kind: signin.KindString})
}

// show returns one sign-in: every field, then its original record.
func (x *executor) show() ([][]result.Value, error) {
	rec, err := x.snap.Get(x.plan.ShowID)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, errorf(x.plan.Statement.Query.ID.Pos, "no sign-in has the id %s", x.plan.Statement.Query.ID)
	}
	if err != nil {
		return nil, err
	}
	var row []result.Value
	for _, f := range signin.Fields() {
		row = append(row, engine.RecordValue(f, rec))
	}
	raw := string(rec.Raw)
	if raw == "" {
		raw = string(signin.AppendJSON(nil, rec))
	}
	row = append(row, result.StringValue(raw))
	return [][]result.Value{row}, nil
}
