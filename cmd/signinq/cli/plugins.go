package cli

import (
	"cmp"
	"slices"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

type pluginsCmd struct {
	Kind   string `enum:"all,aggregate,stage,function,writer,reader" default:"all" help:"Only plugins of this kind: aggregate, stage, function, writer, reader."`
	Format string `enum:"table,json,csv" default:"table" help:"table, json (one object per plugin) or csv."`
}

// Run lists the registry's plugins: what the language's aggregates,
// stages and functions, the output formats and the input formats are,
// how to call each, and an example.
func (c *pluginsCmd) Run(e *env) error {
	var kind plugins.Kind
	for k := plugins.KindAggregate; k <= plugins.KindReader; k++ {
		if k.String() == c.Kind {
			kind = k
		}
	}
	text := func(name string) engine.ResultColumn {
		return engine.ResultColumn{Name: name, Kind: signin.KindString}
	}
	res := &engine.Result{Columns: []engine.ResultColumn{text("kind"), text("usage"), text("help"), text("example")}}
	all := plugins.Default().All(kind)
	slices.SortStableFunc(all, func(a, b plugins.Plugin) int { return cmp.Compare(a.Describe().Kind, b.Describe().Kind) })
	for _, p := range all {
		d := p.Describe()
		res.Rows = append(res.Rows, []engine.Value{
			engine.StringValue(d.Kind.String()), engine.StringValue(d.Usage()),
			engine.StringValue(d.Help), engine.StringValue(d.Example),
		})
	}
	pl, _ := plugins.Default().Lookup(c.Format)
	return pl.(plugins.Writer).Write(e.stdout, res, writeOptions(e))
}
