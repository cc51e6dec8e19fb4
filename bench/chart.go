package bench

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"github.com/dustin/go-humanize"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartQueries are the queries the chart follows when the report has
// them: a count over all, a selective group, a full scan with distinct
// counts, and a stage.
var chartQueries = []string{
	`count`,
	`count where status=failure since 24h group by app`,
	`count, dcount(user) as users where type=interactive group by country`,
	`list since 7d | travel`,
}

// Chart sizes: a PNG of 1200 by 800 pixels at 96 dots an inch.
const (
	chartWidth  = 12.5 * vg.Inch
	chartHeight = 8.333 * vg.Inch
)

var chartColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x4e, B: 0x8c, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x6a, B: 0x1f, A: 0xff},
	color.RGBA{R: 0x2c, G: 0x8c, B: 0x3c, A: 0xff},
	color.RGBA{R: 0x9c, G: 0x2c, B: 0x8c, A: 0xff},
}

// firstShape returns r with the datasets of its first dataset's shape
// only.
func (r *Report) firstShape() *Report {
	c := *r
	c.Datasets = nil
	for _, ds := range r.Datasets {
		if ds.Shape == r.Datasets[0].Shape {
			c.Datasets = append(c.Datasets, ds)
		}
	}
	return &c
}

// WriteChart writes a PNG image of how the figures grow with size, in
// four panels over the number of sign-ins (log scales): the median
// latency of a few representative queries, the bytes a sign-in takes on
// disk, the peak resident memory, and the ingest rate (measured on the
// sample only, so a single point at its size). Of several tenant shapes,
// it draws the first's. A report without datasets is an error.
func (r *Report) WriteChart(w io.Writer) error {
	if len(r.Datasets) == 0 {
		return errors.New("bench: no datasets to chart")
	}
	r = r.firstShape()
	sizes := make([]float64, len(r.Datasets))
	for i, ds := range r.Datasets {
		sizes[i] = float64(ds.Rows)
	}
	lo, hi := slices.Min(sizes), slices.Max(sizes)
	if r.Ingest != nil {
		lo, hi = min(lo, float64(r.Ingest.SignIns)), max(hi, float64(r.Ingest.SignIns))
	}
	var ticks []plot.Tick
	for _, ds := range r.Datasets {
		ticks = append(ticks, plot.Tick{Value: float64(ds.Rows), Label: SizeName(ds.Rows)})
	}
	if in := r.Ingest; in != nil && !slices.Contains(sizes, float64(in.SignIns)) {
		ticks = append(ticks, plot.Tick{Value: float64(in.SignIns), Label: SizeName(in.SignIns)})
	}
	newPlot := func(title, ylabel string) *plot.Plot {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "sign-ins"
		p.Y.Label.Text = ylabel
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = lo/2, hi*2
		p.Legend.Top, p.Legend.Left = true, true
		return p
	}

	lat := newPlot("Median latency (p50, warm)", "milliseconds")
	lat.Y.Scale = plot.LogScale{}
	lat.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for k, i := range r.chartQueryIndexes() {
		xys := make(plotter.XYs, len(r.Datasets))
		for j, ds := range r.Datasets {
			v := max(float64(ds.Queries[i].P50())/1e6, 1e-3)
			xys[j] = plotter.XY{X: sizes[j], Y: v}
			ylo, yhi = min(ylo, v), max(yhi, v)
		}
		if err := addLine(lat, xys, chartColors[k%len(chartColors)], r.Datasets[0].Queries[i].Query.Text); err != nil {
			return err
		}
	}
	lat.Y.Min, lat.Y.Max = ylo/2, yhi*40 // room for the legend above the lines

	disk := newPlot("On disk", "bytes a sign-in")
	parts := []struct {
		name string
		get  func(Disk) int64
	}{
		{"directory", func(d Disk) int64 { return d.Total }},
		{"columns", func(d Disk) int64 { return d.Columns }},
		{"bitmaps", func(d Disk) int64 { return d.Bitmaps }},
		{"id index", func(d Disk) int64 { return d.IDs }},
	}
	dmax := 0.0
	for k, part := range parts {
		xys := make(plotter.XYs, len(r.Datasets))
		for j, ds := range r.Datasets {
			xys[j] = plotter.XY{X: sizes[j], Y: ds.Disk.PerSignIn(part.get(ds.Disk))}
			dmax = max(dmax, xys[j].Y)
		}
		if err := addLine(disk, xys, chartColors[k%len(chartColors)], part.name); err != nil {
			return err
		}
	}
	disk.Y.Tick.Marker = commaTicks{}
	disk.Y.Min, disk.Y.Max = 0, dmax*1.3+1

	mem := newPlot("Peak resident memory", "MB")
	var mxys plotter.XYs
	mmax := 0.0
	for j, ds := range r.Datasets {
		if ds.PeakRSS >= 0 {
			mxys = append(mxys, plotter.XY{X: sizes[j], Y: float64(ds.PeakRSS) / 1e6})
			mmax = max(mmax, float64(ds.PeakRSS)/1e6)
		}
	}
	if len(mxys) > 0 {
		if err := addLine(mem, mxys, chartColors[0], "process (VmHWM)"); err != nil {
			return err
		}
	}
	mem.Y.Tick.Marker = commaTicks{}
	mem.Y.Min, mem.Y.Max = 0, mmax*1.3+1

	ing := newPlot("Ingest of diagnostic JSON lines", "sign-ins a second")
	ing.Y.Min = 0
	ing.Y.Tick.Marker = commaTicks{}
	if in := r.Ingest; in != nil {
		xys := plotter.XYs{{X: float64(in.SignIns), Y: in.SignInsPerSecond()}}
		if err := addLine(ing, xys, chartColors[0], fmt.Sprintf("measured on %s sign-ins (%.0f MB/s)", SizeName(in.SignIns), in.MBPerSecond())); err != nil {
			return err
		}
		ing.Y.Max = in.SignInsPerSecond() * 1.4
	} else {
		ing.Title.Text += " (not measured)"
		ing.Y.Max = 1
	}

	img := vgimg.New(chartWidth, chartHeight)
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	plots := [][]*plot.Plot{{lat, ing}, {disk, mem}}
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Inch / 2, PadY: vg.Inch / 2, PadTop: vg.Inch / 5, PadBottom: vg.Inch / 5, PadLeft: vg.Inch / 5, PadRight: vg.Inch / 5}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// chartQueryIndexes returns the indexes of the queries the latency panel
// follows: chartQueries where the report has them, else the first four.
func (r *Report) chartQueryIndexes() []int {
	qs := r.Datasets[0].Queries
	var idx []int
	for _, text := range chartQueries {
		for i, q := range qs {
			if q.Query.Text == text {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == 0 {
		for i := range min(4, len(qs)) {
			idx = append(idx, i)
		}
	}
	return idx
}

// addLine adds a line with points to p, in colour c, named in the legend.
func addLine(p *plot.Plot, xys plotter.XYs, c color.Color, name string) error {
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, l.Width = c, vg.Points(1.5)
	s.Color, s.Shape = c, draw.CircleGlyph{}
	s.Radius = vg.Points(3)
	p.Add(l, s)
	p.Legend.Add(name, l, s)
	return nil
}

// commaTicks marks a linear axis as plot.DefaultTicks does, its labels
// whole numbers with thousands separated: 50,000 rather than 50000.00.
type commaTicks struct{}

func (commaTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = humanize.Comma(int64(math.Round(ticks[i].Value)))
		}
	}
	return ticks
}
