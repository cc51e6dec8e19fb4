package plugins

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// Manual describes a plugin in full, for people: how to call it, its
// help, each argument with its type, default and help, its output, how a
// stage reads, and its example.
func (d *Descriptor) Manual() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n  %s\n", d.Usage(), d.Kind, d.Help)
	if len(d.Args) > 0 {
		b.WriteString("\narguments:\n")
		tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
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
		fmt.Fprintf(&b, "\noutput: %s\n", strings.Join(d.Output, ", "))
	}
	if d.Kind == KindStage {
		how := "gathers the rows it reads before it emits"
		if d.Streams {
			how = "streams: emits rows as it reads them"
		}
		fmt.Fprintf(&b, "\n%s\n", how)
	}
	if d.Example != "" {
		fmt.Fprintf(&b, "\nexample:\n  %s\n", d.Example)
	}
	return b.String()
}

// Listing returns the plugins of a kind (0 for every kind) as a result
// to print with a writer: kind, usage, help and example, by kind then
// name.
func (r *Registry) Listing(kind Kind) *result.Result {
	text := func(name string) result.Column {
		return result.Column{Name: name, Kind: signin.KindString}
	}
	res := &result.Result{Columns: []result.Column{text("kind"), text("usage"), text("help"), text("example")}}
	for k := KindAggregate; k <= KindReader; k++ {
		if kind != 0 && k != kind {
			continue
		}
		for _, p := range r.All(k) {
			d := p.Describe()
			res.Rows = append(res.Rows, []result.Value{
				result.StringValue(d.Kind.String()), result.StringValue(d.Usage()),
				result.StringValue(d.Help), result.StringValue(d.Example),
			})
		}
	}
	return res
}
