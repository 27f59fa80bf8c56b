package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// fake is an httptest server that issues tokens like aosd and answers the
// API with api. It records every request.
type fake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	seen   []string // "METHOD /path" in arrival order
	times  []time.Time
	tokens atomic.Int32
}

func newFake(t *testing.T, api http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen = append(f.seen, r.Method+" "+r.URL.Path)
		f.times = append(f.times, time.Now())
		f.mu.Unlock()
		if r.URL.Path == "/connect/token" {
			f.tokens.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprint(w, `{"access_token":"tok-SECRET-TOKEN","token_type":"Bearer","expires_in":3600}`)
			return
		}
		api(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// gets counts the GETs of the partner app profile p1, the object these
// tests read.
func (f *fake) gets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.seen {
		if s == "GET /v1/partner-app-profiles/p1" {
			n++
		}
	}
	return n
}

func (f *fake) client(t *testing.T, tweak ...func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{Endpoint: f.srv.URL, ClientID: "aos-test", ClientSecret: "s3cr3t-value",
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond}
	for _, tw := range tweak {
		tw(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeErr(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"traceId":"t1","statusCode":%d,"error":{"code":%q,"message":"m"}}`, status, code)
}

// TestRetriedStatuses: 408, 429 and 5xx but 501 are retried; other 4xx are
// final at once.
func TestRetriedStatuses(t *testing.T) {
	for status, retried := range map[int]bool{500: true, 502: true, 503: true, 504: true, 408: true, 429: true,
		400: false, 403: false, 404: false, 409: false, 412: false, 422: false, 501: false} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var n atomic.Int32
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					writeErr(w, status, "X")
					return
				}
				_, _ = fmt.Fprint(w, `{"id":"p1","name":"n"}`)
			})
			_, _, err := f.client(t).GetPartnerAppProfile(ctxb, "p1")
			if got := f.gets(); retried && (err != nil || got != 2) || !retried && (err == nil || got != 1) {
				t.Fatalf("HTTP %d: %d requests, error %v; retried should be %v", status, got, err, retried)
			}
		})
	}
}

// TestOutageLongerThanFourRetries: a service that fails for longer than
// the old four retries (here ten answers in a row) is waited for within the
// time budget.
func TestOutageLongerThanFourRetries(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 10 {
			writeErr(w, http.StatusServiceUnavailable, "Unavailable")
			return
		}
		_, _ = fmt.Fprint(w, `{"id":"p1","name":"n"}`)
	})
	if _, _, err := f.client(t).GetPartnerAppProfile(ctxb, "p1"); err != nil {
		t.Fatalf("after ten 503s: %v", err)
	}
	if got := f.gets(); got != 11 {
		t.Fatalf("%d requests, want 11", got)
	}
}

// TestGiveUpSaysAttemptsAndTime: when the budget is spent, the error counts
// the attempts, says how long they took, and keeps the last answer.
func TestGiveUpSaysAttemptsAndTime(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { writeErr(w, http.StatusBadGateway, "BadGateway") })
	c := f.client(t, func(cfg *client.Config) { cfg.RetryTimeout = ptr(300 * time.Millisecond) })
	_, _, err := c.GetPartnerAppProfile(ctxb, "p1")
	var re *client.RetryError
	var ae *client.APIError
	if !errors.As(err, &re) || !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway {
		t.Fatalf("%v: want a *client.RetryError around the last *client.APIError", err)
	}
	got := f.gets()
	if re.Attempts != got || got <= 5 {
		t.Fatalf("%d attempts reported, %d made; with waits of at most 20ms a 300ms budget allows more than 5", re.Attempts, got)
	}
	want := fmt.Sprintf("gave up after %d attempts over ", got)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "retry_timeout of 300ms spent") || !strings.Contains(err.Error(), "HTTP 502") {
		t.Fatalf("error %q", err)
	}
	if re.Elapsed < 300*time.Millisecond {
		t.Fatalf("gave up after %s, before the budget of 300ms", re.Elapsed)
	}
}

// TestRetryAfterBothForms: Retry-After as seconds and as an HTTP-date is
// waited for (the backoff alone would wait at most 20ms), and one beyond
// the budget ends the retries at once with the reason.
func TestRetryAfterBothForms(t *testing.T) {
	for name, value := range map[string]func() string{
		"seconds":   func() string { return "1" },
		"http-date": func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) },
	} {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", value())
					writeErr(w, http.StatusTooManyRequests, domain.CodeRateLimited)
					return
				}
				_, _ = fmt.Fprint(w, `{"id":"p1","name":"n"}`)
			})
			if _, _, err := f.client(t).GetPartnerAppProfile(ctxb, "p1"); err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			gap := f.times[len(f.times)-1].Sub(f.times[len(f.times)-2])
			f.mu.Unlock()
			// An HTTP-date has whole seconds: 2s ahead is at least 1s.
			if gap < 900*time.Millisecond {
				t.Fatalf("retried after %s, before the Retry-After of %s", gap, name)
			}
		})
	}
	for name, value := range map[string]string{
		"seconds beyond the budget":   "3600",
		"http-date beyond the budget": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", value)
				writeErr(w, http.StatusServiceUnavailable, "Unavailable")
			})
			_, _, err := f.client(t).GetPartnerAppProfile(ctxb, "p1")
			if err == nil || !strings.Contains(err.Error(), "the service asked to retry after 1h0m0s") && !strings.Contains(err.Error(), "the service asked to retry after 59m59s") {
				t.Fatalf("%v", err)
			}
			if n := f.gets(); n != 1 {
				t.Fatalf("%d requests; a Retry-After beyond the budget must end the retries", n)
			}
		})
	}
}

// TestNotRetried: errors that waiting cannot heal end the request after
// one attempt.
func TestNotRetried(t *testing.T) {
	var conns atomic.Int32
	plain := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	plain.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	plain.Start()
	t.Cleanup(plain.Close)
	var tlsConns atomic.Int32
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	untrusted.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			tlsConns.Add(1)
		}
	}
	untrusted.Config.ErrorLog = nil
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)
	for _, tc := range []struct {
		name, endpoint, want string
		conns                *atomic.Int32
	}{
		{"https endpoint answering plain HTTP", "https://" + plain.Listener.Addr().String(), "server gave HTTP response to HTTPS client", &conns},
		{"untrusted certificate", untrusted.URL, "certificate", &tlsConns},
		{"unknown host", "http://aos.nonexistent.invalid", "no such host", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(client.Config{Endpoint: tc.endpoint, ClientID: "a", ClientSecret: "b",
				RetryTimeout: ptr(20 * time.Second), RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			before := int32(0)
			if tc.conns != nil {
				before = tc.conns.Load()
			}
			_, err = c.ListTenants(ctxb, client.Filter{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
			var re *client.RetryError
			if errors.As(err, &re) {
				t.Fatalf("retried: %v", err)
			}
			if tc.conns != nil {
				if n := tc.conns.Load() - before; n != 1 {
					t.Fatalf("%d connections, want 1", n)
				}
			}
		})
	}
}

// TestTokenURLNotAOS: an endpoint whose token URL answers 404, or a web
// page, is reported as not an aosd, naming endpoint, without retries.
func TestTokenURLNotAOS(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"404": func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"html page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprint(w, "<html><body>Welcome to the console</body></html>")
		},
		// What python3 -m http.server answers a POST: it serves files and
		// will never take one, so two minutes of retries were wasted.
		"501 static file server": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(http.StatusNotImplemented)
			_, _ = fmt.Fprint(w, "<html><body><h1>Error response</h1><p>Error code: 501</p><p>Message: Unsupported method ('POST').</p></body></html>")
		},
	} {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }))
			t.Cleanup(srv.Close)
			c, err := client.New(client.Config{Endpoint: srv.URL, ClientID: "a", ClientSecret: "b",
				RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListTenants(ctxb, client.Filter{})
			var nae *client.NotAOSError
			if !errors.As(err, &nae) || !strings.Contains(err.Error(), "does not look like an aosd") || !strings.Contains(err.Error(), "AOS_ENDPOINT") {
				t.Fatalf("%v", err)
			}
			if n.Load() != 1 {
				t.Fatalf("%d requests, want 1", n.Load())
			}
		})
	}
}

// TestHTTPEndpointOfAnHTTPSServer: an http:// endpoint whose server takes
// only HTTPS (Go's TLS server answers such a request with a 400) names the
// scheme to change, at once, instead of "does not look like an aosd".
func TestHTTPEndpointOfAnHTTPSServer(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { n.Add(1) }))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{Endpoint: strings.Replace(srv.URL, "https://", "http://", 1), ClientID: "a", ClientSecret: "b",
		RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTenants(ctxb, client.Filter{})
	var sce *client.SchemeError
	if !errors.As(err, &sce) || !strings.Contains(err.Error(), "must begin with https://") {
		t.Fatalf("%v", err)
	}
	var re *client.RetryError
	if errors.As(err, &re) {
		t.Fatalf("retried: %v", err)
	}
	if n.Load() != 0 {
		t.Fatalf("the handler ran %d times", n.Load())
	}
}

// TestTokenFetchFollowsTheRequestContext: a token endpoint that does not
// answer is abandoned when the request's context ends (Ctrl-C), not after
// the attempt's own time limit.
func TestTokenFetchFollowsTheRequestContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, err := client.New(client.Config{Endpoint: srv.URL, ClientID: "a", ClientSecret: "b", RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctxb)
	time.AfterFunc(200*time.Millisecond, cancel)
	t0 := time.Now()
	_, err = c.ListTenants(ctx, client.Filter{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled after 1 attempt") {
		t.Fatalf("%v, want a cancellation", err)
	}
	if d := time.Since(t0); d > 20*time.Second {
		t.Fatalf("returned %s after the cancel", d)
	}
}

// TestCancelWhileRetrying: Ctrl-C during the retries ends them and says so.
func TestCancelWhileRetrying(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusServiceUnavailable, "Unavailable")
	})
	ctx, cancel := context.WithCancel(ctxb)
	time.AfterFunc(200*time.Millisecond, cancel)
	_, _, err := f.client(t).GetPartnerAppProfile(ctx, "p1")
	var ae *client.APIError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || !strings.Contains(err.Error(), "cancelled after") {
		t.Fatalf("%v", err)
	}
}

// TestLogLinesUseTheRequestContext: every log line gets the context of the
// request it belongs to, durations read as durations, and no secret or
// token appears.
func TestLogLinesUseTheRequestContext(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeErr(w, http.StatusServiceUnavailable, "Unavailable")
			return
		}
		_, _ = fmt.Fprint(w, `{"id":"p1","name":"n"}`)
	})
	type key struct{}
	var mu sync.Mutex
	var lines []string
	c := f.client(t, func(cfg *client.Config) {
		cfg.Logger = func(ctx context.Context, level client.LogLevel, msg string, fields map[string]any) {
			b, _ := json.Marshal(fields)
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, fmt.Sprintf("%v %s %s", ctx.Value(key{}), msg, b))
		}
	})
	if _, _, err := c.GetPartnerAppProfile(context.WithValue(ctxb, key{}, "read-p1"), "p1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) < 3 {
		t.Fatalf("%d log lines, want the two attempts and the retry:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	all := strings.Join(lines, "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "read-p1 ") {
			t.Errorf("logged without the request's context: %s", l)
		}
	}
	if !strings.Contains(all, `"wait":"`) || !strings.Contains(all, `"duration":"`) {
		t.Errorf("no readable wait or duration:\n%s", all)
	}
	for _, secret := range []string{"s3cr3t-value", "SECRET-TOKEN", "Bearer"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log holds %q:\n%s", secret, all)
		}
	}
}

// TestRefusedTokenIsReplacedOnce: a 401 to a cached token fetches a new
// token and repeats the call once.
func TestRefusedTokenIsReplacedOnce(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 {
			writeErr(w, http.StatusUnauthorized, domain.CodeUnauthorized)
			return
		}
		_, _ = fmt.Fprint(w, `{"id":"p1","name":"n"}`)
	})
	c := f.client(t)
	for range 2 {
		if _, _, err := c.GetPartnerAppProfile(ctxb, "p1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.tokens.Load(); got != 2 {
		t.Fatalf("%d token requests, want 2 (the first, and one after the 401)", got)
	}
}

// TestLostUpdateReply: a conditional PATCH whose answer was lost after the
// service applied it is retried, meets 412, and is recognised as applied:
// the update succeeds with the object's new ETag. A write by somebody else
// in between is still reported as the conflict it is.
func TestLostUpdateReply(t *testing.T) {
	cnt, c := start(t, aosdtest.Options{})
	pp, resp, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("before")})
	if err != nil {
		t.Fatal(err)
	}
	cnt.lose = func(r *http.Request) bool { return r.Method == http.MethodPatch }
	got, gr, err := c.UpdatePartnerAppProfile(ctxb, pp.ID, domain.PartnerAppProfileWrite{Name: ptr("after")}, client.IfMatch(resp.ETag))
	if err != nil {
		t.Fatalf("update whose answer was lost: %v", err)
	}
	if got.Name != "after" || gr.ETag == "" || gr.ETag == resp.ETag {
		t.Fatalf("answer %+v, ETag %q (before %q)", got, gr.ETag, resp.ETag)
	}
	if n := len(cnt.matching(http.MethodPatch, "/v1/partner-app-profiles/")); n != 2 {
		t.Fatalf("%d PATCHes, want the lost one and its retry", n)
	}

	// Somebody renames it (a write without If-Match) between the lost
	// attempt and the retry: two writes since Terraform's ETag, so it is a
	// real conflict.
	cnt.lose = func(r *http.Request) bool { return r.Method == http.MethodPatch }
	cnt.afterLoss = func() {
		if _, _, err := c.UpdatePartnerAppProfile(ctxb, pp.ID, domain.PartnerAppProfileWrite{Name: ptr("console")}); err != nil {
			t.Error(err)
		}
	}
	_, _, err = c.UpdatePartnerAppProfile(ctxb, pp.ID, domain.PartnerAppProfileWrite{Name: ptr("terraform")}, client.IfMatch(gr.ETag))
	if !errors.Is(err, client.ErrPreconditionFailed) {
		t.Fatalf("update that met another writer: %v, want 412", err)
	}
}

// TestLostDeleteReply: a DELETE whose answer was lost is retried, finds the
// object gone, and succeeds.
func TestLostDeleteReply(t *testing.T) {
	cnt, c := start(t, aosdtest.Options{})
	pp, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("to delete")})
	if err != nil {
		t.Fatal(err)
	}
	cnt.lose = func(r *http.Request) bool { return r.Method == http.MethodDelete }
	if err := c.DeletePartnerAppProfile(ctxb, pp.ID); err != nil {
		t.Fatalf("delete whose answer was lost: %v", err)
	}
	if n := len(cnt.matching(http.MethodDelete, "/v1/partner-app-profiles/")); n != 2 {
		t.Fatalf("%d DELETEs, want the lost one and its retry", n)
	}
	// Without a lost attempt, a 404 is still a 404.
	if err := c.DeletePartnerAppProfile(ctxb, pp.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// TestLostActionReply: an action (re-authorize) with If-Match whose answer
// was lost is retried with the same Idempotency-Key, which the service
// answers with the first outcome instead of a 412.
func TestLostActionReply(t *testing.T) {
	cnt, c := start(t, aosdtest.Options{})
	pp, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("to reauthorize")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DevConsent(ctxb, pp.ID, "admin@contoso.onmicrosoft.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.DevExpireAuthorization(ctxb, pp.ID); err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.GetPartnerAppProfile(ctxb, pp.ID)
	if err != nil {
		t.Fatal(err)
	}
	cnt.lose = func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/reauthorize") }
	got, _, err := c.ReauthorizePartnerAppProfile(ctxb, pp.ID, client.IfMatch(resp.ETag))
	if err != nil {
		t.Fatalf("re-authorize whose answer was lost: %v", err)
	}
	if got.Status != domain.StatusPendingConsent {
		t.Fatalf("status %q after re-authorize", got.Status)
	}
	if n := len(cnt.matching(http.MethodPost, "/v1/partner-app-profiles/"+pp.ID+"/reauthorize")); n != 2 {
		t.Fatalf("%d re-authorize requests, want 2", n)
	}
}

// TestLostUpdateReplyWriteOnly: an update that sends a secret is taken as
// applied only when the caller names the version counter the secret's
// write raises (client.WriteOnly) and the counter rose.
func TestLostUpdateReplyWriteOnly(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []client.RequestOption
		versionNow int
		applied    bool
	}{
		{"no expectation", nil, 4, false},
		{"version raised", []client.RequestOption{client.WriteOnly("password", "secretVersion", 3)}, 4, true},
		{"version not raised", []client.RequestOption{client.WriteOnly("password", "secretVersion", 3)}, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var patches atomic.Int32
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				switch r.Method {
				case http.MethodPatch:
					if patches.Add(1) == 1 {
						// Applied, answer lost on the way.
						writeErr(w, http.StatusBadGateway, "BadGateway")
						return
					}
					writeErr(w, http.StatusPreconditionFailed, domain.CodePreconditionFailed)
				case http.MethodGet:
					w.Header().Set("ETag", `"8"`)
					_, _ = fmt.Fprintf(w, `{"id":"s1","name":"svc","description":"","secretVersion":%d,"secretFingerprint":"f"}`, tc.versionNow)
				}
			})
			opts := append([]client.RequestOption{client.IfMatch(`"7"`)}, tc.opts...)
			got, resp, err := f.client(t).UpdateServiceAccount(ctxb, "s1", domain.ServiceAccountWrite{Name: ptr("svc"), Description: ptr(""), Password: ptr("N3w-passw0rd")}, opts...)
			if tc.applied {
				if err != nil || got.SecretVersion != 4 || resp.ETag != `"8"` {
					t.Fatalf("%+v %+v %v", got, resp, err)
				}
				return
			}
			if !errors.Is(err, client.ErrPreconditionFailed) {
				t.Fatalf("%v, want the 412", err)
			}
		})
	}
}
