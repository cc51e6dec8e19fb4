package query

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
)

// analysis is what explain analyze measured.
type analysis struct {
	stats   execStats
	rows    int
	elapsed time.Duration
	timed   bool
}

// Explain describes the plan: what it reads and how it computes, step by
// step; with a, what running it read.
func (p *Plan) Explain(a *analysis) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("query: %s", p.Statement.Query)
	from, to := "the first sign-in", "the last"
	if p.From != math.MinInt64 {
		from = timeOfNanos(p.From).Format(time.RFC3339Nano)
	}
	if p.To != math.MaxInt64 {
		to = timeOfNanos(p.To).Format(time.RFC3339Nano)
	}
	line("time: from %s to %s (now %s): only the day partitions and blocks of that range are read", from, to, p.Now.Format(time.RFC3339Nano))
	if p.Kind == Show {
		line("show: the sign-in with id %q, found by each part's id index", p.ShowID)
		return b.String()
	}
	if p.Filter == nil {
		line("filter: none: every sign-in of the range")
	} else {
		line("filter: %s", p.Filter)
		explainCond(&b, p.Filter, "  ")
	}
	switch p.Kind {
	case List:
		var names []string
		for _, c := range p.ListCols {
			names = append(names, c.name)
		}
		line("list: %s, newest first; parts are read newest first, and stop once older than the %s", strings.Join(names, ", "), limitWords(p.Limit))
	default:
		if len(p.Keys) == 0 {
			line("group: none: one row")
		} else {
			var ks []string
			for _, k := range p.Keys {
				how := "dictionary ids"
				switch {
				case k.bin != 0:
					how = fmt.Sprintf("buckets of %s", time.Duration(k.bin))
				case k.col.Enc == engine.EncList:
					how = "dictionary ids, each element of the list"
				case k.col.Enc == engine.EncInt || k.col.Enc == engine.EncString:
					how = "values, numbered per part"
				}
				ks = append(ks, fmt.Sprintf("%s (%s)", k.name, how))
			}
			line("group by: %s; a part's groups by array index when their combinations are few, else in a hash table; parts merged by key", strings.Join(ks, ", "))
		}
		for _, s := range p.Aggs {
			how := "rows of the selected blocks"
			if len(p.Keys) == 0 && isCounter(s) {
				how = "cardinality of the selection's bitmap, no row read"
			}
			cond := ""
			if s.cond != nil {
				cond = " where " + s.cond.String()
			}
			line("aggregate: %s%s: %s", s.text, cond, how)
		}
		if p.Having != nil {
			line("having: on output rows")
		}
		var os []string
		for _, o := range p.Order {
			d := ""
			if o.desc {
				d = " desc"
			}
			os = append(os, p.Outs[o.col].name+d)
		}
		line("order: %s", strings.Join(os, ", "))
		if p.Limit >= 0 {
			line("limit: %d", p.Limit)
		}
	}
	for _, s := range p.Stages {
		line("stage: %s", s.src.Name)
	}
	if a != nil {
		line("read: %d of %d parts, %d column blocks decoded, %d sign-ins selected; %d rows out", a.stats.read, a.stats.parts, a.stats.blocks, a.stats.rows, a.rows)
		if a.timed {
			line("time: %s", a.elapsed)
		}
	}
	return b.String()
}

func limitWords(n int) string {
	if n < 0 {
		return "last sign-in found (no limit)"
	}
	return fmt.Sprintf("%d-th sign-in found", n)
}

func isCounter(s *aggSpec) bool {
	name := strings.ToLower(s.agg.Describe().Name)
	return name == "count" || name == "countif"
}

// explainCond says how each predicate is evaluated.
func explainCond(b *strings.Builder, c cond, indent string) {
	switch c := c.(type) {
	case *condAnd:
		for _, x := range c.xs {
			explainCond(b, x, indent)
		}
	case *condOr:
		for _, x := range c.xs {
			explainCond(b, x, indent)
		}
	case *condNot:
		explainCond(b, c.x, indent)
	case *pred:
		how := "bitmaps of the matching dictionary values (a scan of the column's ids when more than 64 match)"
		switch {
		case c.col.Enc == engine.EncInt:
			how = "a scan of the column, skipping blocks whose range of values rules them out"
		case c.col.Enc == engine.EncString:
			how = "a scan of the column"
		case !c.col.Indexed:
			how = "a scan of the column's dictionary ids"
		}
		fmt.Fprintf(b, "%s%s: %s\n", indent, c, how)
	}
}
