// Package api holds the contract of the registration API: the OpenAPI 3.0
// document (openapi.yaml, embedded) and a validator that checks real HTTP
// exchanges against it, so tests can prove that the server and its clients
// keep to the document.
package api

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

//go:embed openapi.yaml
var spec []byte

// Spec returns the OpenAPI document as YAML. The slice is a copy.
func Spec() []byte { return bytes.Clone(spec) }

// Load parses the OpenAPI document and validates it. Every call returns a
// fresh document, so callers may modify it.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("api: parsing openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
}

// Validator checks HTTP exchanges against the OpenAPI document. It is safe
// for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	errRef *openapi3.SchemaRef
}

// NewValidator loads the document and builds a validator for it.
func NewValidator() (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("api: building router: %w", err)
	}
	errRef := doc.Components.Schemas["ErrorBody"]
	if errRef == nil || errRef.Value == nil {
		return nil, errors.New("api: openapi.yaml has no ErrorBody schema")
	}
	return &Validator{
		doc:    doc,
		router: router,
		errRef: errRef,
		opts: &openapi3filter.Options{
			// The response status must be one the document lists.
			IncludeResponseStatus: true,
			// Never rewrite the request (defaults) while validating it.
			SkipSettingDefaults: true,
			// The server authenticates; the validator only checks that a
			// bearer token is presented where the document asks for one.
			AuthenticationFunc: bearerPresent,
		},
	}, nil
}

// Doc returns the validator's document. Do not modify it.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// bearerPresent accepts any request that carries a bearer token. Scopes are
// not checked: the token is opaque to the validator.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return errors.New("no bearer token in Authorization")
	}
	return nil
}

// ValidateExchange checks one request and the response the server gave to
// it. reqBody and respBody are the complete bodies (nil when empty); the
// Body fields of req and resp are not read.
//
// The rules:
//   - the response must always match the document: a listed status code,
//     the required headers, and a body of the listed media type and schema;
//   - a request that breaks the document (missing token, unknown field,
//     top=0, ...) must be refused with a 4xx status; if the server accepted
//     it, that is reported, since server and document disagree;
//   - a request to a path or method the document does not list must be
//     answered 404 or 405, with an ErrorBody if the body is JSON.
//
// HEAD requests are not validated.
func (v *Validator) ValidateExchange(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	if req == nil || resp == nil {
		return errors.New("api: ValidateExchange needs a request and a response")
	}
	if req.Method == http.MethodHead {
		return nil
	}
	ctx := req.Context()
	vreq := req.Clone(ctx)
	setBody(vreq, reqBody)
	label := fmt.Sprintf("%s %s -> %d", req.Method, req.URL.RequestURI(), resp.StatusCode)

	route, pathParams, err := v.router.FindRoute(vreq)
	if err != nil {
		return v.checkUnrouted(label, err, resp, respBody)
	}

	in := &openapi3filter.RequestValidationInput{
		Request:    vreq,
		PathParams: pathParams,
		Route:      route,
		Options:    v.opts,
	}
	reqErr := openapi3filter.ValidateRequest(ctx, in)

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                v.opts,
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s: response does not match the OpenAPI document: %w", label, err)
	}
	if reqErr != nil && resp.StatusCode < 400 {
		return fmt.Errorf("%s: the server accepted a request that breaks the OpenAPI document: %w", label, reqErr)
	}
	return nil
}

// checkUnrouted handles a request the document has no operation for.
func (v *Validator) checkUnrouted(label string, routeErr error, resp *http.Response, respBody []byte) error {
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s: no operation in the OpenAPI document (%w), yet the status is not 404 or 405", label, routeErr)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" || len(bytes.TrimSpace(respBody)) == 0 {
		return nil
	}
	value, err := decodeJSON(respBody)
	if err != nil {
		return fmt.Errorf("%s: error body is not JSON: %w", label, err)
	}
	if err := v.errRef.Value.VisitJSON(value, openapi3.VisitAsResponse()); err != nil {
		return fmt.Errorf("%s: error body does not match ErrorBody: %w", label, err)
	}
	return nil
}

// Transport returns a RoundTripper that sends every request through next
// (http.DefaultTransport when nil) and validates each exchange with
// ValidateExchange. Failures go to onErr (which must be safe for concurrent
// use); the response is returned unchanged either way. Bodies are read into
// memory, so use it for tests, not for streaming.
func (v *Validator) Transport(next http.RoundTripper, onErr func(error)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if onErr == nil {
		onErr = func(error) {}
	}
	return &transport{v: v, next: next, onErr: onErr}
}

type transport struct {
	v     *Validator
	next  http.RoundTripper
	onErr func(error)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("api: reading request body: %w", err)
		}
		reqBody = b
	}
	sent := req.Clone(req.Context())
	setBody(sent, reqBody)

	resp, err := t.next.RoundTrip(sent)
	if err != nil {
		return resp, err
	}
	respBody, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	// A body that could not be read is not an error of the round trip: the
	// caller sees the same failure it would have seen without this transport,
	// when it reads the body. Such a partial exchange is not validated.
	resp.Body = replayBody(respBody, rerr)
	if rerr == nil {
		if verr := t.v.ValidateExchange(req, reqBody, resp, respBody); verr != nil {
			t.onErr(verr)
		}
	}
	return resp, nil
}

// replayBody returns a body that yields b and then, when err is not nil,
// fails with err.
func replayBody(b []byte, err error) io.ReadCloser {
	if err == nil {
		return io.NopCloser(bytes.NewReader(b))
	}
	return io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{err}))
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// setBody gives r a fresh, re-readable body holding b.
func setBody(r *http.Request, b []byte) {
	if len(b) == 0 {
		r.Body = http.NoBody
		r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		r.ContentLength = 0
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
}

func decodeJSON(b []byte) (any, error) {
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}
