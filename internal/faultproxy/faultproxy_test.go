package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// backend is a target that counts the requests it processed (its
// "commits") and echoes what it got.
type backend struct {
	*httptest.Server
	commits atomic.Int64
}

func startBackend(t *testing.T) *backend {
	t.Helper()
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.commits.Add(1)
		w.Header().Set("ETag", `"7"`)
		w.Header().Set("X-Echo-Header", r.Header.Get("X-Test"))
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, "%s %s?%s %s", r.Method, r.URL.Path, r.URL.RawQuery, body)
	}))
	t.Cleanup(b.Close)
	return b
}

func startProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := Start(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// plainClient neither retries nor reuses connections, so each call is
// exactly one request on its own connection and its error is the proxy's
// doing.
var plainClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

// answer is what the client got: status and headers (the body is read
// and closed by send).
type answer struct {
	StatusCode int
	Header     http.Header
}

func send(t *testing.T, method, url, body string) (answer, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Test", "kept")
	resp, err := plainClient.Do(req)
	if err != nil {
		return answer{}, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header}, string(b), err
}

func TestForwardPassesRequestAndAnswerThrough(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	resp, body, err := send(t, http.MethodPost, p.URL()+"/v1/things?x=1", `{"a":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || body != `POST /v1/things?x=1 {"a":1}` {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("ETag") != `"7"` || resp.Header.Get("X-Echo-Header") != "kept" {
		t.Fatalf("headers not passed through: %v", resp.Header)
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Rule != -1 || reqs[0].Status != http.StatusCreated || reqs[0].Header.Get("X-Test") != "kept" {
		t.Fatalf("request log %+v", reqs)
	}
	if len(p.Events()) != 0 {
		t.Fatalf("events without rules: %v", p.Events())
	}
}

func TestLatencyDelaysTheRequest(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	p.SetRules(Rule{Method: http.MethodPatch, Path: "/v1/things/*", Nth: 1, Fault: Forward, Delay: 300 * time.Millisecond})
	start := time.Now()
	resp, _, err := send(t, http.MethodPatch, p.URL()+"/v1/things/1", "{}")
	if err != nil {
		t.Fatal(err)
	}
	// A lower bound only: a loaded machine makes it longer, never shorter.
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered after %s, want at least the 300ms of latency", d)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status %d", resp.StatusCode)
	}
	if ev := p.Events(); len(ev) != 1 || ev[0].Upstream != http.StatusCreated || ev[0].Fault != Forward {
		t.Fatalf("events %v", ev)
	}
}

func TestResetBeforeForwardNeverReachesTheServer(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	p.SetRules(Rule{Method: http.MethodPost, Path: "/v1/things", Nth: 1, Fault: ResetBeforeForward})
	_, _, err := send(t, http.MethodPost, p.URL()+"/v1/things", "{}")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a connection reset, got %v", err)
	}
	if n := b.commits.Load(); n != 0 {
		t.Fatalf("the server processed %d requests, want none", n)
	}
	// Only the first matching request: the second goes through.
	if resp, _, err := send(t, http.MethodPost, p.URL()+"/v1/things", "{}"); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("second request: %v", err)
	}
	if n := b.commits.Load(); n != 1 {
		t.Fatalf("the server processed %d requests, want 1", n)
	}
}

func TestFaultsAfterCommitReachTheServerButNotTheClient(t *testing.T) {
	for _, tc := range []struct {
		fault Fault
		is    func(error) bool
	}{
		{ResetAfterCommit, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
		// A clean close before any answer is an unexpected EOF to the
		// client.
		{DropReply, func(err error) bool { return errors.Is(err, io.EOF) }},
		{TruncateReply, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			b := startBackend(t)
			p := startProxy(t, b.URL)
			var commitsAtFire atomic.Int64
			commitsAtFire.Store(-1)
			p.SetRules(Rule{Method: http.MethodPost, Path: "/v1/things", Nth: 1, Fault: tc.fault,
				OnFire: func(Event) { commitsAtFire.Store(b.commits.Load()) }})
			_, _, err := send(t, http.MethodPost, p.URL()+"/v1/things", "{}")
			if err == nil || !tc.is(err) {
				t.Fatalf("want the connection cut, got %v", err)
			}
			if n := b.commits.Load(); n != 1 {
				t.Fatalf("the server processed %d requests, want 1", n)
			}
			if n := commitsAtFire.Load(); n != 1 {
				t.Fatalf("OnFire ran with %d commits, want it after the server's answer", n)
			}
			ev := p.Events()
			if len(ev) != 1 || ev[0].Upstream != http.StatusCreated || ev[0].Fault != tc.fault {
				t.Fatalf("events %v", ev)
			}
			if r := p.Requests(); len(r) != 1 || r[0].Status != 0 || r[0].Rule != 0 {
				t.Fatalf("request log %+v", r)
			}
		})
	}
}

func TestRetryAfterInBothForms(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	p.SetRules(
		Rule{Method: http.MethodPost, Path: "/v1/a", Nth: 1, Fault: TooManyRequests, RetryAfter: 1500 * time.Millisecond},
		Rule{Method: http.MethodPost, Path: "/v1/b", Nth: 1, Fault: Unavailable, RetryAfter: 2 * time.Second, RetryAfterDate: true},
	)
	resp, _, err := send(t, http.MethodPost, p.URL()+"/v1/a", "{}")
	if err != nil {
		t.Fatal(err)
	}
	// Whole seconds, rounded up.
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("got %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	sent := time.Now()
	resp, _, err = send(t, http.MethodPost, p.URL()+"/v1/b", "{}")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d", resp.StatusCode)
	}
	date, err := http.ParseTime(resp.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q is not an HTTP date: %v", resp.Header.Get("Retry-After"), err)
	}
	if date.Before(sent.Add(2*time.Second).Truncate(time.Second)) || date.After(time.Now().Add(3*time.Second)) {
		t.Fatalf("Retry-After %s, sent at %s: want 2 to 3 seconds later", date, sent)
	}
	if n := b.commits.Load(); n != 0 {
		t.Fatalf("429 and 503 must not be forwarded; the server processed %d", n)
	}
	for _, e := range p.Events() {
		if e.RetryAt.IsZero() || e.RetryAfter == "" {
			t.Errorf("event %v has no Retry-After recorded", e)
		}
	}
}

func TestEarlyRetries(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	p.SetRules(
		Rule{Method: http.MethodPost, Path: "/v1/early", Nth: 1, Fault: Unavailable, RetryAfter: time.Hour},
		Rule{Method: http.MethodPost, Path: "/v1/ontime", Nth: 1, Fault: TooManyRequests, RetryAfter: 0},
	)
	for _, path := range []string{"/v1/early", "/v1/early", "/v1/ontime", "/v1/ontime"} {
		if _, _, err := send(t, http.MethodPost, p.URL()+path, "{}"); err != nil {
			t.Fatal(err)
		}
	}
	got := p.EarlyRetries(0)
	if len(got) != 1 || !strings.Contains(got[0], "/v1/early") || !strings.Contains(got[0], "Retry-After: 3600") {
		t.Fatalf("EarlyRetries = %q, want only the hour-long 503 of /v1/early", got)
	}
}

func TestUnfiredNamesRulesThatSelectedNothing(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	p.SetRules(
		Rule{Method: http.MethodPost, Path: "/v1/things", Nth: 2, Fault: DropReply},
		Rule{Method: http.MethodDelete, Path: "/v1/things/*", Fault: ResetBeforeForward},
		Rule{Method: http.MethodPost, Path: "/v1/things", Nth: 1, Fault: Forward},
	)
	if _, _, err := send(t, http.MethodPost, p.URL()+"/v1/things", "{}"); err != nil {
		t.Fatal(err)
	}
	// GET and another path match no rule.
	if _, _, err := send(t, http.MethodGet, p.URL()+"/v1/things", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := send(t, http.MethodPost, p.URL()+"/v1/things/1/sub", "{}"); err != nil {
		t.Fatal(err)
	}
	got := p.Unfired()
	if len(got) != 2 || !strings.Contains(got[0], "POST /v1/things #2: reply dropped after commit never fired (1 matching requests)") ||
		!strings.Contains(got[1], "DELETE /v1/things/* (every)") {
		t.Fatalf("Unfired = %q", got)
	}
	// SetRules starts a new record.
	p.SetRules()
	if len(p.Unfired()) != 0 || len(p.Requests()) != 0 || len(p.Events()) != 0 {
		t.Fatal("SetRules kept the old record")
	}
}

func TestTargetDownLooksLikeAConnectionError(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	b.Close()
	_, _, err := send(t, http.MethodPost, p.URL()+"/v1/things", "{}")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a connection reset while the target is down, got %v", err)
	}
	r := p.Requests()
	if len(r) != 1 || !strings.Contains(r[0].Err, "forwarding") {
		t.Fatalf("request log %+v", r)
	}
}

// TestNthFiresOnceUnderConcurrency sends many requests at once: the rule
// for the fifth fires exactly once, and the log holds every request (run
// with -race).
func TestNthFiresOnceUnderConcurrency(t *testing.T) {
	b := startBackend(t)
	p := startProxy(t, b.URL)
	p.SetRules(Rule{Method: http.MethodPost, Path: "/v1/things", Nth: 5, Fault: ResetBeforeForward})
	const n = 40
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := send(t, http.MethodPost, p.URL()+"/v1/things", strconv.Itoa(i)); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 1 || b.commits.Load() != n-1 {
		t.Fatalf("%d requests failed and %d reached the server, want 1 and %d", failed.Load(), b.commits.Load(), n-1)
	}
	if ev := p.Events(); len(ev) != 1 || ev[0].Match != 5 {
		t.Fatalf("events %v", ev)
	}
	if len(p.Requests()) != n {
		t.Fatalf("logged %d requests, want %d", len(p.Requests()), n)
	}
}

func TestStartRefusesABadTarget(t *testing.T) {
	if _, err := Start("127.0.0.1:80"); err == nil {
		t.Fatal("want an error for a target without scheme")
	}
}

// TestGoReplaysOnlyAReplyLostBeforeItsFirstByte pins why TruncateReply
// exists: on a reused connection, Go's transport itself sends a request
// with an Idempotency-Key again when the connection closes before the
// answer begins (DropReply), so the caller never sees that loss; a reply
// cut after its first bytes reaches the caller as an error.
func TestGoReplaysOnlyAReplyLostBeforeItsFirstByte(t *testing.T) {
	for _, tc := range []struct {
		fault        Fault
		wantErr      bool
		wantCommits  int64
		wantRequests int
	}{
		// The first GET counts in both.
		{DropReply, false, 3, 3},
		{TruncateReply, true, 2, 2},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			b := startBackend(t)
			p := startProxy(t, b.URL)
			p.SetRules(Rule{Method: http.MethodPost, Path: "/v1/things", Nth: 1, Fault: tc.fault})
			c := &http.Client{Transport: &http.Transport{}}
			do := func(method string) error {
				req, err := http.NewRequestWithContext(t.Context(), method, p.URL()+"/v1/things", strings.NewReader("{}"))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Idempotency-Key", "k1")
				resp, err := c.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
				return err
			}
			// A first request leaves a connection to reuse.
			if err := do(http.MethodGet); err != nil {
				t.Fatal(err)
			}
			err := do(http.MethodPost)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want an error: %t", err, tc.wantErr)
			}
			if n := b.commits.Load(); n != tc.wantCommits {
				t.Fatalf("the server processed %d requests, want %d", n, tc.wantCommits)
			}
			if n := len(p.Requests()); n != tc.wantRequests {
				t.Fatalf("the proxy saw %d requests, want %d", n, tc.wantRequests)
			}
		})
	}
}
