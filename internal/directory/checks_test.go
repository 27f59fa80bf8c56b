package directory

import (
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const (
	contoso   = "contoso.onmicrosoft.com"
	fabrikam  = "fabrikam.onmicrosoft.com"
	northwind = "northwind.onmicrosoft.com"
	gov       = "contosogov.onmicrosoft.us"
)

func newDefault(t *testing.T) *Directory {
	t.Helper()
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wantErr asserts that e is nil when code is empty and otherwise carries
// code on field with a message mentioning every fragment of want.
func wantErr(t *testing.T, e *domain.Error, code, field string, want ...string) {
	t.Helper()
	if code == "" {
		if e != nil {
			t.Fatalf("refused: %v", e)
		}
		return
	}
	if e == nil {
		t.Fatalf("accepted, want %s", code)
	}
	if e.Code != code {
		t.Fatalf("code %s (%s), want %s", e.Code, e.Message, code)
	}
	if field != "" {
		if len(e.Details) == 0 {
			t.Fatalf("no details, want field %s", field)
		}
		for _, dt := range e.Details {
			if dt.Field != field {
				t.Fatalf("details %+v, want field %s", e.Details, field)
			}
		}
	}
	for _, w := range want {
		if !strings.Contains(e.Message, w) {
			t.Errorf("message %q lacks %q", e.Message, w)
		}
	}
}

func TestSignIn(t *testing.T) {
	d := newDefault(t)
	tests := []struct {
		name, platform, login, password string
		code, home                      string
	}{
		{name: "member", platform: "microsoft", login: "admin@contoso.onmicrosoft.com", password: "Contoso#Admin1", home: contoso},
		{name: "case-insensitive login", platform: "microsoft", login: "Admin@Contoso.OnMicrosoft.com", password: "Contoso#Admin1", home: contoso},
		{name: "guest signs in at home", platform: "microsoft", login: "megan@fabrikam.onmicrosoft.com", password: "Megan#Bowen2024", home: fabrikam},
		{name: "wrong password", platform: "microsoft", login: "admin@contoso.onmicrosoft.com", password: "nope", code: domain.CodeSignInFailed},
		{name: "unknown login same answer", platform: "microsoft", login: "ghost@contoso.onmicrosoft.com", password: "x", code: domain.CodeSignInFailed},
		{name: "other platform", platform: "google", login: "admin@contoso.onmicrosoft.com", password: "Contoso#Admin1", code: domain.CodeSignInFailed},
		{name: "disabled", platform: "microsoft", login: "disabled.admin@contoso.onmicrosoft.com", password: "Disabled#2024", code: domain.CodeConsentUserDisabled},
		{name: "google", platform: "google", login: "admin@contoso.com", password: "Google#Admin1", home: "contoso.com"},
		{name: "salesforce", platform: "salesforce", login: "sfadmin@contoso.com.dev", password: "Sandbox#Admin1", home: "contoso--dev.sandbox.my.salesforce.com"},
		{name: "empty password", platform: "microsoft", login: "admin@contoso.onmicrosoft.com", password: "", code: domain.CodeSignInFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := d.SignIn(tt.platform, tt.login, tt.password)
			wantErr(t, e, tt.code, "login")
			if tt.code == "" && s.HomeDomain != tt.home {
				t.Errorf("home %s, want %s", s.HomeDomain, tt.home)
			}
		})
	}
}

func TestCheckTenantConsent(t *testing.T) {
	d := newDefault(t)
	tests := []struct {
		name                         string
		platform, domain, env, login string
		code, field                  string
		want                         []string
	}{
		// Microsoft.
		{name: "ms global admin", platform: "microsoft", domain: contoso, env: "commercial", login: "admin@contoso.onmicrosoft.com"},
		{name: "ms default environment", platform: "microsoft", domain: contoso, login: "admin@contoso.onmicrosoft.com"},
		{name: "ms admin with mfa may consent", platform: "microsoft", domain: contoso, login: "mfa.admin@contoso.onmicrosoft.com"},
		{name: "ms gov admin", platform: "microsoft", domain: gov, env: "us_government", login: "admin@contosogov.onmicrosoft.us"},
		{name: "ms unknown tenant", platform: "microsoft", domain: "nowhere.onmicrosoft.com", login: "admin@contoso.onmicrosoft.com",
			code: domain.CodePlatformTenantUnknown, field: "domain", want: []string{"nowhere.onmicrosoft.com"}},
		{name: "ms gov tenant commercial env", platform: "microsoft", domain: gov, env: "commercial", login: "admin@contosogov.onmicrosoft.us",
			code: domain.CodeEnvironmentMismatch, field: "environment", want: []string{`set environment to "us_government"`}},
		{name: "ms commercial tenant gov env", platform: "microsoft", domain: contoso, env: "us_government", login: "admin@contoso.onmicrosoft.com",
			code: domain.CodeEnvironmentMismatch, field: "environment"},
		{name: "ms bad env", platform: "microsoft", domain: contoso, env: "china", login: "admin@contoso.onmicrosoft.com",
			code: domain.CodeInvalidValue, field: "environment"},
		{name: "ms not admin", platform: "microsoft", domain: contoso, login: "adele@contoso.onmicrosoft.com",
			code: domain.CodeConsentUserNotAdmin, field: "login", want: []string{"Global Administrator"}},
		{name: "ms sharepoint admin is not enough", platform: "microsoft", domain: contoso, login: "sp.admin@contoso.onmicrosoft.com",
			code: domain.CodeConsentUserNotAdmin},
		{name: "ms external guest admin", platform: "microsoft", domain: contoso, login: "megan@fabrikam.onmicrosoft.com",
			code: domain.CodeConsentUserExternal, field: "login", want: []string{"guest", fabrikam}},
		{name: "ms admin of other tenant", platform: "microsoft", domain: contoso, login: "admin@fabrikam.onmicrosoft.com",
			code: domain.CodeConsentUserWrongTenant, field: "login", want: []string{"belongs to " + fabrikam}},
		{name: "ms unknown user", platform: "microsoft", domain: contoso, login: "ghost@contoso.onmicrosoft.com",
			code: domain.CodeConsentUserUnknown, field: "login"},
		{name: "ms disabled admin", platform: "microsoft", domain: contoso, login: "disabled.admin@contoso.onmicrosoft.com",
			code: domain.CodeConsentUserDisabled, field: "login"},

		// Google.
		{name: "google super admin", platform: "google", domain: "contoso.com", login: "admin@contoso.com"},
		{name: "google delegated admin with all privileges", platform: "google", domain: "contoso.com", login: "reader@contoso.com"},
		{name: "google environment ignored", platform: "google", domain: "contoso.com", env: "", login: "reader@contoso.com"},
		{name: "google partial privileges", platform: "google", domain: "contoso.com", login: "helpdesk@contoso.com",
			code: domain.CodeGooglePrivilegesMissing, field: "login",
			want: []string{"Groups › Read", "License Management › License Read"}},
		{name: "google no privileges", platform: "google", domain: "contoso.com", login: "employee@contoso.com",
			code: domain.CodeGooglePrivilegesMissing, want: []string{"Users › Read", "Groups › Read", "License Read"}},
		{name: "google app not installed", platform: "google", domain: "fabrikam.com", login: "admin@fabrikam.com",
			code: domain.CodeGoogleAppNotInstalled, field: "domain", want: []string{"Marketplace"}},
		{name: "google suspended", platform: "google", domain: "contoso.com", login: "suspended@contoso.com",
			code: domain.CodeConsentUserDisabled},
		{name: "google other tenant", platform: "google", domain: "contoso.com", login: "admin@fabrikam.com",
			code: domain.CodeConsentUserWrongTenant},

		// Salesforce.
		{name: "sf admin with approve (access control off)", platform: "salesforce", domain: "contoso.my.salesforce.com", env: "production", login: "sfadmin@contoso.com"},
		{name: "sf default environment", platform: "salesforce", domain: "contoso.my.salesforce.com", login: "sfadmin@contoso.com"},
		{name: "sf equivalent profile", platform: "salesforce", domain: "contoso.my.salesforce.com", login: "sfintegration@contoso.com"},
		{name: "sf admin with use any api client (access control on)", platform: "salesforce", domain: "contoso--dev.sandbox.my.salesforce.com", env: "sandbox", login: "sfadmin@contoso.com.dev"},
		{name: "sf app installed needs no extra permission", platform: "salesforce", domain: "fabrikam.my.salesforce.com", login: "sfadmin@fabrikam.com"},
		{name: "sf standard user", platform: "salesforce", domain: "contoso.my.salesforce.com", login: "sfuser@contoso.com",
			code: domain.CodeSalesforceProfileMissing, field: "login", want: []string{"Standard User", "Modify All Data", "System Administrator"}},
		{name: "sf admin without approve", platform: "salesforce", domain: "contoso.my.salesforce.com", login: "sfadmin.noapprove@contoso.com",
			code: domain.CodeSalesforceUninstalledApp, field: "login", want: []string{"Approve Uninstalled Connected Apps"}},
		{name: "sf access control on needs use any api client", platform: "salesforce", domain: "contoso--dev.sandbox.my.salesforce.com", env: "sandbox", login: "sfadmin.approve@contoso.com.dev",
			code: domain.CodeSalesforceUninstalledApp, want: []string{"API Access Control is on", "Use Any API Client"}},
		{name: "sf sandbox as production", platform: "salesforce", domain: "contoso--dev.sandbox.my.salesforce.com", env: "production", login: "sfadmin@contoso.com.dev",
			code: domain.CodeEnvironmentMismatch, field: "environment", want: []string{`"sandbox"`}},
		{name: "sf production as sandbox", platform: "salesforce", domain: "contoso.my.salesforce.com", env: "sandbox", login: "sfadmin@contoso.com",
			code: domain.CodeEnvironmentMismatch},
		{name: "sf other org", platform: "salesforce", domain: "contoso.my.salesforce.com", login: "sfadmin@fabrikam.com",
			code: domain.CodeConsentUserWrongTenant},

		{name: "amazon not here", platform: "amazon", domain: "x", login: "x", code: domain.CodePlatformNotSupported, field: "platform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, e := d.CheckTenantConsent(tt.platform, tt.domain, tt.env, tt.login)
			wantErr(t, e, tt.code, tt.field, tt.want...)
			if tt.code != "" {
				return
			}
			if info.Domain != strings.ToLower(tt.domain) || info.PlatformTenantID == "" || info.DisplayName == "" {
				t.Errorf("info %+v", info)
			}
			if info.ConsentUser != strings.ToLower(tt.login) {
				t.Errorf("consent user %q", info.ConsentUser)
			}
		})
	}
}

func TestTenantInfo(t *testing.T) {
	d := newDefault(t)
	info, e := d.CheckTenantConsent("microsoft", contoso, "", "admin@contoso.onmicrosoft.com")
	wantErr(t, e, "", "")
	if !info.MultiGeo || len(info.GeoLocations) != 3 || info.GeoLocations[1].Code != "EUR" {
		t.Errorf("geo: %v %+v", info.MultiGeo, info.GeoLocations)
	}
	if len(info.Containers) < 3 || info.SharePointAdminCenterURL != "https://contoso-admin.sharepoint.com" {
		t.Errorf("info %+v", info)
	}
	// The caller's copy must not alias the directory.
	info.GeoLocations[0].Code = "XXX"
	if g, _ := d.GeoLocations(contoso); g[0].Code != "NAM" {
		t.Error("GeoLocations aliased")
	}

	info, e = d.CheckTenantConsent("microsoft", gov, "us_government", "admin@contosogov.onmicrosoft.us")
	wantErr(t, e, "", "")
	if info.SharePointAdminCenterURL != "https://contosogov-admin.sharepoint.us" || info.MultiGeo {
		t.Errorf("gov info %+v", info)
	}

	info, e = d.CheckTenantConsent("google", "contoso.com", "", "admin@contoso.com")
	wantErr(t, e, "", "")
	if info.SharePointAdminCenterURL != "" {
		t.Errorf("google tenant has a SharePoint URL: %+v", info)
	}

	if g, ok := d.GeoLocations(fabrikam); !ok || len(g) != 0 {
		t.Errorf("fabrikam geo %v %v", g, ok)
	}
	if _, ok := d.GeoLocations("nowhere.onmicrosoft.com"); ok {
		t.Error("unknown tenant has geo locations")
	}
	if c, ok := d.Containers(fabrikam); !ok || len(c) != 2 || c[0].ID != "ctr-fabrikam-groups" {
		t.Errorf("fabrikam containers %+v", c)
	}
	if _, ok := d.Containers("contoso.com"); ok {
		t.Error("containers of a Google tenant")
	}
	if ti, ok := d.Tenant("salesforce", "Contoso.My.Salesforce.com"); !ok || ti.Environment != "production" {
		t.Errorf("Tenant lookup %+v %v", ti, ok)
	}
}

func TestCheckAppConsent(t *testing.T) {
	d := newDefault(t)
	tests := []struct {
		name                        string
		domain, login, method, kind string
		code, field, reason         string
	}{
		{name: "admin consent by global admin", domain: contoso, login: "admin@contoso.onmicrosoft.com", method: "admin", kind: "application"},
		{name: "default method is admin", domain: contoso, login: "adele@contoso.onmicrosoft.com", method: "", kind: "application",
			code: domain.CodeConsentUserNotAdmin, field: "login"},
		{name: "admin consent by member", domain: contoso, login: "adele@contoso.onmicrosoft.com", method: "admin", kind: "delegated",
			code: domain.CodeConsentUserNotAdmin, field: "login"},
		{name: "user consent by member", domain: contoso, login: "adele@contoso.onmicrosoft.com", method: "user", kind: "delegated"},
		{name: "user consent by unlicensed member", domain: contoso, login: "lee@contoso.onmicrosoft.com", method: "user", kind: "hybrid"},
		{name: "user consent by guest", domain: contoso, login: "megan@fabrikam.onmicrosoft.com", method: "user", kind: "delegated",
			code: domain.CodeConsentUserExternal},
		{name: "admin consent by guest admin", domain: contoso, login: "megan@fabrikam.onmicrosoft.com", method: "admin", kind: "application",
			code: domain.CodeConsentUserExternal},
		{name: "user consent by disabled", domain: contoso, login: "disabled.admin@contoso.onmicrosoft.com", method: "user", kind: "delegated",
			code: domain.CodeConsentUserDisabled},
		{name: "other tenant", domain: contoso, login: "svc@fabrikam.onmicrosoft.com", method: "user", kind: "delegated",
			code: domain.CodeConsentUserWrongTenant},
		{name: "unknown tenant", domain: "x.onmicrosoft.com", login: "a@x.onmicrosoft.com", method: "user", kind: "delegated",
			code: domain.CodePlatformTenantUnknown},
		{name: "bad method", domain: contoso, login: "admin@contoso.onmicrosoft.com", method: "owner", kind: "delegated",
			code: domain.CodeInvalidValue, field: "consentMethod"},
		{name: "bad kind", domain: contoso, login: "admin@contoso.onmicrosoft.com", method: "admin", kind: "both",
			code: domain.CodeInvalidValue, field: "permissionKind"},
		{name: "conditional access delegated", domain: northwind, login: "admin@northwind.onmicrosoft.com", method: "admin", kind: "delegated",
			reason: domain.ReasonConditionalAccess},
		{name: "conditional access hybrid", domain: northwind, login: "user@northwind.onmicrosoft.com", method: "user", kind: "hybrid",
			reason: domain.ReasonConditionalAccess},
		{name: "conditional access ignores application", domain: northwind, login: "admin@northwind.onmicrosoft.com", method: "admin", kind: "application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, e := d.CheckAppConsent("app-"+tt.name, tt.domain, tt.login, tt.method, tt.kind)
			wantErr(t, e, tt.code, tt.field)
			if tt.code != "" {
				return
			}
			if r.Reason != tt.reason || r.Invalid() != (tt.reason != "") {
				t.Errorf("reason %q, want %q", r.Reason, tt.reason)
			}
			if r.ConsentUser != tt.login || r.PlatformTenantID == "" {
				t.Errorf("result %+v", r)
			}
		})
	}
}

func TestEvaluateDelegatedConsent(t *testing.T) {
	const user = "delegate@contoso.onmicrosoft.com"
	consent := func(t *testing.T, d *Directory) {
		t.Helper()
		if _, e := d.CheckAppConsent("app-1", contoso, user, "user", "delegated"); e != nil {
			t.Fatal(e)
		}
	}
	tests := []struct {
		name   string
		change func(d *Directory) *domain.Error
		want   string
		// afterReconsent is the reason after the user consents again.
		afterReconsent string
	}{
		{name: "nothing changed", change: func(*Directory) *domain.Error { return nil }},
		{name: "mfa turned on", change: func(d *Directory) *domain.Error {
			return d.SetUserMFA("microsoft", contoso, user, true)
		}, want: domain.ReasonMfaEnabled},
		{name: "mfa on then off still needs consent", change: func(d *Directory) *domain.Error {
			if e := d.SetUserMFA("microsoft", contoso, user, true); e != nil {
				return e
			}
			return d.SetUserMFA("microsoft", contoso, user, false)
		}, want: domain.ReasonMfaEnabled},
		{name: "password changed", change: func(d *Directory) *domain.Error {
			return d.SetUserPassword("microsoft", contoso, user, "Changed#2025")
		}, want: domain.ReasonUserUnavailable},
		{name: "disabled", change: func(d *Directory) *domain.Error {
			return d.SetUserEnabled("microsoft", contoso, user, false)
		}, want: domain.ReasonUserUnavailable, afterReconsent: "refused"},
		{name: "disabled then enabled", change: func(d *Directory) *domain.Error {
			if e := d.SetUserEnabled("microsoft", contoso, user, false); e != nil {
				return e
			}
			return d.SetUserEnabled("microsoft", contoso, user, true)
		}, want: domain.ReasonUserUnavailable},
		{name: "removed", change: func(d *Directory) *domain.Error {
			return d.RemoveUser("microsoft", contoso, user)
		}, want: domain.ReasonUserUnavailable, afterReconsent: "refused"},
		{name: "conditional access added", change: func(d *Directory) *domain.Error {
			return d.SetConditionalAccessBlocksServiceIP(contoso, true)
		}, want: domain.ReasonConditionalAccess, afterReconsent: domain.ReasonConditionalAccess},
		{name: "conditional access fixed", change: func(d *Directory) *domain.Error {
			if e := d.SetConditionalAccessBlocksServiceIP(contoso, true); e != nil {
				return e
			}
			return d.SetConditionalAccessBlocksServiceIP(contoso, false)
		}},
		{name: "unrelated user changed", change: func(d *Directory) *domain.Error {
			return d.SetUserMFA("microsoft", contoso, "adele@contoso.onmicrosoft.com", true)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDefault(t)
			consent(t, d)
			v := d.Version()
			if e := tt.change(d); e != nil {
				t.Fatal(e)
			}
			if got := d.EvaluateDelegatedConsent("app-1", contoso, user); got != tt.want {
				t.Fatalf("reason %q, want %q", got, tt.want)
			}
			if tt.name != "nothing changed" && d.Version() == v {
				t.Error("mutation did not bump Version")
			}
			_, e := d.CheckAppConsent("app-1", contoso, user, "user", "delegated")
			if tt.afterReconsent == "refused" {
				if e == nil {
					t.Fatal("re-consent accepted")
				}
				return
			}
			if e != nil {
				t.Fatal(e)
			}
			if got := d.EvaluateDelegatedConsent("app-1", contoso, user); got != tt.afterReconsent {
				t.Errorf("after re-consent %q, want %q", got, tt.afterReconsent)
			}
		})
	}

	t.Run("no snapshot takes current state as baseline", func(t *testing.T) {
		d := newDefault(t)
		if got := d.EvaluateDelegatedConsent("app-2", contoso, "mfa.admin@contoso.onmicrosoft.com"); got != "" {
			t.Errorf("got %q", got)
		}
		if got := d.EvaluateDelegatedConsent("app-5", northwind, "user@northwind.onmicrosoft.com"); got != domain.ReasonConditionalAccess {
			t.Errorf("got %q", got)
		}
		if got := d.EvaluateDelegatedConsent("app-3", contoso, "disabled.admin@contoso.onmicrosoft.com"); got != domain.ReasonUserUnavailable {
			t.Errorf("got %q", got)
		}
		if got := d.EvaluateDelegatedConsent("app-4", contoso, "megan@fabrikam.onmicrosoft.com"); got != domain.ReasonUserUnavailable {
			t.Errorf("guest: got %q", got)
		}
		if got := d.EvaluateDelegatedConsent("app-6", "gone.onmicrosoft.com", "x@gone.onmicrosoft.com"); got != domain.ReasonUserUnavailable {
			t.Errorf("unknown tenant: got %q", got)
		}
	})
}

// TestDelegatedConsentPerProfile covers a user who consents to two
// delegated app profiles with a change in between. Each profile must be
// judged against its own consent: when the snapshot was kept per user, the
// second consent overwrote the first one's and hid the change from it.
func TestDelegatedConsentPerProfile(t *testing.T) {
	const user = "delegate@contoso.onmicrosoft.com"
	consent := func(t *testing.T, d *Directory, id string) {
		t.Helper()
		if _, e := d.CheckAppConsent(id, contoso, user, "user", "delegated"); e != nil {
			t.Fatal(e)
		}
	}
	tests := []struct {
		name   string
		change func(d *Directory) *domain.Error
		want   string
	}{
		{name: "mfa turned on", change: func(d *Directory) *domain.Error {
			return d.SetUserMFA("microsoft", contoso, user, true)
		}, want: domain.ReasonMfaEnabled},
		{name: "password changed", change: func(d *Directory) *domain.Error {
			return d.SetUserPassword("microsoft", contoso, user, "Changed#2025")
		}, want: domain.ReasonUserUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDefault(t)
			consent(t, d, "app-a")
			if e := tt.change(d); e != nil {
				t.Fatal(e)
			}
			consent(t, d, "app-b")
			if got := d.EvaluateDelegatedConsent("app-a", contoso, user); got != tt.want {
				t.Errorf("profile consented before the change: reason %q, want %q", got, tt.want)
			}
			if got := d.EvaluateDelegatedConsent("app-b", contoso, user); got != "" {
				t.Errorf("profile consented after the change: reason %q, want none", got)
			}
			// Consenting A again makes it usable without touching B.
			consent(t, d, "app-a")
			if got := d.EvaluateDelegatedConsent("app-a", contoso, user); got != "" {
				t.Errorf("after re-consent of A: reason %q, want none", got)
			}
			if got := d.EvaluateDelegatedConsent("app-b", contoso, user); got != "" {
				t.Errorf("B after re-consent of A: reason %q, want none", got)
			}
		})
	}
}

// consentHolders lists the users the directory keeps a snapshot of the
// consent to object id for.
func consentHolders(d *Directory, id string) []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if s, ok := d.consents[id]; ok {
		return []string{s.user.login}
	}
	return nil
}

func TestConsentSnapshotBookkeeping(t *testing.T) {
	const user = "delegate@contoso.onmicrosoft.com"
	const other = "adele@contoso.onmicrosoft.com"
	consent := func(t *testing.T, d *Directory, id, login string) {
		t.Helper()
		if _, e := d.CheckAppConsent(id, contoso, login, "user", "delegated"); e != nil {
			t.Fatal(e)
		}
	}

	t.Run("forget drops only that profile", func(t *testing.T) {
		d := newDefault(t)
		consent(t, d, "app-a", user)
		if e := d.SetUserMFA("microsoft", contoso, user, true); e != nil {
			t.Fatal(e)
		}
		consent(t, d, "app-b", user)
		d.ForgetConsent("app-a")
		if h := consentHolders(d, "app-a"); len(h) != 0 {
			t.Errorf("app-a still held by %v", h)
		}
		if h := consentHolders(d, "app-b"); len(h) != 1 || h[0] != user {
			t.Errorf("app-b held by %v, want %s", h, user)
		}
		// Without a snapshot the current state is the baseline.
		if got := d.EvaluateDelegatedConsent("app-a", contoso, user); got != "" {
			t.Errorf("forgotten profile: reason %q", got)
		}
	})

	t.Run("re-consent by another user replaces the snapshot", func(t *testing.T) {
		d := newDefault(t)
		consent(t, d, "app-a", user)
		consent(t, d, "app-a", other)
		if h := consentHolders(d, "app-a"); len(h) != 1 || h[0] != other {
			t.Errorf("app-a held by %v, want only %s", h, other)
		}
		if e := d.SetUserMFA("microsoft", contoso, user, true); e != nil {
			t.Fatal(e)
		}
		if got := d.EvaluateDelegatedConsent("app-a", contoso, other); got != "" {
			t.Errorf("reason %q: the former consent user's change leaked", got)
		}
	})

	t.Run("removing the user drops all their snapshots", func(t *testing.T) {
		d := newDefault(t)
		consent(t, d, "app-a", user)
		consent(t, d, "app-b", user)
		if e := d.RemoveUser("microsoft", contoso, user); e != nil {
			t.Fatal(e)
		}
		if len(consentHolders(d, "app-a"))+len(consentHolders(d, "app-b")) != 0 {
			t.Error("snapshots of a removed user remain")
		}
	})
}

func TestCheckPartnerConsent(t *testing.T) {
	d := newDefault(t)
	tests := []struct {
		name, cloud, login, code, field, domain string
	}{
		{name: "global admin commercial", cloud: "global", login: "admin@contoso.onmicrosoft.com", domain: contoso},
		{name: "guest signs in as home account", cloud: "global", login: "megan@fabrikam.onmicrosoft.com", domain: fabrikam},
		{name: "gov admin", cloud: "us_government", login: "admin@contosogov.onmicrosoft.us", domain: gov},
		{name: "gov admin global cloud", cloud: "global", login: "admin@contosogov.onmicrosoft.us", code: domain.CodeEnvironmentMismatch, field: "cloud"},
		{name: "commercial admin gov cloud", cloud: "us_government", login: "admin@contoso.onmicrosoft.com", code: domain.CodeEnvironmentMismatch, field: "cloud"},
		{name: "not admin", cloud: "global", login: "adele@contoso.onmicrosoft.com", code: domain.CodeConsentUserNotAdmin, field: "login"},
		{name: "disabled", cloud: "global", login: "disabled.admin@contoso.onmicrosoft.com", code: domain.CodeConsentUserDisabled, field: "login"},
		{name: "unknown", cloud: "global", login: "nobody@contoso.onmicrosoft.com", code: domain.CodeConsentUserUnknown, field: "login"},
		{name: "bad cloud", cloud: "china", login: "admin@contoso.onmicrosoft.com", code: domain.CodeInvalidValue, field: "cloud"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, e := d.CheckPartnerConsent(tt.cloud, tt.login)
			wantErr(t, e, tt.code, tt.field)
			if tt.code == "" && (info.Domain != tt.domain || info.ConsentUser != tt.login) {
				t.Errorf("info %+v", info)
			}
		})
	}
}

func TestValidateServiceAccount(t *testing.T) {
	d := newDefault(t)
	tests := []struct {
		name                   string
		domain, user, password string
		mfa                    bool
		appPassword            string
		code, field, role      string
		want                   []string
	}{
		{name: "valid sharepoint admin", domain: contoso, user: "svc.backup@contoso.onmicrosoft.com", password: "Backup#Svc2024", role: RoleNameSharePointAdministrator},
		{name: "valid plain user", domain: contoso, user: "svc.plain@contoso.onmicrosoft.com", password: "Plain#Svc2024", role: RoleNameUser},
		{name: "valid global admin", domain: contoso, user: "admin@contoso.onmicrosoft.com", password: "Contoso#Admin1", role: RoleNameGlobalAdministrator},
		{name: "case-insensitive username", domain: contoso, user: "SVC.Backup@contoso.onmicrosoft.com", password: "Backup#Svc2024", role: RoleNameSharePointAdministrator},
		{name: "wrong password", domain: contoso, user: "svc.backup@contoso.onmicrosoft.com", password: "Backup#Svc2025",
			code: domain.CodeWrongPassword, field: "password", want: []string{"change the password in Microsoft 365"}},
		{name: "mfa user without mfa profile", domain: contoso, user: "mfa.admin@contoso.onmicrosoft.com", password: "Mfa#Admin2024",
			code: domain.CodeMfaEnabled, field: "username", want: []string{"multi-factor", "app password"}},
		{name: "legacy auth blocked", domain: northwind, user: "svc@northwind.onmicrosoft.com", password: "Northwind#Svc1",
			code: domain.CodeAccessPolicyBlocked, field: "username", want: []string{"modern authentication"}},
		{name: "unknown user", domain: contoso, user: "ghost@contoso.onmicrosoft.com", password: "x",
			code: domain.CodeServiceAccountUnknown, field: "username"},
		{name: "user of other tenant", domain: contoso, user: "svc@fabrikam.onmicrosoft.com", password: "Fabrikam#Svc2024",
			code: domain.CodeServiceAccountUnknown, field: "username"},
		{name: "guest", domain: contoso, user: "megan@fabrikam.onmicrosoft.com", password: "Megan#Bowen2024",
			code: domain.CodeServiceAccountUnknown, want: []string{"guest"}},
		{name: "disabled", domain: contoso, user: "disabled.admin@contoso.onmicrosoft.com", password: "Disabled#2024",
			code: domain.CodeServiceAccountDisabled, field: "username"},
		{name: "unknown tenant", domain: "x.onmicrosoft.com", user: "a@x.onmicrosoft.com", password: "x",
			code: domain.CodePlatformTenantUnknown, field: "domain"},

		// Classic MFA profiles.
		{name: "mfa sharepoint admin", domain: contoso, user: "sp.admin@contoso.onmicrosoft.com", mfa: true, appPassword: "mfkqzvbtwhnrpxsd", role: ""},
		{name: "mfa global admin", domain: contoso, user: "mfa.admin@contoso.onmicrosoft.com", mfa: true, appPassword: "qwrtzpkmnbvcxlhj", role: ""},
		{name: "mfa wrong app password", domain: contoso, user: "sp.admin@contoso.onmicrosoft.com", mfa: true, appPassword: "aaaaaaaaaaaaaaaa",
			code: domain.CodeWrongPassword, field: "appPassword"},
		{name: "mfa account password is not the app password", domain: contoso, user: "sp.admin@contoso.onmicrosoft.com", mfa: true, appPassword: "SpAdmin#2024",
			code: domain.CodeWrongPassword, field: "appPassword"},
		{name: "mfa user without admin role", domain: contoso, user: "mfa.user@contoso.onmicrosoft.com", mfa: true, appPassword: "zxcvbnmasdfghjkl",
			code: domain.CodeServiceAccountRole, field: "username", want: []string{"SharePoint Administrator"}},
		{name: "mfa profile for account without app password", domain: contoso, user: "admin@contoso.onmicrosoft.com", mfa: true, appPassword: "",
			code: domain.CodeWrongPassword, field: "appPassword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, e := d.ValidateServiceAccount(tt.domain, tt.user, tt.password, tt.mfa, tt.appPassword)
			wantErr(t, e, tt.code, tt.field, tt.want...)
			if tt.code == "" && info.UserRole != tt.role {
				t.Errorf("role %q, want %q", info.UserRole, tt.role)
			}
		})
	}
}

func TestCheckImpersonationUser(t *testing.T) {
	d := newDefault(t)
	const field = "appProfiles[0].impersonationUser"
	wantErr(t, d.CheckImpersonationUser(field, contoso, "adele@contoso.onmicrosoft.com"), "", "")
	wantErr(t, d.CheckImpersonationUser(field, contoso, "lee@contoso.onmicrosoft.com"),
		domain.CodeImpersonationUnlicensed, field, "Exchange Online")
	wantErr(t, d.CheckImpersonationUser(field, contoso, "nobody@contoso.onmicrosoft.com"),
		domain.CodeImpersonationUserUnknown, field)
	wantErr(t, d.CheckImpersonationUser(field, contoso, "adele@contosogov.onmicrosoft.us"),
		domain.CodeImpersonationUserUnknown, field)
	wantErr(t, d.CheckImpersonationUser(field, contoso, "megan@fabrikam.onmicrosoft.com"),
		domain.CodeImpersonationUserUnknown, field)
	wantErr(t, d.CheckImpersonationUser(field, "x.onmicrosoft.com", "a@x.onmicrosoft.com"),
		domain.CodePlatformTenantUnknown, "domain")
}
