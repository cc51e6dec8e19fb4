package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/progress"
)

type benchCmd struct {
	Sizes        string `default:"1M,10M" placeholder:"LIST" help:"Datasets to measure, as numbers of generated sign-ins (1M, 10M, 100M, 20000), comma-separated; each is generated once and cached."`
	Shapes       string `default:"compact" placeholder:"LIST" help:"Tenant shapes to measure each size on (compact, wide; see gen --shape), comma-separated; the ingest is measured on the first."`
	Runs         int    `default:"20" help:"Warm runs of each query, after its cold one."`
	Queries      string `placeholder:"REGEX" help:"Only the queries of the standard set whose text matches this regular expression."`
	Markdown     string `placeholder:"FILE" help:"Write the Markdown report to FILE instead of standard output."`
	GoBench      string `name:"gobench" placeholder:"FILE" help:"Also write the figures in the Go benchmark format, for benchstat, to FILE (- for standard output)."`
	Chart        string `placeholder:"FILE.png" help:"Also draw how latency, ingest, disk and memory grow with size as a PNG image."`
	IngestSample int64  `name:"ingest-sample" default:"1000000" placeholder:"N" help:"Sign-ins of diagnostic-settings JSON lines to measure ingest on (written once and cached: about 4.2 GB a million); 0 skips the ingest."`
	Cache        string `type:"path" placeholder:"DIR" help:"Where to cache the datasets and the ingest sample (default: signinq-bench in the user's cache directory)."`
	JSON         string `name:"json" placeholder:"FILE" help:"Also write the figures as JSON to FILE, for --from."`
	From         string `placeholder:"FILE" help:"Measure nothing: write the reports of the figures a run saved with --json."`
	Quiet        bool   `short:"q" help:"Print no progress."`
}

func (c *benchCmd) Run(e *env) error {
	var sizes []int64
	for _, s := range strings.Split(c.Sizes, ",") {
		n, err := bench.ParseSize(s)
		if err != nil {
			return fmt.Errorf("--sizes: %w", err)
		}
		sizes = append(sizes, n)
	}
	var shapes []gen.Shape
	for _, s := range strings.Split(c.Shapes, ",") {
		shape, err := parseShape("--shapes", s)
		if err != nil {
			return err
		}
		shapes = append(shapes, shape)
	}
	if c.Runs < 1 {
		return fmt.Errorf("--runs %d: want at least one warm run", c.Runs)
	}
	if c.IngestSample < 0 {
		return fmt.Errorf("--ingest-sample %d: want a number of sign-ins, or 0 to skip the ingest", c.IngestSample)
	}
	queries := bench.Queries()
	if c.Queries != "" {
		re, err := regexp.Compile(c.Queries)
		if err != nil {
			return fmt.Errorf("--queries: %w", err)
		}
		var some []bench.Query
		for _, q := range queries {
			if re.MatchString(q.Text) {
				some = append(some, q)
			}
		}
		if len(some) == 0 {
			return fmt.Errorf("--queries %q matches no query of the standard set", c.Queries)
		}
		queries = some
	}
	if c.Chart != "" && !strings.HasSuffix(strings.ToLower(c.Chart), ".png") {
		return fmt.Errorf("--chart %s: the chart is a PNG image: name a .png file", c.Chart)
	}
	// The reports must not overwrite what they are made from: the saved
	// figures, or the cached datasets.
	cache := c.Cache
	if cache == "" {
		cache = benchstore.CacheRoot()
	}
	if err := checkOutputs(e, []string{c.From, cache}, flagPath{"--markdown", c.Markdown}, flagPath{"--gobench", c.GoBench},
		flagPath{"--json", c.JSON}, flagPath{"--chart", c.Chart}); err != nil {
		return err
	}
	sample := c.IngestSample
	if sample == 0 {
		sample = -1
	}
	cfg := bench.Config{
		Sizes:        sizes,
		Shapes:       shapes,
		Runs:         c.Runs,
		CacheDir:     c.Cache,
		Queries:      queries,
		IngestSample: sample,
		NewBar: func(what string, total int64, unit progress.Unit) *progress.Bar {
			return newProgress(e, total, unit, what, c.Quiet)
		},
	}
	if !c.Quiet {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "signinq: "+format+"\n", args...) }
	}
	var rep *bench.Report
	if c.From != "" {
		b, err := os.ReadFile(c.From)
		if err != nil {
			return err
		}
		rep = new(bench.Report)
		if err := json.Unmarshal(b, rep); err != nil {
			return fmt.Errorf("--from %s: %w", c.From, err)
		}
	} else {
		var err error
		if rep, err = bench.Run(e.ctx, cfg); err != nil {
			return err
		}
	}
	if c.JSON != "" {
		b, err := json.MarshalIndent(rep, "", "\t")
		if err != nil {
			return err
		}
		if err := writeOut(e, c.JSON, append(b, '\n')); err != nil {
			return err
		}
	}
	if c.Chart != "" {
		var buf bytes.Buffer
		if err := rep.WriteChart(&buf); err != nil {
			return err
		}
		if err := os.WriteFile(c.Chart, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if c.GoBench != "" {
		var buf bytes.Buffer
		if err := bench.WriteGoBench(&buf, rep); err != nil {
			return err
		}
		if err := writeOut(e, c.GoBench, buf.Bytes()); err != nil {
			return err
		}
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md, c.Chart); err != nil {
		return err
	}
	if c.Markdown == "" {
		_, err := e.stdout.Write(md.Bytes())
		return err
	}
	return writeOut(e, c.Markdown, md.Bytes())
}

// writeOut writes b to the file path names, or to standard output for -.
func writeOut(e *env, path string, b []byte) error {
	if path == "-" {
		_, err := e.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
