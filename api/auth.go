package api

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// authorized reports whether a request may be answered: always without
// a token (Options.Token ""), else when it carries Authorization: Bearer
// and the token, compared in constant time.
func (h *Handler) authorized(r *http.Request) bool {
	if h.opts.Token == "" {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(h.opts.Token)) == 1
}
