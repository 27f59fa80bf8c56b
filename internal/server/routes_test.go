package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/api"
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

// TestDevSignInPageHostileQueries opens the dev sign-in page with links it
// did not make. Each answers an HTML page that says why, with a 4xx, and
// none is an error in the log (anyone can send them).
func TestDevSignInPageHostileQueries(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		method, path, contentType, body string
		status                          int
	}{
		{"GET", "/dev/consent", "", "", 400},
		{"GET", "/dev/consent?state=", "", "", 400},
		{"GET", "/dev/consent?state=%3Cscript%3Ealert(1)%3C/script%3E", "", "", 400},
		{"GET", "/dev/consent?state=v1.e30.AAAA", "", "", 400},
		{"POST", "/dev/consent", form, "login=admin%40contoso.onmicrosoft.com&password=x", 400},
		{"POST", "/dev/consent", form, "state=%zz", 400},
		{"POST", "/dev/consent", form, "state=" + strings.Repeat("a", 70<<10), 413},
		{"POST", "/dev/consent", "application/json", `{"state":"x"}`, 400},
	}
	for _, tc := range cases {
		name := tc.method + " " + tc.path + " " + tc.body
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, e.in.Endpoint+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("HTTP %d %s, want %d HTML", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
			}
			if !strings.Contains(string(b), "consent link") && !strings.Contains(string(b), "form") {
				t.Fatalf("the page does not say what is wrong: %q", b)
			}
			if strings.Contains(string(b), "<script>") {
				t.Fatalf("the page echoes markup: %s", b)
			}
		})
	}
	if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
		t.Errorf("hostile links were logged as errors:\n%s", e.logs.String())
	}
}

// TestQueryParametersAsDocumented drives every GET of api/openapi.yaml
// under /v1: a query parameter the document does not list for the
// operation is refused with 400 UnknownField naming it (a misspelt filter
// would otherwise list everything), and none that it lists is.
func TestQueryParametersAsDocumented(t *testing.T) {
	doc, err := api.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := startEnv(t, aosdtest.Options{})
	tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
	tn := connectTenant(t, e.c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	pathValues := strings.NewReplacer("{id}", tn.ID, "{platform}", domain.PlatformMicrosoft)
	checked := 0
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil || !strings.HasPrefix(path, "/v1/") {
			continue
		}
		var listed []string
		for _, p := range append(item.Parameters, op.Parameters...) {
			if p.Value.In == "query" {
				listed = append(listed, p.Value.Name)
			}
		}
		url := pathValues.Replace(path)
		t.Run(path, func(t *testing.T) {
			checked++
			for _, name := range []string{"bogus", "tenantid", "Top"} {
				r := doRaw(t, http.DefaultClient, e.in.Endpoint, "GET", url+"?"+name+"=1", tok, nil)
				if eb := r.errorBody(t); r.status != 400 || eb.Error.Code != domain.CodeUnknownField || eb.Error.Details[0].Field != name {
					t.Errorf("?%s=1: HTTP %d %s", name, r.status, r.body)
				}
			}
			for _, name := range listed {
				r := doRaw(t, http.DefaultClient, e.in.Endpoint, "GET", url+"?"+name+"=1", tok, nil)
				if r.status == 400 && r.errorBody(t).Error.Code == domain.CodeUnknownField {
					t.Errorf("documented parameter %s refused as unknown: %s", name, r.body)
				}
			}
		})
	}
	if checked < 10 {
		t.Fatalf("only %d GET operations under /v1 in the document", checked)
	}
}

// TestDotSegmentsRefused: a path with empty, "." or ".." segments is
// refused, not redirected to the cleaned path, which names another object
// (DELETE .../users/.. would go on to delete the partner app profile).
func TestDotSegmentsRefused(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		id := objectID(t, e.do(t, "POST", "/v1/partner-app-profiles", tok, `{"name":"kept"}`))
		for _, p := range []string{
			"/v1/partner-app-profiles/" + id + "/users/..",
			"/v1/partner-app-profiles/" + id + "/users/%2e%2e",
			"/v1/partner-app-profiles/" + id + "/users/../",
			"/v1/partner-app-profiles/" + id + "/./users/x",
			"/v1//partner-app-profiles/" + id,
		} {
			// http.DefaultClient follows redirects, as most clients do.
			r := doRaw(t, http.DefaultClient, e.in.Endpoint, "DELETE", p, tok, nil)
			if r.status != http.StatusBadRequest || r.errorBody(t).Error.Details[0].Field != "path" {
				t.Errorf("DELETE %s: HTTP %d %s", p, r.status, r.body)
			}
		}
		if r := e.do(t, "GET", "/v1/partner-app-profiles/"+id, tok, nil); r.status != http.StatusOK {
			t.Fatalf("the partner app profile is gone: HTTP %d %s", r.status, r.body)
		}
	})
}
