package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The bounds of a load run: whatever it is given, a run sends at most
// MaxLoadRequests requests, for at most MaxLoadDuration, from at most
// MaxLoadConcurrency workers. A load generator is a tool to measure the
// machine's own server with, not to flood one.
const (
	MaxLoadConcurrency = 64
	MaxLoadDuration    = 10 * time.Minute
	MaxLoadRequests    = 1_000_000
	// DefaultLoadTimeout is a request's time limit (sent as its timeout,
	// and held by the client a little longer) unless LoadConfig says.
	DefaultLoadTimeout = 30 * time.Second
	// DefaultLoadConcurrency is the number of workers unless told.
	DefaultLoadConcurrency = 4
)

// loadGrace is how much longer than a request's timeout the client
// waits for its answer: the server's own limit should answer first.
const loadGrace = 10 * time.Second

// LoadConfig is a load run against a signinq serve (docs/api.md): which
// server, how many workers, for how long or how many requests, and
// which queries.
type LoadConfig struct {
	// URL is the server's base, http://127.0.0.1:8274 (what signinq
	// serve prints). Its host must be loopback: 127.0.0.0/8, ::1 or
	// localhost; any other is refused (and an address a loopback name
	// resolves to is checked again when the client dials).
	URL string
	// Token, if not "", is sent as Authorization: Bearer Token.
	Token string
	// Concurrency is the number of workers, each sending a request and
	// reading its whole answer before the next; 0 means
	// DefaultLoadConcurrency, at most MaxLoadConcurrency.
	Concurrency int
	// Duration stops the run from starting requests once it has passed
	// (those under way finish); Requests stops it once that many were
	// sent. At least one must be given; with both, the first reached
	// ends the run. Duration is at most MaxLoadDuration, Requests at
	// most MaxLoadRequests.
	Duration time.Duration
	Requests int
	// Queries are the statements sent, in turn (request i sends
	// Queries[i % len]); nil means LoadQueries().
	Queries []string
	// Now is every request's now, as the API takes it: a date, an RFC
	// 3339 timestamp, or "latest"; "" means "latest" (the store's newest
	// sign-in), so that the answers never depend on the date.
	Now string
	// Timeout is each request's time limit (its timeout member); 0 means
	// DefaultLoadTimeout.
	Timeout time.Duration
	// Clock is the wall clock the run times with; nil means time.Now.
	Clock func() time.Time
	// Transport, if set, is the HTTP transport (tests); nil means one
	// made for the run, whose dialer accepts loopback addresses only.
	Transport http.RoundTripper
}

// LoadReport is what a load run measured: its requests and their errors
// by kind, requests per second, the latency of a request (sent to its
// answer's last byte) overall and per query, and the rows answered.
type LoadReport struct {
	URL         string `json:"url"`
	Now         string `json:"now"`
	Concurrency int    `json:"concurrency"`
	// Elapsed is from the first request sent to the last answer read.
	Elapsed time.Duration `json:"elapsedNs"`
	// Requests counts the requests answered or failed; Errors those
	// that failed: an HTTP status other than 200, an error in the
	// answer's trailer, or no answer (kind "transport").
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// ErrorKinds counts errors by kind: "STATUS KIND" with the API
	// error's kind (503 canceled, 400 query), "200 KIND" for an error
	// in the trailer after the first rows, "transport" for no answer.
	ErrorKinds map[string]int64 `json:"errorKinds,omitempty"`
	// ErrorSamples holds, for each kind, the first error's message.
	ErrorSamples      map[string]string `json:"errorSamples,omitempty"`
	RequestsPerSecond float64           `json:"requestsPerSecond"`
	// Latency is over every request, failed ones included.
	Latency Latency `json:"latency"`
	// Rows are the rows answered (NDJSON lines), Bytes the answers'
	// bytes.
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
	// Queries are the figures of each query, in the order sent.
	Queries []LoadQuery `json:"queries"`
}

// LoadQuery is one query's share of a load run.
type LoadQuery struct {
	Query      string           `json:"query"`
	Requests   int64            `json:"requests"`
	Errors     int64            `json:"errors"`
	ErrorKinds map[string]int64 `json:"errorKinds,omitempty"`
	Rows       int64            `json:"rows"`
	Latency    Latency          `json:"latency"`
}

// Latency is a distribution of request latencies: its percentiles by
// nearest rank (Percentile), and its largest. All are 0 when there
// were no requests.
type Latency struct {
	P50 time.Duration `json:"p50Ns"`
	P90 time.Duration `json:"p90Ns"`
	P99 time.Duration `json:"p99Ns"`
	Max time.Duration `json:"maxNs"`
}

// latencyOf sorts d and describes it.
func latencyOf(d []time.Duration) Latency {
	sortDurations(d)
	if len(d) == 0 {
		return Latency{}
	}
	return Latency{P50: Percentile(d, 50), P90: Percentile(d, 90), P99: Percentile(d, 99), Max: d[len(d)-1]}
}

// benchLists are the named lists the standard set's hunting queries
// read that SetLists makes on a benchmark store: a store made otherwise
// does not have them.
var benchLists = []string{"@vps", "@admins", "@ranges"}

// LoadQueries returns the default mix of a load run: the statements of
// the standard set (Queries) that are not stages (those that have SQL)
// and read none of the benchmark stores' own named lists (@vps, @admins,
// @ranges), so that every one answers on any store, such as one
// signinq gen made.
func LoadQueries() []string {
	var out []string
	for _, q := range Queries() {
		if q.SQL == "" || slices.ContainsFunc(benchLists, func(l string) bool { return strings.Contains(q.Text, l) }) {
			continue
		}
		out = append(out, q.Text)
	}
	return out
}

// CheckLoopbackURL returns the /v1/query address of a server base URL
// whose scheme is http or https and whose host is loopback (127.0.0.0/8,
// ::1 or localhost), else an error saying why it is refused.
func CheckLoopbackURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("load: URL %q: %v", base, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("load: URL %q: want http:// or https://, the address signinq serve prints", base)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("load: URL %q: want the server's base only (scheme, host and port)", base)
	}
	host := u.Hostname()
	if !loopbackHost(host) {
		return "", fmt.Errorf("load: URL %q: host %q is not loopback (127.0.0.0/8, ::1, localhost): a load run only measures this machine's own server", base, host)
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, "/") + "/v1/query", nil
}

// loopbackHost reports whether a URL's host names loopback: localhost,
// or a loopback address written out. No name is resolved here.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackTransport is an HTTP transport that connects to loopback
// addresses only, whatever a name resolves to.
func loopbackTransport(conns int) *http.Transport {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("load: refusing to connect to %s: not a loopback address", address)
			}
			return nil
		},
	}
	return &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: conns,
		MaxIdleConns:        conns,
		IdleConnTimeout:     time.Minute,
		// The answers are read as sent: no gzip to undo.
		DisableCompression: true,
	}
}

// normalize checks a load run's configuration and fills in its defaults;
// it returns the query address.
func (c *LoadConfig) normalize() (string, error) {
	endpoint, err := CheckLoopbackURL(c.URL)
	if err != nil {
		return "", err
	}
	switch {
	case c.Concurrency == 0:
		c.Concurrency = DefaultLoadConcurrency
	case c.Concurrency < 0 || c.Concurrency > MaxLoadConcurrency:
		return "", fmt.Errorf("load: concurrency %d: want 1 to %d workers", c.Concurrency, MaxLoadConcurrency)
	}
	if c.Duration < 0 || c.Duration > MaxLoadDuration {
		return "", fmt.Errorf("load: duration %v: want at most %v", c.Duration, MaxLoadDuration)
	}
	if c.Requests < 0 || c.Requests > MaxLoadRequests {
		return "", fmt.Errorf("load: %d requests: want at most %d", c.Requests, MaxLoadRequests)
	}
	if c.Duration == 0 && c.Requests == 0 {
		return "", errors.New("load: give a duration or a number of requests: a run is bounded")
	}
	if c.Queries == nil {
		c.Queries = LoadQueries()
	}
	if len(c.Queries) == 0 {
		return "", errors.New("load: no queries to send")
	}
	for _, q := range c.Queries {
		if strings.TrimSpace(q) == "" {
			return "", errors.New("load: an empty query")
		}
	}
	if c.Now == "" {
		c.Now = "latest"
	}
	switch {
	case c.Timeout == 0:
		c.Timeout = DefaultLoadTimeout
	case c.Timeout < 0:
		return "", fmt.Errorf("load: timeout %v: want a positive time limit", c.Timeout)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if strings.ContainsAny(c.Token, " \t\r\n") {
		return "", errors.New("load: the token holds white space")
	}
	return endpoint, nil
}

// outcome is one request's: which query, how long, what it answered.
type outcome struct {
	query   int
	latency time.Duration
	rows    int64
	bytes   int64
	kind    string // "" when it succeeded
	message string
}

// Load sends the configured mix of queries to a signinq serve on
// loopback, from Concurrency workers, until Duration has passed or
// Requests were sent, and reports what it measured. Each request is a
// POST /v1/query of {query, now, timeout, format: "ndjson"}, whose whole
// answer is read; a failed request is counted by its kind, never
// retried, and does not stop the run. Load refuses a URL off loopback
// and a configuration out of bounds. If ctx is cancelled it stops
// sending, cancels the requests under way, and returns the report of
// those that finished with ctx's error. It never panics on its input.
func Load(ctx context.Context, cfg LoadConfig) (*LoadReport, error) {
	endpoint, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	transport := cfg.Transport
	if transport == nil {
		t := loopbackTransport(cfg.Concurrency)
		defer t.CloseIdleConnections()
		transport = t
	}
	client := &http.Client{
		Transport: transport,
		// A redirect could lead off loopback: it is an answer as any.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	bodies := make([][]byte, len(cfg.Queries))
	for i, q := range cfg.Queries {
		if bodies[i], err = json.Marshal(map[string]string{"query": q, "now": cfg.Now, "timeout": cfg.Timeout.String(), "format": "ndjson"}); err != nil {
			return nil, err
		}
	}
	var (
		next     atomic.Int64 // the next request's number
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
	)
	start := cfg.Clock()
	for range cfg.Concurrency {
		wg.Go(func() {
			var mine []outcome
			for ctx.Err() == nil {
				if cfg.Duration > 0 && cfg.Clock().Sub(start) >= cfg.Duration {
					break
				}
				i := next.Add(1) - 1
				if cfg.Requests > 0 && i >= int64(cfg.Requests) {
					break
				}
				q := int(i % int64(len(cfg.Queries)))
				o := send(ctx, client, endpoint, cfg, bodies[q])
				if o.kind == "transport" && ctx.Err() != nil {
					break // cut short by the run's end: not a measurement
				}
				o.query = q
				mine = append(mine, o)
			}
			mu.Lock()
			outcomes = append(outcomes, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	rep := summarize(cfg, outcomes, cfg.Clock().Sub(start))
	return rep, ctx.Err()
}

// send makes one request and reads its whole answer.
func send(ctx context.Context, client *http.Client, endpoint string, cfg LoadConfig, body []byte) outcome {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout+loadGrace)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return outcome{kind: "transport", message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("TE", "trailers") // a late error comes in a trailer
	req.Header.Set("Accept", "application/x-ndjson")
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	began := cfg.Clock()
	resp, err := client.Do(req)
	if err != nil {
		return outcome{latency: cfg.Clock().Sub(began), kind: "transport", message: err.Error()}
	}
	defer resp.Body.Close()
	var o outcome
	if resp.StatusCode != http.StatusOK {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		o.latency, o.bytes = cfg.Clock().Sub(began), int64(len(b))
		if err != nil {
			o.kind, o.message = "transport", err.Error()
			return o
		}
		o.kind, o.message = errorKind(resp.StatusCode, b)
		return o
	}
	// Count the lines as they come, without holding the answer.
	r := bufio.NewReaderSize(resp.Body, 64<<10)
	for {
		chunk, err := r.ReadSlice('\n')
		o.bytes += int64(len(chunk))
		if err == nil {
			o.rows++
			continue
		}
		if err == bufio.ErrBufferFull {
			continue // a line longer than the buffer: its end comes next
		}
		if len(chunk) > 0 {
			o.rows++ // a last line without its newline
		}
		o.latency = cfg.Clock().Sub(began)
		if err != io.EOF {
			o.kind, o.message = "transport", err.Error()
			return o
		}
		break
	}
	if late := resp.Trailer.Get("Signinq-Error"); late != "" {
		o.kind, o.message = errorKind(http.StatusOK, []byte(`{"error":`+late+`}`))
	}
	return o
}

// errorKind names an API error: its status and kind ("503 canceled"),
// or the status alone when the body is not the API's error; and its
// message.
func errorKind(status int, body []byte) (kind, message string) {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Kind    string `json:"kind"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error.Kind == "" {
		return strconv.Itoa(status), strings.TrimSpace(string(body))
	}
	return strconv.Itoa(status) + " " + e.Error.Kind, e.Error.Message
}

// summarize makes the report of a run's outcomes.
func summarize(cfg LoadConfig, outcomes []outcome, elapsed time.Duration) *LoadReport {
	rep := &LoadReport{
		URL:         cfg.URL,
		Now:         cfg.Now,
		Concurrency: cfg.Concurrency,
		Elapsed:     elapsed,
		Queries:     make([]LoadQuery, len(cfg.Queries)),
	}
	all := make([]time.Duration, 0, len(outcomes))
	per := make([][]time.Duration, len(cfg.Queries))
	for i, q := range cfg.Queries {
		rep.Queries[i].Query = q
	}
	for _, o := range outcomes {
		q := &rep.Queries[o.query]
		rep.Requests++
		q.Requests++
		rep.Rows += o.rows
		q.Rows += o.rows
		rep.Bytes += o.bytes
		all = append(all, o.latency)
		per[o.query] = append(per[o.query], o.latency)
		if o.kind == "" {
			continue
		}
		rep.Errors++
		q.Errors++
		if rep.ErrorKinds == nil {
			rep.ErrorKinds, rep.ErrorSamples = map[string]int64{}, map[string]string{}
		}
		if q.ErrorKinds == nil {
			q.ErrorKinds = map[string]int64{}
		}
		rep.ErrorKinds[o.kind]++
		q.ErrorKinds[o.kind]++
		if _, ok := rep.ErrorSamples[o.kind]; !ok {
			rep.ErrorSamples[o.kind] = o.message
		}
	}
	rep.Latency = latencyOf(all)
	for i := range rep.Queries {
		rep.Queries[i].Latency = latencyOf(per[i])
	}
	if elapsed > 0 {
		rep.RequestsPerSecond = float64(rep.Requests) / elapsed.Seconds()
	}
	return rep
}

// WriteMarkdown writes the report as Markdown: a line of totals, a
// table of latencies overall and per query, and the errors by kind with
// a sample message each.
func (r *LoadReport) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests in %s from %d workers to %s (now %s): %.1f requests/s, %d errors, %d rows, %.1f MB\n\n",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.Concurrency, r.URL, r.Now, r.RequestsPerSecond, r.Errors, r.Rows, float64(r.Bytes)/1e6)
	b.WriteString("| query | requests | errors | rows | p50 | p90 | p99 | max |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(name string, requests, errs, rows int64, l Latency) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %s | %s | %s | %s |\n", name, requests, errs, rows, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max))
	}
	row("**all**", r.Requests, r.Errors, r.Rows, r.Latency)
	for _, q := range r.Queries {
		row("`"+strings.ReplaceAll(q.Query, "|", `\|`)+"`", q.Requests, q.Errors, q.Rows, q.Latency)
	}
	if len(r.ErrorKinds) > 0 {
		b.WriteString("\n| error | count | first message |\n|---|--:|---|\n")
		for _, k := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
			msg := strings.ReplaceAll(strings.ReplaceAll(r.ErrorSamples[k], "|", `\|`), "\n", " ")
			fmt.Fprintf(&b, "| %s | %d | %s |\n", k, r.ErrorKinds[k], msg)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ms writes a latency in milliseconds, to a tenth below 100 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
}
