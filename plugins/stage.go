package plugins

import (
	"context"
	"fmt"
	"strings"

	"github.com/signinq/signinq/engine"
)

// Stage transforms rows after "|": the sign-ins a list query selects, or
// the rows of an aggregate query.
type Stage interface {
	Plugin
	// Bind checks the stage's arguments against the columns it will
	// receive and returns the stage ready to run. args holds every
	// argument of the descriptor, by name: those the query gave, the
	// others at their defaults (see BindArgs).
	Bind(args map[string]string, in []engine.ResultColumn) (Runner, error)
}

// Runner is a bound stage.
type Runner interface {
	// Columns are the columns the stage emits.
	Columns() []engine.ResultColumn
	// Run transforms the rows it receives, which it may modify.
	Run(ctx context.Context, rows [][]engine.Value) ([][]engine.Value, error)
}

// StageArg is an argument as a query writes it after a stage's name:
// positional ("1h"), or named ("window=1h").
type StageArg struct {
	Name  string // "" for a positional argument
	Value string
}

// BindArgs matches a stage's arguments to its descriptor: positional ones
// in the descriptor's order, named ones by name (without regard to case),
// and the omitted ones at their defaults. It refuses unknown names, an
// argument given twice, too many arguments and missing required ones.
func BindArgs(d Descriptor, args []StageArg) (map[string]string, error) {
	out := map[string]string{}
	next := 0
	for _, a := range args {
		name := a.Name
		if name == "" {
			if next >= len(d.Args) {
				return nil, fmt.Errorf("%s takes %d arguments (%s)", d.Name, len(d.Args), d.Usage())
			}
			name = d.Args[next].Name
			next++
		} else {
			found := false
			for _, da := range d.Args {
				if strings.EqualFold(da.Name, name) {
					name, found = da.Name, true
				}
			}
			if !found {
				return nil, fmt.Errorf("%s has no argument %q (%s)", d.Name, a.Name, d.Usage())
			}
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s: argument %s given twice", d.Name, name)
		}
		out[name] = a.Value
	}
	for _, da := range d.Args {
		if _, ok := out[da.Name]; !ok {
			if da.Default == "" {
				return nil, fmt.Errorf("%s needs its %s argument (%s)", d.Name, da.Name, d.Usage())
			}
			out[da.Name] = da.Default
		}
	}
	return out, nil
}
