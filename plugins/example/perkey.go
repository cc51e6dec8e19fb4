package example

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// perkey is a stage that keeps the first N rows of each value of a
// column: "the three newest failures of each user". It streams: it emits
// a row as soon as it has read it, and holds only a count per value.
type perkey struct{}

// Interface guards: perkey is a stage, and chooses what a list before it
// reads.
var (
	_ plugins.Stage  = perkey{}
	_ plugins.Needer = perkey{}
)

func (perkey) Describe() plugins.Descriptor {
	return plugins.Descriptor{
		Name: "perkey",
		Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "column", Type: plugins.ArgField, Help: "the column whose values are counted: a field, or a column of the rows before"},
			{Name: "n", Type: plugins.ArgNumber, Default: "1", Help: "how many rows to keep per value"},
		},
		Help:    "keeps the first n rows of each value of a column",
		Example: "list where status=failure since 24h | perkey user 3",
		Output:  []string{"the columns it receives"},
		Streams: true,
	}
}

// Needs asks a list before it for the usual columns of a sign-in and the
// counted one.
func (perkey) Needs(args map[string]string) (plugins.Needs, error) {
	fields := []string{"time", "user", "app", "ip", "status", "error"}
	col := strings.ToLower(args["column"])
	for _, f := range fields {
		if f == col {
			return plugins.Needs{Fields: fields}, nil
		}
	}
	return plugins.Needs{Fields: append(fields, args["column"])}, nil
}

func (perkey) Bind(args map[string]string, in []result.Column) (plugins.Runner, error) {
	n, err := strconv.Atoi(args["n"])
	if err != nil || n < 1 {
		return nil, fmt.Errorf("n is a whole number above 0, not %q", args["n"])
	}
	var names []string
	for i, c := range in {
		if strings.EqualFold(c.Name, args["column"]) {
			return &perkeyRunner{in: in, col: i, n: n}, nil
		}
		names = append(names, c.Name)
	}
	return nil, fmt.Errorf("no column %q among %s", args["column"], strings.Join(names, ", "))
}

type perkeyRunner struct {
	in  []result.Column
	col int
	n   int
}

func (r *perkeyRunner) Columns() []result.Column { return r.in }

func (r *perkeyRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	seen := map[string]int{}
	for row := range in {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := row[r.col].String()
		if seen[k] >= r.n {
			continue
		}
		seen[k]++
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}
