package fakegraph

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

// EventType is Graph's signInEventTypes value of a sign-in type; "" for
// AD FS, which Graph does not list.
func EventType(t signin.Type) string {
	switch t {
	case signin.TypeInteractive:
		return "interactiveUser"
	case signin.TypeNonInteractive:
		return "nonInteractiveUser"
	case signin.TypeServicePrincipal:
		return "servicePrincipal"
	case signin.TypeManagedIdentity:
		return "managedIdentity"
	}
	return ""
}

// entry is a sign-in held: its type, time and id, and where its JSON is.
type entry struct {
	t   int64 // createdDateTime, Unix ns
	id  string
	off int64
	n   int32
}

// store holds the sign-ins' JSON (in memory or a file) and, per type,
// their entries newest first (by time descending, then id).
type store struct {
	mu     sync.RWMutex
	mem    []byte
	file   *os.File
	size   int64
	byType map[string][]entry
	sorted map[string]bool
}

func newStore(dir string) (*store, error) {
	st := &store{byType: map[string][]entry{}, sorted: map[string]bool{}}
	if dir != "" {
		f, err := os.CreateTemp(dir, "fakegraph-*.json")
		if err != nil {
			return nil, err
		}
		st.file = f
	}
	return st, nil
}

func (st *store) close() {
	if st.file != nil {
		st.file.Close()
		os.Remove(st.file.Name())
	}
}

func (st *store) add(typ string, t time.Time, id string, obj []byte) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	off := st.size
	if st.file != nil {
		if _, err := st.file.WriteAt(obj, off); err != nil {
			return err
		}
	} else {
		st.mem = append(st.mem, obj...)
	}
	st.size += int64(len(obj))
	st.byType[typ] = append(st.byType[typ], entry{t: t.UnixNano(), id: id, off: off, n: int32(len(obj))})
	st.sorted[typ] = false
	return nil
}

func less(a, b entry) int {
	switch {
	case a.t > b.t:
		return -1
	case a.t < b.t:
		return 1
	}
	return strings.Compare(a.id, b.id)
}

// page returns up to top entries of typ in [lo, hi], newest first,
// starting after the key (t, id) when after is set, and whether more
// follow.
func (st *store) page(typ string, lo, hi int64, after *entry, top int) ([]entry, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.sorted[typ] {
		slices.SortFunc(st.byType[typ], less)
		st.sorted[typ] = true
	}
	es := st.byType[typ]
	// es is newest first: the first entry at or before hi.
	i, _ := slices.BinarySearchFunc(es, entry{t: hi}, func(e, k entry) int {
		if e.t > k.t {
			return -1
		}
		return 1
	})
	if after != nil {
		j, found := slices.BinarySearchFunc(es, *after, less)
		if found {
			j++
		}
		i = max(i, j)
	}
	var out []entry
	for ; i < len(es) && es[i].t >= lo && len(out) < top; i++ {
		out = append(out, es[i])
	}
	more := i < len(es) && es[i].t >= lo
	return out, more
}

func (st *store) read(e entry, dst []byte) ([]byte, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if st.file == nil {
		return append(dst, st.mem[e.off:e.off+int64(e.n)]...), nil
	}
	n := len(dst)
	dst = slices.Grow(dst, int(e.n))[:n+int(e.n)]
	_, err := st.file.ReadAt(dst[n:], e.off)
	return dst, err
}

// Add adds a sign-in of type typ (a signInEventTypes value) created at
// t with id, as its Graph JSON object. A sign-in added after a pull
// with an old t is a late arrival.
func (s *Server) Add(typ string, t time.Time, id string, obj []byte) error {
	return s.store.add(typ, t.UTC(), id, obj)
}

// AddEvent adds a generated sign-in as Graph beta's JSON (gen.AppendGraph),
// with its record's time, id and type; AD FS ones are skipped.
func (s *Server) AddEvent(ev *gen.Event) error {
	typ := EventType(ev.Record.Type)
	if typ == "" {
		return nil
	}
	return s.Add(typ, ev.Record.Time, ev.Record.ID, gen.AppendGraph(nil, ev))
}

// Generate adds the sign-ins of a generated tenant and returns how many
// it added per type.
func (s *Server) Generate(ctx context.Context, cfg gen.Config) (map[string]int64, error) {
	g, err := gen.New(cfg)
	if err != nil {
		return nil, err
	}
	n := map[string]int64{}
	var buf []byte
	err = g.Generate(ctx, func(batch []gen.Event) error {
		for i := range batch {
			ev := &batch[i]
			typ := EventType(ev.Record.Type)
			if typ == "" {
				continue
			}
			buf = gen.AppendGraph(buf[:0], ev)
			if err := s.Add(typ, ev.Record.Time, ev.Record.ID, buf); err != nil {
				return err
			}
			n[typ]++
		}
		return nil
	})
	return n, err
}

// Count is the number of sign-ins held of a type.
func (s *Server) Count(typ string) int {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return len(s.store.byType[typ])
}

var (
	typeTerm = regexp.MustCompile(`^\(?signInEventTypes/any\((\w+):\s*(\w+)\s+eq\s+'(\w+)'\)\)?$`)
	timeTerm = regexp.MustCompile(`^\(?createdDateTime\s+(ge|le)\s+(\S+?)\)?$`)
)

// filter is a parsed $filter.
type filter struct {
	typ    string
	lo, hi int64
}

// parseFilter reads the $filter a collector sends: terms joined by
// "and", each a signInEventTypes/any(…) or createdDateTime ge/le.
func parseFilter(f string) (filter, error) {
	out := filter{typ: "interactiveUser", lo: -1 << 63, hi: 1<<63 - 1}
	if strings.TrimSpace(f) == "" {
		return out, nil
	}
	for _, term := range strings.Split(f, " and ") {
		term = strings.TrimSpace(term)
		if m := typeTerm.FindStringSubmatch(term); m != nil && m[1] == m[2] {
			out.typ = m[3]
			continue
		}
		if m := timeTerm.FindStringSubmatch(term); m != nil {
			t, err := time.Parse(time.RFC3339Nano, m[2])
			if err != nil {
				return filter{}, fmt.Errorf("Invalid filter clause: the value %q of createdDateTime is not a DateTimeOffset", m[2])
			}
			if m[1] == "ge" {
				out.lo = max(out.lo, t.UnixNano())
			} else {
				out.hi = min(out.hi, t.UnixNano())
			}
			continue
		}
		return filter{}, fmt.Errorf("Invalid filter clause: %q is not supported", term)
	}
	switch out.typ {
	case "interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity":
	default:
		return filter{}, fmt.Errorf("Invalid filter clause: signInEventTypes value %q", out.typ)
	}
	return out, nil
}

// skiptoken encodes the key of the last sign-in served.
func skiptoken(e entry) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(e.t, 10) + "|" + e.id))
}

func parseSkiptoken(s string) (*entry, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return nil, fmt.Errorf("no key")
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, err
	}
	return &entry{t: t, id: id}, nil
}

// signIns is GET /beta/auditLogs/signIns.
func (s *Server) signIns(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	f := s.nextFault()
	switch f.kind {
	case "429", "503":
		status, _ := strconv.Atoi(f.kind)
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		s.record(r, status, f.kind)
		if status == http.StatusTooManyRequests {
			graphErr(w, status, "TooManyRequests", "Too many requests.")
		} else {
			graphErr(w, status, "ServiceUnavailable", "The service is temporarily unavailable.")
		}
		return
	case "malformed":
		s.record(r, http.StatusOK, f.kind)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>\n"))
		return
	}
	q := r.URL.Query()
	flt, err := parseFilter(q.Get("$filter"))
	if err != nil {
		s.record(r, http.StatusBadRequest, "")
		graphErr(w, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
		return
	}
	top := 1000
	if v := q.Get("$top"); v != "" {
		top, err = strconv.Atoi(v)
		if err != nil || top < 1 || top > 1000 {
			s.record(r, http.StatusBadRequest, "")
			graphErr(w, http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("Invalid page size %q: $top is 1 to 1000.", v))
			return
		}
	}
	var after *entry
	if v := q.Get("$skiptoken"); v != "" {
		if after, err = parseSkiptoken(v); err != nil {
			s.record(r, http.StatusBadRequest, "")
			graphErr(w, http.StatusBadRequest, "Request_BadRequest", "Invalid $skiptoken.")
			return
		}
	}
	es, more := s.store.page(flt.typ, flt.lo, flt.hi, after, top)
	body := make([]byte, 0, len(es)*3000+256)
	body = append(body, `{"@odata.context":"`+hostURL(r)+`/beta/$metadata#auditLogs/signIns","value":[`...)
	for i, e := range es {
		if i > 0 {
			body = append(body, ',')
		}
		if body, err = s.store.read(e, body); err != nil {
			s.record(r, http.StatusInternalServerError, "")
			graphErr(w, http.StatusInternalServerError, "InternalServerError", err.Error())
			return
		}
	}
	body = append(body, ']')
	if more {
		next := url.Values{}
		next.Set("$filter", q.Get("$filter"))
		next.Set("$top", strconv.Itoa(top))
		next.Set("$skiptoken", skiptoken(es[len(es)-1]))
		body = append(body, `,"@odata.nextLink":"`...)
		body = append(body, hostURL(r)+"/beta/auditLogs/signIns?"+next.Encode()...)
		body = append(body, '"')
	}
	body = append(body, "}\n"...)
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if f.kind == "drop" {
		s.record(r, http.StatusOK, f.kind)
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the server closes the connection mid-body
	}
	s.record(r, http.StatusOK, "")
	w.Write(body)
}
