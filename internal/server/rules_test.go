package server_test

// The product rules of the seeds, each checked against a real aosd over
// HTTP (dev mode, fresh SQLite). Every refusal is asserted by status, stable
// error code and the field the details name, so removing a rule from the
// server fails its case. Every exchange is validated against
// api/openapi.yaml by the client's transport.

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const ok = 0 // status of a case that must succeed

// aosdtestOrg is the organization of an aosdtest instance's client when
// Options.Org is not set.
const aosdtestOrg = "test"

// TestTenantConsentRules: who may connect a tenant, per platform.
func TestTenantConsentRules(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	const (
		ms, gg, sf = domain.PlatformMicrosoft, domain.PlatformGoogle, domain.PlatformSalesforce
		sfProd     = "contoso.my.salesforce.com"              // API Access Control off, app not installed
		sfSandbox  = "contoso--dev.sandbox.my.salesforce.com" // API Access Control on, app not installed
		sfInstall  = "fabrikam.my.salesforce.com"             // API Access Control on, app installed
		unprocess  = http.StatusUnprocessableEntity
	)
	cases := []struct {
		name                  string
		platform, domain, env string
		login                 string
		status                int
		code, field           string
		spURL                 string // Microsoft: the admin center URL set on connect
	}{
		// Microsoft: a Global Administrator of that same tenant.
		{"microsoft external guest refused", ms, contoso, "", meganGuest, unprocess, domain.CodeConsentUserExternal, "login", ""},
		{"microsoft non-admin refused", ms, contoso, "", adele, unprocess, domain.CodeConsentUserNotAdmin, "login", ""},
		{"microsoft SharePoint admin is not enough", ms, contoso, "", spAdmin, unprocess, domain.CodeConsentUserNotAdmin, "login", ""},
		{"microsoft admin of another tenant refused", ms, contoso, "", fabrikamAdm, unprocess, domain.CodeConsentUserWrongTenant, "login", ""},
		{"microsoft disabled admin refused", ms, contoso, "", "disabled.admin@contoso.onmicrosoft.com", unprocess, domain.CodeConsentUserDisabled, "login", ""},
		{"microsoft unknown account refused", ms, contoso, "", "nobody@contoso.onmicrosoft.com", unprocess, domain.CodeConsentUserUnknown, "login", ""},
		{"microsoft wrong environment refused", ms, contosoGov, "us_government", contosoAdmin, unprocess, domain.CodeConsentUserWrongTenant, "login", ""},
		{"microsoft global admin connects", ms, contoso, "", contosoAdmin, ok, "", "", spAdminURL},
		{"microsoft MFA global admin connects", ms, contoso, "", "mfa.admin@contoso.onmicrosoft.com", ok, "", "", spAdminURL},
		{"microsoft US government admin connects", ms, contosoGov, "us_government", "admin@contosogov.onmicrosoft.us", ok, "", "", "https://contosogov-admin.sharepoint.us"},
		// Google: the Tenant Management app installed, and Users > Read,
		// Groups > Read, License Management > License Read (or super admin).
		{"google app not installed refused even for super admin", gg, "fabrikam.com", "", "admin@fabrikam.com", unprocess, domain.CodeGoogleAppNotInstalled, "domain", ""},
		{"google users-read-only account refused", gg, "contoso.com", "", "helpdesk@contoso.com", unprocess, domain.CodeGooglePrivilegesMissing, "login", ""},
		{"google account without privileges refused", gg, "contoso.com", "", "employee@contoso.com", unprocess, domain.CodeGooglePrivilegesMissing, "login", ""},
		{"google suspended super admin refused", gg, "contoso.com", "", "suspended@contoso.com", unprocess, domain.CodeConsentUserDisabled, "login", ""},
		{"google account with the three privileges connects", gg, "contoso.com", "", "reader@contoso.com", ok, "", "", ""},
		{"google super admin connects", gg, "contoso.com", "", "admin@contoso.com", ok, "", "", ""},
		// Salesforce: System Administrator (or its permissions), plus the
		// uninstalled connected app permission that API Access Control
		// asks for.
		{"salesforce standard user refused", sf, sfProd, "production", "sfuser@contoso.com", unprocess, domain.CodeSalesforceProfileMissing, "login", ""},
		{"salesforce admin without approve (API Access Control off) refused", sf, sfProd, "production", "sfadmin.noapprove@contoso.com", unprocess, domain.CodeSalesforceUninstalledApp, "login", ""},
		{"salesforce admin with approve (API Access Control off) connects", sf, sfProd, "production", "sfadmin@contoso.com", ok, "", "", ""},
		{"salesforce profile with every admin permission connects", sf, sfProd, "production", "sfintegration@contoso.com", ok, "", "", ""},
		{"salesforce approve-only admin (API Access Control on) refused", sf, sfSandbox, "sandbox", "sfadmin.approve@contoso.com.dev", unprocess, domain.CodeSalesforceUninstalledApp, "login", ""},
		{"salesforce use-any-API-client admin (API Access Control on) connects", sf, sfSandbox, "sandbox", "sfadmin@contoso.com.dev", ok, "", "", ""},
		{"salesforce installed tenant app needs no extra permission", sf, sfInstall, "production", "sfadmin@fabrikam.com", ok, "", "", ""},
		{"salesforce sandbox registered as production refused", sf, sfSandbox, "production", "sfadmin@contoso.com.dev", unprocess, domain.CodeEnvironmentMismatch, "environment", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn, _, err := c.CreateTenant(ctxb, domain.TenantCreate{Platform: tc.platform, Domain: tc.domain, Environment: tc.env})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := c.DeleteTenant(ctxb, tn.ID); err != nil {
					t.Error(err)
				}
			})
			if tn.Status != domain.StatusPendingConsent || !strings.Contains(tn.ConsentURL, "/dev/consent?state=") {
				t.Fatalf("new tenant: status %q, consentUrl %q", tn.Status, tn.ConsentURL)
			}
			err = c.DevConsent(ctxb, tn.ID, tc.login)
			got := must[domain.Tenant](t)(c.GetTenant(ctxb, tn.ID))
			if tc.status != ok {
				wantErr(t, err, tc.status, tc.code, tc.field)
				if got.Status != domain.StatusPendingConsent || got.ConsentUser != "" {
					t.Errorf("a refused consent changed the tenant: status %q, consentUser %q", got.Status, got.ConsentUser)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != domain.StatusConnected || got.ConsentUser != tc.login || got.ConsentURL != "" {
				t.Errorf("after consent: status %q consentUser %q consentUrl %q", got.Status, got.ConsentUser, got.ConsentURL)
			}
			if got.SharePointAdminCenterURL != tc.spURL {
				t.Errorf("sharePointAdminCenterUrl = %q, want %q", got.SharePointAdminCenterURL, tc.spURL)
			}
			// A second consent of a connected tenant is refused.
			wantErr(t, c.DevConsent(ctxb, tn.ID, tc.login), http.StatusConflict, domain.CodeConsentNotPending, "")
		})
	}

	t.Run("microsoft admin center URL is editable after connect", func(t *testing.T) {
		tn := connectTenant(t, c, ms, fabrikam, fabrikamAdm)
		t.Cleanup(func() { _ = c.DeleteTenant(ctxb, tn.ID) })
		if tn.SharePointAdminCenterURL != "https://fabrikam-admin.sharepoint.com" {
			t.Fatalf("sharePointAdminCenterUrl = %q", tn.SharePointAdminCenterURL)
		}
		u := "https://fabrikamcorp-admin.sharepoint.com"
		got := must[domain.Tenant](t)(c.UpdateTenant(ctxb, tn.ID, domain.TenantPatch{SharePointAdminCenterURL: &u}))
		if got.SharePointAdminCenterURL != u {
			t.Errorf("after PATCH: %q", got.SharePointAdminCenterURL)
		}
		_, _, err := c.UpdateTenant(ctxb, tn.ID, domain.TenantPatch{SharePointAdminCenterURL: ptr("https://example.com")})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidValue, "sharePointAdminCenterUrl")
	})

	t.Run("registration input", func(t *testing.T) {
		for _, tc := range []struct {
			in          domain.TenantCreate
			code, field string
		}{
			{domain.TenantCreate{Platform: "azure", Domain: contoso}, domain.CodeInvalidValue, "platform"},
			{domain.TenantCreate{Platform: ms}, domain.CodeRequired, "domain"},
			{domain.TenantCreate{Platform: ms, Domain: "contoso.com"}, domain.CodeInvalidValue, "domain"},
			{domain.TenantCreate{Platform: ms, Domain: contoso, Environment: "china"}, domain.CodeInvalidValue, "environment"},
			{domain.TenantCreate{Platform: sf, Domain: sfProd, Environment: "staging"}, domain.CodeInvalidValue, "environment"},
			{domain.TenantCreate{Platform: gg, Domain: "contoso.com", SharePointAdminCenterURL: spAdminURL}, domain.CodeInvalidValue, "sharePointAdminCenterUrl"},
			{domain.TenantCreate{Platform: domain.PlatformAmazon, Domain: "x.com"}, domain.CodeInvalidValue, "domain"},
			{domain.TenantCreate{Platform: domain.PlatformAmazon, RoleName: "bad role"}, domain.CodeInvalidValue, "roleName"},
		} {
			_, _, err := c.CreateTenant(ctxb, tc.in)
			wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
		}
		// One registration per platform tenant and organization.
		tn := must[domain.Tenant](t)(c.CreateTenant(ctxb, domain.TenantCreate{Platform: gg, Domain: "contoso.com"}))
		defer func() { _ = c.DeleteTenant(ctxb, tn.ID) }()
		_, _, err := c.CreateTenant(ctxb, domain.TenantCreate{Platform: gg, Domain: "CONTOSO.com"})
		wantErr(t, err, http.StatusConflict, domain.CodeAlreadyExists, "")
	})
}

// TestTenantRemovalRefusedWhileRelatedDataExists: 409 TenantHasRelatedData
// listing every app profile, service account profile and connection.
func TestTenantRemovalRefusedWhileRelatedDataExists(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		c := e.c
		tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("Backup app"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
		sa := serviceAccount(t, c, tn.ID, "Backup account", svcBackup, svcBackupPw)
		conn := must[domain.Connection](t)(c.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("Groups"), Type: ptr("microsoft_365_groups"), TenantID: &tn.ID,
			AppProfiles: &[]domain.ConnectionAppProfile{{ID: app.ID}}, ServiceAccountAuthentication: ptr("legacy"), ServiceAccountIDs: &[]string{sa.ID}}))

		related := func() []domain.Related {
			t.Helper()
			ae := wantAPIError(t, c.DeleteTenant(ctxb, tn.ID), http.StatusConflict, domain.CodeTenantHasRelatedData, "")
			return ae.Related
		}
		has := func(rel []domain.Related, kind, id, name string) bool {
			return slices.Contains(rel, domain.Related{Kind: kind, ID: id, Name: name})
		}
		rel := related()
		if len(rel) != 3 || !has(rel, "app_profile", app.ID, app.Name) || !has(rel, "service_account", sa.ID, sa.Name) || !has(rel, "connection", conn.ID, conn.Name) {
			t.Fatalf("related = %+v, want the app profile, the service account profile and the connection", rel)
		}
		// The app profile and service account are in use by the connection.
		ae := wantAPIError(t, c.DeleteAppProfile(ctxb, app.ID), http.StatusConflict, domain.CodeAppProfileInUse, "")
		if !has(ae.Related, "connection", conn.ID, conn.Name) {
			t.Errorf("app profile delete: related = %+v", ae.Related)
		}
		ae = wantAPIError(t, c.DeleteServiceAccount(ctxb, sa.ID), http.StatusConflict, domain.CodeInUse, "")
		if !has(ae.Related, "connection", conn.ID, conn.Name) {
			t.Errorf("service account delete: related = %+v", ae.Related)
		}
		// Clean up one by one; the list shrinks until the delete succeeds.
		if err := c.DeleteConnection(ctxb, conn.ID); err != nil {
			t.Fatal(err)
		}
		if rel := related(); len(rel) != 2 || has(rel, "connection", conn.ID, conn.Name) {
			t.Fatalf("related after the connection went = %+v", rel)
		}
		if err := c.DeleteAppProfile(ctxb, app.ID); err != nil {
			t.Fatal(err)
		}
		if rel := related(); len(rel) != 1 || !has(rel, "service_account", sa.ID, sa.Name) {
			t.Fatalf("related after the app profile went = %+v", rel)
		}
		if err := c.DeleteServiceAccount(ctxb, sa.ID); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteTenant(ctxb, tn.ID); err != nil {
			t.Fatalf("delete of a tenant without related data: %v", err)
		}
		_, _, err := c.GetTenant(ctxb, tn.ID)
		wantErr(t, err, http.StatusNotFound, domain.CodeNotFound, "")
	})
}

// TestReconnectRecommended: a permission-set bump marks connected tenants
// of that platform; reconnect plus consent clears it.
func TestReconnectRecommended(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	ms := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	gg := connectTenant(t, c, domain.PlatformGoogle, "contoso.com", "admin@contoso.com")
	pending := must[domain.Tenant](t)(c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformMicrosoft, Domain: fabrikam}))
	if ms.ReconnectRecommended || ms.PermissionsVersion != 1 {
		t.Fatalf("fresh tenant: reconnectRecommended %v, permissionsVersion %d", ms.ReconnectRecommended, ms.PermissionsVersion)
	}
	ps, err := c.DevBumpPermissions(ctxb, domain.PlatformMicrosoft)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Version != 2 {
		t.Fatalf("bumped version = %d", ps.Version)
	}
	if cur, err := c.GetPermissions(ctxb, domain.PlatformMicrosoft); err != nil || cur.Version != 2 {
		t.Fatalf("GET permissions: %+v, %v", cur, err)
	}
	got := must[domain.Tenant](t)(c.GetTenant(ctxb, ms.ID))
	if !got.ReconnectRecommended {
		t.Fatal("after the bump the Microsoft tenant is not reconnectRecommended")
	}
	if g := must[domain.Tenant](t)(c.GetTenant(ctxb, gg.ID)); g.ReconnectRecommended {
		t.Error("a Microsoft bump marked the Google tenant")
	}
	if p := must[domain.Tenant](t)(c.GetTenant(ctxb, pending.ID)); p.ReconnectRecommended {
		t.Error("a tenant that was never connected is reconnectRecommended")
	}
	list, err := c.ListTenants(ctxb, client.Filter{Platform: domain.PlatformMicrosoft})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.ID == ms.ID && !l.ReconnectRecommended {
			t.Error("the list does not show reconnectRecommended")
		}
	}
	// Reconnect re-runs consent; the same rules apply to it.
	rc := must[domain.Tenant](t)(c.ReconnectTenant(ctxb, ms.ID))
	if rc.Status != domain.StatusPendingConsent || rc.ConsentURL == "" {
		t.Fatalf("after reconnect: status %q consentUrl %q", rc.Status, rc.ConsentURL)
	}
	wantErr(t, c.DevConsent(ctxb, ms.ID, adele), http.StatusUnprocessableEntity, domain.CodeConsentUserNotAdmin, "login")
	if err := c.DevConsent(ctxb, ms.ID, contosoAdmin); err != nil {
		t.Fatal(err)
	}
	got = must[domain.Tenant](t)(c.GetTenant(ctxb, ms.ID))
	if got.ReconnectRecommended || got.PermissionsVersion != 2 || got.Status != domain.StatusConnected {
		t.Fatalf("after reconnect and consent: reconnectRecommended %v, permissionsVersion %d, status %s",
			got.ReconnectRecommended, got.PermissionsVersion, got.Status)
	}
	if got.SharePointAdminCenterURL != spAdminURL {
		t.Errorf("reconnect lost the admin center URL: %q", got.SharePointAdminCenterURL)
	}
}

// TestAppProfileConsentMethod: user consent only for the app types of the
// seed's table; admin consent needs a Global Administrator, user consent any
// member.
func TestAppProfileConsentMethod(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	cert := validCert(t, "consent-method")
	custom := func(w domain.AppProfileWrite) domain.AppProfileWrite {
		w.ClientID, w.Certificate = ptr("6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"), ptr(cert.bundle())
		return w
	}
	// Fixed expectations from the seed, so a catalogue change cannot hide
	// a broken rule.
	userConsent := map[string]bool{
		domain.AppTypeMicrosoft365: false, domain.AppTypeCloudBackupM365: false, domain.AppTypeCustomAzureApp: false,
		domain.AppTypeDelegatedApp: true, domain.AppTypeCustomAzureAppDelegated: true, "insights_m365": true,
		"fly_delegated_app": true, "enpower_power_platform": true, "tygraph_suite": true, "portal_manager_room": true,
	}
	for _, at := range domain.AppTypes() {
		if want, fixed := userConsent[at.Slug]; fixed && want != at.UserConsentAllowed {
			t.Errorf("catalogue: %s userConsentAllowed = %v, the seed says %v", at.Slug, at.UserConsentAllowed, want)
		}
		t.Run(at.Slug, func(t *testing.T) {
			w := domain.AppProfileWrite{Name: ptr("user " + at.Slug), TenantID: &tn.ID, Type: ptr(at.Slug), ConsentMethod: ptr("user")}
			if at.Custom {
				w = custom(w)
			}
			a, _, err := c.CreateAppProfile(ctxb, w)
			if !at.UserConsentAllowed {
				wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeUserConsentNotAllowed, "consentMethod")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.ConsentMethod != "user" || a.PermissionKind != at.PermissionKind || a.Status != domain.StatusPendingConsent {
				t.Errorf("created: consentMethod %q permissionKind %q status %q", a.ConsentMethod, a.PermissionKind, a.Status)
			}
			// A member without any admin role may consent for themselves.
			if err := c.DevConsent(ctxb, a.ID, adele); err != nil {
				t.Fatal(err)
			}
			if got := must[domain.AppProfile](t)(c.GetAppProfile(ctxb, a.ID)); got.Status != domain.StatusActive || got.ConsentUser != adele {
				t.Errorf("after user consent: status %q consentUser %q", got.Status, got.ConsentUser)
			}
		})
	}
	t.Run("admin consent needs a global administrator", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("admin consent"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp)}, "")
		if a.ConsentMethod != "admin" {
			t.Errorf("default consentMethod = %q", a.ConsentMethod)
		}
		wantErr(t, c.DevConsent(ctxb, a.ID, adele), http.StatusUnprocessableEntity, domain.CodeConsentUserNotAdmin, "login")
		wantErr(t, c.DevConsent(ctxb, a.ID, meganGuest), http.StatusUnprocessableEntity, domain.CodeConsentUserExternal, "login")
		wantErr(t, c.DevConsent(ctxb, a.ID, fabrikamAdm), http.StatusUnprocessableEntity, domain.CodeConsentUserWrongTenant, "login")
		if err := c.DevConsent(ctxb, a.ID, contosoAdmin); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("switching to user consent on an admin-only type is refused", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("m365"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
		_, _, err := c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{ConsentMethod: ptr("user")})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeUserConsentNotAllowed, "consentMethod")
		_, _, err = c.CreateAppProfile(ctxb, domain.AppProfileWrite{Name: ptr("bogus"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp), ConsentMethod: ptr("owner")})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidValue, "consentMethod")
	})
	t.Run("tenant must be a connected Microsoft tenant", func(t *testing.T) {
		gg := connectTenant(t, c, domain.PlatformGoogle, "contoso.com", "admin@contoso.com")
		pend := must[domain.Tenant](t)(c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformMicrosoft, Domain: fabrikam}))
		for _, tc := range []struct{ tenant, code string }{
			{gg.ID, domain.CodePlatformNotSupported}, {pend.ID, domain.CodeTenantNotConnected}, {"no-such-tenant", domain.CodeNotFound}, {"", domain.CodeRequired},
		} {
			_, _, err := c.CreateAppProfile(ctxb, domain.AppProfileWrite{Name: ptr("x"), TenantID: &tc.tenant, Type: ptr(domain.AppTypeMicrosoft365)})
			wantErr(t, err, http.StatusUnprocessableEntity, tc.code, "tenantId")
		}
	})
}

// TestDelegatedAppFunctions: only the Delegated app takes functions, and
// only the four of the seed.
func TestDelegatedAppFunctions(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	four := []string{"restore_teams_conversations_as_posts", "protect_power_bi", "protect_power_automate_power_apps", "restore_planner_task_comments"}
	cases := []struct {
		name, typ   string
		functions   []string
		code, field string
	}{
		{"all four on the delegated app", domain.AppTypeDelegatedApp, four, "", ""},
		{"one function", domain.AppTypeDelegatedApp, []string{"protect_power_bi"}, "", ""},
		{"functions on microsoft_365 refused", domain.AppTypeMicrosoft365, []string{"protect_power_bi"}, domain.CodeFunctionsNotAllowed, "functions"},
		{"functions on the Fly delegated app refused", "fly_delegated_app", []string{"protect_power_bi"}, domain.CodeFunctionsNotAllowed, "functions"},
		{"functions on cloud backup refused", domain.AppTypeCloudBackupM365, []string{"restore_planner_task_comments"}, domain.CodeFunctionsNotAllowed, "functions"},
		{"unknown function refused", domain.AppTypeDelegatedApp, []string{"protect_power_bi", "protect_exchange"}, domain.CodeInvalidValue, "functions[1]"},
		{"repeated function refused", domain.AppTypeDelegatedApp, []string{"protect_power_bi", "protect_power_bi"}, domain.CodeDuplicateValue, "functions[1]"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _, err := c.CreateAppProfile(ctxb, domain.AppProfileWrite{Name: ptr("fn " + string(rune('a'+i))), TenantID: &tn.ID, Type: &tc.typ, Functions: &tc.functions})
			if tc.code != "" {
				wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tc.functions)
			slices.Sort(want)
			if !slices.Equal(a.Functions, want) {
				t.Errorf("functions = %v, want %v", a.Functions, want)
			}
		})
	}
	t.Run("changing the functions needs a new consent", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("functions change"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp),
			Functions: &[]string{"protect_power_bi"}}, contosoAdmin)
		if a.Status != domain.StatusActive {
			t.Fatalf("status %q", a.Status)
		}
		got := must[domain.AppProfile](t)(c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{Functions: &four}))
		if got.Status != domain.StatusPendingConsent || got.ConsentURL == "" {
			t.Errorf("after changing functions: status %q", got.Status)
		}
		// A rename does not.
		if err := c.DevConsent(ctxb, a.ID, contosoAdmin); err != nil {
			t.Fatal(err)
		}
		got = must[domain.AppProfile](t)(c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{Name: ptr("renamed")}))
		if got.Status != domain.StatusActive {
			t.Errorf("a rename asked for consent: status %q", got.Status)
		}
	})
}

// TestCustomAzureAppCertificate: the certificate of a custom Azure app is
// parsed and checked; a new certificate or client id needs re-authorization.
func TestCustomAzureAppCertificate(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	good := validCert(t, "custom app")
	other := validCert(t, "other app")
	expired := newCert(t, "expired", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	future := newCert(t, "future", time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour))
	pfxB64 := good.pfx(t, "Pfx#Secret1")
	const clientID = "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4"
	cases := []struct {
		name         string
		typ          string
		clientID     string
		cert, certPw *string
		code, field  string
		thumb        string
	}{
		{"PEM certificate and key", domain.AppTypeCustomAzureApp, clientID, ptr(good.bundle()), nil, "", "", good.thumbprint()},
		{"PFX with password", domain.AppTypeCustomAzureAppDelegated, clientID, &pfxB64, ptr("Pfx#Secret1"), "", "", good.thumbprint()},
		{"expired certificate", domain.AppTypeCustomAzureApp, clientID, ptr(expired.bundle()), nil, domain.CodeCertificateExpired, "certificate", ""},
		{"certificate not yet valid", domain.AppTypeCustomAzureApp, clientID, ptr(future.bundle()), nil, domain.CodeCertificateNotYetValid, "certificate", ""},
		{"wrong format", domain.AppTypeCustomAzureApp, clientID, ptr("this is not a certificate"), nil, domain.CodeCertificateInvalid, "certificate", ""},
		{"PEM without its private key", domain.AppTypeCustomAzureApp, clientID, ptr(good.certPEM), nil, domain.CodeCertificateInvalid, "certificate", ""},
		{"key of another certificate", domain.AppTypeCustomAzureApp, clientID, ptr(good.certPEM + other.keyPEM), nil, domain.CodeCertificateInvalid, "certificate", ""},
		{"PFX with a wrong password", domain.AppTypeCustomAzureApp, clientID, &pfxB64, ptr("Wrong#Secret1"), domain.CodeCertificateInvalid, "certificatePassword", ""},
		{"missing certificate", domain.AppTypeCustomAzureApp, clientID, nil, nil, domain.CodeRequired, "certificate", ""},
		{"missing client id", domain.AppTypeCustomAzureApp, "", ptr(good.bundle()), nil, domain.CodeRequired, "clientId", ""},
		{"client id not a GUID", domain.AppTypeCustomAzureApp, "my-app", ptr(good.bundle()), nil, domain.CodeInvalidValue, "clientId", ""},
		{"certificate on a service app type", domain.AppTypeMicrosoft365, "", ptr(good.bundle()), nil, domain.CodeFieldNotAllowed, "certificate", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := domain.AppProfileWrite{Name: ptr("custom " + string(rune('a'+i))), TenantID: &tn.ID, Type: &tc.typ,
				Certificate: tc.cert, CertificatePassword: tc.certPw}
			if tc.clientID != "" {
				w.ClientID = &tc.clientID
			}
			a, _, err := c.CreateAppProfile(ctxb, w)
			if tc.code != "" {
				wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.CertificateThumbprint != tc.thumb || a.CertificateVersion != 1 || a.CertificateExpires == nil || a.ClientID != tc.clientID {
				t.Errorf("thumbprint %q (want %q), version %d, expires %v, clientId %q", a.CertificateThumbprint, tc.thumb, a.CertificateVersion, a.CertificateExpires, a.ClientID)
			}
		})
	}
	t.Run("new certificate or client id needs re-authorization", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("reauth"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
			ClientID: ptr(clientID), Certificate: ptr(good.bundle())}, contosoAdmin)
		if a.Status != domain.StatusActive {
			t.Fatalf("status %q", a.Status)
		}
		// The same certificate again changes nothing.
		got := must[domain.AppProfile](t)(c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{Certificate: ptr(good.bundle())}))
		if got.Status != domain.StatusActive || got.CertificateVersion != 1 {
			t.Errorf("unchanged certificate: status %q version %d", got.Status, got.CertificateVersion)
		}
		got = must[domain.AppProfile](t)(c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{Certificate: ptr(other.bundle())}))
		if got.Status != domain.StatusPendingConsent || got.CertificateVersion != 2 || got.CertificateThumbprint != other.thumbprint() {
			t.Errorf("new certificate: status %q version %d thumbprint %q", got.Status, got.CertificateVersion, got.CertificateThumbprint)
		}
		if err := c.DevConsent(ctxb, a.ID, contosoAdmin); err != nil {
			t.Fatal(err)
		}
		got = must[domain.AppProfile](t)(c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{ClientID: ptr("9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d")}))
		if got.Status != domain.StatusPendingConsent {
			t.Errorf("new client id: status %q", got.Status)
		}
		// An expired certificate is refused on update too, and the profile keeps the old one.
		_, _, err := c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{Certificate: ptr(expired.bundle())})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeCertificateExpired, "certificate")
		if g := must[domain.AppProfile](t)(c.GetAppProfile(ctxb, a.ID)); g.CertificateThumbprint != other.thumbprint() {
			t.Errorf("a refused update changed the certificate")
		}
	})
}

// TestAppProfileStates: pending, active, authorization expired and invalid
// with each reason of the seed; each directory change is undone.
func TestAppProfileStates(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	status := func(t *testing.T, id, want, reason string) {
		t.Helper()
		a := must[domain.AppProfile](t)(c.GetAppProfile(ctxb, id))
		if a.Status != want || a.Reason != reason {
			t.Fatalf("app profile: status %q reason %q, want %q %q", a.Status, a.Reason, want, reason)
		}
		// Lists show the same state.
		list, err := c.ListAppProfiles(ctxb, client.Filter{TenantID: a.TenantID})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.ID == id && (l.Status != want || l.Reason != reason) {
				t.Fatalf("list: status %q reason %q, want %q %q", l.Status, l.Reason, want, reason)
			}
		}
	}
	reconsent := func(t *testing.T, id, login string) {
		t.Helper()
		a := must[domain.AppProfile](t)(c.ReauthorizeAppProfile(ctxb, id))
		if a.Status != domain.StatusPendingConsent || a.ConsentURL == "" {
			t.Fatalf("after reauthorize: status %q", a.Status)
		}
		if err := c.DevConsent(ctxb, id, login); err != nil {
			t.Fatal(err)
		}
	}
	setUser := func(t *testing.T, login string, ch client.DevUserChange, undo client.DevUserChange) {
		t.Helper()
		if err := c.DevSetUser(ctxb, login, ch); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.DevSetUser(ctxb, login, undo); err != nil {
				t.Error(err)
			}
		})
	}

	t.Run("authorization expired, then reauthorized", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("expiring"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, "")
		status(t, a.ID, domain.StatusPendingConsent, "")
		if err := c.DevConsent(ctxb, a.ID, contosoAdmin); err != nil {
			t.Fatal(err)
		}
		status(t, a.ID, domain.StatusActive, "")
		if err := c.DevExpireAuthorization(ctxb, a.ID); err != nil {
			t.Fatal(err)
		}
		status(t, a.ID, domain.StatusAuthorizationExpired, "")
		reconsent(t, a.ID, contosoAdmin)
		status(t, a.ID, domain.StatusActive, "")
	})
	t.Run("MFA turned on for the consent user", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated mfa"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp), ConsentMethod: ptr("user")}, delegateUser)
		app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("application mfa"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
		status(t, a.ID, domain.StatusActive, "")
		setUser(t, delegateUser, client.DevUserChange{MfaEnabled: ptr(true)}, client.DevUserChange{MfaEnabled: ptr(false)})
		status(t, a.ID, domain.StatusInvalid, domain.ReasonMfaEnabled)
		// Application permissions do not depend on a signed-in user.
		status(t, app.ID, domain.StatusActive, "")
		reconsent(t, a.ID, delegateUser)
		status(t, a.ID, domain.StatusActive, "")
	})
	t.Run("a later consent by the same user does not hide an earlier change", func(t *testing.T) {
		first := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated first"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp), ConsentMethod: ptr("user")}, delegateUser)
		setUser(t, delegateUser, client.DevUserChange{MfaEnabled: ptr(true)}, client.DevUserChange{MfaEnabled: ptr(false)})
		second := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated second"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp), ConsentMethod: ptr("user")}, delegateUser)
		status(t, first.ID, domain.StatusInvalid, domain.ReasonMfaEnabled)
		status(t, second.ID, domain.StatusActive, "")
	})
	t.Run("consent user disabled", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated disabled"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp), ConsentMethod: ptr("user")}, delegateUser)
		status(t, a.ID, domain.StatusActive, "")
		setUser(t, delegateUser, client.DevUserChange{Enabled: ptr(false)}, client.DevUserChange{Enabled: ptr(true)})
		status(t, a.ID, domain.StatusInvalid, domain.ReasonUserUnavailable)
		// A disabled user cannot consent again.
		_ = must[domain.AppProfile](t)(c.ReauthorizeAppProfile(ctxb, a.ID))
		wantErr(t, c.DevConsent(ctxb, a.ID, delegateUser), http.StatusUnprocessableEntity, domain.CodeConsentUserDisabled, "login")
		if err := c.DevSetUser(ctxb, delegateUser, client.DevUserChange{Enabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if err := c.DevConsent(ctxb, a.ID, delegateUser); err != nil {
			t.Fatal(err)
		}
		status(t, a.ID, domain.StatusActive, "")
	})
	t.Run("consent user's password changed", func(t *testing.T) {
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated password"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp), ConsentMethod: ptr("user")}, delegateUser)
		setUser(t, delegateUser, client.DevUserChange{Password: ptr("Changed#2025")}, client.DevUserChange{Password: ptr("Delegate#2024")})
		status(t, a.ID, domain.StatusInvalid, domain.ReasonUserUnavailable)
		reconsent(t, a.ID, delegateUser)
		status(t, a.ID, domain.StatusActive, "")
	})
	t.Run("conditional access blocks the service IP", func(t *testing.T) {
		nw := connectTenant(t, c, domain.PlatformMicrosoft, northwind, northwindAdm)
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated nw"), TenantID: &nw.ID, Type: ptr(domain.AppTypeDelegatedApp)}, northwindAdm)
		hybrid := appProfile(t, c, domain.AppProfileWrite{Name: ptr("hybrid nw"), TenantID: &nw.ID, Type: ptr("insights_power_platform")}, northwindAdm)
		app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("application nw"), TenantID: &nw.ID, Type: ptr(domain.AppTypeMicrosoft365)}, northwindAdm)
		status(t, a.ID, domain.StatusInvalid, domain.ReasonConditionalAccess)
		status(t, hybrid.ID, domain.StatusInvalid, domain.ReasonConditionalAccess)
		status(t, app.ID, domain.StatusActive, "")
		// Fixing the policy makes the profile usable without a new consent.
		if err := c.DevSetTenant(ctxb, northwind, client.DevTenantChange{ConditionalAccessBlocksServiceIP: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = c.DevSetTenant(ctxb, northwind, client.DevTenantChange{ConditionalAccessBlocksServiceIP: ptr(true)})
		})
		status(t, a.ID, domain.StatusActive, "")
		status(t, hybrid.ID, domain.StatusActive, "")
	})
}

// TestPartnerAppProfiles: consent by a Global Administrator of the
// profile's cloud; delete refused while users or groups added through it
// exist.
func TestPartnerAppProfiles(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		c := e.c
		t.Run("consent rules", func(t *testing.T) {
			for i, tc := range []struct {
				cloud, login string
				code, field  string
			}{
				{"global", adele, domain.CodeConsentUserNotAdmin, "login"},
				{"global", "disabled.admin@contoso.onmicrosoft.com", domain.CodeConsentUserDisabled, "login"},
				{"global", "nobody@example.com", domain.CodeConsentUserUnknown, "login"},
				{"us_government", contosoAdmin, domain.CodeEnvironmentMismatch, "cloud"},
				{"global", "admin@contosogov.onmicrosoft.us", domain.CodeEnvironmentMismatch, "cloud"},
				{"global", contosoAdmin, "", ""},
				{"us_government", "admin@contosogov.onmicrosoft.us", "", ""},
			} {
				pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("consent " + string(rune('a'+i))), Cloud: &tc.cloud}))
				err := c.DevConsent(ctxb, pp.ID, tc.login)
				got := must[domain.PartnerAppProfile](t)(c.GetPartnerAppProfile(ctxb, pp.ID))
				if tc.code != "" {
					wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
					if got.Status != domain.StatusPendingConsent {
						t.Errorf("%s/%s: refused consent left status %q", tc.cloud, tc.login, got.Status)
					}
					continue
				}
				if err != nil || got.Status != domain.StatusActive || got.ConsentUser != tc.login {
					t.Errorf("%s/%s: %v, status %q consentUser %q", tc.cloud, tc.login, err, got.Status, got.ConsentUser)
				}
			}
			_, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("bad cloud"), Cloud: ptr("china")})
			wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidValue, "cloud")
			_, _, err = c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("  ")})
			wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeRequired, "name")
		})
		t.Run("rename, cloud is fixed, re-authorize after expiry", func(t *testing.T) {
			pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("rename me")}))
			if pp.Cloud != "global" {
				t.Errorf("default cloud %q", pp.Cloud)
			}
			if err := c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
				t.Fatal(err)
			}
			got := must[domain.PartnerAppProfile](t)(c.UpdatePartnerAppProfile(ctxb, pp.ID, domain.PartnerAppProfileWrite{Name: ptr("renamed")}))
			if got.Name != "renamed" || got.Status != domain.StatusActive {
				t.Errorf("after rename: %q %q", got.Name, got.Status)
			}
			_, _, err := c.UpdatePartnerAppProfile(ctxb, pp.ID, domain.PartnerAppProfileWrite{Cloud: ptr("us_government")})
			wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidValue, "cloud")
			if err := c.DevExpireAuthorization(ctxb, pp.ID); err != nil {
				t.Fatal(err)
			}
			if g := must[domain.PartnerAppProfile](t)(c.GetPartnerAppProfile(ctxb, pp.ID)); g.Status != domain.StatusAuthorizationExpired {
				t.Fatalf("status %q", g.Status)
			}
			if g := must[domain.PartnerAppProfile](t)(c.ReauthorizePartnerAppProfile(ctxb, pp.ID)); g.Status != domain.StatusPendingConsent {
				t.Fatalf("after reauthorize: %q", g.Status)
			}
			if err := c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("delete refused while users or groups exist", func(t *testing.T) {
			pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("with users")}))
			_, err := c.AddPartnerUser(ctxb, pp.ID, adele, "user")
			wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidState, "partnerAppProfileId")
			if err := c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
				t.Fatal(err)
			}
			u, err := c.AddPartnerUser(ctxb, pp.ID, adele, "user")
			if err != nil {
				t.Fatal(err)
			}
			g, err := c.AddPartnerUser(ctxb, pp.ID, "sales@contoso.onmicrosoft.com", "group")
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.AddPartnerUser(ctxb, pp.ID, "x@contoso.onmicrosoft.com", "device")
			wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidValue, "kind")
			ae := wantAPIError(t, c.DeletePartnerAppProfile(ctxb, pp.ID), http.StatusConflict, domain.CodePartnerProfileHasUsers, "")
			ids := []string{}
			for _, r := range ae.Related {
				ids = append(ids, r.ID)
			}
			slices.Sort(ids)
			want := []string{u.ID, g.ID}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Fatalf("related = %+v, want the user and the group", ae.Related)
			}
			if err := c.RemovePartnerUser(ctxb, pp.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			ae = wantAPIError(t, c.DeletePartnerAppProfile(ctxb, pp.ID), http.StatusConflict, domain.CodePartnerProfileHasUsers, "")
			if len(ae.Related) != 1 || ae.Related[0].ID != g.ID || ae.Related[0].Name != "sales@contoso.onmicrosoft.com" {
				t.Fatalf("related = %+v, want only the group", ae.Related)
			}
			if err := c.RemovePartnerUser(ctxb, pp.ID, g.ID); err != nil {
				t.Fatal(err)
			}
			if err := c.DeletePartnerAppProfile(ctxb, pp.ID); err != nil {
				t.Fatalf("delete without users: %v", err)
			}
		})
	})
}

// TestServiceAccountPasswordTable: the whole password table of seed 003.
// A password the table accepts goes on to the validation test, whose
// distinct code (ValidationWrongPassword) proves the table let it through.
func TestServiceAccountPasswordTable(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	const (
		policy   = domain.CodePasswordPolicyViolation
		accepted = domain.CodeWrongPassword // the table passed; the directory refused
	)
	cases := []struct {
		name, password, code string
	}{
		{"the account's real password", svcBackupPw, ""},
		{"8 characters (minimum)", "Abcdef1#", accepted},
		{"16 characters (maximum)", "Abcdefgh12345#xy", accepted},
		{"7 characters", "Abcde1#", policy},
		{"17 characters", "Abcdefgh12345#xyz", policy},
		{"empty", "", domain.CodeRequired},
		{"space", "Abcd ef1#", policy},
		{"leading space", " Abcdef1#", policy},
		// A tab is a control character, which no text field takes: it is
		// refused with 400 before the password rule looks at it.
		{"tab", "Abcd\tef1#", domain.CodeInvalidValue},
		{"unicode letter", "Abcdéf1#x", policy},
		{"emoji", "Abcdef1#😀", policy},
		{"dot right before @", "Abcdef1.@x", policy},
		{"dot elsewhere is not an allowed character", "Abc.def1#", policy},
		{"only lowercase and digits (2 kinds)", "abcdefgh12", policy},
		{"only uppercase and digits (2 kinds)", "ABCDEFGH12", policy},
		{"only lowercase and symbols (2 kinds)", "abcd#efgh", policy},
		{"only digits (1 kind)", "1234567890", policy},
		{"lower upper digit (3 kinds)", "Abcdefgh1", accepted},
		{"lower upper symbol (3 kinds)", "Abcdefgh#", accepted},
		{"lower digit symbol (3 kinds)", "abcdefg1#", accepted},
		{"upper digit symbol (3 kinds)", "ABCDEFG1#", accepted},
		{"parenthesis not allowed", "Abcdef1(x", policy},
		{"slash not allowed", "Abc/def1x", policy},
		{"question mark not allowed", "Abcdef1?x", policy},
		{"tilde not allowed", "Abcdef1~x", policy},
		{"quote not allowed", "Abcdef1\"x", policy},
	}
	// Every symbol of the allowed list is accepted on its own.
	for _, sym := range "@#$%^&*-_!+=[]{}" {
		cases = append(cases, struct{ name, password, code string }{"symbol " + string(sym), "Abcdef1" + string(sym), accepted})
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "pw " + string(rune('A'+i%26)) + string(rune('a'+i/26))
			sa, _, err := c.CreateServiceAccount(ctxb, domain.ServiceAccountWrite{Name: &name, TenantID: &tn.ID,
				Services: &[]string{domain.ServiceFly}, Username: ptr(svcBackup), Password: &tc.password})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if sa.Status != domain.StatusValid || sa.SecretFingerprint == "" || sa.SecretVersion != 1 || sa.UserRole != "SharePoint Administrator" {
					t.Errorf("created: status %q fingerprint %q version %d role %q", sa.Status, sa.SecretFingerprint, sa.SecretVersion, sa.UserRole)
				}
				return
			}
			status := http.StatusUnprocessableEntity
			if tc.code == domain.CodeInvalidValue {
				status = http.StatusBadRequest
			}
			ae := wantAPIError(t, err, status, tc.code, "password")
			if tc.password != "" && strings.Contains(ae.Message, tc.password) {
				t.Errorf("the refusal quotes the password: %s", ae.Message)
			}
		})
	}
	t.Run("every broken rule is reported at once", func(t *testing.T) {
		_, _, err := c.CreateServiceAccount(ctxb, domain.ServiceAccountWrite{Name: ptr("many"), TenantID: &tn.ID,
			Services: &[]string{domain.ServiceFly}, Username: ptr(svcBackup), Password: ptr("ab c")})
		ae := wantAPIError(t, err, http.StatusUnprocessableEntity, policy, "password")
		if len(ae.Details) < 3 {
			t.Errorf("details = %+v, want length, space and character kinds", ae.Details)
		}
	})
	t.Run("patch with a bad password is refused and keeps the old one", func(t *testing.T) {
		sa := serviceAccount(t, c, tn.ID, "patch pw", svcBackup, svcBackupPw)
		_, _, err := c.UpdateServiceAccount(ctxb, sa.ID, domain.ServiceAccountWrite{Password: ptr("short")})
		wantErr(t, err, http.StatusUnprocessableEntity, policy, "password")
		got := must[domain.ServiceAccount](t)(c.GetServiceAccount(ctxb, sa.ID))
		if got.SecretFingerprint != sa.SecretFingerprint || got.SecretVersion != 1 {
			t.Errorf("refused patch changed the secret: %q v%d", got.SecretFingerprint, got.SecretVersion)
		}
	})
}

// TestServiceAccountValidation: the validation test's outcomes are distinct
// codes; services are required; classic MFA profiles use an app password.
func TestServiceAccountValidation(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	nw := connectTenant(t, c, domain.PlatformMicrosoft, northwind, northwindAdm)
	type write = domain.ServiceAccountWrite
	svc := &[]string{domain.ServiceCloudBackupM365}
	cases := []struct {
		name        string
		in          write
		code, field string
	}{
		{"wrong password", write{TenantID: &tn.ID, Services: svc, Username: ptr(svcBackup), Password: ptr("Wrong#Pass1")}, domain.CodeWrongPassword, "password"},
		{"MFA on for the account", write{TenantID: &tn.ID, Services: svc, Username: ptr("mfa.admin@contoso.onmicrosoft.com"), Password: ptr("Mfa#Admin2024")}, domain.CodeMfaEnabled, "username"},
		{"access policy blocks legacy sign-in", write{TenantID: &nw.ID, Services: svc, Username: ptr("svc@northwind.onmicrosoft.com"), Password: ptr("Northwind#Svc1")}, domain.CodeAccessPolicyBlocked, "username"},
		{"unknown account", write{TenantID: &tn.ID, Services: svc, Username: ptr("ghost@contoso.onmicrosoft.com"), Password: ptr("Ghost#2024x")}, domain.CodeServiceAccountUnknown, "username"},
		{"account of another tenant", write{TenantID: &tn.ID, Services: svc, Username: ptr("svc@fabrikam.onmicrosoft.com"), Password: ptr("Fabrikam#Svc2024")}, domain.CodeServiceAccountUnknown, "username"},
		{"disabled account", write{TenantID: &tn.ID, Services: svc, Username: ptr("disabled.admin@contoso.onmicrosoft.com"), Password: ptr("Disabled#2024")}, domain.CodeServiceAccountDisabled, "username"},
		{"services omitted", write{TenantID: &tn.ID, Username: ptr(svcBackup), Password: ptr(svcBackupPw)}, domain.CodeServicesRequired, "services"},
		{"services empty", write{TenantID: &tn.ID, Services: &[]string{}, Username: ptr(svcBackup), Password: ptr(svcBackupPw)}, domain.CodeServicesRequired, "services"},
		{"unknown service", write{TenantID: &tn.ID, Services: &[]string{"fly", "exchange"}, Username: ptr(svcBackup), Password: ptr(svcBackupPw)}, domain.CodeInvalidValue, "services[1]"},
		{"repeated service", write{TenantID: &tn.ID, Services: &[]string{"fly", "fly"}, Username: ptr(svcBackup), Password: ptr(svcBackupPw)}, domain.CodeDuplicateValue, "services[1]"},
		{"username not a UPN", write{TenantID: &tn.ID, Services: svc, Username: ptr("svc.backup"), Password: ptr(svcBackupPw)}, domain.CodeInvalidValue, "username"},
		{"MFA profile without admin role", write{TenantID: &tn.ID, Services: svc, Username: ptr("mfa.user@contoso.onmicrosoft.com"), Mfa: ptr(true), AppPassword: ptr("zxcvbnmasdfghjkl"), SharePointAdminCenterURL: ptr(spAdminURL)}, domain.CodeServiceAccountRole, "username"},
		{"MFA profile with a wrong app password", write{TenantID: &tn.ID, Services: svc, Username: ptr(spAdmin), Mfa: ptr(true), AppPassword: ptr("aaaabbbbccccdddd"), SharePointAdminCenterURL: ptr(spAdminURL)}, domain.CodeWrongPassword, "appPassword"},
		{"MFA profile without app password", write{TenantID: &tn.ID, Services: svc, Username: ptr(spAdmin), Mfa: ptr(true), SharePointAdminCenterURL: ptr(spAdminURL)}, domain.CodeRequired, "appPassword"},
		{"MFA profile without admin center URL", write{TenantID: &tn.ID, Services: svc, Username: ptr(spAdmin), Mfa: ptr(true), AppPassword: ptr(spAdminAppPw)}, domain.CodeRequired, "sharePointAdminCenterUrl"},
		{"MFA profile with a password", write{TenantID: &tn.ID, Services: svc, Username: ptr(spAdmin), Mfa: ptr(true), Password: ptr("SpAdmin#2024"), AppPassword: ptr(spAdminAppPw), SharePointAdminCenterURL: ptr(spAdminURL)}, domain.CodeInvalidValue, "password"},
		{"app password without MFA", write{TenantID: &tn.ID, Services: svc, Username: ptr(svcBackup), Password: ptr(svcBackupPw), AppPassword: ptr(spAdminAppPw)}, domain.CodeInvalidValue, "appPassword"},
		{"MFA profile (app password, custom admin URL)", write{TenantID: &tn.ID, Services: svc, Username: ptr(spAdmin), Mfa: ptr(true), AppPassword: ptr(spAdminAppPw), SharePointAdminCenterURL: ptr("https://contosocorp-admin.sharepoint.com")}, "", ""},
		{"valid account", write{TenantID: &tn.ID, Services: &[]string{"fly", "insights"}, Username: ptr("SVC.PLAIN@contoso.onmicrosoft.com"), Password: ptr("Plain#Svc2024"), Description: ptr("for Fly")}, "", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Name = ptr("sa " + string(rune('a'+i)))
			sa, _, err := c.CreateServiceAccount(ctxb, tc.in)
			if tc.code != "" {
				wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sa.Status != domain.StatusValid || sa.SecretVersion != 1 || sa.SecretFingerprint == "" || sa.LastValidated.IsZero() {
				t.Errorf("created: %+v", sa)
			}
			if sa.Mfa && sa.UserRole != "" {
				t.Errorf("MFA account shows a user role %q", sa.UserRole)
			}
		})
	}
	t.Run("re-validate after the password changed on the platform", func(t *testing.T) {
		sa := serviceAccount(t, c, tn.ID, "revalidate", svcBackup, svcBackupPw)
		if err := c.DevSetUser(ctxb, svcBackup, client.DevUserChange{Password: ptr("Rotated#2025")}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.DevSetUser(ctxb, svcBackup, client.DevUserChange{Password: ptr(svcBackupPw)}) })
		_, _, err := c.ValidateServiceAccount(ctxb, sa.ID)
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeWrongPassword, "password")
		got := must[domain.ServiceAccount](t)(c.UpdateServiceAccount(ctxb, sa.ID, domain.ServiceAccountWrite{Password: ptr("Rotated#2025")}))
		if got.SecretVersion != 2 || got.SecretFingerprint == sa.SecretFingerprint {
			t.Errorf("new password: version %d fingerprint unchanged=%v", got.SecretVersion, got.SecretFingerprint == sa.SecretFingerprint)
		}
		if _, _, err := c.ValidateServiceAccount(ctxb, sa.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestServiceProviderOnlyServices: aos_common (AvePoint Online Services
// common service) is offered to service provider organizations only. The
// organization's setting lives in the database, so a change made there by
// another process ("aosd orgs set", another replica) applies to the next
// request, on both backends.
func TestServiceProviderOnlyServices(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		c := e.c
		tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		db := o.Database
		if db == "" {
			db = "sqlite:" + filepath.Join(e.in.Dir, "aosd.db")
		}
		// setProvider changes the setting as "aosd orgs set" does: through
		// its own connection to the database, not through this aosd.
		setProvider := func(org string, on bool) {
			t.Helper()
			st, err := aosd.OpenStore(ctxb, db)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := st.Close(); err != nil {
					t.Error(err)
				}
			}()
			if err := aosd.SetServiceProvider(ctxb, st, org, on); err != nil {
				t.Fatal(err)
			}
		}
		const unprocess = http.StatusUnprocessableEntity
		write := func(name string, services ...string) domain.ServiceAccountWrite {
			return domain.ServiceAccountWrite{Name: ptr(name), TenantID: &tn.ID, Services: &services,
				Username: ptr(svcBackup), Password: ptr(svcBackupPw)}
		}

		// An ordinary organization may not choose aos_common, wherever it
		// is in the list; the refusal names the entry and says what to do.
		_, _, err := c.CreateServiceAccount(ctxb, write("common", domain.ServiceFly, domain.ServiceAOSCommon))
		ae := wantAPIError(t, err, unprocess, domain.CodeServiceProviderOnly, "services[1]")
		if !strings.Contains(ae.Message, "service provider") || !strings.Contains(ae.Message, "remove it") {
			t.Errorf("the refusal does not say what to do: %s", ae.Message)
		}
		_, _, err = c.CreateServiceAccount(ctxb, write("common", domain.ServiceAOSCommon))
		wantErr(t, err, unprocess, domain.CodeServiceProviderOnly, "services[0]")
		if list, err := c.ListServiceAccounts(ctxb, client.Filter{TenantID: tn.ID}); err != nil || len(list) != 0 {
			t.Fatalf("a refused create stored a profile: %d, %v", len(list), err)
		}
		// Adding it later is refused the same way, and changes nothing.
		plain := must[domain.ServiceAccount](t)(c.CreateServiceAccount(ctxb, write("plain", domain.ServiceFly)))
		_, _, err = c.UpdateServiceAccount(ctxb, plain.ID, domain.ServiceAccountWrite{Services: &[]string{domain.ServiceFly, domain.ServiceAOSCommon}})
		wantErr(t, err, unprocess, domain.CodeServiceProviderOnly, "services[1]")
		if got := must[domain.ServiceAccount](t)(c.GetServiceAccount(ctxb, plain.ID)); !slices.Equal(got.Services, []string{domain.ServiceFly}) {
			t.Errorf("a refused update changed services to %v", got.Services)
		}
		// Another organization's setting does not count for this one.
		setProvider("another-org", true)
		_, _, err = c.CreateServiceAccount(ctxb, write("common", domain.ServiceAOSCommon))
		wantErr(t, err, unprocess, domain.CodeServiceProviderOnly, "services[0]")

		// Once the organization is a service provider, both are accepted.
		setProvider(aosdtestOrg, true)
		common := must[domain.ServiceAccount](t)(c.CreateServiceAccount(ctxb, write("common", domain.ServiceAOSCommon, domain.ServiceFly)))
		if !slices.Equal(common.Services, []string{domain.ServiceAOSCommon, domain.ServiceFly}) || common.Status != domain.StatusValid {
			t.Errorf("created: services %v, status %q", common.Services, common.Status)
		}
		must[domain.ServiceAccount](t)(c.UpdateServiceAccount(ctxb, plain.ID, domain.ServiceAccountWrite{Services: &[]string{domain.ServiceFly, domain.ServiceAOSCommon}}))

		// When it stops being one, a profile that keeps the service cannot
		// be changed until the service is removed; the stored profile and
		// its re-validation are left alone.
		setProvider(aosdtestOrg, false)
		_, _, err = c.UpdateServiceAccount(ctxb, common.ID, domain.ServiceAccountWrite{Description: ptr("renamed")})
		wantErr(t, err, unprocess, domain.CodeServiceProviderOnly, "services[0]")
		must[domain.ServiceAccount](t)(c.GetServiceAccount(ctxb, common.ID))
		if _, _, err := c.ValidateServiceAccount(ctxb, common.ID); err != nil {
			t.Errorf("re-validating a stored profile: %v", err)
		}
		got := must[domain.ServiceAccount](t)(c.UpdateServiceAccount(ctxb, common.ID, domain.ServiceAccountWrite{
			Services: &[]string{domain.ServiceFly}, Description: ptr("renamed")}))
		if !slices.Equal(got.Services, []string{domain.ServiceFly}) || got.Description != "renamed" {
			t.Errorf("after removing the service: %v %q", got.Services, got.Description)
		}
	})

	t.Run("aosdtest option", func(t *testing.T) {
		e := startEnv(t, aosdtest.Options{Org: "provider", ServiceProvider: true})
		tn := connectTenant(t, e.c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		must[domain.ServiceAccount](t)(e.c.CreateServiceAccount(ctxb, domain.ServiceAccountWrite{Name: ptr("common"), TenantID: &tn.ID,
			Services: &[]string{domain.ServiceAOSCommon}, Username: ptr(svcBackup), Password: ptr(svcBackupPw)}))
	})
}

// TestConnectionRules: the migration connection rules of seed 004.
func TestConnectionRules(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	fab := connectTenant(t, c, domain.PlatformMicrosoft, fabrikam, fabrikamAdm)
	cert := validCert(t, "connection custom app")
	const clientID = "6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"

	app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("m365"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
	pendingApp := appProfile(t, c, domain.AppProfileWrite{Name: ptr("pending"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, "")
	delegated := appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp)}, contosoAdmin)
	customLicensed := appProfile(t, c, domain.AppProfileWrite{Name: ptr("custom adele"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
		ClientID: ptr(clientID), Certificate: ptr(cert.bundle()), ImpersonationUser: ptr(adele)}, contosoAdmin)
	customUnlicensed := appProfile(t, c, domain.AppProfileWrite{Name: ptr("custom lee"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
		ClientID: ptr(clientID), Certificate: ptr(cert.bundle()), ImpersonationUser: ptr(lee)}, contosoAdmin)
	customNoUser := appProfile(t, c, domain.AppProfileWrite{Name: ptr("custom none"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
		ClientID: ptr(clientID), Certificate: ptr(cert.bundle())}, contosoAdmin)
	sa := serviceAccount(t, c, tn.ID, "svc", svcBackup, svcBackupPw)
	mfaSA := must[domain.ServiceAccount](t)(c.CreateServiceAccount(ctxb, domain.ServiceAccountWrite{Name: ptr("mfa svc"), TenantID: &tn.ID,
		Services: &[]string{domain.ServiceFly}, Username: ptr(spAdmin), Mfa: ptr(true), AppPassword: ptr(spAdminAppPw), SharePointAdminCenterURL: ptr(spAdminURL)}))
	fabApp := appProfile(t, c, domain.AppProfileWrite{Name: ptr("fab m365"), TenantID: &fab.ID, Type: ptr(domain.AppTypeMicrosoft365)}, fabrikamAdm)
	fabDelegated := appProfile(t, c, domain.AppProfileWrite{Name: ptr("fab delegated"), TenantID: &fab.ID, Type: ptr(domain.AppTypeDelegatedApp)}, fabrikamAdm)
	fabSA := serviceAccount(t, c, fab.ID, "fab svc", "svc@fabrikam.onmicrosoft.com", "Fabrikam#Svc2024")

	type aps = []domain.ConnectionAppProfile
	base := func(tenant string) domain.ConnectionWrite {
		return domain.ConnectionWrite{Type: ptr("microsoft_365_groups"), TenantID: &tenant}
	}
	with := func(w domain.ConnectionWrite, f func(*domain.ConnectionWrite)) domain.ConnectionWrite {
		f(&w)
		return w
	}
	cases := []struct {
		name        string
		in          domain.ConnectionWrite
		code, field string
	}{
		// Credentials belong to the connection's tenant.
		{"app profile of another tenant", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: app.ID}, {ID: fabApp.ID}} }), domain.CodeCredentialTenantMismatch, "appProfiles[1].id"},
		{"service account of another tenant", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ServiceAccountAuthentication, w.ServiceAccountIDs = ptr("legacy"), &[]string{fabSA.ID}
		}), domain.CodeCredentialTenantMismatch, "serviceAccountIds[0]"},
		{"delegated app profile of another tenant", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ServiceAccountAuthentication, w.DelegatedAppProfileIDs = ptr("modern"), &[]string{delegated.ID, fabDelegated.ID}
		}), domain.CodeCredentialTenantMismatch, "delegatedAppProfileIds[1]"},
		// Legacy authentication does not take MFA accounts.
		{"MFA service account with legacy authentication", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ServiceAccountAuthentication, w.ServiceAccountIDs = ptr("legacy"), &[]string{sa.ID, mfaSA.ID}
		}), domain.CodeMfaNotSupported, "serviceAccountIds[1]"},
		{"modern authentication with an application-only profile", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ServiceAccountAuthentication, w.DelegatedAppProfileIDs = ptr("modern"), &[]string{app.ID}
		}), domain.CodeCredentialKindMismatch, "delegatedAppProfileIds[0]"},
		{"service accounts with modern authentication", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ServiceAccountAuthentication, w.ServiceAccountIDs, w.DelegatedAppProfileIDs = ptr("modern"), &[]string{sa.ID}, &[]string{delegated.ID}
		}), domain.CodeCredentialKindMismatch, "serviceAccountIds"},
		{"legacy authentication without service accounts", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.ServiceAccountAuthentication = ptr("legacy") }), domain.CodeRequired, "serviceAccountIds"},
		{"unknown authentication", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.ServiceAccountAuthentication = ptr("basic") }), domain.CodeInvalidValue, "serviceAccountAuthentication"},
		{"no credentials", base(tn.ID), domain.CodeCredentialsRequired, "appProfiles"},
		{"pending app profile", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: pendingApp.ID}} }), domain.CodeInvalidState, "appProfiles[0].id"},
		{"missing app profile", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: "nope"}} }), domain.CodeNotFound, "appProfiles[0].id"},
		{"app profile listed twice", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: app.ID}, {ID: app.ID}} }), domain.CodeInvalidValue, "appProfiles[1]"},
		// Multi-geo location only on multi-geo tenants, and one of theirs.
		{"geo location on a single-geo tenant", with(base(fab.ID), func(w *domain.ConnectionWrite) {
			w.GeoLocation, w.AppProfiles = ptr("NAM"), &aps{{ID: fabApp.ID}}
		}), domain.CodeGeoLocationNotAllowed, "geoLocation"},
		{"geo location the tenant does not have", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.GeoLocation, w.AppProfiles = ptr("JPN"), &aps{{ID: app.ID}}
		}), domain.CodeGeoLocationNotAllowed, "geoLocation"},
		// The auto-map container belongs to the tenant.
		{"container of another tenant", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ContainerID, w.AppProfiles = ptr("ctr-fabrikam-groups"), &aps{{ID: app.ID}}
		}), domain.CodeContainerTenantMismatch, "containerId"},
		{"unknown container", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ContainerID, w.AppProfiles = ptr("ctr-nowhere"), &aps{{ID: app.ID}}
		}), domain.CodeContainerTenantMismatch, "containerId"},
		// Impersonation user with an Exchange Online licence.
		{"custom profile's own user has no licence", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: customUnlicensed.ID}} }), domain.CodeImpersonationUnlicensed, "appProfiles[0].impersonationUser"},
		{"overriding user has no licence", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.AppProfiles = &aps{{ID: app.ID}, {ID: customLicensed.ID, ImpersonationUser: lee}}
		}), domain.CodeImpersonationUnlicensed, "appProfiles[1].impersonationUser"},
		{"overriding user of another tenant", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.AppProfiles = &aps{{ID: customLicensed.ID, ImpersonationUser: "svc@fabrikam.onmicrosoft.com"}}
		}), domain.CodeImpersonationUserUnknown, "appProfiles[0].impersonationUser"},
		{"custom profile without any impersonation user", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: customNoUser.ID}} }), domain.CodeRequired, "appProfiles[0].impersonationUser"},
		{"impersonation user on a non-custom profile", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: app.ID, ImpersonationUser: adele}} }), domain.CodeInvalidValue, "appProfiles[0].impersonationUser"},
		// Type and tenant.
		{"unknown type", with(base(tn.ID), func(w *domain.ConnectionWrite) { w.Type, w.AppProfiles = ptr("exchange"), &aps{{ID: app.ID}} }), domain.CodeInvalidValue, "type"},
		{"missing tenant", with(base("nope"), func(w *domain.ConnectionWrite) { w.AppProfiles = &aps{{ID: app.ID}} }), domain.CodeNotFound, "tenantId"},
		// What is allowed.
		{"app profiles, legacy service account, geo and container", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.GeoLocation, w.ContainerID = ptr("eur"), ptr("ctr-contoso-groups-eur")
			w.AppProfiles = &aps{{ID: app.ID}, {ID: customLicensed.ID}}
			w.ServiceAccountAuthentication, w.ServiceAccountIDs = ptr("legacy"), &[]string{sa.ID}
		}), "", ""},
		{"custom profile with a licensed override", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.AppProfiles = &aps{{ID: customUnlicensed.ID, ImpersonationUser: adele}}
		}), "", ""},
		{"modern authentication with delegated profiles", with(base(tn.ID), func(w *domain.ConnectionWrite) {
			w.ServiceAccountAuthentication, w.DelegatedAppProfileIDs = ptr("modern"), &[]string{delegated.ID}
		}), "", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Name = ptr("conn " + string(rune('a'+i)))
			conn, _, err := c.CreateConnection(ctxb, tc.in)
			if tc.code != "" {
				wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if conn.GeoLocation != strings.ToUpper(deref(tc.in.GeoLocation)) {
				t.Errorf("geoLocation = %q", conn.GeoLocation)
			}
		})
	}
	t.Run("patch applies the same rules", func(t *testing.T) {
		conn := must[domain.Connection](t)(c.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("patched"), Type: ptr("microsoft_365_groups"),
			TenantID: &tn.ID, AppProfiles: &aps{{ID: app.ID}}}))
		_, _, err := c.UpdateConnection(ctxb, conn.ID, domain.ConnectionWrite{ServiceAccountAuthentication: ptr("legacy"), ServiceAccountIDs: &[]string{mfaSA.ID}})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeMfaNotSupported, "serviceAccountIds[0]")
		_, _, err = c.UpdateConnection(ctxb, conn.ID, domain.ConnectionWrite{TenantID: &fab.ID})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeInvalidValue, "tenantId")
		_, _, err = c.UpdateConnection(ctxb, conn.ID, domain.ConnectionWrite{ContainerID: ptr("ctr-fabrikam-sites")})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeContainerTenantMismatch, "containerId")
		got := must[domain.Connection](t)(c.UpdateConnection(ctxb, conn.ID, domain.ConnectionWrite{ContainerID: ptr("ctr-contoso-groups-nam"), GeoLocation: ptr("APC")}))
		if got.ContainerID != "ctr-contoso-groups-nam" || got.GeoLocation != "APC" {
			t.Errorf("after patch: %+v", got)
		}
	})
	t.Run("containers and geo locations of a tenant", func(t *testing.T) {
		geos, err := c.ListGeoLocations(ctxb, tn.ID)
		if err != nil || len(geos) != 3 {
			t.Fatalf("geo locations: %v %v", geos, err)
		}
		if g, err := c.ListGeoLocations(ctxb, fab.ID); err != nil || len(g) != 0 {
			t.Errorf("single-geo tenant lists geo locations %v %v", g, err)
		}
		all, err := c.ListContainers(ctxb, tn.ID, client.Filter{PageSize: 2})
		if err != nil || len(all) != 5 {
			t.Fatalf("containers (paged by 2): %d %v", len(all), err)
		}
		groups, err := c.ListContainers(ctxb, tn.ID, client.Filter{Search: "GROUPS"})
		if err != nil || len(groups) != 3 {
			t.Fatalf("search containers: %v %v", groups, err)
		}
		for _, g := range groups {
			if g.TenantID != tn.ID {
				t.Errorf("container %s has tenantId %q", g.ID, g.TenantID)
			}
		}
	})
	t.Run("filters and search", func(t *testing.T) {
		byTenant, err := c.ListConnections(ctxb, client.Filter{TenantID: tn.ID, Type: "microsoft_365_groups"})
		if err != nil || len(byTenant) != 4 {
			t.Fatalf("connections of contoso: %d %v", len(byTenant), err)
		}
		if fabConns, err := c.ListConnections(ctxb, client.Filter{TenantID: fab.ID}); err != nil || len(fabConns) != 0 {
			t.Errorf("connections of fabrikam: %d %v", len(fabConns), err)
		}
		found, err := c.ListConnections(ctxb, client.Filter{Search: "PATCH"})
		if err != nil || len(found) != 1 || found[0].Name != "patched" {
			t.Errorf("search: %+v %v", found, err)
		}
		_, err = c.ListConnections(ctxb, client.Filter{Type: "exchange"})
		wantErr(t, err, http.StatusBadRequest, domain.CodeInvalidValue, "type")
	})
}

// TestAmazonVerifyInput: the role ARN is checked before any STS call.
func TestAmazonVerifyInput(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := must[domain.Tenant](t)(c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon}))
	if tn.Status != domain.StatusPendingConsent || tn.Amazon == nil || tn.Amazon.RoleName != domain.DefaultAmazonRoleName ||
		!strings.HasPrefix(tn.Amazon.ExternalID, "aos-") || tn.Amazon.ServicePrincipal == "" || tn.Environment != "commercial" {
		t.Fatalf("new Amazon tenant: %+v %+v", tn, tn.Amazon)
	}
	custom := must[domain.Tenant](t)(c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon, RoleName: "AosRole", Environment: "gov"}))
	for _, tc := range []struct {
		name, tenant, arn string
		version           int
		code              string
		field             string
	}{
		{"not an ARN", tn.ID, "AWSTenantAdminRole", 0, domain.CodeInvalidValue, "roleArn"},
		{"user ARN", tn.ID, "arn:aws:iam::123456789012:user/AWSTenantAdminRole", 0, domain.CodeInvalidValue, "roleArn"},
		{"short account id", tn.ID, "arn:aws:iam::12345:role/AWSTenantAdminRole", 0, domain.CodeInvalidValue, "roleArn"},
		{"role name mismatch", tn.ID, "arn:aws:iam::123456789012:role/OtherRole", 0, domain.CodeInvalidValue, "roleArn"},
		{"custom role name mismatch", custom.ID, "arn:aws-us-gov:iam::123456789012:role/AWSTenantAdminRole", 0, domain.CodeInvalidValue, "roleArn"},
		{"permissions version from the future", tn.ID, "arn:aws:iam::123456789012:role/AWSTenantAdminRole", 7, domain.CodeInvalidValue, "permissionsVersion"},
		// This instance has no STS endpoint: a well-formed request is
		// refused as not assumable rather than accepted unverified.
		{"no STS endpoint", tn.ID, "arn:aws:iam::123456789012:role/AWSTenantAdminRole", 0, domain.CodeAmazonRoleNotAssumable, "roleArn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.VerifyAmazonTenant(ctxb, tc.tenant, domain.AmazonVerify{RoleARN: tc.arn, PermissionsVersion: tc.version})
			wantErr(t, err, http.StatusUnprocessableEntity, tc.code, tc.field)
			if g := must[domain.Tenant](t)(c.GetTenant(ctxb, tc.tenant)); g.Status != domain.StatusPendingConsent {
				t.Errorf("refused verify changed the status to %q", g.Status)
			}
		})
	}
	// Amazon tenants are not consented.
	wantErr(t, c.DevConsent(ctxb, tn.ID, contosoAdmin), http.StatusUnprocessableEntity, domain.CodePlatformNotSupported, "platform")
}
