package aosd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/apitest"
	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

func TestMain(m *testing.M) { testpg.Main(m) }

var ctxb = context.Background()

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *reply) id(t testing.TB) string {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.body, &o); err != nil || o.ID == "" {
		t.Fatalf("HTTP %d: no id in %s", r.status, r.body)
	}
	return o.ID
}

func (r *reply) code() string {
	var eb domain.ErrorBody
	if json.Unmarshal(r.body, &eb) != nil || eb.Error == nil {
		return ""
	}
	return eb.Error.Code
}

// api sends raw requests (headers under the test's control) through the
// OpenAPI validating transport.
type api struct {
	hc *http.Client
}

func newAPI(t testing.TB) *api {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		t.Fatalf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	tr := dt.Clone()
	tr.MaxIdleConnsPerHost = 64
	return &api{hc: &http.Client{Transport: apitest.Transport(t, tr), Timeout: time.Minute}}
}

// do is safe for concurrent use; it reports failures with t.Errorf so it
// can run in goroutines.
func (a *api) do(t testing.TB, base, method, path, token, body string, hdr ...string) *reply {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctxb, method, base+path, rd)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return &reply{}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return &reply{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (a *api) token(t testing.TB, base, id, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	req, _ := http.NewRequestWithContext(ctxb, http.MethodPost, base+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok domain.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token from %s: HTTP %d %v", base, resp.StatusCode, err)
	}
	return tok.AccessToken
}

// TestTwoReplicasOnePostgres: two aosd processes' worth of service on one
// PostgreSQL database with one key. Idempotent creates and If-Match
// updates hold across replicas because the database, not the process,
// enforces them.
func TestTwoReplicasOnePostgres(t *testing.T) {
	db := testpg.URL(t)
	key, err := secrets.ParseKey(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	var replicas []*aosdtest.Instance
	for range 2 {
		in, err := aosdtest.Start(aosdtest.Options{Database: db, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = in.Close() })
		replicas = append(replicas, in)
	}
	a := newAPI(t)
	ra, rb := replicas[0].Endpoint, replicas[1].Endpoint
	// The client created on replica A authenticates on both; a token from
	// one is accepted by the other (same key, no shared session state).
	id, secret := replicas[0].ClientID, replicas[0].ClientSecret
	tokA := a.token(t, ra, id, secret)
	tokB := a.token(t, rb, id, secret)
	for _, tc := range []struct{ base, tok string }{{ra, tokB}, {rb, tokA}} {
		if r := a.do(t, tc.base, http.MethodGet, "/v1/tenants", tc.tok, ""); r.status != http.StatusOK {
			t.Fatalf("token of the other replica: HTTP %d %s", r.status, r.body)
		}
	}
	bases := []string{ra, rb}
	toks := []string{tokA, tokB}
	const n = 16

	t.Run("concurrent creates with one Idempotency-Key", func(t *testing.T) {
		replies := make([]*reply, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				replies[i] = a.do(t, bases[i%2], http.MethodPost, "/v1/partner-app-profiles", toks[i%2], `{"name":"replicated"}`, "Idempotency-Key", "shared-key")
			})
		}
		close(start)
		wg.Wait()
		ids, fresh := map[string]int{}, 0
		for i, r := range replies {
			if r.status != http.StatusCreated {
				t.Fatalf("answer %d (replica %d): HTTP %d %s", i, i%2, r.status, r.body)
			}
			ids[r.id(t)]++
			if r.header.Get("Idempotent-Replayed") != "true" {
				fresh++
			}
		}
		if len(ids) != 1 || fresh != 1 {
			t.Fatalf("%d distinct ids %v, %d answers not replayed; want one object created once", len(ids), ids, fresh)
		}
		for _, base := range bases {
			r := a.do(t, base, http.MethodGet, "/v1/partner-app-profiles?search=replicated", toks[0], "")
			var list domain.List[domain.PartnerAppProfile]
			if err := json.Unmarshal(r.body, &list); err != nil || len(list.Data) != 1 {
				t.Fatalf("%s lists %d profiles named replicated: %s", base, len(list.Data), r.body)
			}
		}
	})

	t.Run("concurrent registrations of one platform tenant", func(t *testing.T) {
		replies := make([]*reply, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				replies[i] = a.do(t, bases[i%2], http.MethodPost, "/v1/tenants", toks[i%2], `{"platform":"google","domain":"contoso.com"}`,
					"Idempotency-Key", fmt.Sprintf("tenant-%d", i))
			})
		}
		close(start)
		wg.Wait()
		created, conflicts := 0, 0
		for i, r := range replies {
			switch {
			case r.status == http.StatusCreated:
				created++
			case r.status == http.StatusConflict && r.code() == domain.CodeAlreadyExists:
				conflicts++
			default:
				t.Errorf("answer %d: HTTP %d %s", i, r.status, r.body)
			}
		}
		if created != 1 || conflicts != n-1 {
			t.Fatalf("%d created, %d conflicts; want exactly one registration", created, conflicts)
		}
	})

	t.Run("concurrent PATCHes with one If-Match", func(t *testing.T) {
		c := a.do(t, ra, http.MethodPost, "/v1/partner-app-profiles", tokA, `{"name":"contended"}`)
		if c.status != http.StatusCreated {
			t.Fatalf("create: HTTP %d %s", c.status, c.body)
		}
		pid, etag := c.id(t), c.header.Get("ETag")
		replies := make([]*reply, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				replies[i] = a.do(t, bases[i%2], http.MethodPatch, "/v1/partner-app-profiles/"+pid, toks[i%2],
					fmt.Sprintf(`{"name":"contended %d"}`, i), "If-Match", etag)
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, r := range replies {
			switch {
			case r.status == http.StatusOK:
				if winner >= 0 {
					t.Fatalf("answers %d and %d both succeeded with If-Match %s", winner, i, etag)
				}
				winner = i
			case r.status == http.StatusPreconditionFailed && r.code() == domain.CodePreconditionFailed:
			default:
				t.Fatalf("answer %d: HTTP %d %s", i, r.status, r.body)
			}
		}
		if winner < 0 {
			t.Fatal("no PATCH succeeded")
		}
		for _, base := range bases {
			g := a.do(t, base, http.MethodGet, "/v1/partner-app-profiles/"+pid, tokA, "")
			if !strings.Contains(string(g.body), fmt.Sprintf(`"contended %d"`, winner)) || g.header.Get("ETag") != replies[winner].header.Get("ETag") {
				t.Errorf("%s shows %s (ETag %s), want the winner's change", base, g.body, g.header.Get("ETag"))
			}
		}
	})

	t.Run("a permission bump on one replica shows on the other", func(t *testing.T) {
		c := a.do(t, ra, http.MethodPost, "/v1/tenants", tokA, `{"platform":"microsoft","domain":"contoso.onmicrosoft.com"}`)
		tid := c.id(t)
		if r := a.do(t, ra, http.MethodPost, "/dev/v1/consent", tokA, `{"objectId":"`+tid+`","login":"admin@contoso.onmicrosoft.com"}`); r.status != http.StatusOK {
			t.Fatalf("consent: HTTP %d %s", r.status, r.body)
		}
		// Replica B reads the tenant (and caches the current version).
		if r := a.do(t, rb, http.MethodGet, "/v1/tenants/"+tid, tokB, ""); strings.Contains(string(r.body), `"reconnectRecommended":true`) {
			t.Fatalf("before the bump: %s", r.body)
		}
		if r := a.do(t, ra, http.MethodPost, "/dev/v1/platforms/microsoft/permissions/bump", tokA, ""); r.status != http.StatusOK {
			t.Fatalf("bump: HTTP %d %s", r.status, r.body)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := a.do(t, rb, http.MethodGet, "/v1/tenants/"+tid, tokB, "")
			if strings.Contains(string(r.body), `"reconnectRecommended":true`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica B does not show reconnectRecommended 5s after the bump: %s", r.body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// TestDevEndpointsAbsentWithoutDevMode: aosd started without Dev has no dev
// routes at all, and builds the platforms' real consent URLs.
func TestDevEndpointsAbsentWithoutDevMode(t *testing.T) {
	key, err := secrets.ParseKey(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	app, err := aosd.Start(ctxb, aosd.Options{Database: "sqlite:" + filepath.Join(t.TempDir(), "aosd.db"), Key: key, Listen: "127.0.0.1:0",
		PublicURL: "https://aos.example.com", Consent: &consent.Config{PublicBaseURL: "https://aos.example.com", MicrosoftClientID: "11111111-2222-3333-4444-555555555555",
			MicrosoftPartnerClientID: "11111111-2222-3333-4444-555555555555"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close(ctxb) })
	id, secret, err := aosd.CreateClient(ctxb, app.Store, "prod", "test", []string{domain.ScopeReadWrite})
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t)
	tok := a.token(t, app.URL, id, secret)
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/dev/consent?state=x", ""},
		{http.MethodPost, "/dev/consent", ""},
		{http.MethodPost, "/dev/v1/consent", `{"objectId":"x","login":"admin@contoso.onmicrosoft.com"}`},
		{http.MethodPatch, "/dev/v1/directory/users/admin@contoso.onmicrosoft.com", `{"mfaEnabled":true}`},
		{http.MethodPatch, "/dev/v1/directory/tenants/contoso.onmicrosoft.com", `{"legacyAuthBlocked":true}`},
		{http.MethodPost, "/dev/v1/expire-authorization", `{"objectId":"x"}`},
		{http.MethodPost, "/dev/v1/platforms/microsoft/permissions/bump", ""},
	} {
		got := a.do(t, app.URL, r.method, r.path, tok, r.body)
		if got.status != http.StatusNotFound {
			t.Errorf("%s %s without dev mode: HTTP %d %s", r.method, r.path, got.status, got.body)
		}
	}
	// The permission set was not bumped by the refused call.
	if r := a.do(t, app.URL, http.MethodGet, "/v1/platforms/microsoft/permissions", tok, ""); !bytes.Contains(r.body, []byte(`"version":1`)) {
		t.Errorf("permissions: %s", r.body)
	}
	// Production consent URLs point at the platform, not at aosd's pages.
	r := a.do(t, app.URL, http.MethodPost, "/v1/tenants", tok, `{"platform":"microsoft","domain":"contoso.onmicrosoft.com"}`)
	var tn domain.Tenant
	if err := json.Unmarshal(r.body, &tn); err != nil || r.status != http.StatusCreated {
		t.Fatalf("create tenant: HTTP %d %s", r.status, r.body)
	}
	if !strings.HasPrefix(tn.ConsentURL, "https://login.microsoftonline.com/") || !strings.Contains(tn.ConsentURL, url.QueryEscape("https://aos.example.com/consent/callback/")) {
		t.Errorf("consentUrl = %q", tn.ConsentURL)
	}
	// A platform without a configured app cannot be registered.
	r = a.do(t, app.URL, http.MethodPost, "/v1/tenants", tok, `{"platform":"google","domain":"contoso.com"}`)
	if r.status != http.StatusUnprocessableEntity || r.code() != domain.CodePlatformNotSupported {
		t.Errorf("google without an app: HTTP %d %s", r.status, r.body)
	}
	// The consent callback refuses a state it did not sign.
	r = a.do(t, app.URL, http.MethodGet, "/consent/callback/microsoft?state=forged&admin_consent=True", "", "")
	if r.status != http.StatusBadRequest {
		t.Errorf("forged callback state: HTTP %d %s", r.status, r.body)
	}
	// With a genuine state, admin_consent=True alone completes nothing: the
	// consent must be confirmed with Microsoft, which needs the app's client
	// secret (not configured here).
	cu, err := url.Parse(tn.ConsentURL)
	if err != nil {
		t.Fatal(err)
	}
	r = a.do(t, app.URL, http.MethodGet, "/consent/callback/microsoft?"+url.Values{"state": {cu.Query().Get("state")},
		"admin_consent": {"True"}, "tenant": {"contoso.onmicrosoft.com"}}.Encode(), "", "")
	if r.status != http.StatusUnprocessableEntity || r.code() != domain.CodeConsentNotVerified {
		t.Errorf("unverified callback: HTTP %d %s", r.status, r.body)
	}
	r = a.do(t, app.URL, http.MethodGet, "/v1/tenants/"+tn.ID, tok, "")
	if !bytes.Contains(r.body, []byte(`"status":"pending_consent"`)) {
		t.Errorf("the unverified callback changed the tenant: %s", r.body)
	}
}

// TestStartRefusesUnusableMicrosoftApps: a per-app-type Microsoft app for an
// unknown or custom app type would never be used, so aosd does not start
// with one, however the configuration was assembled.
func TestStartRefusesUnusableMicrosoftApps(t *testing.T) {
	key, err := secrets.ParseKey(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name             string
		ids, secretsByID map[string]string
		want             string
	}{
		{"unknown type", map[string]string{"exchange": "x"}, nil, `"exchange" is not an app type`},
		{"custom type", map[string]string{domain.AppTypeCustomAzureApp: "x"}, nil, "custom Azure app type"},
		{"unknown type of a secret", nil, map[string]string{"exchange": "s"}, `"exchange" is not an app type`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, err := aosd.Start(ctxb, aosd.Options{Database: "sqlite:" + filepath.Join(t.TempDir(), "aosd.db"), Key: key, Listen: "127.0.0.1:0",
				Consent: &consent.Config{PublicBaseURL: "https://aos.example.com", MicrosoftClientID: "main",
					MicrosoftAppClientIDs: tc.ids, MicrosoftAppClientSecrets: tc.secretsByID}})
			if err == nil {
				_ = app.Close(ctxb)
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestSetServiceProvider: the setting is per organization and can be
// turned off again.
func TestSetServiceProvider(t *testing.T) {
	st, err := aosd.OpenStore(ctxb, "sqlite:"+filepath.Join(t.TempDir(), "aosd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := aosd.SetServiceProvider(ctxb, st, "", true); err == nil {
		t.Error("an empty organization was accepted")
	}
	for _, on := range []bool{true, false, true} {
		if err := aosd.SetServiceProvider(ctxb, st, "acme", on); err != nil {
			t.Fatal(err)
		}
		s, err := store.GetOrgSettings(ctxb, st, "acme")
		if err != nil || s.ServiceProvider != on {
			t.Fatalf("after setting %v: %+v, %v", on, s, err)
		}
	}
	if s, err := store.GetOrgSettings(ctxb, st, "other"); err != nil || s.ServiceProvider {
		t.Errorf("another organization: %+v, %v", s, err)
	}
}

// TestOrganizationNamesChecked: the organization given to "aosd clients
// create" and "aosd orgs set" is stored with every object of it, so a name
// with control characters, surrounding spaces, hidden characters or more
// than 128 characters is refused with a message naming it, before anything
// is stored (on PostgreSQL a long one failed as "text the database cannot
// hold").
func TestOrganizationNamesChecked(t *testing.T) {
	for _, db := range []string{"sqlite:" + filepath.Join(t.TempDir(), "aosd.db"), testpg.URL(t)} {
		st, err := aosd.OpenStore(ctxb, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		for _, org := range []string{" acme", "acme ", "ac\x01me", "ac\u202eme", strings.Repeat("€", 129)} {
			if _, _, err := aosd.CreateClient(ctxb, st, org, "test", []string{domain.ScopeRead}); err == nil || !strings.Contains(err.Error(), "organization") {
				t.Errorf("clients create --org %q: %v", org, err)
			}
			if err := aosd.SetServiceProvider(ctxb, st, org, true); err == nil || !strings.Contains(err.Error(), "organization") {
				t.Errorf("orgs set %q: %v", org, err)
			}
		}
		if _, _, err := aosd.CreateClient(ctxb, st, "Contoso Ltd. (EMEA)", "test", []string{domain.ScopeRead}); err != nil {
			t.Errorf("an ordinary organization name: %v", err)
		}
	}
}
