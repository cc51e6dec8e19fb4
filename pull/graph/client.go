package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// maxPageBytes bounds a page's body: a thousand sign-ins are a few MB.
const maxPageBytes = 256 << 20

// renewBefore is how long before its expiry a token is renewed.
const renewBefore = 2 * time.Minute

// client requests pages from Graph: with a bearer token it renews, and
// with retries for throttling and faults.
type client struct {
	http     *http.Client
	cred     azcore.TokenCredential
	scope    string
	attempts int
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	jitter   func() float64
	warn     func(error)

	token azcore.AccessToken
}

// fetched is a page read whole: its body, what it says, and what it took.
type fetched struct {
	url       string
	body      []byte
	page      page
	retries   int64
	throttled int64
	err       error // a PageError
}

// bearer returns a token, asking the credential when there is none, or
// the one held expires soon, or renew is set.
func (c *client) bearer(ctx context.Context, renew bool) (string, error) {
	if !renew && c.token.Token != "" && c.now().Before(c.token.ExpiresOn.Add(-renewBefore)) {
		return c.token.Token, nil
	}
	t, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	if err != nil {
		return "", fmt.Errorf("%w: getting a token for %s: %w", ErrUnauthorized, c.scope, err)
	}
	c.token = t
	return t.Token, nil
}

// tenantOf returns the tid claim of a JWT access token, or "".
func tenantOf(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Tid string `json:"tid"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return ""
	}
	return claims.Tid
}

// graphError is Graph's error body: {"error":{"code":…,"message":…}}.
func graphError(body []byte) (code, msg string) {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		s := strings.TrimSpace(string(body))
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		return "", s
	}
	return e.Error.Code, e.Error.Message
}

// get requests url until it has a whole, well-formed page, or gives up.
// Throttled requests (429, 503) wait as Retry-After says, or back off;
// server errors, dropped connections and bodies cut short back off; a
// rejected token (401) is renewed once; a body that is not a Graph page
// is asked for once more, then is ErrMalformedPage. ctx done ends it
// with ctx's error.
func (c *client) get(ctx context.Context, u string) *fetched {
	f := &fetched{url: u}
	renewed := false
	malformed := 0
	var last *PageError
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			f.retries++
		}
		if attempt > c.attempts {
			last.Reason = fmt.Sprintf("%s (after %d attempts)", last.Reason, c.attempts)
			if !errors.Is(last.Err, ErrMalformedPage) {
				last.Err = ErrGaveUp
			}
			f.err = last
			return f
		}
		wait, pe, done := c.try(ctx, f, &renewed, &malformed)
		if done {
			switch {
			case pe == nil:
			case ctx.Err() != nil:
				f.err = ctx.Err()
			default:
				f.err = pe
			}
			return f
		}
		last = pe
		if attempt == c.attempts {
			continue // no wait before giving up
		}
		if c.warn != nil {
			c.warn(&RetryWarning{PageError: pe, Wait: wait, Attempt: attempt, Attempts: c.attempts})
		}
		if err := c.sleep(ctx, wait); err != nil {
			f.err = err
			return f
		}
	}
}

// try makes one request. done is true when get is to return (with pe
// nil, the page is in f); otherwise pe says why and wait how long before
// the next attempt.
func (c *client) try(ctx context.Context, f *fetched, renewed *bool, malformed *int) (wait time.Duration, pe *PageError, done bool) {
	fail := func(status int, err error, reason string, args ...any) *PageError {
		return &PageError{URL: f.url, Status: status, Reason: fmt.Sprintf(reason, args...), Err: err}
	}
	tok, err := c.bearer(ctx, false)
	if err != nil {
		return 0, fail(0, ErrUnauthorized, "%v", err), true
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	if err != nil {
		return 0, fail(0, ErrRequest, "%v", err), true
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, fail(0, ctx.Err(), "%v", ctx.Err()), true
		}
		return backoff(f.attemptsSoFar(), c.jitter()), fail(0, ErrGaveUp, "%v", stripURL(err)), false
	}
	body, rerr := readBody(resp)
	resp.Body.Close()
	st := resp.StatusCode
	switch {
	case st == http.StatusOK:
		if rerr != nil {
			if ctx.Err() != nil {
				return 0, fail(st, ctx.Err(), "%v", ctx.Err()), true
			}
			return backoff(f.attemptsSoFar(), c.jitter()), fail(st, ErrGaveUp, "connection dropped after %d bytes of the page: %v", len(body), stripURL(rerr)), false
		}
		if len(body) > maxPageBytes {
			return 0, fail(st, ErrMalformedPage, "page larger than %d bytes", maxPageBytes), true
		}
		pg, perr := parsePage(body)
		if perr != nil {
			*malformed++
			pe := fail(st, ErrMalformedPage, "%v", perr)
			if *malformed > 1 {
				return 0, pe, true
			}
			return backoff(f.attemptsSoFar(), c.jitter()), pe, false // a body cut short reads as bad JSON: ask once more
		}
		f.body, f.page = body, pg
		return 0, nil, true
	case st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable:
		f.throttled++
		code, msg := graphError(body)
		d, ok := retryAfter(resp.Header.Get("Retry-After"), c.now())
		if !ok {
			d = backoff(f.attemptsSoFar(), c.jitter())
		}
		return d, fail(st, ErrGaveUp, "throttled: %s %s", code, msg), false
	case st == http.StatusUnauthorized:
		code, msg := graphError(body)
		if *renewed {
			return 0, fail(st, ErrUnauthorized, "%s %s (the token was renewed and refused again)", code, msg), true
		}
		*renewed = true
		if _, err := c.bearer(ctx, true); err != nil {
			return 0, fail(st, ErrUnauthorized, "%s %s, and renewing the token failed: %v", code, msg, err), true
		}
		return 0, fail(st, ErrUnauthorized, "%s %s: token renewed", code, msg), false
	case st == http.StatusForbidden:
		code, msg := graphError(body)
		return 0, fail(st, ErrUnauthorized, "%s %s (reading sign-ins needs the AuditLog.Read.All permission and Entra ID P1 or P2)", code, msg), true
	case st >= 500:
		code, msg := graphError(body)
		return backoff(f.attemptsSoFar(), c.jitter()), fail(st, ErrGaveUp, "server error: %s %s", code, msg), false
	default:
		code, msg := graphError(body)
		return 0, fail(st, ErrRequest, "%s %s", code, msg), true
	}
}

// attemptsSoFar is the number of failed attempts before the current one
// plus one: the n of backoff.
func (f *fetched) attemptsSoFar() int { return int(f.retries) + 1 }

// stripURL drops the URL a *url.Error repeats (the PageError has it).
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readBody reads a response's body, at most maxPageBytes+1 bytes, into
// one buffer of its Content-Length when it gives one.
func readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= maxPageBytes {
		b := make([]byte, n)
		m, err := io.ReadFull(resp.Body, b)
		if err == io.ErrUnexpectedEOF || err == io.EOF && n > 0 {
			err = io.ErrUnexpectedEOF
		}
		return b[:m], err
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxPageBytes+1))
}
