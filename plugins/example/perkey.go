package example

import (
	"context"
	"iter"
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
			{Name: "n", Type: plugins.ArgInt, Default: "1", Min: "1", Help: "how many rows to keep per value"},
		},
		Help:    "keeps the first n rows of each value of a column",
		Example: "list where status=failure since 24h | perkey user 3",
		Output:  []string{"the columns it receives"},
		Streams: true,
	}
}

// Needs asks a list before it for the usual columns of a sign-in and the
// counted one. Its arguments come bound by their declared types: the
// column's name as written (Text), n as a whole number of at least 1
// (Int), checked before Needs and Bind see them.
func (perkey) Needs(args *plugins.Args) (plugins.Needs, error) {
	fields := []string{"time", "user", "app", "ip", "status", "error"}
	col := args.Text("column")
	for _, f := range fields {
		if strings.EqualFold(f, col) {
			return plugins.Needs{Fields: fields}, nil
		}
	}
	return plugins.Needs{Fields: append(fields, col)}, nil
}

// Bind finds the column among those it receives; an error about an
// argument's value is args.Error's, which a query shows at the value.
func (perkey) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	var names []string
	for i, c := range in {
		if strings.EqualFold(c.Name, args.Text("column")) {
			return &perkeyRunner{in: in, col: i, n: args.Int("n")}, nil
		}
		names = append(names, c.Name)
	}
	return nil, args.Error("column", "is not a column of the rows before it: "+strings.Join(names, ", "))
}

type perkeyRunner struct {
	in  []result.Column
	col int
	n   int64
}

func (r *perkeyRunner) Columns() []result.Column { return r.in }

func (r *perkeyRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	seen := map[string]int64{}
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
