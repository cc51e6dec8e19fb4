package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/pull"
	"github.com/signinq/signinq/pull/graph"
	"github.com/signinq/signinq/pull/storage"
)

// servePull is how signinq serve keeps its store current: the sources
// it pulls from (--pull), how often, and each source's settings, named
// as pull graph's and pull storage's flags are, with the source's name
// before them where serve has a flag of the same name.
type servePull struct {
	Pull  []string      `name:"pull" enum:"graph,storage" sep:"," placeholder:"SOURCE" help:"Keep the store current while serving: pull sign-ins from Microsoft Graph (graph) or the storage account diagnostic settings archive to (storage), at once and then every --every; each source's last pull, lag and errors are in stats and GET /v1/stats (docs/pull.md)."`
	Every time.Duration `name:"every" default:"5m" placeholder:"DURATION" help:"How often --pull pulls, from one pull's start to the next (default 5m)."`

	GraphTypes     []string      `name:"graph-types" sep:"," placeholder:"TYPES" group:"pull graph" help:"--pull graph: the sign-in types to read (as pull graph --types; default all four)."`
	GraphOverlap   time.Duration `name:"graph-overlap" default:"1h" placeholder:"DURATION" group:"pull graph" help:"--pull graph: read this far before each type's cursor again, for sign-ins Entra lists late (as pull graph --overlap; default 1h)."`
	GraphURL       string        `name:"graph-url" default:"https://graph.microsoft.com" placeholder:"URL" group:"pull graph" help:"--pull graph: Microsoft Graph's endpoint (as pull graph --graph-url)."`
	AuthorityURL   string        `name:"authority-url" placeholder:"URL" group:"pull graph" help:"--pull graph: Microsoft Entra's authority host for the Azure SDK's credentials (as pull graph --authority-url)."`
	GraphTokenFile string        `name:"graph-token-file" type:"path" placeholder:"PATH" group:"pull graph" help:"--pull graph: a bearer token in this file, read again when Graph refuses it (as pull graph --token-file)."`
	GraphTokenEnv  string        `name:"graph-token-env" placeholder:"NAME" group:"pull graph" help:"--pull graph: a bearer token in this environment variable (as pull graph --token-env)."`

	Container  []string `name:"container" placeholder:"NAME" group:"pull storage" help:"--pull storage: a container to read (repeatable; as pull storage --container; default the sign-in ones)."`
	AccountURL string   `name:"account-url" placeholder:"URL" group:"pull storage" help:"--pull storage: the storage account's blob endpoint, signed in to with the Azure identity chain or a SAS from --sas-file or AZURE_STORAGE_SAS_TOKEN; without it, AZURE_STORAGE_CONNECTION_STRING's account (as pull storage --account-url)."`
	SASFile    string   `name:"sas-file" placeholder:"FILE" group:"pull storage" help:"--pull storage: a file holding a SAS token for --account-url (as pull storage --sas-file)."`
}

// sources makes the sources --pull names; none when it names none. The
// credentials are made here, so that a bad setting stops serve before it
// starts.
func (p *servePull) sources(e *env, logger *slog.Logger) ([]pull.Source, error) {
	if len(p.Pull) > 0 && p.Every <= 0 {
		return nil, fmt.Errorf("--every %v: want a positive interval", p.Every)
	}
	var out []pull.Source
	seen := map[string]bool{}
	for _, name := range p.Pull {
		if seen[name] {
			continue
		}
		seen[name] = true
		switch name {
		case "graph":
			src, err := p.graphSource(e, logger)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		case "storage":
			src, err := p.storageSource(e, logger)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		default:
			return nil, fmt.Errorf("--pull %s: not a source (graph, storage)", name)
		}
	}
	return out, nil
}

func (p *servePull) graphSource(e *env, logger *slog.Logger) (pull.Source, error) {
	cred, err := graphCredential(p.GraphTokenFile, p.GraphTokenEnv, p.AuthorityURL)
	if err != nil {
		return pull.Source{}, fmt.Errorf("--pull graph: %w", err)
	}
	overlap := p.GraphOverlap
	if overlap == 0 {
		overlap = -1 // none, as asked
	}
	opts := graph.Options{
		GraphURL:   p.GraphURL,
		Credential: cred,
		Types:      p.GraphTypes,
		Overlap:    overlap,
		Now:        e.now,
		OnWarning:  func(err error) { logger.Warn("pull graph", "warning", err.Error()) },
	}
	return pull.Source{Name: "graph", Pull: func(ctx context.Context, db *engine.DB) (pull.Result, error) {
		st, err := graph.Pull(ctx, db, opts)
		t := st.Total
		return pull.Result{Read: t.Read, Stored: t.Stored, Duplicates: t.Duplicates, Rejected: t.Rejected, Newest: t.Newest}, err
	}}, nil
}

func (p *servePull) storageSource(e *env, logger *slog.Logger) (pull.Source, error) {
	cmd := pullStorageCmd{Container: p.Container, AccountURL: p.AccountURL, SASFile: p.SASFile}
	client, secrets, err := cmd.client()
	if err != nil {
		return pull.Source{}, fmt.Errorf("--pull storage: %w", err)
	}
	redact := redactor(secrets)
	opts := storage.Options{
		Client:     client,
		Containers: p.Container,
		Now:        e.now,
		OnWarning:  func(w *logfile.Warning) { logger.Warn("pull storage", "warning", redact(w.Error())) },
		OnReject:   func(r *logfile.Reject) { logger.Warn("pull storage", "rejected", redact(r.Error())) },
	}
	return pull.Source{Name: "storage", Pull: func(ctx context.Context, db *engine.DB) (pull.Result, error) {
		st, err := storage.Pull(ctx, db, opts)
		if err != nil {
			err = &redactedError{err, redact(err.Error())}
		}
		return pull.Result{Read: st.Read, Stored: st.Stored, Duplicates: st.Duplicates, Rejected: st.Rejected, Newest: st.Newest}, err
	}}, nil
}

// startPulls pulls sources into db on a schedule until ctx is done,
// logging each pull; the schedule's live statuses are for the API. wait
// returns once the pulls under way have committed what they read.
func (p *servePull) startPulls(ctx context.Context, e *env, db *engine.DB, sources []pull.Source, logger *slog.Logger) (sched *pull.Schedule, wait func()) {
	sched = &pull.Schedule{Every: p.Every, Now: e.now, OnPull: func(st pull.Status) {
		took := st.Ended.Sub(st.Started).Round(time.Millisecond)
		args := []any{"source", st.Source, "took", took.String(), "read", st.Read, "stored", st.Stored,
			"duplicates", st.Duplicates, "rejected", st.Rejected}
		if !st.Newest.IsZero() {
			args = append(args, "lag", words.Round(st.Lag(e.now())).String())
		}
		if !st.Next.IsZero() {
			args = append(args, "next", st.Next.UTC().Format(time.RFC3339))
		}
		switch {
		case st.Error != "" && st.Failing == 0: // stopped with serve
			logger.Info("pull stopped", append(args, "why", st.Error)...)
		case st.Error != "":
			logger.Error("pull failed", append(args, "error", st.Error, "failing", st.Failing)...)
		default:
			logger.Info("pulled", args...)
		}
	}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := sched.Run(ctx, db, sources...); err != nil && !errors.Is(err, engine.ErrClosed) {
			logger.Error("pulls stopped", "error", err.Error())
		}
	}()
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name
	}
	fmt.Fprintf(e.stderr, "signinq: pulling from %s every %s\n", strings.Join(names, " and "), p.Every)
	return sched, func() { <-done }
}
