package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/pull/storage"
)

// pullStorageCmd is signinq pull storage.
type pullStorageCmd struct {
	dbFlag
	Container  []string `name:"container" placeholder:"NAME" help:"A container to read (repeatable); a container named that is missing is an error. Default: the six sign-in containers diagnostic settings write (insights-logs-signinlogs, …noninteractiveusersigninlogs, …serviceprincipalsigninlogs, …managedidentitysigninlogs, …microsoftserviceprincipalsigninlogs, …adfssigninlogs), of which a missing one is a warning."`
	AccountURL string   `name:"account-url" placeholder:"URL" help:"The storage account's blob endpoint (https://ACCOUNT.blob.core.windows.net), signed in to with the Azure identity chain (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or a certificate, workload or managed identity, the Azure CLI's login), or with a SAS from --sas-file or AZURE_STORAGE_SAS_TOKEN. Without it, the account is AZURE_STORAGE_CONNECTION_STRING's."`
	SASFile    string   `name:"sas-file" placeholder:"FILE" help:"A file holding a SAS token for --account-url (never give one on the command line)."`
	Since      string   `placeholder:"WHEN" help:"Read only the blobs of hours since WHEN, by the date in their path: a date or time (2026-09-01, 2026-09-01T12:00Z) or a duration before now (36h, 7d)."`
	Until      string   `placeholder:"WHEN" help:"Read only the blobs of hours before WHEN, as --since."`
	Workers    int      `default:"0" help:"Goroutines reading (0: one per CPU)."`
	NoCompact  bool     `name:"no-compact" help:"Leave the days this pull added to for background compaction, instead of merging them before exiting."`
	Quiet      bool     `short:"q" help:"Print no progress and no summary."`
}

// sasEnv is the variable a SAS token for --account-url may be in, as the
// Azure CLI takes it.
const sasEnv = "AZURE_STORAGE_SAS_TOKEN"

// connEnv is the variable the account's connection string is in, as the
// Azure CLI and SDKs take it.
const connEnv = "AZURE_STORAGE_CONNECTION_STRING"

func (c *pullStorageCmd) Run(e *env) error {
	var since, until time.Time
	var err error
	if since, err = parseWhen("--since", c.Since, e.now); err != nil {
		return err
	}
	if until, err = parseWhen("--until", c.Until, e.now); err != nil {
		return err
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return fmt.Errorf("--since %s is not before --until %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	client, secrets, err := c.client()
	if err != nil {
		return err
	}
	redact := redactor(secrets)
	db, err := c.open(e, nil)
	if errors.Is(err, engine.ErrLocked) {
		return &storeError{fmt.Errorf("%w: a pull writes the store itself; to keep a store that another signinq holds current, let that one pull: signinq serve --db %s --pull storage --every 5m", err, c.DB), exitInUse}
	}
	if err != nil {
		return err
	}
	defer db.Close()
	defer share(e, db, c.DB)(0)

	var bar *progress.Bar
	shown := 0
	start := e.now()
	st, err := storage.Pull(e.ctx, db, storage.Options{
		Client:     client,
		Containers: c.Container,
		Since:      since,
		Until:      until,
		Now:        e.now,
		Read:       logfile.Options{Workers: c.Workers},
		Progress: func(p storage.Progress) {
			if bar == nil {
				bar = newProgress(e, p.BytesTotal, progress.Bytes, "pulling", c.Quiet)
			}
			bar.Describe(fmt.Sprintf("%d/%d blobs, %s sign-ins read", p.Blobs, p.BlobsTotal, humanize.Comma(p.SignIns)))
			bar.Set(p.Bytes)
		},
		OnWarning: func(w *logfile.Warning) {
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintf(e.stderr, "signinq: warning: %s\n", redact(w.Error()))
		},
		OnReject: func(r *logfile.Reject) {
			if shown < maxShown {
				if bar != nil {
					bar.Clear()
				}
				fmt.Fprintf(e.stderr, "signinq: %v\n", r)
			}
			shown++
		},
	})
	if bar != nil {
		bar.Done()
	}
	elapsed := e.now().Sub(start)
	if errors.Is(err, engine.ErrInterrupted) {
		return &stopped{msg: fmt.Sprintf("interrupted after reading %s records from %d %s: %s new sign-ins committed, %s duplicates skipped, %s rejected; pull again to continue (each blob from where the sign-ins committed end)",
			humanize.Comma(st.Read), st.BlobsRead, words.Plural(st.BlobsRead, "blob"), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected)), err: err}
	}
	if err != nil && !errors.Is(err, storage.ErrIncomplete) {
		if st.Stored > 0 {
			fmt.Fprintf(e.stderr, "signinq: %s sign-ins were stored before the error; pulling again stores the rest\n", humanize.Comma(st.Stored))
		}
		return &redactedError{err, redact(err.Error())}
	}
	if shown > maxShown {
		fmt.Fprintf(e.stderr, "signinq: … and %d more rejected\n", shown-maxShown)
	}
	var cst engine.CompactStats
	if !c.NoCompact && st.Stored > 0 {
		if cst, err = compactAfter(e, db, c.Quiet); err != nil {
			return err
		}
	}
	if !c.Quiet {
		writePullSummary(e, st, elapsed)
		if cst.Days > 0 {
			fmt.Fprintf(e.stderr, "signinq: compacted %d %s from %d parts to %d\n", cst.Days, words.Plural(cst.Days, "day"), cst.PartsBefore, cst.PartsAfter)
		}
		n, _ := db.Count()
		fmt.Fprintf(e.stderr, "signinq: %s now holds %s %s\n", c.DB, humanize.Comma(n), words.Plural(n, "sign-in"))
	}
	if st.BlobsFailed > 0 {
		return fmt.Errorf("%d %s could not be read (see the warnings); the next pull reads what they hold again", st.BlobsFailed, words.Plural(st.BlobsFailed, "blob"))
	}
	if st.Rejected > 0 {
		return errRejected
	}
	return nil
}

// writePullSummary says what a pull did.
func writePullSummary(e *env, st storage.Stats, elapsed time.Duration) {
	secs := max(elapsed.Seconds(), 1e-3)
	fmt.Fprintf(e.stderr, "signinq: %d %s listed in %d %s: %d read (%d again whole), %d unchanged, %d outside --since/--until; %s read (%s/s)\n",
		st.BlobsListed, words.Plural(st.BlobsListed, "blob"), st.Containers, words.Plural(st.Containers, "container"),
		st.BlobsRead, st.BlobsAgain, st.BlobsUnchanged, st.BlobsOutside,
		humanize.IBytes(uint64(st.Bytes)), humanize.IBytes(uint64(float64(st.Bytes)/secs)))
	fmt.Fprintf(e.stderr, "signinq: stored %s new %s, skipped %s duplicates, rejected %s, in %s (%s records/s)\n",
		humanize.Comma(st.Stored), words.Plural(st.Stored, "sign-in"), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected),
		words.Round(elapsed), humanize.Comma(int64(float64(st.Read)/secs)))
	if !st.Newest.IsZero() {
		fmt.Fprintf(e.stderr, "signinq: newest sign-in read: %s (%s before now)\n", st.Newest.Format(time.RFC3339), words.Round(e.now().Sub(st.Newest)))
	}
}

// client makes the account's client from the flags and the environment,
// and returns the secrets it was given, which no message may show.
func (c *pullStorageCmd) client() (*azblob.Client, []string, error) {
	if c.AccountURL == "" {
		if c.SASFile != "" {
			return nil, nil, errors.New("--sas-file is a SAS for --account-url: give the account's URL too")
		}
		cs := os.Getenv(connEnv)
		if cs == "" {
			return nil, nil, fmt.Errorf("no storage account: give --account-url URL (signed in to with the Azure identity chain, or a SAS from --sas-file or $%s), or set $%s", sasEnv, connEnv)
		}
		secrets := connSecrets(cs)
		client, err := azblob.NewClientFromConnectionString(cs, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("$%s: %s", connEnv, redactor(secrets)(err.Error()))
		}
		return client, secrets, nil
	}
	u, err := url.Parse(c.AccountURL)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("--account-url: not a URL")
	case u.RawQuery != "":
		return nil, nil, fmt.Errorf("--account-url: the URL has a query (a SAS?): a SAS is a secret, which other users see on a command line; give it with --sas-file FILE or $%s", sasEnv)
	case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
		return nil, nil, fmt.Errorf("--account-url %s: want https://ACCOUNT.blob.core.windows.net", c.AccountURL)
	}
	sas := os.Getenv(sasEnv)
	if c.SASFile != "" {
		b, err := os.ReadFile(c.SASFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--sas-file: %w", err)
		}
		sas = string(b)
	}
	sas = strings.TrimPrefix(strings.TrimSpace(sas), "?")
	if sas != "" {
		secrets := []string{sas}
		if q, err := url.ParseQuery(sas); err == nil && q.Get("sig") != "" {
			secrets = append(secrets, q.Get("sig"), url.QueryEscape(q.Get("sig")))
		}
		client, err := azblob.NewClientWithNoCredential(strings.TrimSuffix(c.AccountURL, "/")+"/?"+sas, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("--account-url with a SAS: %s", redactor(secrets)(err.Error()))
		}
		return client, secrets, nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("--account-url: no Azure identity to sign in with (%v); sign in with az login, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or give a SAS with --sas-file", err)
	}
	client, err := azblob.NewClient(c.AccountURL, cred, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("--account-url: %w", err)
	}
	return client, nil, nil
}

// connSecrets are the secrets of a connection string: its account key
// and its SAS.
func connSecrets(cs string) []string {
	var out []string
	for _, part := range strings.Split(cs, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || v == "" {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "accountkey", "sharedaccesssignature":
			out = append(out, v)
			if q, err := url.ParseQuery(v); err == nil && q.Get("sig") != "" {
				out = append(out, q.Get("sig"), url.QueryEscape(q.Get("sig")))
			}
		}
	}
	return out
}

// redactor returns a function that replaces the secrets in a message.
func redactor(secrets []string) func(string) string {
	return func(s string) string {
		for _, sec := range secrets {
			if len(sec) >= 8 {
				s = strings.ReplaceAll(s, sec, "[redacted]")
			}
		}
		return s
	}
}

// redactedError is an error whose message has its secrets redacted; it
// wraps the error, for the exit status.
type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
