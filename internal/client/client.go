// Package client is a typed client for the registration API served by aosd.
// It knows nothing of Terraform: the provider converts between its models
// and these types.
//
// Every request runs one retry loop (retry.go: what is retried, for how
// long, how the final error reads) on top of an OAuth2 client-credentials
// token fetched with the request's own context (token.go). Every create
// carries one Idempotency-Key reused across its retries, so a retry after a
// lost response cannot create a duplicate; a retried conditional update or
// delete whose first attempt's answer was lost is recognised as done
// (applied.go).
//
// The loop is this package's own rather than go-retryablehttp's: that
// client logs through one logger without the request's context (so every
// line was tagged with the ConfigureProvider call), counts retries instead
// of bounding their time, and cannot see a token fetch and the call it
// serves as one request.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Config configures a Client.
type Config struct {
	// Endpoint is the base URL of aosd, for example http://127.0.0.1:8080.
	Endpoint     string
	ClientID     string
	ClientSecret string
	// RetryTimeout is the retry budget of one request, from its first
	// attempt: connection errors, 408, 429 and 5xx are retried until it is
	// spent (nil: DefaultRetryTimeout; 0: no retries). The request's
	// context bounds it too. A pointer, because 0 is a choice of its own.
	RetryTimeout *time.Duration
	// MaxRetries, when set, also caps the number of retries (0: none).
	// It is kept for the provider's deprecated max_retries argument and
	// for tests; nil means the time budget alone decides.
	MaxRetries *int
	// RequestTimeout bounds one attempt (default 30s).
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the backoff between attempts
	// (defaults 500ms and 10s). A Retry-After of the service replaces the
	// backoff, within the budget.
	RetryWaitMin, RetryWaitMax time.Duration
	UserAgent                  string
	// Logger, when set, receives a line per attempt and per retry.
	Logger Logger
	// Transport is the base transport (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
}

// LogLevel is the level of a log line.
type LogLevel int

const (
	LevelDebug LogLevel = iota
	LevelInfo
	LevelWarn
)

// Logger receives the client's log lines with the context of the request
// each belongs to, so a logger that reads its sink from the context (tflog)
// tags the line with the Terraform operation that made the request. Fields
// never carry secrets: no bodies, no Authorization header, no token form;
// durations are strings such as "1.5s".
type Logger func(ctx context.Context, level LogLevel, msg string, fields map[string]any)

// Client talks to the registration API.
type Client struct {
	base             *url.URL
	http             *http.Client
	tokens           *tokenSource
	ua               string
	retryTimeout     time.Duration
	maxRetries       *int
	waitMin, waitMax time.Duration
	log              Logger
}

// New builds a client. It does not contact the service: the first request
// fetches the token.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("endpoint is empty")
	}
	base, err := url.Parse(strings.TrimRight(cfg.Endpoint, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL such as https://aos.example.com", cfg.Endpoint)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("client id and client secret are both required")
	}
	if cfg.MaxRetries != nil && *cfg.MaxRetries < 0 {
		return nil, errors.New("max retries cannot be negative")
	}
	retryTimeout := DefaultRetryTimeout
	if cfg.RetryTimeout != nil {
		retryTimeout = *cfg.RetryTimeout
	}
	if retryTimeout < 0 {
		return nil, errors.New("retry timeout cannot be negative")
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.RetryWaitMin == 0 {
		cfg.RetryWaitMin = 500 * time.Millisecond
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = 10 * time.Second
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	transport := cfg.Transport
	if transport == nil {
		dt, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport: set Config.Transport", http.DefaultTransport)
		}
		t := dt.Clone()
		// Terraform refreshes ten resources at a time; with Go's default of
		// two idle connections per host most requests would open a new
		// connection.
		t.MaxIdleConnsPerHost = 32
		transport = t
	}
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		TokenURL: base.String() + "/connect/token", AuthStyle: oauth2.AuthStyleInParams}
	return &Client{
		base:         base,
		http:         &http.Client{Transport: transport, Timeout: cfg.RequestTimeout},
		tokens:       newTokenSource(cc, transport, cfg.RequestTimeout),
		ua:           cfg.UserAgent,
		retryTimeout: retryTimeout,
		maxRetries:   cfg.MaxRetries,
		waitMin:      cfg.RetryWaitMin,
		waitMax:      cfg.RetryWaitMax,
		log:          cfg.Logger,
	}, nil
}

// ErrNotFound is matched (errors.Is) by an *APIError with status 404.
var ErrNotFound = errors.New("not found")

// ErrPreconditionFailed is matched by an *APIError with status 412.
var ErrPreconditionFailed = errors.New("precondition failed")

// APIError is an error answer of the API.
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	Details    []domain.Detail
	Related    []domain.Related
	TraceID    string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d", e.Message, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, ", %s", e.Code)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, ", trace id %s", e.TraceID)
	}
	b.WriteString(")")
	for _, r := range e.Related {
		fmt.Fprintf(&b, "\n  - %s %q (%s)", strings.ReplaceAll(r.Kind, "_", " "), r.Name, r.ID)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) and ErrPreconditionFailed work.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed
	}
	return false
}

// Field returns the field a 4xx names, if any.
func (e *APIError) Field() string {
	if len(e.Details) > 0 {
		return e.Details[0].Field
	}
	return ""
}

// Response is the metadata of a single-object answer.
type Response struct {
	ETag string
}

type requestOpts struct {
	ifMatch   string
	query     url.Values
	writeOnly map[string]writeOnlyVersion
}

// RequestOption adjusts one request.
type RequestOption func(*requestOpts)

// IfMatch sends If-Match: the write fails with 412 when the object changed.
func IfMatch(etag string) RequestOption { return func(o *requestOpts) { o.ifMatch = etag } }

func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// do sends one request, retried as retry.go says, and decodes a JSON
// answer into out (when non-nil).
func (c *Client) do(ctx context.Context, method, p string, body, out any, opts ...RequestOption) (*Response, error) {
	o := &requestOpts{}
	for _, opt := range opts {
		opt(o)
	}
	u := c.base.String() + p
	if len(o.query) > 0 {
		u += "?" + o.query.Encode()
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	hdr := http.Header{}
	hdr.Set("Accept", "application/json")
	if body != nil {
		hdr.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		hdr.Set("User-Agent", c.ua)
	}
	if method == http.MethodPost {
		// Set once for the call, so every retry of it carries the same key.
		hdr.Set("Idempotency-Key", newIdempotencyKey())
	}
	if o.ifMatch != "" {
		hdr.Set("If-Match", o.ifMatch)
	}
	a, err := c.send(ctx, method, p, u, payload, hdr, o)
	if err != nil {
		return nil, err
	}
	if a.status >= 400 {
		return nil, decodeAPIError(a)
	}
	if out != nil && len(a.data) > 0 {
		if err := json.Unmarshal(a.data, out); err != nil {
			return nil, fmt.Errorf("%s %s: decoding response: %w", method, p, err)
		}
	}
	return &Response{ETag: a.header.Get("ETag")}, nil
}

// answer is one HTTP answer, read in full.
type answer struct {
	status int
	header http.Header
	data   []byte
}

// send runs the attempts of one request until one gives a final answer
// (success or an error that waiting cannot change), the retry budget is
// spent, or ctx ends.
func (c *Client) send(ctx context.Context, method, p, u string, payload []byte, hdr http.Header, o *requestOpts) (*answer, error) {
	start := time.Now()
	deadline := start.Add(c.retryTimeout)
	// uncertain: an earlier attempt may have reached the service and done
	// the work although its answer never arrived (a connection that broke
	// after the request went out, or a 5xx from a proxy in front of a
	// service that committed). Only then is a 412 or 404 of a retry read
	// as the echo of the lost attempt.
	uncertain := false
	reauthorized := false
	for attempt := 1; ; attempt++ {
		t0 := time.Now()
		a, tok, sent, err := c.attempt(ctx, method, u, payload, hdr)
		fields := map[string]any{"method": method, "url": u, "attempt": attempt, "duration": readable(time.Since(t0))}
		if v := hdr.Get("Idempotency-Key"); v != "" {
			fields["idempotency_key"] = v
		}
		if v := hdr.Get("If-Match"); v != "" {
			fields["if_match"] = v
		}
		if a != nil {
			fields["status"] = a.status
			if v := a.header.Get("X-Trace-Id"); v != "" {
				fields["trace_id"] = v
			}
		} else if err != nil {
			fields["error"] = err.Error()
		}
		c.logf(ctx, LevelDebug, "aos API request", fields)

		if err == nil && a.status == http.StatusUnauthorized && tok != nil && !reauthorized {
			// A cached token can be refused before its expiry (the
			// service's signing key changed in a redeployment): fetch a
			// new one, once.
			c.tokens.invalidate(tok)
			reauthorized = true
			continue
		}
		if err == nil && !retryableStatus(a.status) {
			switch {
			case a.status == http.StatusPreconditionFailed && method == http.MethodPatch && o.ifMatch != "" && uncertain:
				if got, ok := c.alreadyApplied(ctx, p, payload, o); ok {
					c.logf(ctx, LevelInfo, "aos API: a retried conditional update got 412, but the object holds every value it sent and changed exactly once: the lost attempt applied it", fields)
					return got, nil
				}
			case a.status == http.StatusNotFound && method == http.MethodDelete && uncertain:
				c.logf(ctx, LevelInfo, "aos API: a retried delete found the object gone: the lost attempt deleted it", fields)
				return &answer{status: http.StatusNoContent, header: http.Header{}}, nil
			}
			return a, nil
		}

		var last error
		var asked string
		if err == nil {
			last = decodeAPIError(a)
			asked = a.header.Get("Retry-After")
			if a.status >= 500 {
				uncertain = true
			}
		} else {
			last = err
			var se *statusError
			if errors.As(err, &se) {
				asked = se.RetryAfter
			}
			if sent {
				uncertain = true
			}
		}
		giveUp := func(reason string, ctxErr error) error {
			return &RetryError{Method: method, Path: p, Attempts: attempt, Elapsed: time.Since(start), Err: last, Ctx: ctxErr, Reason: reason}
		}
		if ctx.Err() != nil {
			return nil, giveUp("", ctx.Err())
		}
		if err != nil && !retryableError(err) {
			if attempt == 1 {
				return nil, last
			}
			return nil, giveUp("the last error cannot heal by waiting", nil)
		}
		if c.maxRetries != nil && attempt > *c.maxRetries {
			return nil, giveUp(fmt.Sprintf("max_retries is %d", *c.maxRetries), nil)
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, giveUp(fmt.Sprintf("retry_timeout of %s spent", readable(c.retryTimeout)), nil)
		}
		wait := backoff(c.waitMin, c.waitMax, attempt)
		if d, ok := retryAfter(asked, time.Now()); ok {
			if d > remaining {
				return nil, giveUp(fmt.Sprintf("the service asked to retry after %s, more than the %s left of retry_timeout", readable(d), readable(remaining)), nil)
			}
			wait = d
		}
		wait = min(wait, remaining)
		c.logf(ctx, LevelWarn, "aos API request failed; retrying", map[string]any{"method": method, "url": u, "attempt": attempt,
			"error": last.Error(), "wait": readable(wait), "elapsed": readable(time.Since(start)), "budget_left": readable(remaining)})
		if err := sleep(ctx, wait); err != nil {
			return nil, giveUp("", err)
		}
	}
}

// attempt makes one HTTP exchange: the token (cached, or fetched with
// ctx), then the request. sent reports whether the request itself went
// out, which is when the service may have acted on it.
func (c *Client) attempt(ctx context.Context, method, u string, payload []byte, hdr http.Header) (a *answer, tok *oauth2.Token, sent bool, err error) {
	tok, err = c.tokens.token(ctx)
	if err != nil {
		return nil, nil, false, tokenError(err)
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, tok, false, err
	}
	req.Header = hdr.Clone()
	tok.SetAuthHeader(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, tok, true, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, tok, true, fmt.Errorf("%s %s: reading the answer: %w", method, u, err)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, data: data}, tok, true, nil
}

// tokenError takes the typed error out of oauth2's and net/http's
// wrapping, so the user reads what to fix first.
func tokenError(err error) error {
	var ce *CredentialsError
	var tre *TokenRefusedError
	var nae *NotAOSError
	var sce *SchemeError
	var se *statusError
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &sce):
		return sce
	case errors.As(err, &tre):
		return tre
	case errors.As(err, &nae):
		return nae
	case errors.As(err, &se):
		return se
	case strings.Contains(err.Error(), "missing access_token"):
		// A JSON 200 without a token: some other JSON API.
		return &NotAOSError{URL: "the token URL", Status: http.StatusOK, ContentType: "application/json"}
	}
	return fmt.Errorf("getting an access token: %w", err)
}

func (c *Client) logf(ctx context.Context, level LogLevel, msg string, fields map[string]any) {
	if c.log != nil {
		c.log(ctx, level, msg, fields)
	}
}

func decodeAPIError(a *answer) error {
	var body struct {
		TraceID string        `json:"traceId"`
		Error   *domain.Error `json:"error"`
	}
	e := &APIError{StatusCode: a.status, TraceID: a.header.Get("X-Trace-Id")}
	if json.Unmarshal(a.data, &body) == nil && body.Error != nil {
		e.Code, e.Message, e.Details, e.Related = body.Error.Code, body.Error.Message, body.Error.Details, body.Error.Related
		if body.TraceID != "" {
			e.TraceID = body.TraceID
		}
	} else {
		e.Message = snippet(a.data)
		if e.Message == "" {
			e.Message = http.StatusText(a.status)
		}
	}
	return e
}

// list fetches every page of a list, following nextLink.
func list[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	var all []T
	next := path
	if len(q) > 0 {
		next += "?" + q.Encode()
	}
	for next != "" {
		var page domain.List[T]
		p, rawq, _ := strings.Cut(next, "?")
		query, err := url.ParseQuery(rawq)
		if err != nil {
			return nil, fmt.Errorf("nextLink %q: %w", next, err)
		}
		if _, err := c.do(ctx, http.MethodGet, p, nil, &page, func(o *requestOpts) { o.query = query }); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		next = page.NextLink
		if strings.HasPrefix(next, "http://") || strings.HasPrefix(next, "https://") {
			u, err := url.Parse(next)
			if err != nil {
				return nil, err
			}
			next = u.RequestURI()
		}
	}
	return all, nil
}
