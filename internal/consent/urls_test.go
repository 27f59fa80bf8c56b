package consent

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

var testConfig = Config{
	PublicBaseURL:            "https://aos.example.com/",
	MicrosoftClientID:        "11111111-1111-1111-1111-111111111111",
	MicrosoftAppClientIDs:    map[string]string{"myhub": "22222222-2222-2222-2222-222222222222"},
	MicrosoftPartnerClientID: "33333333-3333-3333-3333-333333333333",
	GoogleClientID:           "google-client.apps.googleusercontent.com",
	SalesforceClientID:       "3MVG9sf-consumer-key",
}

// parse splits a URL into its address (scheme, host, path) and query.
func parse(t *testing.T, raw string) (string, url.Values) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host + u.Path, u.Query()
}

func wantQuery(t *testing.T, q url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestCallbackURL(t *testing.T) {
	if got := testConfig.CallbackURL("google"); got != "https://aos.example.com/consent/callback/google" {
		t.Errorf("CallbackURL = %q", got)
	}
	got := testConfig.DevSignInURL("v1.a+b.c")
	if got != "https://aos.example.com/dev/consent?state=v1.a%2Bb.c" {
		t.Errorf("DevSignInURL = %q", got)
	}
}

func TestTenantConsentURL(t *testing.T) {
	tests := []struct {
		name, platform, env, domain string
		addr                        string
		query                       map[string]string
	}{
		{name: "microsoft commercial", platform: "microsoft", env: "commercial", domain: "contoso.onmicrosoft.com",
			addr: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent",
			query: map[string]string{"client_id": testConfig.MicrosoftClientID, "state": "S",
				"redirect_uri": "https://aos.example.com/consent/callback/microsoft",
				"scope":        "https://graph.microsoft.com/.default offline_access openid"}},
		{name: "microsoft default env", platform: "microsoft", domain: "contoso.onmicrosoft.com",
			addr: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent"},
		{name: "microsoft government", platform: "microsoft", env: "us_government", domain: "contosogov.onmicrosoft.us",
			addr:  "https://login.microsoftonline.us/contosogov.onmicrosoft.us/v2.0/adminconsent",
			query: map[string]string{"scope": "https://graph.microsoft.us/.default offline_access openid"}},
		{name: "google", platform: "google", domain: "contoso.com",
			addr: "https://accounts.google.com/o/oauth2/v2/auth",
			query: map[string]string{"client_id": testConfig.GoogleClientID, "access_type": "offline", "prompt": "consent",
				"response_type": "code", "hd": "contoso.com", "state": "S",
				"redirect_uri": "https://aos.example.com/consent/callback/google",
				"scope": "https://www.googleapis.com/auth/admin.directory.user.readonly " +
					"https://www.googleapis.com/auth/admin.directory.group.readonly " +
					"https://www.googleapis.com/auth/apps.licensing openid email"}},
		{name: "salesforce production", platform: "salesforce", env: "production", domain: "contoso.my.salesforce.com",
			addr: "https://login.salesforce.com/services/oauth2/authorize",
			query: map[string]string{"client_id": testConfig.SalesforceClientID, "response_type": "code", "state": "S",
				"redirect_uri": "https://aos.example.com/consent/callback/salesforce", "scope": "api refresh_token id"}},
		{name: "salesforce sandbox", platform: "salesforce", env: "sandbox", domain: "contoso--dev.sandbox.my.salesforce.com",
			addr: "https://test.salesforce.com/services/oauth2/authorize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := testConfig.TenantConsentURL(tt.platform, tt.env, tt.domain, "S")
			if err != nil {
				t.Fatal(err)
			}
			addr, q := parse(t, raw)
			if addr != tt.addr {
				t.Errorf("address %s, want %s", addr, tt.addr)
			}
			wantQuery(t, q, tt.query)
		})
	}
}

func TestTenantConsentURLErrors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		cfg      Config
		platform string
		env      string
		notConf  bool
	}{
		{name: "amazon", cfg: testConfig, platform: "amazon"},
		{name: "bad azure env", cfg: testConfig, platform: "microsoft", env: "china"},
		{name: "bad salesforce env", cfg: testConfig, platform: "salesforce", env: "dev"},
		{name: "no base url", cfg: Config{MicrosoftClientID: "x"}, platform: "microsoft", notConf: true},
		{name: "no google client", cfg: Config{PublicBaseURL: "https://a"}, platform: "google", notConf: true},
		{name: "no salesforce client", cfg: Config{PublicBaseURL: "https://a"}, platform: "salesforce", notConf: true},
		{name: "no microsoft client", cfg: Config{PublicBaseURL: "https://a"}, platform: "microsoft", notConf: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.TenantConsentURL(tt.platform, tt.env, "d", "S")
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNotConfigured) != tt.notConf {
				t.Errorf("err %v, ErrNotConfigured want %v", err, tt.notConf)
			}
		})
	}
}

func TestAppProfileConsentURL(t *testing.T) {
	const custom = "44444444-4444-4444-4444-444444444444"
	tests := []struct {
		name, appType, method, env string
		addr, clientID             string
		query                      map[string]string
	}{
		{name: "admin consent default app", appType: "microsoft_365", method: "admin",
			addr:     "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent",
			clientID: testConfig.MicrosoftClientID},
		{name: "per-type app", appType: "myhub", method: "admin",
			addr:     "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent",
			clientID: "22222222-2222-2222-2222-222222222222"},
		{name: "user consent", appType: "myhub", method: "user",
			addr:     "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
			clientID: "22222222-2222-2222-2222-222222222222",
			query:    map[string]string{"response_type": "code", "prompt": "consent", "response_mode": "query"}},
		{name: "custom app uses own client id", appType: "custom_azure_app_delegated", method: "user",
			addr: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize", clientID: custom},
		{name: "government", appType: "delegated_app", method: "admin", env: "us_government",
			addr: "https://login.microsoftonline.us/contoso.onmicrosoft.com/v2.0/adminconsent", clientID: testConfig.MicrosoftClientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := testConfig.AppProfileConsentURL(tt.appType, tt.method, tt.env, "contoso.onmicrosoft.com", custom, "S")
			if err != nil {
				t.Fatal(err)
			}
			addr, q := parse(t, raw)
			if addr != tt.addr {
				t.Errorf("address %s, want %s", addr, tt.addr)
			}
			wantQuery(t, q, map[string]string{"client_id": tt.clientID, "state": "S"})
			wantQuery(t, q, tt.query)
		})
	}
	if _, err := testConfig.AppProfileConsentURL("nope", "admin", "", "d", "", "S"); err == nil {
		t.Error("unknown app type accepted")
	}
	if _, err := testConfig.AppProfileConsentURL("custom_azure_app", "admin", "", "d", "", "S"); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("custom app without client id: %v", err)
	}
}

func TestPartnerConsentURL(t *testing.T) {
	raw, err := testConfig.PartnerConsentURL("global", "S")
	if err != nil {
		t.Fatal(err)
	}
	addr, q := parse(t, raw)
	if addr != "https://login.microsoftonline.com/organizations/v2.0/adminconsent" {
		t.Errorf("address %s", addr)
	}
	wantQuery(t, q, map[string]string{"client_id": testConfig.MicrosoftPartnerClientID})

	raw, err = testConfig.PartnerConsentURL("us_government", "S")
	if err != nil || !strings.HasPrefix(raw, "https://login.microsoftonline.us/organizations/") {
		t.Errorf("government partner URL %q, %v", raw, err)
	}
	if _, err := testConfig.PartnerConsentURL("commercial", "S"); err == nil {
		t.Error("Azure environment name accepted as partner cloud")
	}
}

func TestStateIsQueryEscaped(t *testing.T) {
	raw, err := testConfig.TenantConsentURL("microsoft", "", "contoso.onmicrosoft.com", "a&b=c d")
	if err != nil {
		t.Fatal(err)
	}
	if _, q := parse(t, raw); q.Get("state") != "a&b=c d" {
		t.Errorf("state not round-tripped: %q", raw)
	}
}
