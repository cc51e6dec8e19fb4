package fakegraph

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// token is an access token issued, and how many Graph requests it has
// served.
type token struct {
	uses int
}

func listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// IssueToken issues a token without the client credentials grant, as
// `az account get-access-token` hands one to a user.
func (s *Server) IssueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked("https://graph.microsoft.com")
}

func (s *Server) issueLocked(aud string) string {
	s.issued++
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"tid": s.opts.TenantID, "aud": aud, "appid": s.opts.ClientID, "n": s.issued})
	sig := make([]byte, 16)
	rand.Read(sig)
	t := head + "." + base64.RawURLEncoding.EncodeToString(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
	s.tokens[t] = &token{}
	return t
}

// Issued is the number of tokens issued so far.
func (s *Server) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// authorize checks a Graph request's token and counts its use; it
// answers 401 itself and returns false when the token is missing,
// unknown or used up.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	t, ok := trimBearer(r.Header.Get("Authorization"))
	s.mu.Lock()
	tok := s.tokens[t]
	expired := tok != nil && s.opts.TokenUses > 0 && tok.uses >= s.opts.TokenUses
	if tok != nil && !expired {
		tok.uses++
	}
	s.mu.Unlock()
	switch {
	case !ok:
		s.record(r, http.StatusUnauthorized, "")
		graphErr(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
	case tok == nil:
		s.record(r, http.StatusUnauthorized, "")
		graphErr(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
	case expired:
		s.record(r, http.StatusUnauthorized, "expired")
		graphErr(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
	default:
		return true
	}
	return false
}

// openID is the tenant's OpenID Connect discovery document, the part
// MSAL reads: the token and authorization endpoints and the issuer.
func (s *Server) openID(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	base := hostURL(r) + "/" + tenant
	s.record(r, http.StatusOK, "")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"issuer":                                hostURL(r) + "/" + s.opts.TenantID + "/v2.0",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"tenant_region_scope":                   "EU",
	})
}

// token is the client credentials grant: client_id, client_secret,
// scope (RESOURCE/.default) and grant_type=client_credentials, in a form.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, desc string) {
		s.record(r, status, "")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": desc, "error_codes": []int{7000215},
			"timestamp": "2026-01-01 00:00:00Z", "trace_id": "00000000-0000-0000-0000-000000000000", "correlation_id": "00000000-0000-0000-0000-000000000000"})
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
		return
	}
	tenant := r.PathValue("tenant")
	switch {
	case tenant != s.opts.TenantID && tenant != "organizations":
		fail(http.StatusBadRequest, "invalid_request", fmt.Sprintf("AADSTS90002: Tenant '%s' not found.", tenant))
	case r.PostForm.Get("grant_type") != "client_credentials":
		fail(http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
	case r.PostForm.Get("client_id") != s.opts.ClientID:
		fail(http.StatusBadRequest, "unauthorized_client", fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory.", r.PostForm.Get("client_id")))
	case r.PostForm.Get("client_secret") != s.opts.ClientSecret:
		fail(http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
	case resource(r.PostForm.Get("scope")) == "":
		fail(http.StatusBadRequest, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.")
	default:
		s.mu.Lock()
		t := s.issueLocked(resource(r.PostForm.Get("scope")))
		s.mu.Unlock()
		s.record(r, http.StatusOK, "")
		life := int(s.opts.TokenLife / time.Second)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": t})
	}
}

// resource is the resource a client credentials scope names
// (RESOURCE/.default, among the OpenID scopes MSAL adds), or "".
func resource(scope string) string {
	for _, f := range strings.Fields(scope) {
		if r, ok := strings.CutSuffix(f, "/.default"); ok && r != "" {
			return r
		}
	}
	return ""
}
