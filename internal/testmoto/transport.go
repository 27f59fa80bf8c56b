package testmoto

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// RewriteErrors wraps base (http.DefaultTransport when nil) so that moto's
// authentication and authorization errors reach aws-sdk-go-v2 in the shape
// AWS uses.
//
// moto reports AccessDenied, InvalidClientTokenId and SignatureDoesNotMatch
// as <ErrorResponse><Errors><Error>…</Error></Errors></ErrorResponse>. The
// SDK's query-protocol decoder (IAM, STS) expects
// <ErrorResponse><Error>…</Error></ErrorResponse>, so without the rewrite
// every such reply surfaces as a code-less "UnknownError" with status 403 and
// the code under test cannot tell a missing permission from a bad key.
func RewriteErrors(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &errorRewriter{base: base}
}

type errorRewriter struct{ base http.RoundTripper }

func (r *errorRewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("testmoto: read error body: %w", err)
	}
	if bytes.Contains(body, []byte("<Errors><Error>")) {
		body = bytes.Replace(body, []byte("<Errors><Error>"), []byte("<Error>"), 1)
		body = bytes.Replace(body, []byte("</Error></Errors>"), []byte("</Error>"), 1)
		// AWS puts the request id beside the error; the SDK records it for
		// error messages, and an empty one is harmless.
		if !bytes.Contains(body, []byte("<RequestId>")) {
			body = bytes.Replace(body, []byte("</ErrorResponse>"),
				[]byte("<RequestId>"+resp.Header.Get("x-amzn-requestid")+"</RequestId></ErrorResponse>"), 1)
		}
		resp.Header.Set("Content-Type", "text/xml")
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

// Injector is a RoundTripper that answers the first N requests for one
// query-protocol action (IAM or STS, for example "CreateRole") with an error
// of AWS's shape instead of passing them on. moto never throttles and never
// lags, so this is how tests prove that the client retries throttling and
// waits out IAM propagation.
type Injector struct {
	base   http.RoundTripper
	action string
	code   string
	status int

	mu       sync.Mutex
	left     int
	injected int
	seen     int
}

// Throttle wraps base (http.DefaultTransport when nil) and answers the first
// n calls of action with the Throttling error IAM returns when an account
// exceeds its request rate.
func Throttle(base http.RoundTripper, action string, n int) *Injector {
	return InjectError(base, action, n, "Throttling", http.StatusBadRequest)
}

// InjectError wraps base (http.DefaultTransport when nil) and answers the
// first n calls of action with the given error code and HTTP status, for
// example "NoSuchEntity" and 404 to imitate a policy that has not
// propagated yet.
func InjectError(base http.RoundTripper, action string, n int, code string, status int) *Injector {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Injector{base: base, action: action, code: code, status: status, left: n}
}

// Injected is how many error replies the Injector has sent.
func (t *Injector) Injected() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.injected
}

// Calls is how many requests for the action reached the Injector, failed
// or not.
func (t *Injector) Calls() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seen
}

// RoundTrip implements http.RoundTripper.
func (t *Injector) RoundTrip(req *http.Request) (*http.Response, error) {
	action, err := queryAction(req)
	if err != nil {
		return nil, err
	}
	if action != t.action {
		return t.base.RoundTrip(req)
	}
	t.mu.Lock()
	t.seen++
	inject := t.left > 0
	if inject {
		t.left--
		t.injected++
	}
	t.mu.Unlock()
	if !inject {
		return t.base.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	body := `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">` +
		`<Error><Type>Sender</Type><Code>` + t.code + `</Code><Message>injected by testmoto</Message></Error>` +
		`<RequestId>testmoto-injected</RequestId></ErrorResponse>`
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", t.status, http.StatusText(t.status)),
		StatusCode:    t.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/xml"}, "Content-Length": {strconv.Itoa(len(body))}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// queryAction reads the Action parameter of a query-protocol request and
// puts the body back for the next RoundTripper.
func queryAction(req *http.Request) (string, error) {
	if a := req.URL.Query().Get("Action"); a != "" {
		return a, nil
	}
	if req.Body == nil || req.Body == http.NoBody {
		return "", nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return "", fmt.Errorf("testmoto: read request body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	// A body that is not a form is not a query-protocol call. ParseQuery
	// still returns what it could parse, so Get then finds no Action,
	// which is the right answer.
	form, _ := url.ParseQuery(string(body))
	return form.Get("Action"), nil
}
