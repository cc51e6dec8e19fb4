package repl

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/result"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// errNotChartable is writeChartImage's error for a result it does not
// chart.
var errNotChartable = errors.New("nothing to chart: the last result is not a timeline (group by bin) or a top")

// imageFormats are the image formats writeChartImage writes, by file
// extension.
var imageFormats = []string{".png", ".svg"}

// The size of chart images: at 96 dots an inch, a PNG of 960 by 400
// pixels for a timeline; bars take a line each, beyond a least height.
const (
	imageWidth     = 10 * vg.Inch
	timelineHeight = 4.1667 * vg.Inch
	barsMinHeight  = 3 * vg.Inch
	barHeight      = 0.3 * vg.Inch
	imageMargin    = 0.2 * vg.Inch
)

// Colours of chart images.
var (
	imageFill = color.RGBA{R: 0x4c, G: 0x8b, B: 0xd6, A: 0xff}
	imageLine = color.RGBA{R: 0x1f, G: 0x4e, B: 0x8c, A: 0xff}
)

// writeChartImage writes the chart of res that drawChart draws on the
// terminal to the file at path, an SVG or PNG image by its extension
// (.svg, .png, in any case; other extensions are an error that lists
// these), with gonum.org/v1/plot:
//
//   - a timeline as the area under its values, a step a bucket (missing
//     buckets are zero), over a time axis in UTC, titled as drawChart's
//     (the value, the bin, the keys summed over);
//   - bars as horizontal bars, the first row on top, each labelled with
//     its value.
//
// A result drawChart does not chart is errNotChartable. The file is
// created or truncated; on an error it may be left part-written.
func writeChartImage(path string, res *result.Result) error {
	ext := strings.ToLower(filepath.Ext(path))
	if !slices.Contains(imageFormats, ext) {
		return fmt.Errorf("cannot chart to %q: the file's extension picks the format, one of %s", path, strings.Join(imageFormats, ", "))
	}
	d := chartOf(res)
	var p *plot.Plot
	height := timelineHeight
	switch d.kind {
	case chartTimeline:
		p = timelineImage(d)
	case chartBars:
		p = barsImage(d, res)
		height = max(barsMinHeight, vg.Length(len(d.labels))*barHeight+1.2*vg.Inch)
	default:
		return errNotChartable
	}
	var c vg.CanvasWriterTo
	if ext == ".png" {
		c = vgimg.PngCanvas{Canvas: vgimg.New(imageWidth, height)}
	} else {
		c = vgsvg.New(imageWidth, height)
	}
	// A white page, the plot inside a margin: tick labels at the ends
	// of the axes stay on it.
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	p.Draw(draw.Crop(dc, imageMargin, -imageMargin, imageMargin, -imageMargin))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Close()
}

// timelineImage plots a timeline: a step line filled beneath, from the
// first bucket's start to the last one's end, at zero across missing
// buckets.
func timelineImage(d chartData) *plot.Plot {
	p := plot.New()
	p.Title.Text = d.caption()
	p.Y.Label.Text = d.value.Name
	p.Y.Min = 0
	p.Y.Tick.Marker = numberTicker{}
	step := d.step
	if step <= 0 {
		step = time.Hour // a single bucket: a width to see it by
	}
	sec := func(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
	var xys plotter.XYs
	for i, b := range d.buckets {
		if i > 0 && b.t.After(d.buckets[i-1].t.Add(step)) {
			xys = append(xys, plotter.XY{X: sec(d.buckets[i-1].t.Add(step)), Y: 0})
		}
		xys = append(xys, plotter.XY{X: sec(b.t), Y: math.Max(b.v, 0)})
	}
	lastB := d.buckets[len(d.buckets)-1]
	xys = append(xys, plotter.XY{X: sec(lastB.t.Add(step)), Y: math.Max(lastB.v, 0)})
	line := &plotter.Line{XYs: xys, StepStyle: plotter.PostStep, LineStyle: plotter.DefaultLineStyle, FillColor: imageFill}
	line.LineStyle.Color = imageLine
	p.Add(plotter.NewGrid(), line)
	p.X.Min, p.X.Max = xys[0].X, xys[len(xys)-1].X
	top := 0.0
	for _, xy := range xys {
		top = max(top, xy.Y)
	}
	p.Y.Max = math.Max(top*1.08, 1) // room above the peak
	p.X.Tick.Marker = timeTicker{}
	return p
}

// barsImage plots bars: horizontal, the first row on top, labelled with
// their values.
func barsImage(d chartData, res *result.Result) *plot.Plot {
	p := plot.New()
	var keys []string
	for _, c := range res.Columns {
		if isComputedNumber(c) && len(keys) > 0 {
			break
		}
		keys = append(keys, c.Name)
	}
	p.Title.Text = d.value.Name + " by " + strings.Join(keys, ", ")
	n := len(d.values)
	vals := make(plotter.Values, n)
	names := make([]string, n)
	var xys plotter.XYs
	var texts []string
	top := 0.0
	for i, v := range d.values {
		j := n - 1 - i // the first row on top
		vals[j] = max(chartNumber(v), 0)
		names[j] = d.labels[i]
		if r := []rune(names[j]); len(r) > 40 {
			names[j] = string(r[:39]) + "…"
		}
		top = max(top, vals[j])
		xys = append(xys, plotter.XY{X: vals[j], Y: float64(j)})
		texts = append(texts, chartCellText(v))
	}
	bars, err := plotter.NewBarChart(vals, vg.Length(math.Min(18, 160/float64(n)))*vg.Points(1))
	if err == nil {
		bars.Horizontal = true
		bars.Color = imageFill
		bars.LineStyle.Width = 0
		p.Add(bars)
	}
	if labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts}); err == nil {
		labels.Offset = vg.Point{X: 4, Y: -4}
		p.Add(labels)
	}
	p.NominalY(names...)
	p.X.Min = 0
	p.X.Max = math.Max(top*1.15, 1)
	p.X.Label.Text = d.value.Name
	p.X.Tick.Marker = numberTicker{}
	return p
}

// numberTicker marks a value axis as plot.DefaultTicks does, its labels
// with thousands separators and no trailing zeros: 2.5, 10,000.
type numberTicker struct{}

func (numberTicker) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = words.Float(t.Value, 6)
		}
	}
	return ticks
}

// timeTicker marks a time axis (Unix seconds) in UTC at round times: a
// step from a minute to a year that gives at most 8 ticks.
type timeTicker struct{}

func (timeTicker) Ticks(lo, hi float64) []plot.Tick {
	steps := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 2 * 24 * time.Hour,
		7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour, 91 * 24 * time.Hour, 365 * 24 * time.Hour}
	span := time.Duration((hi - lo) * 1e9)
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 8 {
			step = s
			break
		}
	}
	layout := "Jan 2 15:04"
	if step >= 24*time.Hour {
		layout = "2006-01-02"
	}
	var ticks []plot.Tick
	start := time.Unix(int64(math.Ceil(lo)), 0).UTC()
	t := start.Truncate(step)
	if t.Before(start) {
		t = t.Add(step)
	}
	for ; float64(t.Unix()) <= hi && len(ticks) < 64; t = t.Add(step) {
		ticks = append(ticks, plot.Tick{Value: float64(t.Unix()), Label: t.Format(layout)})
	}
	return ticks
}
