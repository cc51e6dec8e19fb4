package cli

import (
	"fmt"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

type pluginsCmd struct {
	Kind   string `enum:"all,aggregate,stage,function,writer,reader" default:"all" help:"Only plugins of this kind: aggregate, stage, function, writer, reader."`
	Format string `enum:"table,json,csv" default:"table" help:"table, json (one object per plugin) or csv."`
	Name   string `arg:"" optional:"" help:"Describe this plugin in full: its arguments, defaults, output and an example."`
}

// Run lists the registry's plugins: what the language's aggregates,
// stages and functions, the output formats and the input formats are,
// how to call each, and an example.
func (c *pluginsCmd) Run(e *env) error {
	if c.Name != "" {
		return describePlugin(e, c.Name)
	}
	var kind plugins.Kind
	for k := plugins.KindAggregate; k <= plugins.KindReader; k++ {
		if k.String() == c.Kind {
			kind = k
		}
	}
	pl, _ := standard.Registry().Lookup(c.Format)
	return writeResult(pl.(plugins.Writer), e, standard.Registry().Listing(kind))
}

// describePlugin prints all a plugin's descriptor says.
func describePlugin(e *env, name string) error {
	p, ok := standard.Registry().Lookup(name)
	if !ok {
		if best := query.Suggest(name, standard.Registry().Names(0)); best != "" {
			return fmt.Errorf("no plugin %q; did you mean %q? (signinq plugins lists them)", name, best)
		}
		return fmt.Errorf("no plugin %q (signinq plugins lists them)", name)
	}
	d := p.Describe()
	_, err := fmt.Fprint(e.stdout, d.Manual())
	return err
}
