package query

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
)

// analysis is what explain analyze measured.
type analysis struct {
	x       *executor
	rows    int
	elapsed time.Duration
	timed   bool
}

// Explain describes the plan, as explain does: what it reads and how it
// computes, step by step.
func (p *Plan) Explain() string { return p.explain(nil) }

// explain describes the plan; with a, what running it read (explain
// analyze).
func (p *Plan) explain(a *analysis) string {
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
	if p.ToNow {
		line("time: from %s through now (%s): only the day partitions and blocks of that range are read", from, p.Now.Format(time.RFC3339Nano))
	} else {
		line("time: from %s to %s (now %s): only the day partitions and blocks of that range are read", from, to, p.Now.Format(time.RFC3339Nano))
	}
	if p.Kind == ast.Show {
		line("show: the sign-in with id %q, found by each part's id index", p.ShowID)
		return b.String()
	}
	p.explainSubqueries(&b)
	if p.filter == nil {
		line("filter: none: every sign-in of the range")
	} else {
		line("filter: %s", p.filter)
		explainCond(&b, p.filter, "  ")
		if hasAnd(p.filter) {
			line("  and: in each part, operands answered by bitmaps first, those of fewest rows first (by the bitmaps' table), then other conditions, then scans, which read only the blocks left")
		}
	}
	switch p.Kind {
	case ast.List:
		var names []string
		for _, c := range p.listCols {
			names = append(names, c.name)
		}
		switch {
		case p.Stream:
			line("list: %s, streamed to %s as the store holds them (part by part, in time order), one row at a time, without sorting", strings.Join(names, ", "), p.stages[0].src.Name)
		case len(p.order) > 0:
			var by []string
			for _, o := range p.order {
				dir := ""
				if o.desc {
					dir = " desc"
				}
				by = append(by, p.listCols[o.col].name+dir)
			}
			how := fmt.Sprintf("its sign-ins sorted in %d MiB of memory, beyond which sorted runs are written to temporary files and merged", listSortMemory>>20)
			if p.Limit > 0 {
				how = fmt.Sprintf("the %d first kept in a heap", p.Limit)
			}
			line("list: %s, by %s, then newest first: every part is read, and %s", strings.Join(names, ", "), strings.Join(by, ", "), how)
		default:
			line("list: %s, newest first; parts are read newest first, and stop once older than the %s", strings.Join(names, ", "), limitWords(p.Limit))
		}
	default:
		counters := true
		for _, s := range p.aggs {
			counters = counters && isCounter(s)
		}
		counted := "" // how counts are made without a group table
		switch {
		case len(p.keys) == 0:
			line("group: none: one row")
		case len(p.keys) == 1 && counters && p.keys[0].bin != 0:
			counted = "each bucket's count from the selection's rank at its ends, no row read"
			line("group by: %s (buckets of %s): %s; parts merged by key", p.keys[0].name, time.Duration(p.keys[0].bin), counted)
		case len(p.keys) == 1 && counters && p.keys[0].col.Enc == engine.EncDict:
			counted = "counts by dictionary id, in an array over the key's column, or from each value's bitmap intersected with the selection where that is cheaper (chosen per part)"
			line("group by: %s (dictionary ids): %s; parts merged by key", p.keys[0].name, counted)
		default:
			var ks []string
			for _, k := range p.keys {
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
		if a := p.absent; a != nil {
			line("absence: %s in @%s: the sign-ins of the list's %d values; each value without one a group of none, added after the merge", a.field.Name, a.list, len(a.values))
		}
		for _, s := range p.aggs {
			how := "rows of the selected blocks"
			switch {
			case len(p.keys) == 0 && isCounter(s):
				how = "cardinality of the selection's bitmap, no row read"
			case counted != "":
				how = "counted with the groups"
			}
			cond := ""
			if s.cond != nil {
				cond = " where " + s.cond.String()
			}
			if s.fn != nil {
				once := "once per dictionary value of " + s.fn.fn.col.Name
				if !s.fn.fn.col.HasDict() {
					once = "once per selected row"
				}
				how += fmt.Sprintf(", of %s: a dictionary of its values made per part, the function applied %s", s.fn.fn.src, once)
			}
			line("aggregate: %s%s: %s", s.text, cond, how)
		}
		if p.having != nil {
			line("having: on output rows")
		}
		var os []string
		for _, o := range p.order {
			d := ""
			if o.desc {
				d = " desc"
			}
			os = append(os, p.outs[o.col].name+d)
		}
		line("order: %s", strings.Join(os, ", "))
		if p.Limit >= 0 {
			line("limit: %d", p.Limit)
		}
	}
	for _, s := range p.stages {
		line("stage: %s", s.src)
	}
	if a != nil {
		p.explainAnalysis(&b, a)
	}
	return b.String()
}

// explainAnalysis says what each step of the run read and made, and, with
// a clock, how long it took; the parts' steps are summed over parts, so
// over the goroutines that ran them.
func (p *Plan) explainAnalysis(b *strings.Builder, a *analysis) {
	st := &a.x.stats
	step := func(name string, d time.Duration, format string, args ...any) {
		fmt.Fprintf(b, "  %-8s %s", name+":", fmt.Sprintf(format, args...))
		if a.timed {
			fmt.Fprintf(b, ", %s", roundStep(d))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(b, "read: %d of %d parts, %d column blocks decoded\n", st.read, st.parts, st.blocks)
	fmt.Fprintf(b, "steps:\n")
	for _, s := range p.subs {
		step("subquery", s.took, "%d rows (%s)", s.rows, brief(s.src))
	}
	step("filter", st.filter, "%d sign-ins selected", st.rows)
	switch p.Kind {
	case ast.List:
		if p.Stream {
			break // the rows are read as the stage reads them: in its time
		}
		step("newest", st.group, "the newest of each part picked")
		if len(p.order) > 0 {
			step("order", a.x.order, "sorted")
		}
		step("rows", a.x.out, "%d rows out", a.x.outRows)
	case ast.Show:
	default:
		bitmaps := ""
		if st.bitmapParts > 0 {
			bitmaps = fmt.Sprintf(" (%d of %d parts counted from bitmaps)", st.bitmapParts, st.read)
		}
		step("groups", st.group, "%d groups in the parts%s", st.groups, bitmaps)
		step("merge", a.x.merge, "%d groups", a.x.merged)
		if p.having != nil {
			fmt.Fprintf(b, "  having:  %d rows kept\n", a.x.kept)
		}
		step("order", a.x.order, "%d rows out", a.x.outRows)
	}
	for _, s := range p.stages {
		step(s.src.Name, s.took, "%d rows out", s.rows)
	}
	if a.timed {
		fmt.Fprintf(b, "time: %s\n", roundStep(a.elapsed))
		// Beside the time, as it depends on the goroutines' pace too:
		// the most the query's tables held at once, as charged against
		// its memory limit.
		if bud := a.x.mem.b; bud != nil {
			fmt.Fprintf(b, "memory: groups and rows held %s at most, of a limit of %s\n", mib(bud.peak.Load()), mib(bud.limit))
		}
	}
}

// mib writes a number of bytes in MiB, or KiB below one.
func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// roundStep rounds a step's time for reading.
func roundStep(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func limitWords(n int) string {
	if n < 0 {
		return "last sign-in found (no limit)"
	}
	return fmt.Sprintf("%d-th sign-in found", n)
}

// isCounter reports whether the aggregate counts (its accumulators are
// plugins.Counter), as the executor finds when it makes them: then counts
// come from bitmaps and ranks, with no row read.
func isCounter(s *aggSpec) bool {
	_, ok := s.agg.NewAcc(plugins.Input{Field: fieldOf(s.field), Dict: s.field.EmptyDict()}).(plugins.Counter)
	return ok
}

// hasAnd reports whether a condition holds an and.
func hasAnd(c cond) bool {
	switch c := c.(type) {
	case *condAnd:
		return true
	case *condOr:
		return slices.ContainsFunc(c.xs, hasAnd)
	case *condNot:
		return hasAnd(c.x)
	}
	return false
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
		case c.timeRange():
			how = "a range of rows, as since finds its own: rows are in time order, and a binary search finds the range's ends"
		case c.col.Enc == engine.EncInt:
			how = "a scan of the column, skipping blocks whose range of values rules them out"
		case c.col.Enc == engine.EncString:
			how = "a scan of the column"
		case !c.col.Indexed:
			how = "a scan of the column's dictionary ids"
		}
		fmt.Fprintf(b, "%s%s: %s\n", indent, c, how)
	case *fieldCmp:
		how := "a scan of both columns, compared row by row (a dictionary's values decoded once per part)"
		if c.text && c.l.fn == nil && c.r.fn == nil && c.l.col.Indexed && c.r.col.Indexed && c.l.col.Enc == engine.EncDict && c.r.col.Enc == engine.EncDict {
			how = fmt.Sprintf("in a part whose two dictionaries have at most %d values, the union over the values equal without regard to case of the intersection of their bitmaps; else a scan of both columns, compared row by row (a dictionary's values decoded once per part)", maxPairValues)
		}
		fmt.Fprintf(b, "%s%s: %s\n", indent, c, how)
	case *tupleIn:
		fmt.Fprintf(b, "%s%s: row by row over the rows the rest of the filter leaves, reading the %d fields' columns (a dictionary's values made keys once per part): each combination of their values looked up in the hash set of the subquery's rows\n", indent, c, len(c.cols))
	}
}
