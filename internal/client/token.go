package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenRefreshMargin is how long before its expiry a token is replaced, so a
// request never leaves with a token that expires on the way.
const tokenRefreshMargin = time.Minute

// tokenSource fetches and caches the client-credentials token. Unlike
// oauth2.ReuseTokenSource, which binds the context it was built with (in the
// provider that was ConfigureProvider's, so Ctrl-C could not cancel a token
// fetch), it is called with each request's own context: the fetch is
// cancelled with the request, bounded by its time limit, and logged under
// it. One fetch runs at a time; callers waiting for it give up when their
// context ends.
type tokenSource struct {
	cc   clientcredentials.Config
	http *http.Client
	sem  chan struct{}
	mu   sync.Mutex
	tok  *oauth2.Token
}

func newTokenSource(cc clientcredentials.Config, base http.RoundTripper, timeout time.Duration) *tokenSource {
	return &tokenSource{cc: cc, http: &http.Client{Transport: tokenEndpointCheck{next: base}, Timeout: timeout}, sem: make(chan struct{}, 1)}
}

func (s *tokenSource) cached() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil || s.tok.AccessToken == "" {
		return nil
	}
	if !s.tok.Expiry.IsZero() && time.Until(s.tok.Expiry) < tokenRefreshMargin {
		return nil
	}
	return s.tok
}

// token returns a valid token, fetching one when none is cached. The
// fetch makes one HTTP attempt; retries belong to the request's loop, so a
// token fetch and the call it serves share one retry budget.
func (s *tokenSource) token(ctx context.Context) (*oauth2.Token, error) {
	if t := s.cached(); t != nil {
		return t, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()
	// Another caller may have fetched one while this one waited.
	if t := s.cached(); t != nil {
		return t, nil
	}
	t, err := s.cc.Token(context.WithValue(ctx, oauth2.HTTPClient, s.http))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.tok = t
	s.mu.Unlock()
	return t, nil
}

// invalidate drops the cached token when it is still t, so the next request
// fetches a new one (the service refused t).
func (s *tokenSource) invalidate(t *oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == t {
		s.tok = nil
	}
}

// CredentialsError reports that the token endpoint refused the client
// credentials (RFC 6749 invalid_client, HTTP 401). Retrying cannot help.
type CredentialsError struct {
	Status      int
	Code        string
	Description string
}

func (e *CredentialsError) Error() string {
	msg := e.Description
	if msg == "" {
		msg = e.Code
	}
	return fmt.Sprintf("the service refused the client credentials (HTTP %d, %s: %s): check client_secret (AOS_CLIENT_SECRET) and client_id (AOS_CLIENT_ID)",
		e.Status, e.Code, msg)
}

// TokenRefusedError is any other RFC 6749 error answer of the token
// endpoint, such as invalid_scope.
type TokenRefusedError struct {
	Status      int
	Code        string
	Description string
}

func (e *TokenRefusedError) Error() string {
	return fmt.Sprintf("the token endpoint refused the request (HTTP %d, %s): %s", e.Status, e.Code, e.Description)
}

// NotAOSError reports a token URL whose answer is not that of an aosd: a
// 404, or a page that is not an OAuth2 JSON answer (the endpoint points at
// another web server, or at the console instead of the API).
type NotAOSError struct {
	URL         string
	Status      int
	ContentType string
	Snippet     string
}

func (e *NotAOSError) Error() string {
	what := fmt.Sprintf("HTTP %d", e.Status)
	if e.ContentType != "" {
		what += ", " + e.ContentType
	}
	s := fmt.Sprintf("%s answered %s, not an OAuth2 token: the endpoint does not look like an aosd registration API; check endpoint (AOS_ENDPOINT), which must be the API's base URL such as https://aos.example.com", e.URL, what)
	if e.Snippet != "" {
		s += fmt.Sprintf(" (the answer began %q)", e.Snippet)
	}
	return s
}

// SchemeError reports an http:// endpoint whose server speaks only HTTPS.
type SchemeError struct{ URL string }

func (e *SchemeError) Error() string {
	return fmt.Sprintf("%s answered that it takes only HTTPS: the endpoint (AOS_ENDPOINT) must begin with https:// instead of http://", e.URL)
}

// statusError is a retryable HTTP answer of the token endpoint (429, 5xx):
// the request loop waits as it would for the API.
type statusError struct {
	Status     int
	Header     http.Header
	Message    string
	RetryAfter string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("the token endpoint answered HTTP %d: %s", e.Status, e.Message)
}

// tokenEndpointCheck sits between oauth2 and the network for token fetches
// and turns every answer that is not a token into one of the errors above,
// so the request loop can tell what heals (429, 5xx) from what never will
// (refused credentials, a URL that is not an aosd), and the user is told
// which setting to fix.
type tokenEndpointCheck struct{ next http.RoundTripper }

func (t tokenEndpointCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isJSON := ct == "application/json" || strings.HasSuffix(ct, "+json")
	if resp.StatusCode == http.StatusOK && isJSON {
		return resp, nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	isOAuth := isJSON && json.Unmarshal(data, &oe) == nil && oe.Error != ""
	switch {
	case req.URL.Scheme == "http" && resp.StatusCode == http.StatusBadRequest && strings.Contains(string(data), "Client sent an HTTP request to an HTTPS server"):
		// Go's TLS servers (aosd serve among them) answer plain HTTP with
		// this 400: the endpoint is right but for its scheme.
		return nil, &SchemeError{URL: req.URL.String()}
	case retryableStatus(resp.StatusCode):
		// The API's own rule, so a 501 (a static file server refusing
		// the POST) is final here as well: it is not an aosd.
		msg := oe.Description
		if msg == "" {
			msg = snippet(data)
		}
		return nil, &statusError{Status: resp.StatusCode, Header: resp.Header, Message: msg, RetryAfter: resp.Header.Get("Retry-After")}
	case isOAuth && (oe.Error == "invalid_client" || resp.StatusCode == http.StatusUnauthorized):
		return nil, &CredentialsError{Status: resp.StatusCode, Code: oe.Error, Description: oe.Description}
	case isOAuth:
		return nil, &TokenRefusedError{Status: resp.StatusCode, Code: oe.Error, Description: oe.Description}
	default:
		return nil, &NotAOSError{URL: req.URL.String(), Status: resp.StatusCode, ContentType: ct, Snippet: snippet(data)}
	}
}

// snippet is the start of a body, on one line, for an error message.
func snippet(data []byte) string {
	r := []rune(strings.ToValidUTF8(strings.Join(strings.Fields(string(data)), " "), "?"))
	if len(r) > 80 {
		return string(r[:80]) + "..."
	}
	return string(r)
}
