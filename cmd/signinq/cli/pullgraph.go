package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/pull/graph"
	"github.com/signinq/signinq/query"
)

// pullGraphCmd is signinq pull graph.
type pullGraphCmd struct {
	dbFlag
	Types         []string      `sep:"," placeholder:"TYPES" help:"The sign-in types to read, of interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity (default all four)."`
	Since         string        `placeholder:"TIME" help:"Read from this time (a date, an RFC 3339 timestamp, or an age: 7d, 36h) whatever the store's cursors; default: each type's cursor less --overlap, or 30 days ago for a type never pulled."`
	Until         string        `placeholder:"TIME" help:"Read up to this time (as --since); default now."`
	Overlap       time.Duration `default:"1h" placeholder:"DURATION" help:"Read this far before each type's cursor again, for sign-ins Entra lists late (default 1h; docs/pull.md)."`
	GraphURL      string        `name:"graph-url" default:"https://graph.microsoft.com" placeholder:"URL" help:"Microsoft Graph's endpoint: https://graph.microsoft.us, https://dod-graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn for national clouds."`
	AuthorityURL  string        `name:"authority-url" placeholder:"URL" help:"Microsoft Entra's authority host for the Azure SDK's credentials: https://login.microsoftonline.us/, https://login.chinacloudapi.cn/ for national clouds (default $AZURE_AUTHORITY_HOST, else the global one)."`
	TokenFile     string        `name:"token-file" placeholder:"PATH" help:"Read a bearer token from this file (az account get-access-token --resource-type ms-graph --query accessToken -o tsv > PATH), read again when Graph refuses it, instead of the Azure SDK's credentials."`
	TokenEnv      string        `name:"token-env" placeholder:"NAME" help:"Take a bearer token from this environment variable instead of the Azure SDK's credentials."`
	SkipMalformed bool          `name:"skip-malformed" help:"Skip a page that is not a Graph response (after asking again) with the rest of its day, instead of stopping that type; the type's cursor stays before it."`
	PageSize      int           `name:"page-size" default:"1000" placeholder:"N" help:"Sign-ins a page ($top, 1 to 1000)."`
	NoCompact     bool          `name:"no-compact" help:"Leave the days this pull added to for background compaction, instead of merging them before exiting."`
	Now           string        `placeholder:"TIME" help:"The time taken for now (a date or an RFC 3339 timestamp); default: the machine's clock."`
	Quiet         bool          `short:"q" help:"Print no progress and no summary."`
}

func (c *pullGraphCmd) Run(e *env) error {
	now := e.now
	if c.Now != "" {
		t, err := query.ParseTime(c.Now)
		if err != nil {
			return fmt.Errorf("--now %q %v", c.Now, err)
		}
		now = func() time.Time { return t }
	}
	since, err := parseWhen("--since", c.Since, now)
	if err != nil {
		return err
	}
	until, err := parseWhen("--until", c.Until, now)
	if err != nil {
		return err
	}
	cred, err := c.credential()
	if err != nil {
		return err
	}
	overlap := c.Overlap
	if overlap == 0 {
		overlap = -1 // none, as asked
	}
	db, err := engine.Open(c.DB, &engine.Options{Clock: e.now, Logf: func(format string, args ...any) { fmt.Fprintf(e.stderr, "signinq: "+format+"\n", args...) }})
	if errors.Is(err, engine.ErrLocked) {
		return &storeError{fmt.Errorf("%w: pull graph writes the store itself; pull in the signinq process that holds it (signinq serve --db %s --pull graph) or close that process first", err, c.DB), exitInUse}
	}
	if err != nil {
		return storeProblem(err)
	}
	defer db.Close()
	defer share(e, db, c.DB)(0)

	var bar *progress.Bar
	barType := ""
	st, err := graph.Pull(e.ctx, db, graph.Options{
		GraphURL:      c.GraphURL,
		Credential:    cred,
		Types:         c.Types,
		Since:         since,
		Until:         until,
		Overlap:       overlap,
		PageSize:      c.PageSize,
		Now:           now,
		SkipMalformed: c.SkipMalformed,
		OnWarning: func(err error) {
			if bar != nil {
				bar.Clear()
			}
			if !c.Quiet {
				fmt.Fprintf(e.stderr, "signinq: warning: %v\n", err)
			}
		},
		Progress: func(p graph.Progress) {
			if p.Type != barType {
				if bar != nil {
					bar.Done()
				}
				bar, barType = newProgress(e, 0, progress.Records, "pulling "+p.Type, c.Quiet), p.Type
			}
			left := ""
			if p.Left > 0 {
				left = fmt.Sprintf(", %s left", words.Round(p.Left))
			}
			bar.Describe(fmt.Sprintf("%d%% of the window read%s, %s new", int(p.Covered*100), left, humanize.Comma(p.Stored)))
			bar.Set(p.Read)
		},
	})
	if bar != nil {
		bar.Done()
	}
	if errors.Is(err, engine.ErrInterrupted) {
		return &stopped{msg: fmt.Sprintf("interrupted after reading %s sign-ins: %s new ones committed, and each type's cursor saved as far as it read whole days; pull again to continue",
			humanize.Comma(st.Total.Read), humanize.Comma(st.Total.Stored)), err: err}
	}
	var cst engine.CompactStats
	if !c.NoCompact && st.Total.Stored > 0 {
		var cerr error
		if cst, cerr = compactAfter(e, db, c.Quiet); cerr != nil && err == nil {
			err = cerr
		}
	}
	if !c.Quiet {
		for _, ts := range st.Types {
			fmt.Fprintf(e.stderr, "signinq: %s: %s read in %s %s, %s new, %s duplicates, %s rejected, %d retries (%d throttled); read through %s\n",
				ts.Type, humanize.Comma(ts.Read), humanize.Comma(ts.Pages), words.Plural(ts.Pages, "page"), humanize.Comma(ts.Stored),
				humanize.Comma(ts.Duplicates), humanize.Comma(ts.Rejected), ts.Retries, ts.Throttled, cursorText(ts.Cursor))
			for _, s := range ts.Skipped {
				fmt.Fprintf(e.stderr, "signinq: %s: skipped %v\n", ts.Type, s)
			}
		}
		if cst.Days > 0 {
			fmt.Fprintf(e.stderr, "signinq: compacted %d %s from %d parts to %d\n", cst.Days, words.Plural(cst.Days, "day"), cst.PartsBefore, cst.PartsAfter)
		}
		if n, cerr := db.Count(); cerr == nil {
			fmt.Fprintf(e.stderr, "signinq: %s now holds %s %s\n", c.DB, humanize.Comma(n), words.Plural(n, "sign-in"))
		}
	}
	if err != nil {
		return err
	}
	if len(st.Total.Skipped) > 0 || st.Total.Rejected > 0 {
		return errRejected
	}
	return nil
}

func cursorText(t time.Time) string {
	if t.IsZero() {
		return "nothing yet"
	}
	return t.UTC().Format(time.RFC3339)
}

// parseWhen reads --since or --until: a date, an RFC 3339 timestamp, or
// an age before now (7d, 36h).
func parseWhen(flag, s string, now func() time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := query.ParseTime(s); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 {
			return now().Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want a date (2026-11-01), an RFC 3339 timestamp or an age (7d, 36h)", flag, s)
}

func (c *pullGraphCmd) credential() (azcore.TokenCredential, error) {
	return graphCredential(c.TokenFile, c.TokenEnv, c.AuthorityURL)
}

// graphCredential is a Graph pull's token source: a token file or
// variable, or the Azure SDK's chain (environment: AZURE_TENANT_ID,
// AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or
// AZURE_CLIENT_CERTIFICATE_PATH; workload identity; managed identity;
// the Azure CLI's login) with authority as its authority host ("" for
// $AZURE_AUTHORITY_HOST or the global one).
func graphCredential(tokenFile, tokenEnv, authority string) (azcore.TokenCredential, error) {
	switch {
	case tokenFile != "" && tokenEnv != "":
		return nil, errors.New("pull graph: --token-file or --token-env, not both")
	case tokenFile != "":
		return &staticToken{what: "--token-file " + tokenFile, read: func() (string, error) {
			b, err := os.ReadFile(tokenFile)
			return string(b), err
		}}, nil
	case tokenEnv != "":
		return &staticToken{what: "$" + tokenEnv, read: func() (string, error) {
			v, ok := os.LookupEnv(tokenEnv)
			if !ok {
				return "", fmt.Errorf("not set")
			}
			return v, nil
		}}, nil
	}
	var o azidentity.DefaultAzureCredentialOptions
	if authority != "" {
		u, err := url.Parse(authority)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("--authority-url %q: want https://host/", authority)
		}
		o.ClientOptions.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: strings.TrimRight(authority, "/") + "/"}
		// Instance discovery asks Microsoft's global host about the
		// authority: only its own clouds are known there.
		o.DisableInstanceDiscovery = !knownAuthority(u.Hostname())
	}
	cred, err := azidentity.NewDefaultAzureCredential(&o)
	if err != nil {
		return nil, fmt.Errorf("pull graph: no credential: %w", err)
	}
	return cred, nil
}

// knownAuthority reports whether host is one of Microsoft's authority
// hosts, public or national.
func knownAuthority(host string) bool {
	switch strings.ToLower(host) {
	case "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn", "login.partner.microsoftonline.cn", "login.windows.net", "login.microsoft.com", "sts.windows.net":
		return true
	}
	return false
}

// staticToken is a bearer token from a file or a variable, read again
// each time it is asked for (when Graph refuses it, a renewed file is
// taken up). Its expiry is the token's exp claim when it has one.
type staticToken struct {
	what string
	read func() (string, error)
}

func (s *staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	v, err := s.read()
	if err != nil {
		return azcore.AccessToken{}, fmt.Errorf("the bearer token of %s: %w", s.what, err)
	}
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "Bearer ")
	if v == "" || strings.ContainsAny(v, " \t\r\n") {
		return azcore.AccessToken{}, fmt.Errorf("the bearer token of %s: empty, or not one token", s.what)
	}
	exp := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if parts := strings.Split(v, "."); len(parts) == 3 {
		var claims struct {
			Exp int64 `json:"exp"`
		}
		if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "=")); err == nil && json.Unmarshal(b, &claims) == nil && claims.Exp > 0 {
			exp = time.Unix(claims.Exp, 0)
		}
	}
	return azcore.AccessToken{Token: v, ExpiresOn: exp}, nil
}
