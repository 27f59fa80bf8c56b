package server_test

import (
	"net/http"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// TestMethodsAndUnknownRoutes: a method a path does not take is a 405 with
// Allow, and a path no route has a 404, both in the API's error shape
// (ServeMux itself answers in plain text, and under /v1 answered a wrong
// method with 404 as if the path did not exist).
func TestMethodsAndUnknownRoutes(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
	cases := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"PUT", "/v1/tenants", 405, domain.CodeMethodNotAllowed, "GET, HEAD, POST"},
		{"DELETE", "/v1/tenants", 405, domain.CodeMethodNotAllowed, "GET, HEAD, POST"},
		{"POST", "/v1/tenants/some-id", 405, domain.CodeMethodNotAllowed, "DELETE, GET, HEAD, PATCH"},
		{"GET", "/v1/tenants/some-id/reconnect", 405, domain.CodeMethodNotAllowed, "POST"},
		{"OPTIONS", "/v1/connections", 405, domain.CodeMethodNotAllowed, "GET, HEAD, POST"},
		{"GET", "/connect/token", 405, domain.CodeMethodNotAllowed, "POST"},
		{"POST", "/healthz", 405, domain.CodeMethodNotAllowed, "GET, HEAD"},
		{"PUT", "/dev/v1/consent", 405, domain.CodeMethodNotAllowed, "POST"},
		{"GET", "/v1/nothing", 404, domain.CodeNotFound, ""},
		{"GET", "/v1/tenants/", 404, domain.CodeNotFound, ""},
		{"GET", "/dev/v1/nothing", 404, domain.CodeNotFound, ""},
		{"GET", "/nothing", 404, domain.CodeNotFound, ""},
		{"GET", "/", 404, domain.CodeNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := doRaw(t, http.DefaultClient, e.in.Endpoint, tc.method, tc.path, tok, nil)
			if r.status != tc.status || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("HTTP %d %s: %s", r.status, r.header.Get("Content-Type"), r.body)
			}
			if eb := r.errorBody(t); eb.Error.Code != tc.code || eb.StatusCode != tc.status || eb.TraceID == "" {
				t.Fatalf("error body %+v", eb)
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Fatalf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
	// The registered methods still work.
	if r := e.do(t, "GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("GET /healthz: HTTP %d", r.status)
	}
	if r := e.do(t, "HEAD", "/v1/tenants", tok, nil); r.status != 200 {
		t.Fatalf("HEAD /v1/tenants: HTTP %d", r.status)
	}
}
