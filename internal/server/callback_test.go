package server_test

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"

	"github.com/aos-dev/terraform-provider-aos/internal/consent/entratest"
)

// platformTokens plays the platforms' token endpoints for production-mode
// callbacks (the real sign-in services cannot be reached from tests). It
// issues tokens for the code "good-code" and for client credentials in the
// Microsoft tenants of consented; everything else gets invalid_grant. Code
// redemptions carry an ID token whose hosted domain is hostedDomain, as
// Google's do. Clients that authenticate with a client assertion (custom
// Azure apps) get invalid_client unless it is signed by the certificate
// registered for them in apps.
type platformTokens struct {
	srv          *httptest.Server
	consented    map[string]bool
	apps         map[string]*x509.Certificate
	hostedDomain string
	mu           sync.Mutex
	paths        []string
	forms        []url.Values
}

func newPlatformTokens(t *testing.T, consented ...string) *platformTokens {
	t.Helper()
	p := &platformTokens{consented: map[string]bool{}, apps: map[string]*x509.Certificate{}, hostedDomain: "contoso.com"}
	for _, c := range consented {
		p.consented[c] = true
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.paths, p.forms = append(p.paths, r.URL.Path), append(p.forms, r.PostForm)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Has("client_assertion") {
			if err := entratest.CheckClientAssertion(r.PostForm, "http://"+r.Host+r.URL.Path, p.apps, time.Now()); err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": err.Error()})
				return
			}
		}
		tenant, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		ok := r.PostForm.Get("code") == "good-code" ||
			r.PostForm.Get("grant_type") == "client_credentials" && p.consented[tenant]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"AADSTS70000: the grant is not valid"}`))
			return
		}
		resp := map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600}
		if r.PostForm.Get("grant_type") == "authorization_code" {
			resp["id_token"] = entratest.UnsignedIDToken(map[string]any{"hd": p.hostedDomain, "email": "admin@" + p.hostedDomain})
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *platformTokens) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.paths)
}

func (p *platformTokens) last() (string, url.Values) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paths[len(p.paths)-1], p.forms[len(p.forms)-1]
}

// startProduction runs aosd in production mode against the fake platforms.
func startProduction(t *testing.T, o aosdtest.Options, p *platformTokens) (*env, string) {
	t.Helper()
	o.Consent = &consent.Config{PublicBaseURL: "https://aos.example.com",
		MicrosoftClientID: "11111111-2222-3333-4444-555555555555", MicrosoftClientSecret: "ms-secret",
		MicrosoftPartnerClientID: "11111111-2222-3333-4444-555555555555",
		GoogleClientID:           "google-client", GoogleClientSecret: "google-secret",
		MicrosoftLoginBaseURL: p.srv.URL, GoogleTokenURL: p.srv.URL + "/google/token"}
	e := startEnv(t, o)
	return e, e.token(t, e.in.ClientID, e.in.ClientSecret, "")
}

// pendingTenant registers a tenant and returns its id and consent state.
func pendingTenant(t *testing.T, e *env, tok, platform, tenantDomain string) (id, state string) {
	t.Helper()
	r := e.do(t, http.MethodPost, "/v1/tenants", tok, map[string]string{"platform": platform, "domain": tenantDomain})
	var tn domain.Tenant
	if err := json.Unmarshal(r.body, &tn); err != nil || r.status != http.StatusCreated {
		t.Fatalf("create tenant: HTTP %d %s", r.status, r.body)
	}
	u, err := url.Parse(tn.ConsentURL)
	if err != nil || u.Query().Get("state") == "" {
		t.Fatalf("consentUrl %q has no state", tn.ConsentURL)
	}
	return tn.ID, u.Query().Get("state")
}

func tenantStatus(t *testing.T, e *env, tok, id string) string {
	t.Helper()
	r := e.do(t, http.MethodGet, "/v1/tenants/"+id, tok, nil)
	var tn domain.Tenant
	if err := json.Unmarshal(r.body, &tn); err != nil || r.status != http.StatusOK {
		t.Fatalf("get tenant: HTTP %d %s", r.status, r.body)
	}
	return tn.Status
}

// callback sends the browser's redirect back from the platform. It does not
// go through the spec-validating transport: the callback answers the
// browser, not API clients.
func callback(t *testing.T, e *env, platform string, q url.Values) *reply {
	t.Helper()
	return doRaw(t, http.DefaultClient, e.in.Endpoint, http.MethodGet, "/consent/callback/"+platform+"?"+q.Encode(), "", nil)
}

func wantNotVerified(t *testing.T, r *reply) {
	t.Helper()
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("HTTP %d %s, want 422", r.status, r.body)
	}
	if eb := r.errorBody(t); eb.Error.Code != domain.CodeConsentNotVerified {
		t.Errorf("code = %s, want %s", eb.Error.Code, domain.CodeConsentNotVerified)
	}
}

// TestConsentCallbackVerifiesMicrosoft: admin_consent=True is only believed
// once the service's app gets a token in the registered tenant.
func TestConsentCallbackVerifiesMicrosoft(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		p := newPlatformTokens(t, contoso)
		e, tok := startProduction(t, o, p)

		// Forged: the service's app is not consented in northwind, whatever
		// tenant the query names.
		nid, nstate := pendingTenant(t, e, tok, domain.PlatformMicrosoft, northwind)
		wantNotVerified(t, callback(t, e, domain.PlatformMicrosoft,
			url.Values{"state": {nstate}, "admin_consent": {"True"}, "tenant": {contoso}}))
		if path, _ := p.last(); path != "/"+northwind+"/oauth2/v2.0/token" {
			t.Errorf("token request went to %s, want the registered domain", path)
		}
		if st := tenantStatus(t, e, tok, nid); st != domain.StatusPendingConsent {
			t.Errorf("forged callback changed the tenant to %s", st)
		}

		// Genuine.
		cid, cstate := pendingTenant(t, e, tok, domain.PlatformMicrosoft, contoso)
		q := url.Values{"state": {cstate}, "admin_consent": {"True"}, "tenant": {"c0ffee00-0000-0000-0000-000000000000"}}
		if r := callback(t, e, domain.PlatformMicrosoft, q); r.status != http.StatusOK {
			t.Fatalf("verified callback: HTTP %d %s", r.status, r.body)
		}
		path, form := p.last()
		if path != "/"+contoso+"/oauth2/v2.0/token" || form.Get("grant_type") != "client_credentials" ||
			form.Get("client_id") != "11111111-2222-3333-4444-555555555555" || form.Get("client_secret") != "ms-secret" {
			t.Errorf("token request %s %v", path, form)
		}
		if st := tenantStatus(t, e, tok, cid); st != domain.StatusConnected {
			t.Errorf("verified callback left the tenant %s", st)
		}

		// A used link is refused before the platform is asked again.
		n := p.count()
		if r := callback(t, e, domain.PlatformMicrosoft, q); r.status != http.StatusConflict || r.errorBody(t).Error.Code != domain.CodeConsentNotPending {
			t.Errorf("replayed callback: HTTP %d %s", r.status, r.body)
		}
		// A link of one platform does not complete through another's callback.
		if r := callback(t, e, domain.PlatformGoogle, url.Values{"state": {nstate}, "code": {"good-code"}}); r.status != http.StatusBadRequest {
			t.Errorf("callback of the wrong platform: HTTP %d %s", r.status, r.body)
		}
		if p.count() != n {
			t.Errorf("refused links still asked the platform")
		}
	})
}

// TestConsentCallbackVerifiesGoogle: the authorization code is redeemed
// with the service's credentials and the registered redirect URI.
func TestConsentCallbackVerifiesGoogle(t *testing.T) {
	p := newPlatformTokens(t)
	e, tok := startProduction(t, aosdtest.Options{}, p)
	id, state := pendingTenant(t, e, tok, domain.PlatformGoogle, "contoso.com")

	wantNotVerified(t, callback(t, e, domain.PlatformGoogle, url.Values{"state": {state}, "code": {"forged"}}))
	if st := tenantStatus(t, e, tok, id); st != domain.StatusPendingConsent {
		t.Errorf("forged callback changed the tenant to %s", st)
	}

	if r := callback(t, e, domain.PlatformGoogle, url.Values{"state": {state}, "code": {"good-code"}}); r.status != http.StatusOK {
		t.Fatalf("verified callback: HTTP %d %s", r.status, r.body)
	}
	path, form := p.last()
	for k, want := range map[string]string{"grant_type": "authorization_code", "code": "good-code",
		"redirect_uri": "https://aos.example.com/consent/callback/google", "client_id": "google-client", "client_secret": "google-secret"} {
		if form.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, form.Get(k), want)
		}
	}
	if path != "/google/token" {
		t.Errorf("token path %s", path)
	}
	if st := tenantStatus(t, e, tok, id); st != domain.StatusConnected {
		t.Errorf("verified callback left the tenant %s", st)
	}
}

// TestConsentCallbackRefusesOtherGoogleDomain: a real code from an
// administrator of another Workspace domain does not connect the tenant.
func TestConsentCallbackRefusesOtherGoogleDomain(t *testing.T) {
	p := newPlatformTokens(t)
	p.hostedDomain = "fabrikam.com"
	e, tok := startProduction(t, aosdtest.Options{}, p)
	id, state := pendingTenant(t, e, tok, domain.PlatformGoogle, "contoso.com")
	r := callback(t, e, domain.PlatformGoogle, url.Values{"state": {state}, "code": {"good-code"}})
	wantNotVerified(t, r)
	if msg := r.errorBody(t).Error.Message; !strings.Contains(msg, "fabrikam.com") || !strings.Contains(msg, "contoso.com") {
		t.Errorf("message does not name both domains: %s", msg)
	}
	if st := tenantStatus(t, e, tok, id); st != domain.StatusPendingConsent {
		t.Errorf("a consent from another domain changed the tenant to %s", st)
	}
}

// TestConsentCallbackVerifiesCustomApp: the consent to a customer's own
// Azure app is confirmed by signing in as that app with the certificate the
// profile stores (sealed); a certificate the app does not know confirms
// nothing.
func TestConsentCallbackVerifiesCustomApp(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		const clientID = "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4"
		// validCert hands out different keys in turn, so the two differ.
		regCert, unregistered := validCert(t, "custom app"), validCert(t, "another certificate").bundle()
		registered := regCert.bundle()
		p := newPlatformTokens(t, contoso)
		p.apps[clientID] = regCert.cert
		e, tok := startProduction(t, o, p)

		tid, tstate := pendingTenant(t, e, tok, domain.PlatformMicrosoft, contoso)
		if r := callback(t, e, domain.PlatformMicrosoft, url.Values{"state": {tstate}, "admin_consent": {"True"}}); r.status != http.StatusOK {
			t.Fatalf("tenant consent: HTTP %d %s", r.status, r.body)
		}
		create := func(t *testing.T, name, cert string, password ...string) (id, state string) {
			t.Helper()
			body := map[string]string{"name": name, "tenantId": tid,
				"type": domain.AppTypeCustomAzureApp, "clientId": clientID, "certificate": cert}
			if len(password) > 0 {
				body["certificatePassword"] = password[0]
			}
			r := e.do(t, http.MethodPost, "/v1/app-profiles", tok, body)
			var a domain.AppProfile
			if err := json.Unmarshal(r.body, &a); err != nil || r.status != http.StatusCreated {
				t.Fatalf("create app profile: HTTP %d %s", r.status, r.body)
			}
			u, err := url.Parse(a.ConsentURL)
			if err != nil || u.Query().Get("client_id") != clientID || u.Query().Get("state") == "" {
				t.Fatalf("consentUrl %q is not for the custom app", a.ConsentURL)
			}
			return a.ID, u.Query().Get("state")
		}
		status := func(t *testing.T, id string) string {
			t.Helper()
			r := e.do(t, http.MethodGet, "/v1/app-profiles/"+id, tok, nil)
			var a domain.AppProfile
			if err := json.Unmarshal(r.body, &a); err != nil || r.status != http.StatusOK {
				t.Fatalf("get app profile: HTTP %d %s", r.status, r.body)
			}
			return a.Status
		}

		// A certificate that is not one of the app's credentials: Entra
		// refuses the sign-in, so the redirect proves nothing.
		bid, bstate := create(t, "unregistered certificate", unregistered)
		r := callback(t, e, domain.PlatformMicrosoft, url.Values{"state": {bstate}, "admin_consent": {"True"}})
		wantNotVerified(t, r)
		if msg := r.errorBody(t).Error.Message; !strings.Contains(msg, "invalid_client") {
			t.Errorf("refusal does not say why: %s", msg)
		}
		if st := status(t, bid); st != domain.StatusPendingConsent {
			t.Errorf("an unconfirmed callback changed the profile to %s", st)
		}

		// The registered certificate, in the consented tenant.
		id, state := create(t, "registered certificate", registered)
		if r := callback(t, e, domain.PlatformMicrosoft, url.Values{"state": {state}, "admin_consent": {"True"}}); r.status != http.StatusOK {
			t.Fatalf("verified callback: HTTP %d %s", r.status, r.body)
		}
		path, form := p.last()
		if path != "/"+contoso+"/oauth2/v2.0/token" || form.Get("grant_type") != "client_credentials" ||
			form.Get("client_id") != clientID || form.Get("client_assertion") == "" || form.Has("client_secret") {
			t.Errorf("token request %s %v", path, form)
		}
		if st := status(t, id); st != domain.StatusActive {
			t.Errorf("verified callback left the profile %s", st)
		}

		// The same certificate uploaded as a password-protected PFX file.
		pid, pstate := create(t, "pfx certificate", regCert.pfx(t, "Pfx#Secret1"), "Pfx#Secret1")
		if r := callback(t, e, domain.PlatformMicrosoft, url.Values{"state": {pstate}, "admin_consent": {"True"}}); r.status != http.StatusOK {
			t.Fatalf("verified callback (PFX): HTTP %d %s", r.status, r.body)
		}
		if st := status(t, pid); st != domain.StatusActive {
			t.Errorf("verified callback left the PFX profile %s", st)
		}
	})
}

// TestConsentCallbackPlatformErrorBounded: the error parameters of a
// callback are anyone's text (whoever holds a consent link can write
// them), so the answer repeats only a bounded, printable part, and the
// object is left waiting for consent.
func TestConsentCallbackPlatformErrorBounded(t *testing.T) {
	p := newPlatformTokens(t)
	e, tok := startProduction(t, aosdtest.Options{}, p)
	id, state := pendingTenant(t, e, tok, domain.PlatformMicrosoft, contoso)
	r := callback(t, e, domain.PlatformMicrosoft, url.Values{"state": {state}, "error": {"access_denied\x00\x1b[31m"},
		"error_description": {"AADSTS65004: declined\x07 " + strings.Repeat("call +1 555 0100 now ", 5000)}})
	eb := r.errorBody(t)
	msg := eb.Error.Message
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(msg, "access_denied") || !strings.Contains(msg, "AADSTS65004: declined") {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	if n := len([]rune(msg)); n > 700 {
		t.Errorf("the answer repeats %d characters of the platform's error", n)
	}
	if strings.ContainsAny(msg, "\x00\x07\x1b") {
		t.Errorf("the answer repeats control characters: %q", msg)
	}
	if st := tenantStatus(t, e, tok, id); st != domain.StatusPendingConsent {
		t.Errorf("an error callback changed the tenant to %s", st)
	}
}

// TestConsentCallbackAnswers: the administrator's browser gets an HTML page
// (the document promises one) and other clients JSON; a platform that
// cannot be reached is a 503 that does not describe the service's network.
func TestConsentCallbackAnswers(t *testing.T) {
	p := newPlatformTokens(t, contoso)
	e, tok := startProduction(t, aosdtest.Options{}, p)
	browser := func(q url.Values) *reply {
		return doRaw(t, http.DefaultClient, e.in.Endpoint, http.MethodGet, "/consent/callback/microsoft?"+q.Encode(), "", nil,
			"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	html := func(r *reply, status int, want string) {
		t.Helper()
		if r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), want) {
			t.Fatalf("HTTP %d %s, want %d HTML saying %q: %s", r.status, r.header.Get("Content-Type"), status, want, r.body)
		}
	}
	_, nstate := pendingTenant(t, e, tok, domain.PlatformMicrosoft, northwind)
	html(browser(url.Values{"state": {nstate}, "admin_consent": {"True"}}), http.StatusUnprocessableEntity, "did not confirm")
	html(browser(url.Values{"state": {"forged"}}), http.StatusBadRequest, "not valid")
	cid, cstate := pendingTenant(t, e, tok, domain.PlatformMicrosoft, contoso)
	html(browser(url.Values{"state": {cstate}, "admin_consent": {"True"}}), http.StatusOK, "confirmed")
	if st := tenantStatus(t, e, tok, cid); st != domain.StatusConnected {
		t.Fatalf("tenant %s after a confirmed callback", st)
	}

	// The platform is down: nothing changes, the answer says to retry and
	// keeps the transport's error (addresses, ports) to the log.
	_, fstate := pendingTenant(t, e, tok, domain.PlatformMicrosoft, fabrikam)
	p.srv.Close()
	r := callback(t, e, domain.PlatformMicrosoft, url.Values{"state": {fstate}, "admin_consent": {"True"}})
	eb := r.errorBody(t)
	if r.status != http.StatusServiceUnavailable || eb.Error.Code != domain.CodeConsentNotVerified || !strings.Contains(eb.Error.Message, "again") {
		t.Fatalf("platform down: HTTP %d %s", r.status, r.body)
	}
	host := strings.TrimPrefix(p.srv.URL, "http://")
	for _, leak := range []string{host, "dial", "connect:", "127.0.0.1"} {
		if strings.Contains(string(r.body), leak) {
			t.Errorf("the answer describes the service's network (%q): %s", leak, r.body)
		}
	}
	if !strings.Contains(e.logs.String(), "consent callback not verified") || !strings.Contains(e.logs.String(), eb.TraceID) {
		t.Errorf("the log lacks the cause with the trace id %s", eb.TraceID)
	}
}
