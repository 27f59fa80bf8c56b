package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// TestAmbiguousRequestsRefused sends requests that different readers could
// understand differently: a JSON name given twice (encoding/json keeps the
// last, other parsers the first), a query or form parameter given twice, a
// body declared in a charset other than UTF-8. Each is refused with a 4xx
// naming the field or parameter, and nothing is stored.
func TestAmbiguousRequestsRefused(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		tn := connectTenant(t, e.c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		cases := []struct {
			name, method, path, body string
			hdr                      []string
			status                   int
			field                    string
		}{
			{"repeated name", "POST", "/v1/partner-app-profiles", `{"name":"first","name":"second"}`, nil, 400, "name"},
			{"repeated name, one escaped", "POST", "/v1/partner-app-profiles", `{"name":"first","n\u0061me":"second"}`, nil, 400, "name"},
			{"repeated null after a value", "POST", "/v1/partner-app-profiles", `{"name":"first","name":null}`, nil, 400, "name"},
			{"repeated nested name", "POST", "/v1/connections",
				`{"name":"c","type":"microsoft_365_groups","tenantId":"` + tn.ID + `","appProfiles":[{"id":"a"},{"id":"b","id":"c"}]}`, nil, 400, "appProfiles[1].id"},
			{"repeated name on PATCH", "PATCH", "/v1/tenants/" + tn.ID,
				`{"sharePointAdminCenterUrl":"https://contoso-admin.sharepoint.com","sharePointAdminCenterUrl":"https://evil.example.com"}`, nil, 400, "sharePointAdminCenterUrl"},
			{"latin1 charset", "POST", "/v1/partner-app-profiles", `{"name":"latin"}`, []string{"Content-Type", "application/json; charset=latin1"}, 415, ""},
			{"Content-Encoding", "POST", "/v1/partner-app-profiles", `{"name":"gzip"}`, []string{"Content-Encoding", "gzip"}, 415, ""},
			{"repeated top", "GET", "/v1/tenants?top=1&top=100", "", nil, 400, "top"},
			{"repeated filter", "GET", "/v1/tenants?platform=google&platform=microsoft", "", nil, 400, "platform"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var body any
				if tc.body != "" {
					body = tc.body
				}
				r := e.do(t, tc.method, tc.path, tok, body, tc.hdr...)
				eb := r.errorBody(t)
				if r.status != tc.status {
					t.Fatalf("HTTP %d, want %d: %s", r.status, tc.status, r.body)
				}
				if tc.field != "" && (len(eb.Error.Details) == 0 || eb.Error.Details[0].Field != tc.field) {
					t.Fatalf("details = %+v, want field %q", eb.Error.Details, tc.field)
				}
			})
		}
		// An empty name is a name like any other, not a repeat.
		if r := e.do(t, "POST", "/v1/partner-app-profiles", tok, `{"":1,"name":"empty key"}`); r.status != 400 || r.errorBody(t).Error.Code != domain.CodeUnknownField {
			t.Errorf(`{"":1}: HTTP %d %s`, r.status, r.body)
		}
		// UTF-8 declared explicitly is fine.
		if r := e.do(t, "POST", "/v1/partner-app-profiles", tok, `{"name":"utf8"}`, "Content-Type", "application/json; charset=UTF-8"); r.status != 201 {
			t.Errorf("charset=UTF-8: HTTP %d %s", r.status, r.body)
		}
		list := e.do(t, "GET", "/v1/partner-app-profiles", tok, nil)
		for _, n := range []string{"first", "second", "latin", "empty key", "gzip"} {
			if strings.Contains(string(list.body), `"`+n+`"`) {
				t.Errorf("a refused request stored %q: %s", n, list.body)
			}
		}

		token := func(form string) (int, map[string]any) {
			t.Helper()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.in.Endpoint+"/connect/token", strings.NewReader(form))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := e.raw.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, m
		}
		creds := "client_id=" + url.QueryEscape(e.in.ClientID) + "&client_secret=" + url.QueryEscape(e.in.ClientSecret)
		for _, form := range []string{
			"grant_type=client_credentials&grant_type=password&" + creds,
			"grant_type=client_credentials&" + creds + "&client_id=other",
			"grant_type=client_credentials&" + creds + "&scope=aos.read&scope=aos.readwrite",
		} {
			s, m := token(form)
			if desc, _ := m["error_description"].(string); s != 400 || m["error"] != "invalid_request" || !strings.Contains(desc, "once") {
				t.Errorf("token request %s: HTTP %d %v", strings.ReplaceAll(form, e.in.ClientSecret, "SECRET"), s, m)
			}
		}
		// A scope asked for many times is granted once; a scope list over
		// the document's 256 characters is refused.
		if s, m := token("grant_type=client_credentials&" + creds + "&scope=" + strings.Repeat("aos.read+", 500)); s != 400 || m["error"] != "invalid_request" {
			t.Errorf("4,500 characters of scope: HTTP %d %v", s, m)
		}
		if s, m := token("grant_type=client_credentials&" + creds + "&scope=" + strings.Repeat("aos.read+", 25)); s != 200 || m["scope"] != domain.ScopeRead {
			t.Errorf("repeated scope: HTTP %d scope %v", s, m["scope"])
		} else if at, _ := m["access_token"].(string); len(at) > 300 {
			t.Errorf("repeated scope: the token has %d characters", len(at))
		}
		// The authentication scheme is case-insensitive.
		if r := e.do(t, "GET", "/v1/tenants", "", nil, "Authorization", "bearer "+tok); r.status != 200 {
			t.Errorf(`"bearer" in lower case: HTTP %d %s`, r.status, r.body)
		}
	})
}

// TestDeceptiveNamesRefused: names and descriptions are read by people, so
// text that displays as something else (direction overrides, invisible
// characters, noncharacters, nothing visible at all) is refused with 422
// naming the field, on create and on update, and nothing is stored.
func TestDeceptiveNamesRefused(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		tn := connectTenant(t, e.c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		kept := objectID(t, e.do(t, "POST", "/v1/partner-app-profiles", tok, `{"name":"kept"}`))
		for _, name := range []string{"evil\u202etxt.exe", "zw\u200bsp", "\ufeffbom", "a\ufffeb", "\u200d"} {
			body, _ := json.Marshal(map[string]string{"name": name})
			for _, req := range []struct{ method, path string }{
				{"POST", "/v1/partner-app-profiles"},
				{"PATCH", "/v1/partner-app-profiles/" + kept},
			} {
				r := e.do(t, req.method, req.path, tok, body)
				if eb := r.errorBody(t); r.status != 422 || len(eb.Error.Details) == 0 || eb.Error.Details[0].Field != "name" {
					t.Errorf("%s %s name %+q: HTTP %d %s", req.method, req.path, name, r.status, r.body)
				}
			}
		}
		sa := map[string]any{"name": "sa", "description": "reads \u202ebackwards", "tenantId": tn.ID,
			"username": svcBackup, "password": svcBackupPw, "services": []string{"cloud_backup_m365"}}
		if r := e.do(t, "POST", "/v1/service-accounts", tok, sa); r.status != 422 || r.errorBody(t).Error.Details[0].Field != "description" {
			t.Errorf("description with U+202E: HTTP %d %s", r.status, r.body)
		}
		list := e.do(t, "GET", "/v1/partner-app-profiles", tok, nil)
		var page struct {
			Data []struct{ Name string } `json:"data"`
		}
		if err := json.Unmarshal(list.body, &page); err != nil || len(page.Data) != 1 || page.Data[0].Name != "kept" {
			t.Errorf("partner app profiles after the refusals: %s", list.body)
		}
		if r := e.do(t, "GET", "/v1/service-accounts", tok, nil); strings.Contains(string(r.body), `"sa"`) {
			t.Errorf("a refused service account was stored: %s", r.body)
		}
	})
}
