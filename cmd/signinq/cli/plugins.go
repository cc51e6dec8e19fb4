package cli

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
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
	return writeResult(pl.(plugins.Writer), e, res)
}

// describePlugin prints all a plugin's descriptor says.
func describePlugin(e *env, name string) error {
	p, ok := plugins.Default().Lookup(name)
	if !ok {
		if best := query.Suggest(name, plugins.Default().Names(0)); best != "" {
			return fmt.Errorf("no plugin %q; did you mean %q? (signinq plugins lists them)", name, best)
		}
		return fmt.Errorf("no plugin %q (signinq plugins lists them)", name)
	}
	d := p.Describe()
	w := e.stdout
	fmt.Fprintf(w, "%s (%s)\n  %s\n", d.Usage(), d.Kind, d.Help)
	if len(d.Args) > 0 {
		fmt.Fprintf(w, "\narguments:\n")
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
		for _, a := range d.Args {
			def := "required"
			if a.Default != "" {
				def = "default " + a.Default
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Name, a.Type, def, a.Help)
		}
		tw.Flush()
	}
	if len(d.Output) > 0 {
		fmt.Fprintf(w, "\noutput: %s\n", strings.Join(d.Output, ", "))
	}
	if d.Kind == plugins.KindStage {
		how := "gathers the rows it reads before it emits"
		if d.Streams {
			how = "streams: emits rows as it reads them"
		}
		fmt.Fprintf(w, "\n%s\n", how)
	}
	if d.Example != "" {
		fmt.Fprintf(w, "\nexample:\n  %s\n", d.Example)
	}
	return nil
}
