package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// runStage runs a stage over rows, passing the rows it emits to emit
// until emit returns false: then the stage is stopped (its emit returns
// an error), and what it returns is no error. A stage's error, or panic,
// is the query's error, named after the stage.
func runStage(ctx context.Context, env *plugins.Env, s *boundStage, rows iter.Seq[[]result.Value], emit func([]result.Value) bool) (err error) {
	stopped, inEmit := false, false
	defer func() {
		if r := recover(); r != nil {
			if inEmit {
				panic(r) // what follows the stage panicked, not the stage
			}
			if pe := recovered(r); pe.Plugin == "" {
				err = pe // signinq's own: reading the rows the stage pulls
			} else {
				err = &StageError{Stage: s.src.Name, Pos: s.src.Pos, Err: pluginError(pe)}
			}
		}
	}()
	err = s.runner.Run(ctx, env, rows, func(row []result.Value) error {
		if stopped {
			return errStopped
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		inEmit = true
		ok := emit(row)
		inEmit = false
		if !ok {
			stopped = true
			return errStopped
		}
		return nil
	})
	switch {
	case stopped:
		return nil
	case err == nil:
		return nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err
	}
	return &StageError{Stage: s.src.Name, Pos: s.src.Pos, Err: err}
}

// errStopped is what a stage's emit returns once the reader of the
// answer has stopped reading.
var errStopped = errors.New("the reader stopped")

// StageError is the error of a stage (or its panic) while it ran.
type StageError struct {
	Stage string  // the stage's name
	Pos   ast.Pos // where the stage is in the query
	Err   error   // what the stage returned, or its panic (a *PanicError)
}

func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }

func (e *StageError) Unwrap() error { return e.Err }

// StageColumns are the columns the plan's stage i (as RunStage counts)
// emits; nil when it has no such stage.
func (p *Plan) StageColumns(i int) []result.Column {
	if i < 0 || i >= len(p.stages) {
		return nil
	}
	return p.stages[i].runner.Columns()
}

// RunStage runs the plan's stage i (of the stages after its query's |,
// in the order written) over rows, as Execute runs it over the query's
// own rows, with env: for another engine that computed those rows (the
// aggregate rows ClickHouse returns, in package clickhouse). A stage
// that reads the store (a plugins.Needer, a join) needs env's Snapshot
// or Query; one that reads only its rows needs From, To and Now. It
// returns the rows the stage emits and their columns.
func (p *Plan) RunStage(ctx context.Context, i int, env *plugins.Env, rows [][]result.Value) ([][]result.Value, []result.Column, error) {
	if i < 0 || i >= len(p.stages) {
		return nil, nil, fmt.Errorf("query: the plan has %d stages, not a stage %d", len(p.stages), i)
	}
	s := p.stages[i]
	var out [][]result.Value
	err := runStage(ctx, env, s, slices.Values(rows), func(row []result.Value) bool {
		out = append(out, row)
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	return out, s.runner.Columns(), nil
}
