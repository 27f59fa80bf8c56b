// Package client is a typed client for the registration API served by aosd.
// It knows nothing of Terraform: the provider converts between its models
// and these types.
//
// Requests go through go-retryablehttp (connection errors, 429 and 5xx are
// retried with jittered exponential backoff, honouring Retry-After, bounded
// by the context and MaxRetries) on top of an OAuth2 client-credentials
// token source. Every create carries one Idempotency-Key reused across its
// retries, so a retry after a lost response cannot create a duplicate.
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
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
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
	// MaxRetries bounds retries of one request; nil means the default, 4.
	// A pointer, because 0 (no retries) is a choice of its own.
	MaxRetries *int
	// RequestTimeout bounds one attempt (default 30s).
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 500ms, 30s).
	RetryWaitMin, RetryWaitMax time.Duration
	UserAgent                  string
	// Logger receives retryablehttp's request and retry logs.
	Logger retryablehttp.LeveledLogger
	// Transport is the base transport (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
}

// Client talks to the registration API.
type Client struct {
	base *url.URL
	http *retryablehttp.Client
	ua   string
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
	maxRetries := 4
	if cfg.MaxRetries != nil {
		maxRetries = *cfg.MaxRetries
	}
	if maxRetries < 0 {
		return nil, errors.New("max retries cannot be negative")
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.RetryWaitMin == 0 {
		cfg.RetryWaitMin = 500 * time.Millisecond
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = 30 * time.Second
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
	// Tokens are fetched through a retrying client of their own, so a
	// blip at token time is retried like any other request.
	tokenHTTP := retryablehttp.NewClient()
	tokenHTTP.HTTPClient = &http.Client{Transport: transport, Timeout: cfg.RequestTimeout}
	tokenHTTP.RetryMax = maxRetries
	tokenHTTP.RetryWaitMin, tokenHTTP.RetryWaitMax = cfg.RetryWaitMin, cfg.RetryWaitMax
	tokenHTTP.Backoff = backoff
	tokenHTTP.Logger = cfg.Logger
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		TokenURL: base.String() + "/connect/token", AuthStyle: oauth2.AuthStyleInParams}
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, tokenHTTP.StandardClient())
	ts := oauth2.ReuseTokenSource(nil, cc.TokenSource(tokenCtx))

	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Transport: &oauth2.Transport{Source: ts, Base: transport}, Timeout: cfg.RequestTimeout}
	rc.RetryMax = maxRetries
	rc.RetryWaitMin, rc.RetryWaitMax = cfg.RetryWaitMin, cfg.RetryWaitMax
	rc.Backoff = backoff
	rc.CheckRetry = checkRetry
	rc.Logger = cfg.Logger
	// Give the caller the last response rather than a generic "giving up"
	// error, so the API's own error message reaches the user.
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return &Client{base: base, http: rc, ua: cfg.UserAgent}, nil
}

// checkRetry retries what may succeed later: connection errors, 429 and
// 5xx. A token the service refuses is not retried: the credentials are
// wrong and retrying only delays the error.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return false, nil
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// backoff honours Retry-After on 429 and 503 and otherwise waits
// exponentially longer with full jitter, so many clients retrying at once
// spread out.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			d := time.Duration(s) * time.Second
			if d > maxWait {
				d = maxWait
			}
			return d + time.Duration(mrand.Int64N(int64(100*time.Millisecond)))
		}
	}
	exp := float64(minWait) * math.Pow(2, float64(attempt))
	if exp > float64(maxWait) {
		exp = float64(maxWait)
	}
	return minWait/2 + time.Duration(mrand.Int64N(int64(exp)))
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
	ifMatch string
	query   url.Values
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

// do sends one request and decodes a JSON answer into out (when non-nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any, opts ...RequestOption) (*Response, error) {
	o := &requestOpts{}
	for _, opt := range opts {
		opt(o)
	}
	u := c.base.String() + path
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
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, payload)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	if method == http.MethodPost {
		// Set once on the request, so every retry of this call carries the
		// same key.
		req.Header.Set("Idempotency-Key", newIdempotencyKey())
	}
	if o.ifMatch != "" {
		req.Header.Set("If-Match", o.ifMatch)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading response: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		return nil, decodeAPIError(resp, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("%s %s: decoding response: %w", method, path, err)
		}
	}
	return &Response{ETag: resp.Header.Get("ETag")}, nil
}

// unwrapURLError turns a token refusal into a message about credentials.
func unwrapURLError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := re.ErrorDescription
		if msg == "" {
			msg = strings.TrimSpace(string(re.Body))
		}
		return fmt.Errorf("getting an access token failed (%s): %s: check client_id and client_secret", re.Response.Status, msg)
	}
	return err
}

func decodeAPIError(resp *http.Response, data []byte) error {
	var body struct {
		TraceID string        `json:"traceId"`
		Error   *domain.Error `json:"error"`
	}
	e := &APIError{StatusCode: resp.StatusCode, TraceID: resp.Header.Get("X-Trace-Id")}
	if json.Unmarshal(data, &body) == nil && body.Error != nil {
		e.Code, e.Message, e.Details, e.Related = body.Error.Code, body.Error.Message, body.Error.Details, body.Error.Related
		if body.TraceID != "" {
			e.TraceID = body.TraceID
		}
	} else {
		e.Message = strings.TrimSpace(string(bytes.TrimSpace(data)))
		if e.Message == "" {
			e.Message = resp.Status
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
