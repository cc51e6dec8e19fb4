package repl

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/term"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/result"
)

// Charts of results, on the terminal (drawChart) and in files
// (writeChartImage, image.go). Two shapes of result are charted; both end
// with a computed number (an aggregate: its Field is ""), the value
// charted, and any other computed number before it is left out:
//
//   - a timeline: a result with a column "time" of the time field (group
//     by bin(D)) among its keys. Its buckets are aligned to the bin, whose
//     width is the smallest gap between two buckets (a bin of 1h of which
//     only every other hour holds sign-ins reads as a bin of 2h); the
//     missing buckets, which hold no sign-ins, are zero. With other keys
//     besides the time (group by app, bin(1h)) the chart is of the sum of
//     the value over them in each bucket: the total, for a count.
//   - bars: at most maxBars rows of keys (a top, a group by), labelled by
//     the keys before the first computed number, the rows in the
//     result's order.
//
// Nulls, infinities and NaN are zero; bars of negative numbers have no
// length, and say their value.

// maxBars is the most rows drawn as bars: beyond, bars no longer read as
// a picture of the result.
const maxBars = 50

// maxBarBuckets is the most buckets of a timeline drawn one bar a line,
// with their times; more are drawn as columns, several a column when
// they do not fit the width.
const maxBarBuckets = 40

// chartHeight is the height in lines of a timeline drawn in columns.
const chartHeight = 8

// defaultChartWidth is the width a chart takes when the terminal's is
// unknown; minChartWidth is the narrowest it is drawn.
const (
	defaultChartWidth = 80
	minChartWidth     = 40
)

// A chartKind is what a result is charted as.
type chartKind int

const (
	chartNone     chartKind = iota
	chartTimeline           // group by bin(D): values over time
	chartBars               // a top or a group by: a bar a row
)

// chartData is a result reduced to what its charts show.
type chartData struct {
	kind  chartKind
	value result.Column // the column charted

	// A timeline: the buckets that hold a row, in time order (their
	// values summed over the other keys, named in over), and the
	// bin's width (0 for a single bucket).
	buckets []chartBucket
	step    time.Duration
	over    []string

	// Bars: a label and a value a row, the label's field when it is a
	// single key (for the colour of status bars).
	labels     []string
	labelField string
	values     []result.Value
}

type chartBucket struct {
	t time.Time
	v float64
}

// chartOf reduces a result to its chart's data; the kind is chartNone
// for a result that is not charted.
func chartOf(res *result.Result) chartData {
	var d chartData
	if res == nil || len(res.Columns) < 2 || len(res.Rows) == 0 {
		return d
	}
	last := len(res.Columns) - 1
	if !isComputedNumber(res.Columns[last]) {
		return d
	}
	d.value = res.Columns[last]
	timeCol := -1
	firstAgg := last
	for i, c := range res.Columns[:last] {
		if i > 0 && isComputedNumber(c) {
			firstAgg = i
			break
		}
		if c.Name == "time" && c.Kind == signin.KindTime && c.Field == "time" {
			timeCol = i
		}
	}
	if timeCol >= 0 {
		d.kind = chartTimeline
		for i, c := range res.Columns[:firstAgg] {
			if i != timeCol {
				d.over = append(d.over, c.Name)
			}
		}
		sums := map[int64]float64{}
		for _, row := range res.Rows {
			if len(row) <= last || row[timeCol].IsNull() || row[timeCol].Kind() != signin.KindTime {
				continue
			}
			sums[row[timeCol].Int()] += chartNumber(row[last])
		}
		for ns, v := range sums {
			d.buckets = append(d.buckets, chartBucket{time.Unix(0, ns).UTC(), v})
		}
		if len(d.buckets) == 0 {
			return chartData{}
		}
		slices.SortFunc(d.buckets, func(a, b chartBucket) int { return a.t.Compare(b.t) })
		for i := 1; i < len(d.buckets); i++ {
			gap := d.buckets[i].t.Sub(d.buckets[i-1].t)
			if d.step == 0 || gap < d.step {
				d.step = gap
			}
		}
		return d
	}
	if len(res.Rows) > maxBars {
		return d
	}
	d.kind = chartBars
	if firstAgg == 1 {
		d.labelField = res.Columns[0].Field
	}
	for _, row := range res.Rows {
		if len(row) <= last {
			return chartData{}
		}
		parts := make([]string, firstAgg)
		for i := range firstAgg {
			parts[i] = row[i].String()
			if row[i].IsNull() {
				parts[i] = "(null)"
			} else if parts[i] == "" {
				parts[i] = "(empty)"
			}
		}
		d.labels = append(d.labels, term.Text(strings.Join(parts, " · ")))
		d.values = append(d.values, row[last])
	}
	return d
}

// isComputedNumber reports whether a column is a number computed by the
// query (an aggregate, arithmetic), not a field's.
func isComputedNumber(c result.Column) bool {
	return c.Field == "" && (c.Kind == signin.KindInt || c.Kind == signin.KindFloat)
}

// chartNumber is a value as a bar's length: null, infinities and NaN are
// zero.
func chartNumber(v result.Value) float64 {
	if v.IsNull() || (v.Kind() != signin.KindInt && v.Kind() != signin.KindFloat) {
		return 0
	}
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// chartValueText formats a number as the table does its computed ones:
// with thousands separators.
func chartValueText(f float64, kind signin.Kind) string {
	if kind == signin.KindInt && math.Abs(f) < 1<<62 {
		return humanize.Comma(int64(math.Round(f)))
	}
	return words.Float(f, 3)
}

// chartCellText formats a cell's value for a bar: null as "".
func chartCellText(v result.Value) string {
	if v.IsNull() {
		return ""
	}
	if v.Kind() == signin.KindFloat && (math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0)) {
		return v.String()
	}
	return chartValueText(v.Float(), v.Kind())
}

// drawChart draws a chart of res on a terminal of width columns (0:
// unknown, then 80) beneath its table, after a blank line, and reports
// whether it drew one; it draws nothing for a result that is not charted
// (see chartOf). Only Unicode block characters draw, and ANSI colour
// when color is set:
//
//   - a timeline of at most 40 buckets, a line a bucket: its time, its
//     value, a bar;
//   - a longer timeline, in columns 8 lines high, a column a bucket, or
//     when they do not fit the width, a column as many buckets as it
//     takes (the last one, up to as many), drawn as their largest; labelled with the largest value and the first and
//     last buckets' times;
//   - bars, a line a row: its keys, its value, a bar.
//
// Its write errors are not reported: a chart is a picture of a result
// already written.
func drawChart(w io.Writer, res *result.Result, width int, color bool) bool {
	d := chartOf(res)
	if d.kind == chartNone {
		return false
	}
	if width <= 0 {
		width = defaultChartWidth
	}
	width = max(width, minChartWidth)
	var b strings.Builder
	b.WriteByte('\n')
	switch {
	case d.kind == chartBars:
		drawBars(&b, d.labels, d.values, d.labelField, width, color)
	case len(d.buckets) <= maxBarBuckets && d.bucketCount() <= maxBarBuckets:
		b.WriteString(d.caption() + "\n")
		labels, values := d.barLines()
		drawBars(&b, labels, values, "", width, color)
	default:
		drawColumns(&b, d, width, color)
	}
	_, _ = io.WriteString(w, b.String())
	return true
}

// bucketCount is the number of buckets from the first to the last, the
// missing ones included.
func (d *chartData) bucketCount() int64 {
	if d.step <= 0 {
		return int64(len(d.buckets))
	}
	return int64(d.buckets[len(d.buckets)-1].t.Sub(d.buckets[0].t)/d.step) + 1
}

// caption says what a timeline shows: "count per 1h, summed over app
// (UTC)".
func (d *chartData) caption() string {
	s := term.Text(d.value.Name)
	if d.step > 0 {
		s += " per " + chartDuration(d.step)
	}
	if len(d.over) > 0 {
		s += ", summed over " + term.Text(strings.Join(d.over, ", "))
	}
	return s + " (UTC)"
}

// barLines lists a short timeline's buckets, the missing ones as zero,
// as bars' labels and values.
func (d *chartData) barLines() ([]string, []result.Value) {
	var labels []string
	var values []result.Value
	layout := chartTimeLayout(d.buckets, d.step)
	next := 0
	for t := d.buckets[0].t; next < len(d.buckets); t = t.Add(d.step) {
		v := 0.0
		if d.buckets[next].t.Equal(t) {
			v = d.buckets[next].v
			next++
		}
		labels = append(labels, t.Format(layout))
		if d.value.Kind == signin.KindInt {
			values = append(values, result.IntValue(int64(math.Round(v))))
		} else {
			values = append(values, result.FloatValue(v))
		}
		if d.step <= 0 {
			// A single bucket: the loop has drawn it.
			break
		}
	}
	return labels, values
}

// chartTimeLayout is the layout of the buckets' times: the date when
// they are whole days, seconds when they are not whole minutes.
func chartTimeLayout(buckets []chartBucket, step time.Duration) string {
	days, minutes := true, true
	for _, b := range buckets {
		if !b.t.Equal(b.t.Truncate(24 * time.Hour)) {
			days = false
		}
		if !b.t.Equal(b.t.Truncate(time.Minute)) {
			minutes = false
		}
	}
	switch {
	case days && step > 0 && step%(24*time.Hour) == 0:
		return "2006-01-02"
	case !minutes:
		return "2006-01-02 15:04:05"
	}
	return "2006-01-02 15:04"
}

// chartDuration writes a bin's width as the query language does: 1h, 1d,
// 15m.
func chartDuration(d time.Duration) string {
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}} {
		if d%u.d == 0 {
			return fmt.Sprintf("%d%s", d/u.d, u.unit)
		}
	}
	return d.String()
}

// eighths are the blocks of a bar's end, of 1/8 to 7/8 of a cell's
// width; columns are the blocks of a column's top, of 1/8 to 8/8 of a
// cell's height.
var (
	eighths = []rune("▏▎▍▌▋▊▉")
	columns = []rune("▁▂▃▄▅▆▇█")
)

// ANSI colours of charts.
const (
	chartBarColor = "\x1b[36m" // cyan
	chartDim      = "\x1b[2m"
)

// drawBars draws a line a value: its label (cut to a third of the
// width), its value right-aligned, a bar scaled to the largest value.
func drawBars(b *strings.Builder, labels []string, values []result.Value, labelField string, width int, color bool) {
	labelWidth := 0
	for _, l := range labels {
		labelWidth = max(labelWidth, text.StringWidthWithoutEscSequences(l))
	}
	labelWidth = min(labelWidth, max(width/3, 12))
	texts := make([]string, len(values))
	valueWidth, top := 0, 0.0
	for i, v := range values {
		texts[i] = term.Text(chartCellText(v))
		valueWidth = max(valueWidth, text.StringWidthWithoutEscSequences(texts[i]))
		top = max(top, chartNumber(v))
	}
	barWidth := max(width-labelWidth-valueWidth-3, 1)
	for i, l := range labels {
		var line strings.Builder
		l = term.Truncate(l, labelWidth)
		line.WriteString(l)
		line.WriteString(strings.Repeat(" ", labelWidth-text.StringWidthWithoutEscSequences(l)+1))
		line.WriteString(strings.Repeat(" ", valueWidth-text.StringWidthWithoutEscSequences(texts[i])))
		line.WriteString(texts[i])
		bar := ""
		if v := chartNumber(values[i]); v > 0 && top > 0 {
			bar = barOf(v/top, barWidth)
		}
		if bar != "" {
			line.WriteByte(' ')
			if color {
				c := chartBarColor
				if sc := term.ValueColor(labelField, labels[i]); labelField == "status" && sc != "" {
					c = sc
				}
				bar = c + bar + term.Reset
			}
			line.WriteString(bar)
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

// barOf is a bar of frac (0 to 1) of width cells, in eighths of a cell;
// at least an eighth when frac > 0.
func barOf(frac float64, width int) string {
	n := max(int(math.Round(frac*float64(width*8))), 1)
	s := strings.Repeat("█", n/8)
	if n%8 > 0 {
		s += string(eighths[n%8-1])
	}
	return s
}

// drawColumns draws a timeline in columns of chartHeight lines: an axis
// labelled with the largest value, a column a bucket (or the largest of
// several buckets when they do not fit), the first and last times below.
func drawColumns(b *strings.Builder, d chartData, width int, color bool) {
	top := 0.0
	var topAt time.Time
	for _, bk := range d.buckets {
		if bk.v > top {
			top, topAt = bk.v, bk.t
		}
	}
	topText := chartValueText(top, d.value.Kind)
	axisWidth := max(text.StringWidthWithoutEscSequences(topText), 1)
	n := d.bucketCount()
	// NB: every column holds per buckets (the last one, up to per), so
	// that no column is taller for holding more.
	room := int64(width - axisWidth - 2)
	per := (n + room - 1) / room
	cols := int((n + per - 1) / per)

	// The columns' values: the largest of their buckets.
	vals := make([]float64, cols)
	for _, bk := range d.buckets {
		idx := int64(0)
		if d.step > 0 {
			idx = int64(bk.t.Sub(d.buckets[0].t) / d.step)
		}
		c := min(int(idx/per), cols-1)
		vals[c] = max(vals[c], bk.v)
	}

	layout := chartTimeLayout(d.buckets, d.step)
	// The caption, and what more it says while it fits the width.
	caption := d.caption()
	if per > 1 {
		caption += fmt.Sprintf(", %d buckets a column (max)", per)
	}
	if more := "; peak " + topText + " at " + topAt.Format(layout); top > 0 &&
		text.StringWidthWithoutEscSequences(caption+more) <= width {
		caption += more
	}
	caption = term.Truncate(caption, width)
	b.WriteString(caption + "\n")
	for line := chartHeight - 1; line >= 0; line-- {
		label := ""
		if line == chartHeight-1 {
			label = topText
		}
		b.WriteString(strings.Repeat(" ", axisWidth-text.StringWidthWithoutEscSequences(label)))
		b.WriteString(label)
		if line == chartHeight-1 {
			b.WriteString(" ┤")
		} else {
			b.WriteString(" │")
		}
		var row strings.Builder
		for _, v := range vals {
			level := 0
			if v > 0 && top > 0 {
				level = max(int(math.Round(v/top*chartHeight*8)), 1)
			}
			e := min(max(level-line*8, 0), 8)
			if e == 0 {
				row.WriteByte(' ')
			} else {
				row.WriteRune(columns[e-1])
			}
		}
		r := strings.TrimRight(row.String(), " ")
		if color && r != "" {
			r = chartBarColor + r + term.Reset
		}
		b.WriteString(r)
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", axisWidth-1))
	b.WriteString("0 └")
	b.WriteString(strings.Repeat("─", cols))
	b.WriteByte('\n')
	// The first and last buckets' times, under the first and last
	// columns, when both fit.
	first := d.buckets[0].t.Format(layout)
	lastT := d.buckets[0].t.Add(time.Duration(n-1) * d.step).Format(layout)
	times := strings.Repeat(" ", axisWidth+2) + first
	if gap := cols - len(first) - len(lastT); gap >= 1 {
		times += strings.Repeat(" ", gap) + lastT
	} else {
		times += " … " + lastT
	}
	if color {
		times = chartDim + times + term.Reset
	}
	b.WriteString(times + "\n")
}
