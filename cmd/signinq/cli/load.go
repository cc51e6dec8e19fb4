package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/signinq/signinq/bench"
)

// loadCmd is signinq load: a bounded load run against a signinq serve on
// this machine (bench.Load). It is a command of its own rather than a
// subcommand of bench, whose flags are its own run's.
type loadCmd struct {
	URL         string        `default:"http://127.0.0.1:8274" placeholder:"URL" help:"The server, as signinq serve prints it (default http://127.0.0.1:8274). Loopback only: 127.0.0.0/8, ::1, localhost."`
	TokenFile   string        `name:"token-file" type:"path" placeholder:"FILE" help:"Send the bearer token in FILE (readable by its owner alone), for a server started with a token."`
	Concurrency int           `default:"4" placeholder:"N" help:"Workers, each sending a query and reading its whole answer before the next (default 4, at most 64)."`
	Duration    time.Duration `placeholder:"DURATION" help:"Stop starting requests after this long (at most 10m; default 30s unless --requests is given); those under way finish."`
	Requests    int           `placeholder:"N" help:"Stop after sending N requests (at most 1000000); with --duration, whichever comes first."`
	Queries     string        `placeholder:"REGEX" help:"Send only the queries of the mix whose text matches this regular expression (the mix: the standard set of signinq bench without its stages and the benchmark stores' own named lists)."`
	Now         string        `default:"latest" placeholder:"TIME" help:"Every query's now: a date, an RFC 3339 timestamp, or latest, the store's newest sign-in (default), so that the answers never depend on today's date."`
	Timeout     time.Duration `default:"30s" placeholder:"DURATION" help:"Each query's time limit, sent with it (default 30s)."`
	Markdown    string        `placeholder:"FILE" help:"Write the Markdown report to FILE instead of standard output."`
	JSON        string        `name:"json" placeholder:"FILE" help:"Also write the figures as JSON to FILE (- for standard output)."`
	Quiet       bool          `short:"q" help:"Print nothing on standard error but errors."`
}

// Run sends the mix of queries to the server, POST /v1/query in NDJSON
// with a fixed now, from --concurrency workers, until --duration has
// passed or --requests were sent, and writes what it measured: requests,
// errors by kind, requests per second, latency percentiles overall and
// per query, rows. Failed requests are counted, not fatal; Ctrl-C stops
// the run and writes the report of the requests that finished.
func (c *loadCmd) Run(e *env) error {
	if _, err := bench.CheckLoopbackURL(c.URL); err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	if err := checkOutputs(e, nil, flagPath{"--markdown", c.Markdown}, flagPath{"--json", c.JSON}); err != nil {
		return err
	}
	cfg := bench.LoadConfig{
		URL:         c.URL,
		Concurrency: c.Concurrency,
		Duration:    c.Duration,
		Requests:    c.Requests,
		Now:         c.Now,
		Timeout:     c.Timeout,
	}
	if cfg.Concurrency <= 0 {
		return fmt.Errorf("--concurrency %d: want 1 to %d workers", c.Concurrency, bench.MaxLoadConcurrency)
	}
	if cfg.Duration < 0 || cfg.Requests < 0 {
		return fmt.Errorf("--duration and --requests bound the run: give a positive one")
	}
	if cfg.Duration == 0 && cfg.Requests == 0 {
		cfg.Duration = 30 * time.Second
	}
	if c.TokenFile != "" {
		token, err := readToken(c.TokenFile)
		if err != nil {
			return err
		}
		cfg.Token = token
	}
	if c.Queries != "" {
		re, err := regexp.Compile(c.Queries)
		if err != nil {
			return fmt.Errorf("--queries: %w", err)
		}
		cfg.Queries = []string{}
		for _, q := range bench.LoadQueries() {
			if re.MatchString(q) {
				cfg.Queries = append(cfg.Queries, q)
			}
		}
		if len(cfg.Queries) == 0 {
			return fmt.Errorf("--queries %q matches no query of the mix", c.Queries)
		}
	}
	if !c.Quiet {
		bound := fmt.Sprintf("%d requests", cfg.Requests)
		switch {
		case cfg.Requests == 0:
			bound = cfg.Duration.String()
		case cfg.Duration > 0:
			bound += " or " + cfg.Duration.String()
		}
		n := len(cfg.Queries)
		if n == 0 {
			n = len(bench.LoadQueries())
		}
		fmt.Fprintf(e.stderr, "signinq: load: %d queries in turn to %s from %d workers, for %s\n", n, c.URL, cfg.Concurrency, bound)
	}
	rep, err := bench.Load(e.ctx, cfg)
	if rep == nil {
		return err
	}
	if c.JSON != "" {
		b, jerr := json.MarshalIndent(rep, "", "\t")
		if jerr != nil {
			return jerr
		}
		if werr := writeOut(e, c.JSON, append(b, '\n')); werr != nil {
			return werr
		}
	}
	if c.Markdown == "" {
		if werr := rep.WriteMarkdown(e.stdout); werr != nil {
			return werr
		}
	} else {
		var md bytes.Buffer
		if werr := rep.WriteMarkdown(&md); werr != nil {
			return werr
		}
		if werr := writeOut(e, c.Markdown, md.Bytes()); werr != nil {
			return werr
		}
	}
	return err
}
