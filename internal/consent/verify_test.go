package consent

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testcert"

	"github.com/aos-dev/terraform-provider-aos/internal/consent/entratest"
)

// tokenRequest is one request the fake token endpoint received.
type tokenRequest struct {
	Path string
	Form url.Values
}

// fakeTokenEndpoint plays the platforms' token endpoints (the real sign-in
// services cannot be reached from tests). It issues a token for the code
// "good-code" and for client credentials in the tenants of allowTenants;
// anything else gets the invalid_grant answer real endpoints give.
//
// Like Entra, it authenticates clients that send a client assertion instead
// of a secret: the assertion must be signed by a certificate registered for
// the client id in apps, or the answer is invalid_client. Code redemptions
// return an ID token with idClaims, as Google's does.
type fakeTokenEndpoint struct {
	*httptest.Server
	allowTenants map[string]bool
	mu           sync.Mutex
	reqs         []tokenRequest
	apps         map[string]*x509.Certificate
	idClaims     map[string]any
}

func newFakeTokenEndpoint(t *testing.T, allowTenants ...string) *fakeTokenEndpoint {
	t.Helper()
	f := &fakeTokenEndpoint{allowTenants: map[string]bool{}, apps: map[string]*x509.Certificate{},
		idClaims: map[string]any{"hd": "contoso.com", "email": "admin@contoso.com"}}
	for _, tn := range allowTenants {
		f.allowTenants[tn] = true
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, tokenRequest{Path: r.URL.Path, Form: r.PostForm})
		apps, idClaims := f.apps, f.idClaims
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Has("client_assertion") {
			if err := entratest.CheckClientAssertion(r.PostForm, "http://"+r.Host+r.URL.Path, apps, time.Now()); err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": err.Error()})
				return
			}
		}
		ok := false
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			ok = r.PostForm.Get("code") == "good-code"
		case "client_credentials":
			// Path: /<tenant>/oauth2/v2.0/token.
			tenant, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			ok = f.allowTenants[tenant]
		}
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"not granted"}`))
			return
		}
		resp := map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600}
		if r.PostForm.Get("grant_type") == "authorization_code" && idClaims != nil {
			resp["id_token"] = entratest.UnsignedIDToken(idClaims)
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTokenEndpoint) requests() []tokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tokenRequest(nil), f.reqs...)
}

func verifyConfig(f *fakeTokenEndpoint) Config {
	c := testConfig
	c.MicrosoftClientSecret = "ms-secret"
	c.MicrosoftAppClientSecrets = map[string]string{"myhub": "myhub-secret"}
	c.MicrosoftPartnerClientSecret = "partner-secret"
	c.GoogleClientSecret = "google-secret"
	c.SalesforceClientSecret = "sf-secret"
	c.MicrosoftLoginBaseURL = f.URL
	c.GoogleTokenURL = f.URL + "/google/token"
	c.SalesforceLoginBaseURL = f.URL
	return c
}

// TestVerifyCodeExchange: Google and Salesforce codes are redeemed with the
// service's client credentials and the callback URL the consent URL named;
// a refused code is ErrNotVerified.
func TestVerifyCodeExchange(t *testing.T) {
	for _, tc := range []struct {
		platform, path, id, secret string
	}{
		{domain.PlatformGoogle, "/google/token", testConfig.GoogleClientID, "google-secret"},
		{domain.PlatformSalesforce, "/services/oauth2/token", testConfig.SalesforceClientID, "sf-secret"},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			f := newFakeTokenEndpoint(t)
			c := verifyConfig(f)
			target := Target{Kind: KindTenant, Platform: tc.platform, Domain: "contoso.com"}
			if err := c.VerifyCallback(context.Background(), target, Callback{Code: "good-code"}); err != nil {
				t.Fatalf("good code: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d token requests, want 1", len(reqs))
			}
			got := reqs[0]
			if got.Path != tc.path {
				t.Errorf("token path = %q, want %q", got.Path, tc.path)
			}
			for k, want := range map[string]string{"grant_type": "authorization_code", "code": "good-code",
				"redirect_uri": "https://aos.example.com/consent/callback/" + tc.platform,
				"client_id":    tc.id, "client_secret": tc.secret} {
				if v := got.Form.Get(k); v != want {
					t.Errorf("%s = %q, want %q", k, v, want)
				}
			}
			err := c.VerifyCallback(context.Background(), target, Callback{Code: "forged"})
			if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "refused") {
				t.Errorf("forged code: %v", err)
			}
			if err := c.VerifyCallback(context.Background(), target, Callback{AdminConsent: "True"}); !errors.Is(err, ErrNotVerified) {
				t.Errorf("no code: %v", err)
			}
		})
	}
}

// TestVerifyMicrosoftAdminConsent: admin consent is proven by an app token
// for the registered tenant domain, never for the tenant the query names
// (except for partner profiles, which have no registered tenant).
func TestVerifyMicrosoftAdminConsent(t *testing.T) {
	f := newFakeTokenEndpoint(t, "contoso.onmicrosoft.com", "partner-tenant-id")
	c := verifyConfig(f)
	ctx := context.Background()
	cb := Callback{AdminConsent: "True", Tenant: "fabrikam-tenant-id"}

	if err := c.VerifyCallback(ctx, Target{Kind: KindTenant, Platform: domain.PlatformMicrosoft,
		Domain: "contoso.onmicrosoft.com"}, cb); err != nil {
		t.Fatalf("consented tenant: %v", err)
	}
	got := f.requests()[0]
	if got.Path != "/contoso.onmicrosoft.com/oauth2/v2.0/token" {
		t.Errorf("token path = %q, want the registered domain's", got.Path)
	}
	for k, want := range map[string]string{"grant_type": "client_credentials", "client_id": testConfig.MicrosoftClientID,
		"client_secret": "ms-secret", "scope": "https://graph.microsoft.com/.default"} {
		if v := got.Form.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}

	// The query cannot redirect the check to a tenant that did consent.
	err := c.VerifyCallback(ctx, Target{Kind: KindTenant, Platform: domain.PlatformMicrosoft,
		Domain: "northwind.onmicrosoft.com"}, Callback{AdminConsent: "True", Tenant: "contoso.onmicrosoft.com"})
	if !errors.Is(err, ErrNotVerified) {
		t.Errorf("tenant without consent: %v", err)
	}
	// No admin_consent=True, no check.
	if err := c.VerifyCallback(ctx, Target{Kind: KindTenant, Platform: domain.PlatformMicrosoft,
		Domain: "contoso.onmicrosoft.com"}, Callback{Code: "x"}); !errors.Is(err, ErrNotVerified) {
		t.Errorf("without admin_consent: %v", err)
	}

	// An app type with its own service app uses that app's credentials.
	if err := c.VerifyCallback(ctx, Target{Kind: KindAppProfile, Platform: domain.PlatformMicrosoft,
		Domain: "contoso.onmicrosoft.com", AppType: "myhub", ConsentMethod: domain.ConsentMethodAdmin}, cb); err != nil {
		t.Fatalf("app profile: %v", err)
	}
	reqs := f.requests()
	if last := reqs[len(reqs)-1]; last.Form.Get("client_id") != testConfig.MicrosoftAppClientIDs["myhub"] || last.Form.Get("client_secret") != "myhub-secret" {
		t.Errorf("app profile credentials: %v", last.Form)
	}

	// Partner profiles: the tenant Microsoft reported, with the partner app.
	partner := Target{Kind: KindPartnerAppProfile, Platform: domain.PlatformMicrosoft, Cloud: "global"}
	if err := c.VerifyCallback(ctx, partner, Callback{AdminConsent: "True", Tenant: "partner-tenant-id"}); err != nil {
		t.Fatalf("partner: %v", err)
	}
	reqs = f.requests()
	if last := reqs[len(reqs)-1]; last.Path != "/partner-tenant-id/oauth2/v2.0/token" || last.Form.Get("client_id") != testConfig.MicrosoftPartnerClientID ||
		last.Form.Get("client_secret") != "partner-secret" {
		t.Errorf("partner request: %+v", last)
	}
	if err := c.VerifyCallback(ctx, partner, Callback{AdminConsent: "True"}); !errors.Is(err, ErrNotVerified) {
		t.Errorf("partner without tenant: %v", err)
	}
}

// TestVerifyMicrosoftUserConsent: user consent redeems the code at the
// tenant's token endpoint.
func TestVerifyMicrosoftUserConsent(t *testing.T) {
	f := newFakeTokenEndpoint(t)
	c := verifyConfig(f)
	target := Target{Kind: KindAppProfile, Platform: domain.PlatformMicrosoft, Domain: "contoso.onmicrosoft.com",
		AppType: domain.AppTypeDelegatedApp, ConsentMethod: domain.ConsentMethodUser}
	if err := c.VerifyCallback(context.Background(), target, Callback{Code: "good-code"}); err != nil {
		t.Fatal(err)
	}
	got := f.requests()[0]
	if got.Path != "/contoso.onmicrosoft.com/oauth2/v2.0/token" || got.Form.Get("redirect_uri") != "https://aos.example.com/consent/callback/microsoft" ||
		got.Form.Get("client_secret") != "ms-secret" {
		t.Errorf("request: %+v", got)
	}
	if err := c.VerifyCallback(context.Background(), target, Callback{Code: "forged"}); !errors.Is(err, ErrNotVerified) {
		t.Errorf("forged code: %v", err)
	}
}

// TestVerifyNotConfigured: without the app's secret nothing is confirmed.
func TestVerifyNotConfigured(t *testing.T) {
	f := newFakeTokenEndpoint(t, "contoso.onmicrosoft.com")
	c := verifyConfig(f)
	c.GoogleClientSecret, c.MicrosoftClientSecret = "", ""
	ctx := context.Background()
	if err := c.VerifyCallback(ctx, Target{Kind: KindTenant, Platform: domain.PlatformGoogle}, Callback{Code: "good-code"}); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("google: %v", err)
	}
	if err := c.VerifyCallback(ctx, Target{Kind: KindTenant, Platform: domain.PlatformMicrosoft, Domain: "contoso.onmicrosoft.com"},
		Callback{AdminConsent: "True"}); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("microsoft: %v", err)
	}
	if len(f.requests()) != 0 {
		t.Errorf("requests without credentials: %v", f.requests())
	}
}

// TestVerifyUnreachable: a token endpoint that cannot be reached does not
// confirm anything either.
func TestVerifyUnreachable(t *testing.T) {
	f := newFakeTokenEndpoint(t)
	c := verifyConfig(f)
	f.Close()
	err := c.VerifyCallback(context.Background(), Target{Kind: KindTenant, Platform: domain.PlatformGoogle}, Callback{Code: "good-code"})
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "could not be asked") {
		t.Errorf("unreachable: %v", err)
	}
}

// TestVerifyCustomApp: a custom app profile's consent is confirmed by
// signing in as the customer's app, with an assertion signed by the
// profile's certificate, in the registered tenant. An assertion Entra would
// not accept, or none at all, confirms nothing.
func TestVerifyCustomApp(t *testing.T) {
	const clientID = "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4"
	registered := validAppCert(t, testcert.RSAKey(0), "custom app")
	other := validAppCert(t, testcert.RSAKey(1), "other app")
	expired := appCert(t, testcert.RSAKey(0), "expired", time.Now().Add(-time.Hour))
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecdsaCert := validAppCert(t, ecKey, "ecdsa app")
	f := newFakeTokenEndpoint(t, "contoso.onmicrosoft.com")
	f.apps[clientID] = registered.Leaf
	c := verifyConfig(f)
	ctx := context.Background()
	admin := Target{Kind: KindAppProfile, Platform: domain.PlatformMicrosoft, Domain: "contoso.onmicrosoft.com",
		AppType: domain.AppTypeCustomAzureApp, ConsentMethod: domain.ConsentMethodAdmin, ClientID: clientID, Certificate: registered}
	cb := Callback{AdminConsent: "True", Tenant: "fabrikam-tenant-id"}

	if err := c.VerifyCallback(ctx, admin, cb); err != nil {
		t.Fatalf("consented custom app: %v", err)
	}
	got := f.requests()[0]
	if got.Path != "/contoso.onmicrosoft.com/oauth2/v2.0/token" {
		t.Errorf("token path = %q, want the registered domain's", got.Path)
	}
	for k, want := range map[string]string{"grant_type": "client_credentials", "client_id": clientID,
		"scope": "https://graph.microsoft.com/.default", "client_secret": ""} {
		if v := got.Form.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}

	refusals := []struct {
		name   string
		target func(Target) Target
		cb     Callback
		want   string
		asked  bool
	}{
		{"certificate not registered on the app", func(t Target) Target { t.Certificate = other; return t }, cb, "invalid_client", true},
		{"signed with another key", func(t Target) Target {
			t.Certificate = &AppCertificate{Leaf: registered.Leaf, Key: other.Key}
			return t
		}, cb, "signature verification failed", true},
		{"tenant without consent", func(t Target) Target { t.Domain = "northwind.onmicrosoft.com"; return t }, cb, "invalid_grant", true},
		{"no admin consent reported", func(t Target) Target { return t }, Callback{Code: "x"}, "admin consent", false},
		{"no certificate", func(t Target) Target { t.Certificate = nil; return t }, cb, "no certificate", false},
		{"no client id", func(t Target) Target { t.ClientID = ""; return t }, cb, "no client id", false},
		{"expired certificate", func(t Target) Target { t.Certificate = expired; return t }, cb, "expired", false},
		{"ECDSA certificate", func(t Target) Target { t.Certificate = ecdsaCert; return t }, cb, "only RSA", false},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			n := len(f.requests())
			err := c.VerifyCallback(ctx, tc.target(admin), tc.cb)
			if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrNotVerified mentioning %q", err, tc.want)
			}
			if asked := len(f.requests()) > n; asked != tc.asked {
				t.Errorf("asked the platform: %v, want %v", asked, tc.asked)
			}
		})
	}

	// User consent (the delegated custom type allows it) redeems the code
	// as the customer's app.
	user := admin
	user.AppType, user.ConsentMethod = domain.AppTypeCustomAzureAppDelegated, domain.ConsentMethodUser
	if err := c.VerifyCallback(ctx, user, Callback{Code: "good-code"}); err != nil {
		t.Fatalf("user consent: %v", err)
	}
	reqs := f.requests()
	last := reqs[len(reqs)-1]
	if last.Form.Get("grant_type") != "authorization_code" || last.Form.Get("client_id") != clientID ||
		last.Form.Get("client_assertion") == "" || last.Form.Get("redirect_uri") != "https://aos.example.com/consent/callback/microsoft" {
		t.Errorf("user consent request: %v", last.Form)
	}
	if err := c.VerifyCallback(ctx, user, Callback{Code: "forged"}); !errors.Is(err, ErrNotVerified) {
		t.Errorf("forged code: %v", err)
	}
	user.Certificate = other
	if err := c.VerifyCallback(ctx, user, Callback{Code: "good-code"}); !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("user consent with an unregistered certificate: %v", err)
	}
}

// TestVerifyGoogleHostedDomain: a redeemed Google code completes only the
// registration of the domain the consenting account belongs to.
func TestVerifyGoogleHostedDomain(t *testing.T) {
	target := Target{Kind: KindTenant, Platform: domain.PlatformGoogle, Domain: "contoso.com"}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   string // "" means confirmed
	}{
		{"registered domain", map[string]any{"hd": "contoso.com", "email": "admin@contoso.com"}, ""},
		{"registered domain in other case", map[string]any{"hd": "Contoso.COM", "email": "admin@contoso.com"}, ""},
		{"another domain", map[string]any{"hd": "fabrikam.com", "email": "admin@fabrikam.com"}, "belongs to the domain fabrikam.com, not to the registered domain contoso.com"},
		{"registered secondary domain, verified address", map[string]any{"hd": "contoso-group.com", "email": "admin@contoso.com", "email_verified": true}, ""},
		{"registered secondary domain, unverified address", map[string]any{"hd": "contoso-group.com", "email": "admin@contoso.com"}, "belongs to the domain contoso-group.com"},
		{"consumer account with the domain's address", map[string]any{"email": "admin@contoso.com", "email_verified": true}, "belongs to no Workspace domain"},
		{"consumer account", map[string]any{"email": "someone@gmail.com"}, "belongs to no Workspace domain"},
		{"no ID token", nil, "no ID token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTokenEndpoint(t)
			f.idClaims = tc.claims
			err := verifyConfig(f).VerifyCallback(context.Background(), target, Callback{Code: "good-code"})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrNotVerified mentioning %q", err, tc.want)
			}
		})
	}
}
