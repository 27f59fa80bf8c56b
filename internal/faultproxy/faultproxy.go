// Package faultproxy is a reverse proxy on loopback that puts the faults of
// a real network and a busy server between a client under test and aosd:
// added latency, connections reset before or after the server committed a
// request, replies lost after the server committed, and 429 or 503 answers
// with Retry-After in either of its forms.
//
// Faults are chosen per request by rules (method, path pattern and which of
// the matching requests), so a test can say "lose the reply of the first
// create of an app profile" and nothing else. The proxy records every
// request and every fault it injected, so a test can prove that the faults
// it relies on really happened: a fault test whose fault never fired passes
// whatever the code does.
package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does to a request a rule selects.
type Fault int

const (
	// Forward passes the request through; with Rule.Delay it is latency.
	Forward Fault = iota
	// ResetBeforeForward reads the request and resets the connection (TCP
	// RST) without forwarding it: the server never sees it.
	ResetBeforeForward
	// ResetAfterCommit forwards the request, reads the server's complete
	// answer, then resets the connection instead of answering.
	ResetAfterCommit
	// DropReply forwards the request, reads the server's complete answer,
	// then closes the connection without answering: the lost reply. The
	// server committed; the client cannot know.
	DropReply
	// TruncateReply forwards the request, reads the server's complete
	// answer, sends the client only its status line and closes the
	// connection: a reply cut in the middle. Unlike DropReply, Go's
	// transport never replays such a request on its own (it replays a
	// request with an Idempotency-Key when a reused connection closes
	// before the first byte of the answer), so the caller's own retry
	// logic has to deal with it.
	TruncateReply
	// TooManyRequests answers 429 with Retry-After without forwarding.
	TooManyRequests
	// Unavailable answers 503 with Retry-After without forwarding.
	Unavailable
)

var faultNames = map[Fault]string{
	Forward:            "forward",
	ResetBeforeForward: "reset before forwarding",
	ResetAfterCommit:   "reset after commit",
	DropReply:          "reply dropped after commit",
	TruncateReply:      "reply cut after its status line, after commit",
	TooManyRequests:    "429",
	Unavailable:        "503",
}

func (f Fault) String() string {
	if s, ok := faultNames[f]; ok {
		return s
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// committed reports whether the fault lets the server process the request.
func (f Fault) committed() bool {
	return f == Forward || f == ResetAfterCommit || f == DropReply || f == TruncateReply
}

// Rule selects requests and says what to do with them.
type Rule struct {
	// Method matches the request method; empty matches any.
	Method string
	// Path is a path.Match pattern on the URL path: "/v1/tenants" or
	// "/v1/tenants/*" (a star does not cross a slash).
	Path string
	// Nth selects the nth request this rule matches (1 is the first); 0
	// selects every matching request.
	Nth int
	// Fault is applied to a selected request.
	Fault Fault
	// Delay is added before the fault, for latency.
	Delay time.Duration
	// RetryAfter is the wait a 429 or 503 asks for: in whole seconds
	// (rounded up), or as an HTTP date when RetryAfterDate is set. The
	// date has a resolution of one second, so the proxy rounds it up to
	// ask for at least RetryAfter.
	RetryAfter     time.Duration
	RetryAfterDate bool
	// OnFire, when set, runs when the rule fires: for the faults that
	// forward, after the server answered and before the client gets
	// anything (so it can, for example, stop the server between its
	// commit and the reply); for the others, before the fault is applied.
	// It runs on the request's goroutine, outside the proxy's lock.
	OnFire func(Event)
}

func (r Rule) String() string {
	m := r.Method
	if m == "" {
		m = "*"
	}
	s := fmt.Sprintf("%s %s", m, r.Path)
	if r.Nth > 0 {
		s += fmt.Sprintf(" #%d", r.Nth)
	} else {
		s += " (every)"
	}
	s += ": " + r.Fault.String()
	if r.Delay > 0 {
		s += fmt.Sprintf(" after %s", r.Delay)
	}
	if r.Fault == TooManyRequests || r.Fault == Unavailable {
		form := "seconds"
		if r.RetryAfterDate {
			form = "HTTP date"
		}
		s += fmt.Sprintf(" (Retry-After %s as %s)", r.RetryAfter, form)
	}
	return s
}

func (r Rule) matches(req *http.Request) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, req.Method) {
		return false
	}
	ok, err := path.Match(r.Path, req.URL.Path)
	return err == nil && ok
}

// Event is one fault the proxy injected.
type Event struct {
	// Rule is the index of the rule in the last SetRules call.
	Rule int
	// Match is which of the rule's matching requests this was (1-based).
	Match  int
	Fault  Fault
	Method string
	Path   string
	// At is when the request arrived.
	At time.Time
	// Upstream is the status the server answered, for the faults that
	// forward (0 when forwarding failed).
	Upstream int
	// RetryAfter is the Retry-After header of a 429 or 503, and RetryAt
	// the time it told the client to come back.
	RetryAfter string
	RetryAt    time.Time
	// Err is why forwarding failed, if it did.
	Err string
}

func (e Event) String() string {
	s := fmt.Sprintf("%s %s (match %d): %s", e.Method, e.Path, e.Match, e.Fault)
	if e.RetryAfter != "" {
		s += " with Retry-After: " + e.RetryAfter
	}
	if e.Upstream != 0 {
		s += fmt.Sprintf(", server answered %d", e.Upstream)
	}
	if e.Err != "" {
		s += ", " + e.Err
	}
	return s
}

// Request is one request the proxy received, faulted or not.
type Request struct {
	Method string
	Path   string
	At     time.Time
	// Rule is the index of the rule that fired on it, -1 for none.
	Rule int
	// Status is what the client got; 0 when the connection was cut.
	Status int
	// Err is why forwarding failed, if it did (the server was down).
	Err string
	// Header is the request's header without Authorization, so that a
	// test can tell the attempts of one call apart (Idempotency-Key) and
	// the record holds no token.
	Header http.Header
}

// Proxy forwards to one target and injects the faults of its rules.
type Proxy struct {
	target *url.URL
	ln     net.Listener
	srv    *http.Server
	tr     *http.Transport
	done   chan struct{}

	mu       sync.Mutex
	rules    []Rule
	counts   []int
	events   []Event
	requests []Request
}

// Start listens on a free loopback port and forwards to target, a base URL
// such as http://127.0.0.1:8080.
func Start(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: target %q is not an http(s) base URL", target)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: u, ln: ln, done: make(chan struct{}),
		// Its own transport, so idle connections to the target are the
		// proxy's alone and closed with it.
		tr: &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 32, IdleConnTimeout: 30 * time.Second}}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL, to give the client instead of the target's.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops the proxy and cuts the connections it holds.
func (p *Proxy) Close() error {
	select {
	case <-p.done:
		return nil
	default:
		close(p.done)
	}
	err := p.srv.Close()
	p.tr.CloseIdleConnections()
	return err
}

// SetRules replaces the rules and starts a new record: the counts of
// matching requests, the events and the request log begin again.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append([]Rule(nil), rules...)
	p.counts = make([]int, len(rules))
	p.events, p.requests = nil, nil
}

// Events returns the faults injected since the last SetRules.
func (p *Proxy) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// Requests returns every request received since the last SetRules, in the
// order they arrived.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

// Unfired describes each rule that selected nothing since the last
// SetRules: a rule with Nth saw fewer than Nth matching requests, a rule
// without never matched. A test asserts it is empty, so that it cannot pass
// without its faults.
func (p *Proxy) Unfired() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	fired := make([]bool, len(p.rules))
	for _, e := range p.events {
		fired[e.Rule] = true
	}
	var out []string
	for i, r := range p.rules {
		if !fired[i] {
			out = append(out, fmt.Sprintf("%s never fired (%d matching requests)", r, p.counts[i]))
		}
	}
	return out
}

// EarlyRetries describes each 429 or 503 the proxy answered whose next
// request of the same method and path came before the time its
// Retry-After named (less tolerance, for the clocks of two goroutines):
// the client did not honour Retry-After. A 429 or 503 that was never
// retried is not counted here.
func (p *Proxy) EarlyRetries(tolerance time.Duration) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, e := range p.events {
		if e.RetryAt.IsZero() {
			continue
		}
		for _, r := range p.requests {
			if r.Method != e.Method || r.Path != e.Path || !r.At.After(e.At) {
				continue
			}
			if r.At.Before(e.RetryAt.Add(-tolerance)) {
				out = append(out, fmt.Sprintf("%s was retried after %s",
					e, r.At.Sub(e.At).Round(time.Millisecond)))
			}
			break
		}
	}
	return out
}

// pick counts the request against every rule that matches it and returns
// the first rule that selects it (-1 for none) with its match count.
func (p *Proxy) pick(r *http.Request) (int, int, Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	chosen, match := -1, 0
	for i, rule := range p.rules {
		if !rule.matches(r) {
			continue
		}
		p.counts[i]++
		if chosen < 0 && (rule.Nth == 0 || rule.Nth == p.counts[i]) {
			chosen, match = i, p.counts[i]
		}
	}
	if chosen < 0 {
		return -1, 0, Rule{}
	}
	return chosen, match, p.rules[chosen]
}

func (p *Proxy) record(req Request, ev *Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, req)
	if ev != nil {
		p.events = append(p.events, *ev)
	}
}

// retryAfterHeader is the Retry-After value of a 429 or 503 sent at now.
func (r Rule) retryAfterHeader(now time.Time) string {
	if r.RetryAfterDate {
		// An HTTP date has whole seconds: round up so that the client,
		// honouring it, waits at least RetryAfter.
		return now.Add(r.RetryAfter).Add(time.Second - 1).Truncate(time.Second).UTC().Format(http.TimeFormat)
	}
	s := int64((r.RetryAfter + time.Second - 1) / time.Second)
	return strconv.FormatInt(s, 10)
}

// retryAt is when a client honouring the header must come back.
func (r Rule) retryAt(now time.Time, header string) time.Time {
	if r.RetryAfterDate {
		t, err := http.ParseTime(header)
		if err != nil {
			return now
		}
		return t
	}
	s, _ := strconv.Atoi(header)
	return now.Add(time.Duration(s) * time.Second)
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	// The whole body is read first: forwarding needs it, and a connection
	// can only be cut cleanly once the request has been consumed.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		p.record(Request{Method: r.Method, Path: r.URL.Path, At: at, Rule: -1, Err: "reading the request: " + err.Error()}, nil)
		return
	}
	idx, match, rule := p.pick(r)
	h := r.Header.Clone()
	h.Del("Authorization")
	req := Request{Method: r.Method, Path: r.URL.Path, At: at, Rule: idx, Header: h}
	var ev *Event
	if idx >= 0 {
		ev = &Event{Rule: idx, Match: match, Fault: rule.Fault, Method: r.Method, Path: r.URL.Path, At: at}
		if rule.Delay > 0 {
			select {
			case <-time.After(rule.Delay):
			case <-p.done:
			}
		}
	}
	if ev == nil || ev.Fault.committed() {
		resp, err := p.forward(r, body)
		if err != nil {
			// The target is down or cut the connection: the client sees
			// a connection error, as it would without the proxy.
			req.Err = "forwarding: " + err.Error()
			if ev != nil {
				ev.Err = req.Err
				p.fire(rule, *ev)
			}
			p.record(req, ev)
			reset(w)
			return
		}
		if ev != nil {
			ev.Upstream = resp.status
			p.fire(rule, *ev)
			switch ev.Fault {
			case ResetAfterCommit:
				p.record(req, ev)
				reset(w)
				return
			case DropReply:
				p.record(req, ev)
				drop(w)
				return
			case TruncateReply:
				p.record(req, ev)
				truncate(w, resp.status)
				return
			}
		}
		req.Status = resp.status
		p.record(req, ev)
		resp.write(w)
		return
	}
	p.fire(rule, *ev)
	switch ev.Fault {
	case ResetBeforeForward:
		p.record(req, ev)
		reset(w)
	case TooManyRequests, Unavailable:
		status := http.StatusTooManyRequests
		if ev.Fault == Unavailable {
			status = http.StatusServiceUnavailable
		}
		now := time.Now()
		h := rule.retryAfterHeader(now)
		ev.RetryAfter, ev.RetryAt = h, rule.retryAt(now, h)
		req.Status = status
		p.record(req, ev)
		w.Header().Set("Retry-After", h)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"error":{"code":"faultproxy","message":"injected %d, retry after %s"}}`, status, h)
	}
}

func (p *Proxy) fire(rule Rule, ev Event) {
	if rule.OnFire != nil {
		rule.OnFire(ev)
	}
}

// upstream is a complete answer of the target.
type upstream struct {
	status int
	header http.Header
	body   []byte
}

func (u *upstream) write(w http.ResponseWriter) {
	for k, vs := range u.header {
		if hopByHop[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(u.body)))
	w.WriteHeader(u.status)
	_, _ = w.Write(u.body)
}

// hopByHop are the headers of one connection, not of the message (RFC 9110
// section 7.6.1).
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// forward sends the request to the target and reads the whole answer. It
// does not stop when the client goes away: a request that reached a server
// is processed whatever the client does meanwhile, and that is the case
// these tests are about.
func (p *Proxy) forward(r *http.Request, body []byte) (*upstream, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Minute)
	defer cancel()
	u := *p.target
	u.Path = strings.TrimRight(p.target.Path, "/") + r.URL.Path
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		if hopByHop[http.CanonicalHeaderKey(k)] {
			continue
		}
		out.Header[k] = append([]string(nil), vs...)
	}
	out.ContentLength = int64(len(body))
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return &upstream{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// reset cuts the client's connection with a TCP RST: SO_LINGER 0 makes
// close discard unsent data and reset rather than end the stream.
func reset(w http.ResponseWriter) {
	conn := hijack(w)
	if conn == nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// drop ends the client's connection cleanly without an answer.
func drop(w http.ResponseWriter) {
	if conn := hijack(w); conn != nil {
		_ = conn.Close()
	}
}

// truncate sends the status line of an answer and ends the connection.
func truncate(w http.ResponseWriter, status int) {
	if conn := hijack(w); conn != nil {
		_, _ = fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
		_ = conn.Close()
	}
}

func hijack(w http.ResponseWriter) net.Conn {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 cannot be hijacked; the proxy serves HTTP/1.1 only, so
		// this is a programming error. Aborting the handler cuts the
		// stream, which is the closest thing.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		if errors.Is(err, http.ErrHijacked) {
			return nil
		}
		panic(http.ErrAbortHandler)
	}
	return conn
}
