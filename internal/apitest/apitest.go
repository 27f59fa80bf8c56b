// Package apitest plugs the OpenAPI contract check of package api into
// tests: wrap a client's transport or a server's handler, and every HTTP
// exchange that passes through is validated against api/openapi.yaml, a
// mismatch failing the test.
package apitest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/api"
)

var (
	once      sync.Once
	validator *api.Validator
	loadErr   error
)

// Validator returns the shared validator, failing t if the document does
// not load.
func Validator(t testing.TB) *api.Validator {
	t.Helper()
	once.Do(func() { validator, loadErr = api.NewValidator() })
	if loadErr != nil {
		t.Fatalf("apitest: %v", loadErr)
	}
	return validator
}

// reporter forwards validation errors to t until the test ends; later
// reports (from servers still answering after the test returned) are
// dropped, since t may no longer be used then.
func reporter(t testing.TB) func(error) {
	var mu sync.Mutex
	done := false
	t.Cleanup(func() {
		mu.Lock()
		done = true
		mu.Unlock()
	})
	return func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Errorf("OpenAPI contract: %v", err)
		}
	}
}

// Transport wraps next (http.DefaultTransport when nil) so that every
// exchange is validated against the API document; a mismatch is reported
// with t.Errorf and the response is passed through unchanged.
func Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	t.Helper()
	return Validator(t).Transport(next, reporter(t))
}

// Handler wraps a server's handler so that every exchange it serves is
// validated against the API document; a mismatch is reported with
// t.Errorf. Responses are buffered, so streaming handlers and hijacking are
// not supported.
func Handler(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	v := Validator(t)
	report := reporter(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			_ = r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		resp := rec.Result()
		respBody := rec.Body.Bytes()

		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(respBody)

		if err := v.ValidateExchange(r, reqBody, resp, respBody); err != nil {
			report(err)
		}
	})
}
