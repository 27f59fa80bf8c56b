package entrasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func startDefault(t *testing.T) *Sim {
	t.Helper()
	dir, err := LoadDirectory("../../../directory/default.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(dir, App{ClientID: "app", Secret: "s", Roles: []string{"User.Read.All", "Group.Read.All"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, s *Sim, path string, form url.Values, status int) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.LoginURL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	return decode(t, resp, status)
}

func get(t *testing.T, s *Sim, path string, status int) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.LoginURL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	return decode(t, resp, status)
}

func decode(t *testing.T, resp *http.Response, status int) map[string]any {
	t.Helper()
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTokenErrorShape checks the fields of Entra's token error response.
func TestTokenErrorShape(t *testing.T) {
	s := startDefault(t)
	m := post(t, s, "/contoso.onmicrosoft.com/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"}, "client_id": {"app"}, "username": {"svc.backup@contoso.onmicrosoft.com"},
		"password": {"wrong"}, "scope": {"https://graph.microsoft.com/.default"},
	}, 400)
	desc, _ := m["error_description"].(string)
	codes, _ := m["error_codes"].([]any)
	if m["error"] != "invalid_grant" || !strings.HasPrefix(desc, "AADSTS50126: ") || !strings.Contains(desc, "\r\nTrace ID: ") ||
		len(codes) != 1 || codes[0] != float64(50126) || m["trace_id"] == "" || m["correlation_id"] == "" || m["timestamp"] == "" {
		t.Fatalf("error response %v", m)
	}
	// A confidential grant without a credential.
	if m := post(t, s, "/contoso.onmicrosoft.com/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"app"}, "scope": {"https://graph.microsoft.com/.default"}}, 401); m["error"] != "invalid_client" {
		t.Fatalf("no credential: %v", m)
	}
}

func TestDiscovery(t *testing.T) {
	s := startDefault(t)
	m := get(t, s, "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration", 200)
	if m["issuer"] != s.Issuer("6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7") || !strings.HasSuffix(m["jwks_uri"].(string), "/discovery/v2.0/keys") { //nolint:forcetypeassert // a test; a panic fails it.
		t.Fatalf("discovery %v", m)
	}
	if m := get(t, s, "/organizations/v2.0/.well-known/openid-configuration", 200); m["issuer"] != s.LoginURL()+"/{tenantid}/v2.0" {
		t.Fatalf("organizations issuer %v", m["issuer"])
	}
	get(t, s, "/nowhere.example/v2.0/.well-known/openid-configuration", 400)
}

func appToken(t *testing.T, s *Sim) string {
	t.Helper()
	m := post(t, s, "/contoso.onmicrosoft.com/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s"},
		"scope": {"https://graph.microsoft.com/.default"}}, 200)
	tok, _ := m["access_token"].(string)
	return tok
}

func graphGet(t *testing.T, s *Sim, path string, header map[string]string, status int) (map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.GraphURL()+"/v1.0"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+appToken(t, s))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	return decode(t, resp, status), resp.Header
}

// TestGraphShapes checks what Graph documents and a careless client gets
// wrong: default user properties lack accountEnabled, $count needs
// ConsistencyLevel, errors come in the envelope.
func TestGraphShapes(t *testing.T) {
	s := startDefault(t)
	m, _ := graphGet(t, s, "/users/adele@contoso.onmicrosoft.com", nil, 200)
	if _, ok := m["accountEnabled"]; ok || m["userPrincipalName"] != "adele@contoso.onmicrosoft.com" {
		t.Fatalf("default properties %v", m)
	}
	m, _ = graphGet(t, s, "/users/adele@contoso.onmicrosoft.com?$select=accountEnabled,userType", nil, 200)
	if m["accountEnabled"] != true || m["userType"] != "Member" {
		t.Fatalf("selected properties %v", m)
	}
	m, _ = graphGet(t, s, "/groups?$count=true", nil, 400)
	e, _ := m["error"].(map[string]any)
	inner, _ := e["innerError"].(map[string]any)
	if e["code"] != "Request_BadRequest" || inner["request-id"] == "" || inner["date"] == "" {
		t.Fatalf("envelope %v", m)
	}
	graphGet(t, s, "/groups?$count=true", map[string]string{"ConsistencyLevel": "eventual"}, 200)
	// The app lacks Organization.Read.All and Directory.Read.All.
	graphGet(t, s, "/organization", nil, 403)

	s.Throttle(1, 429, "7")
	if _, h := graphGet(t, s, "/users/adele@contoso.onmicrosoft.com", nil, 429); h.Get("Retry-After") != "7" {
		t.Fatalf("Retry-After %q", h.Get("Retry-After"))
	}
}

func TestNewDirectoryRefusesWhatTheDevDirectoryRefuses(t *testing.T) {
	if _, err := LoadDirectory("does-not-exist.json"); err == nil {
		t.Fatal("a missing file was accepted")
	}
	dir, err := LoadDirectory("../../../directory/default.json")
	if err != nil {
		t.Fatal(err)
	}
	f := dir.Snapshot()
	f.Tenants[0].TenantID = ""
	if _, err := NewDirectory(f); err == nil {
		t.Fatal("a tenant without an id was accepted")
	}
	// Snapshots are copies.
	if dir.Snapshot().Tenants[0].TenantID == "" {
		t.Fatal("changing a snapshot changed the directory")
	}
}
