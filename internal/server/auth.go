package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// tokenTTL is the lifetime of an access token. Clients fetch a new one with
// their credentials; golang.org/x/oauth2 does that before expiry.
const tokenTTL = time.Hour

// principal is the authenticated caller of a request.
type principal struct {
	ClientID string   `json:"cid"`
	Org      string   `json:"org"`
	Scopes   []string `json:"scp"`
	Expires  int64    `json:"exp"`
}

func (p *principal) canWrite() bool { return slices.Contains(p.Scopes, domain.ScopeReadWrite) }

type ctxKey int

const principalKey ctxKey = 1

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey).(*principal)
	return p
}

// HashClientSecret hashes a client secret for storage. Secrets are 256-bit
// random values made by aosd, not passwords a person picked, so a plain
// SHA-256 resists guessing as well as a slow password hash would.
func HashClientSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewClientCredentials makes a client id and secret.
func NewClientCredentials() (id, secret string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "aos-" + hex.EncodeToString(b[:8]), base64.RawURLEncoding.EncodeToString(b)
}

// signToken makes a self-contained bearer token. It is verified with the key
// derived from the shared encryption key, so every replica accepts tokens
// issued by any other without a database round trip.
func (s *Server) signToken(p *principal) string {
	payload, _ := json.Marshal(p)
	body := base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) verifyToken(tok string) (*principal, error) {
	body, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, errors.New("malformed token")
	}
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte(body))
	want := m.Sum(nil)
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return nil, errors.New("token signature does not verify")
	}
	payload, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, errors.New("malformed token")
	}
	var p principal
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, errors.New("malformed token")
	}
	if time.Now().Unix() >= p.Expires {
		return nil, errors.New("token has expired")
	}
	return &p, nil
}

// oauthError is the RFC 6749 error body of the token endpoint.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// maxTokenBodyBytes caps the token request's form, a few short fields.
const maxTokenBodyBytes = 64 << 10

// handleToken implements the OAuth2 client-credentials grant.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	// ParseForm ignores a body of another type, which would then be
	// reported as a missing grant_type; say what is wrong instead.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "the body must be application/x-www-form-urlencoded"})
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenBodyBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, oauthError{"invalid_request",
				fmt.Sprintf("the request body is larger than %d bytes; a token request is a short form of client_id, client_secret, grant_type and scope", maxTokenBodyBytes)})
			return
		}
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "the body must be application/x-www-form-urlencoded"})
		return
	}
	// RFC 6749 section 3.1: a parameter must not be sent more than once.
	// Taking the first of two client_ids or scopes would be a guess.
	for _, name := range slices.Sorted(maps.Keys(r.Form)) {
		if n := len(r.Form[name]); n > 1 {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request",
				fmt.Sprintf("parameter %s is given %d times; give each parameter once", name, n)})
			return
		}
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type must be client_credentials"})
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" || secret == "" {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "client_id and client_secret are required"})
		return
	}
	// The id is looked up in the database, which must not see NUL, bytes
	// that are not UTF-8 or an unbounded key; no client has such an id.
	if domain.CheckText("client_id", id, textKind("")) != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request",
			fmt.Sprintf("client_id must be printable UTF-8 text of at most %d characters, as aosd issues it", domain.TextMaxLength)})
		return
	}
	// The other fields have the document's limits too; a scope list
	// longer than that names scopes no client holds.
	for _, f := range []struct{ name, value string }{{"client_secret", secret}, {"scope", r.PostForm.Get("scope")}} {
		if domain.CheckText(f.name, f.value, textKind("")) != nil {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request",
				fmt.Sprintf("%s must be printable UTF-8 text of at most %d characters", f.name, domain.TextMaxLength)})
			return
		}
	}
	c, err := s.store.GetClient(r.Context(), id)
	if err != nil || subtle.ConstantTimeCompare(c.SecretHash, HashClientSecret(secret)) != 1 {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.internalError(w, r, err)
			return
		}
		// One answer for unknown ids and wrong secrets, so ids cannot be
		// probed.
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "client authentication failed: check the client id and secret"})
		return
	}
	scopes := c.Scopes
	if req := strings.Fields(r.PostForm.Get("scope")); len(req) > 0 {
		for _, sc := range req {
			if !slices.Contains(c.Scopes, sc) && (sc != domain.ScopeRead || !slices.Contains(c.Scopes, domain.ScopeReadWrite)) {
				writeJSON(w, http.StatusBadRequest, oauthError{"invalid_scope", "scope " + sc + " is not granted to this client"})
				return
			}
		}
		// A scope asked for twice is granted once, so that the token
		// does not grow with the request.
		scopes = nil
		for _, sc := range req {
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	p := &principal{ClientID: c.ID, Org: c.Org, Scopes: scopes, Expires: time.Now().Add(tokenTTL).Unix()}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, domain.Token{AccessToken: s.signToken(p), TokenType: "Bearer",
		ExpiresIn: int(tokenTTL.Seconds()), Scope: strings.Join(scopes, " ")})
}

// authenticate checks the bearer token and the scope the method needs:
// reads need aos.read (or aos.readwrite), anything else aos.readwrite.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme name is case-insensitive (RFC 9110 section 11.1).
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aosd"`)
			s.writeError(w, r, &domain.Error{Status: http.StatusUnauthorized, Code: domain.CodeUnauthorized,
				Message: "a bearer token is required: get one from POST /connect/token with the client credentials"})
			return
		}
		p, err := s.verifyToken(tok)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aosd", error="invalid_token"`)
			s.writeError(w, r, &domain.Error{Status: http.StatusUnauthorized, Code: domain.CodeUnauthorized,
				Message: "the bearer token is not valid (" + err.Error() + "): get a new one from POST /connect/token"})
			return
		}
		write := r.Method != http.MethodGet && r.Method != http.MethodHead
		if write && !p.canWrite() {
			s.writeError(w, r, &domain.Error{Status: http.StatusForbidden, Code: domain.CodeForbidden,
				Message: "this token has scope aos.read; changes need a client with scope aos.readwrite"})
			return
		}
		if !s.allow(p.ClientID, w) {
			s.writeError(w, r, &domain.Error{Status: http.StatusTooManyRequests, Code: domain.CodeRateLimited,
				Message: "too many requests from this client; retry after the number of seconds in Retry-After"})
			return
		}
		setLogClient(r.Context(), p.ClientID)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
	})
}
