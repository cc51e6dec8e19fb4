package api

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/pull"
	"github.com/signinq/signinq/query"
)

// Options configure a Handler. The zero value is the defaults.
type Options struct {
	// Now is the clock "now" is read from when a query gives none: what
	// "since 24h" counts from. Nil means time.Now.
	Now func() time.Time
	// Timeout is a query's time limit when its request gives none
	// (DefaultTimeout when 0); MaxTimeout caps what a request may ask
	// (DefaultMaxTimeout when 0). A longer request is held to MaxTimeout.
	Timeout, MaxTimeout time.Duration
	// MaxMemory caps the memory a query's groups may take, and is its
	// limit when the request gives none (query.DefaultMaxMemory when 0).
	MaxMemory int64
	// MaxRows and MaxBytes bound the answer of the buffered json form
	// (DefaultMaxRows, DefaultMaxBytes when 0): past either the request
	// fails (KindResult) saying to use ndjson or csv, which stream any
	// number of rows, or a limit. MaxBytes is checked as the json writer
	// hands over its output, 64 KiB at a time: the answer may pass it by
	// that much.
	MaxRows  int
	MaxBytes int64
	// MaxBody bounds a request's body (DefaultMaxBody when 0).
	MaxBody int64
	// Token, when not "", is the bearer token every request but
	// /v1/health must carry (Authorization: Bearer TOKEN).
	Token string
	// LoopbackHosts refuses (403) a request whose Host header names
	// anything but localhost, 127.0.0.0/8 or ::1: what a server on
	// loopback without a token sets, so that a web page the user visits
	// cannot reach it through a name it rebinds to 127.0.0.1 (DNS
	// rebinding) and read the answers.
	LoopbackHosts bool
	// Logger receives refused requests (a 401 with its method, path and
	// remote address: never its body nor its headers) and failures of the
	// server's own; nil discards them.
	Logger *slog.Logger
	// Pulls, when set, gives the statuses of the sources the server
	// pulls from on a schedule, live (running, next); without it GET
	// /v1/stats answers those the store keeps (pull.Statuses).
	Pulls func() []pull.Status
}

// The defaults of Options.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxTimeout = 10 * time.Minute
	DefaultMaxRows    = 100_000
	DefaultMaxBytes   = 64 << 20
	DefaultMaxBody    = 1 << 20
)

// Handler answers the HTTP API over one store. It is safe for concurrent
// use: each query reads a snapshot of its own.
type Handler struct {
	db     *engine.DB
	reg    *plugins.Registry
	opts   Options
	routes []route
}

// route is one path of the API and the handlers of its methods.
type route struct {
	path    string
	methods map[string]http.HandlerFunc
	open    bool // answered without the token
	stream  bool // its body is a stream of any length, not bounded by MaxBody
}

// New returns the API over an open store, with the plugins of reg.
// The caller keeps the store open while the handler serves, and closes
// it after.
func New(db *engine.DB, reg *plugins.Registry, opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxTimeout <= 0 {
		opts.MaxTimeout = DefaultMaxTimeout
	}
	opts.Timeout = min(opts.Timeout, opts.MaxTimeout)
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = query.DefaultMaxMemory
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{db: db, reg: reg, opts: opts}
	h.routes = []route{
		{path: "/v1/query", methods: map[string]http.HandlerFunc{http.MethodGet: h.query, http.MethodPost: h.query}},
		{path: "/v1/ingest", methods: map[string]http.HandlerFunc{http.MethodPost: h.ingest}, stream: true},
		{path: "/v1/stats", methods: map[string]http.HandlerFunc{http.MethodGet: h.stats}},
		{path: "/v1/span", methods: map[string]http.HandlerFunc{http.MethodGet: h.span}},
		{path: "/v1/lists", methods: map[string]http.HandlerFunc{http.MethodGet: h.lists}},
		{path: "/v1/saved", methods: map[string]http.HandlerFunc{http.MethodGet: h.saved}},
		{path: "/v1/values", methods: map[string]http.HandlerFunc{http.MethodGet: h.values}},
		{path: "/v1/fields", methods: map[string]http.HandlerFunc{http.MethodGet: h.fields}},
		{path: "/v1/plugins", methods: map[string]http.HandlerFunc{http.MethodGet: h.plugins}},
		{path: "/v1/health", methods: map[string]http.HandlerFunc{http.MethodGet: h.health}, open: true},
		{path: "/openapi.json", methods: map[string]http.HandlerFunc{http.MethodGet: h.openAPI}},
	}
	return h
}

// Routes returns the API's paths, each with its methods, sorted: what
// the handler serves, which its OpenAPI document describes.
func (h *Handler) Routes() map[string][]string {
	out := map[string][]string{}
	for _, rt := range h.routes {
		for m := range rt.methods {
			out[rt.path] = append(out[rt.path], m)
		}
		slices.Sort(out[rt.path])
	}
	return out
}

// ServeHTTP answers a request: 404 for a path the API has not, 405 with
// Allow for a method its path has not (HEAD is GET without a body), 401
// without the token, else the route's answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := slices.IndexFunc(h.routes, func(rt route) bool { return rt.path == r.URL.Path })
	if i < 0 {
		writeError(w, requestError(http.StatusNotFound, "no such path %q (GET /openapi.json describes the API)", r.URL.Path))
		return
	}
	rt := h.routes[i]
	if h.opts.LoopbackHosts && !loopbackHost(r.Host) {
		h.opts.Logger.Warn("request for another host", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		writeError(w, requestError(http.StatusForbidden, "this server answers requests for localhost only, not for the host this one names"))
		return
	}
	if !rt.open && !h.authorized(r) {
		h.opts.Logger.Warn("unauthorized request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		writeError(w, &Error{Message: "this server needs a bearer token: Authorization: Bearer TOKEN", Kind: KindAuth, status: http.StatusUnauthorized})
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	serve, ok := rt.methods[method]
	if !ok {
		allowed := h.Routes()[rt.path]
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, requestError(http.StatusMethodNotAllowed, "%s does not take %s (it takes %s)", rt.path, r.Method, strings.Join(allowed, ", ")))
		return
	}
	if r.Body != nil && !rt.stream {
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBody)
	}
	serve(w, r)
}
