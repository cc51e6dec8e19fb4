package fakegraph

import "net/http"

// fault is a fault to serve instead of the next sign-in page.
type fault struct {
	kind       string // "429", "503", "drop", "malformed"
	retryAfter string
}

// Throttle answers the next n sign-in requests with status (429 or 503)
// and a Retry-After header of retryAfter ("" for none: the client then
// backs off on its own).
func (s *Server) Throttle(n, status int, retryAfter string) {
	kind := "429"
	if status == http.StatusServiceUnavailable {
		kind = "503"
	}
	s.queue(n, fault{kind: kind, retryAfter: retryAfter})
}

// Drop cuts the connection midway through the body of the next n
// sign-in pages (their Content-Length promises the whole).
func (s *Server) Drop(n int) { s.queue(n, fault{kind: "drop"}) }

// Malform answers the next n sign-in requests with 200 and a body that
// is not a Graph page (an HTML error page, as a proxy would send).
func (s *Server) Malform(n int) { s.queue(n, fault{kind: "malformed"}) }

// After queues the faults above after the next n sign-in requests are
// served normally; faults queued after it wait for them.
func (s *Server) After(n int) { s.queue(n, fault{kind: ""}) }

func (s *Server) queue(n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// nextFault pops the fault for this request; kind "" means none.
func (s *Server) nextFault() fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.served++
	switch {
	case s.opts.ThrottleEvery > 0 && s.served%s.opts.ThrottleEvery == 0:
		return fault{kind: "429", retryAfter: s.opts.RetryAfter}
	case s.opts.DropEvery > 0 && s.served%s.opts.DropEvery == 0:
		return fault{kind: "drop"}
	}
	if len(s.faults) == 0 {
		return fault{}
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f
}
