package microsoft_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/directory"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/platform"
	"github.com/aos-dev/terraform-provider-aos/internal/platform/microsoft"
	"github.com/aos-dev/terraform-provider-aos/internal/platform/microsoft/entrasim"
)

const (
	clientID    = "11111111-2222-4333-8444-555555555555"
	secret      = "sim-secret-value"
	redirectURI = "https://aosd.example/v1/consent/callback"

	contosoID   = "6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"
	contoso     = "contoso.onmicrosoft.com"
	fabrikam    = "fabrikam.onmicrosoft.com"
	northwind   = "northwind.onmicrosoft.com"
	contosoGov  = "contosogov.onmicrosoft.us"
	defaultFile = "../../directory/default.json"
)

var appRoles = []string{"Organization.Read.All", "User.Read.All", "Directory.Read.All", "Sites.Read.All", "Group.Read.All"}

type env struct {
	sim  *entrasim.Sim
	dir  *entrasim.Directory
	conn *microsoft.Connector
}

func start(t *testing.T, apps ...entrasim.App) *env {
	t.Helper()
	dir, err := entrasim.LoadDirectory(defaultFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) == 0 {
		apps = []entrasim.App{{ClientID: clientID, Secret: secret, Roles: appRoles}}
	}
	sim, err := entrasim.Start(dir, apps...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return &env{sim: sim, dir: dir, conn: connect(t, sim, microsoft.Config{ClientSecret: secret})}
}

// connect builds a connector against the simulator; cfg gives the
// credential and anything else the test changes.
func connect(t *testing.T, sim *entrasim.Sim, cfg microsoft.Config) *microsoft.Connector {
	t.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID = clientID
	}
	if cfg.Cloud.LoginURL == "" {
		cfg.Cloud = microsoft.Commercial
	}
	cfg.LoginURL, cfg.GraphURL, cfg.HTTPClient = sim.LoginURL(), sim.GraphURL(), sim.Client()
	c, err := microsoft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCode checks that err is the API refusal code and returns the field
// it names.
func wantCode(t *testing.T, err error, code string) (field string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de == nil {
		t.Fatalf("got %v (%T), want the API code %s", err, err, code)
	}
	if de.Code != code {
		t.Fatalf("got %s (%s), want %s", de.Code, de.Message, code)
	}
	if len(de.Details) == 0 {
		return ""
	}
	return de.Details[0].Field
}

func selfSigned(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "aosd"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestAppCredentials(t *testing.T) {
	cert, key := selfSigned(t)
	other, otherKey := selfSigned(t)
	e := start(t, entrasim.App{ClientID: clientID, Secret: secret, Roles: appRoles},
		entrasim.App{ClientID: "cert-app", Certificate: cert, Roles: appRoles})
	ctx := context.Background()

	if _, err := e.conn.Graph(contoso).Organization(ctx); err != nil {
		t.Fatalf("client secret: %v", err)
	}
	byCert := connect(t, e.sim, microsoft.Config{ClientID: "cert-app", Certificates: []*x509.Certificate{cert}, Key: key})
	if org, err := byCert.Graph(contosoID).Organization(ctx); err != nil || org.DisplayName != "Contoso" {
		t.Fatalf("certificate: %v %+v", err, org)
	}

	var ce *microsoft.ConfigError
	wrongSecret := connect(t, e.sim, microsoft.Config{ClientSecret: "not-it"})
	if _, err := wrongSecret.AppToken(ctx, contoso); !errors.As(err, &ce) || !ce.Err.Has(7000215) {
		t.Fatalf("wrong secret: got %v", err)
	}
	wrongCert := connect(t, e.sim, microsoft.Config{ClientID: "cert-app", Certificates: []*x509.Certificate{other}, Key: otherKey})
	if _, err := wrongCert.AppToken(ctx, contoso); !errors.As(err, &ce) || !ce.Err.Has(700027) {
		t.Fatalf("unregistered certificate: got %v", err)
	}
	unknownApp := connect(t, e.sim, microsoft.Config{ClientID: "no-such-app", ClientSecret: secret})
	if _, err := unknownApp.AppToken(ctx, contoso); !errors.As(err, &ce) || !ce.Err.Has(700016) {
		t.Fatalf("unknown app: got %v", err)
	}
	var ee *microsoft.EntraError
	if _, err := e.conn.AppToken(ctx, "nowhere.onmicrosoft.com"); !errors.As(err, &ee) || !ee.Has(90002) || ee.TraceID == "" {
		t.Fatalf("unknown tenant: got %v", err)
	}

	if _, err := microsoft.New(microsoft.Config{ClientID: clientID}); err == nil {
		t.Fatal("a connector without a credential was accepted")
	}
	if _, err := microsoft.New(microsoft.Config{ClientID: clientID, ClientSecret: "x", Key: key}); err == nil {
		t.Fatal("a connector with both a secret and a certificate was accepted")
	}
}

func TestTenantFacts(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	f, err := e.conn.TenantFacts(ctx, contoso)
	if err != nil {
		t.Fatal(err)
	}
	if f.TenantID != contosoID || f.DisplayName != "Contoso" || f.InitialDomain != contoso ||
		f.SharePointAdminCenterURL != "https://contoso-admin.sharepoint.com" || !f.MultiGeo {
		t.Fatalf("contoso: %+v", f)
	}
	if got := fmt.Sprint(f.GeoLocations); got != "[{NAM North America} {EUR Europe} {APC Asia-Pacific}]" {
		t.Fatalf("contoso geo locations: %s", got)
	}
	f, err = e.conn.TenantFacts(ctx, fabrikam)
	if err != nil || f.MultiGeo || len(f.GeoLocations) != 0 {
		t.Fatalf("fabrikam is single-geo: %+v %v", f, err)
	}

	gov := connect(t, e.sim, microsoft.Config{Cloud: microsoft.USGovernment, ClientSecret: secret})
	f, err = gov.TenantFacts(ctx, contosoGov)
	if err != nil || f.SharePointAdminCenterURL != "https://contosogov-admin.sharepoint.us" {
		t.Fatalf("government tenant: %+v %v", f, err)
	}
	if c, ok := microsoft.CloudFor("us_government"); !ok || c.GraphURL != "https://graph.microsoft.us" || c.LoginURL != "https://login.microsoftonline.us" {
		t.Fatalf("us_government cloud: %+v", c)
	}
	if _, ok := microsoft.CloudFor("china"); ok {
		t.Fatal("an unknown environment has a cloud")
	}
}

// TestSignIn runs the service account sign-in against directory states the
// simulator derives its answers from (no injected codes).
func TestSignIn(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	tests := []struct {
		tenant, user, password, code, field string
	}{
		{contoso, "svc.backup@contoso.onmicrosoft.com", "Backup#Svc2024", "", ""},
		{contoso, "svc.backup@contoso.onmicrosoft.com", "wrong", domain.CodeWrongPassword, "password"},
		{contoso, "mfa.user@contoso.onmicrosoft.com", "MfaUser#2024", domain.CodeMfaEnabled, "username"},
		// Classic MFA profile: the app password signs in.
		{contoso, "mfa.user@contoso.onmicrosoft.com", "zxcvbnmasdfghjkl", "", ""},
		{northwind, "svc@northwind.onmicrosoft.com", "Northwind#Svc1", domain.CodeAccessPolicyBlocked, "username"},
		{contoso, "nobody@contoso.onmicrosoft.com", "x", domain.CodeServiceAccountUnknown, "username"},
		// A guest cannot use ROPC in the inviting tenant.
		{contoso, "megan@fabrikam.onmicrosoft.com", "Megan#Bowen2024", domain.CodeServiceAccountUnknown, "username"},
		{contoso, "disabled.admin@contoso.onmicrosoft.com", "Disabled#2024", domain.CodeServiceAccountDisabled, "username"},
		{"nowhere.onmicrosoft.com", "svc@nowhere.onmicrosoft.com", "x", domain.CodePlatformTenantUnknown, "domain"},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.password, func(t *testing.T) {
			acc, err := e.conn.SignIn(ctx, tt.tenant, tt.user, tt.password)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if acc.Login != tt.user || acc.TenantID == "" || acc.UserID != entrasim.UserID(acc.TenantID, tt.user) {
					t.Fatalf("account %+v", acc)
				}
				return
			}
			if field := wantCode(t, err, tt.code); field != tt.field {
				t.Fatalf("field %s, want %s", field, tt.field)
			}
		})
	}

	// The role of the signed-in account comes from Graph.
	for user, want := range map[string]string{
		"svc.backup@contoso.onmicrosoft.com": microsoft.RoleNameSharePointAdministrator,
		"admin@contoso.onmicrosoft.com":      microsoft.RoleNameGlobalAdministrator,
		"svc.plain@contoso.onmicrosoft.com":  microsoft.RoleNameUser,
	} {
		role, err := e.conn.UserRole(ctx, contoso, entrasim.UserID(contosoID, user))
		if err != nil || role != want {
			t.Fatalf("%s: role %q (%v), want %q", user, role, err, want)
		}
	}

	// A password changed in the tenant no longer signs in.
	e.dir.Update(func(f *directory.File) { f.Tenants[0].Users[9].Password = "Changed#2025" })
	if _, err := e.conn.SignIn(ctx, contoso, "svc.backup@contoso.onmicrosoft.com", "Backup#Svc2024"); err == nil {
		t.Fatal("the old password still signs in")
	} else {
		_ = wantCode(t, err, domain.CodeWrongPassword)
	}
}

func consent(t *testing.T, e *env, tenant, login, nonce string) (*platform.Consent, error) {
	t.Helper()
	code, err := e.sim.IssueCode(tenant, login, clientID, redirectURI, nonce, "https://graph.microsoft.com/.default")
	if err != nil {
		t.Fatal(err)
	}
	return e.conn.RedeemConsent(context.Background(), platform.ConsentCallback{Tenant: tenant, Code: code, RedirectURI: redirectURI, Nonce: nonce})
}

func TestConsent(t *testing.T) {
	e := start(t)
	ctx := context.Background()

	c, err := consent(t, e, contoso, "admin@contoso.onmicrosoft.com", "n-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantID != contosoID || c.Login != "admin@contoso.onmicrosoft.com" || c.UserID != entrasim.UserID(contosoID, c.Login) || len(c.Grant) == 0 {
		t.Fatalf("consent %+v", c)
	}
	if err := e.conn.CheckConsentUser(ctx, c, contosoID, true); err != nil {
		t.Fatalf("global admin: %v", err)
	}
	// Connecting contoso with an account of fabrikam.
	if err := e.conn.CheckConsentUser(ctx, c, "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4", true); err == nil {
		t.Fatal("consent of another tenant accepted")
	} else {
		_ = wantCode(t, err, domain.CodeConsentUserWrongTenant)
	}

	// User consent to a multi-tenant app: no tenant named, the
	// organizations authority; the ID token tells the tenant.
	code, _ := e.sim.IssueCode(fabrikam, "admin@fabrikam.onmicrosoft.com", clientID, redirectURI, "n-0", "")
	anyOrg, err := e.conn.RedeemConsent(ctx, platform.ConsentCallback{Code: code, RedirectURI: redirectURI, Nonce: "n-0"})
	if err != nil || anyOrg.TenantID != "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4" {
		t.Fatalf("consent through organizations: %+v %v", anyOrg, err)
	}
	if err := e.conn.CheckConsentUser(ctx, anyOrg, "", true); err != nil {
		t.Fatalf("fabrikam admin: %v", err)
	}

	adele, err := consent(t, e, contoso, "adele@contoso.onmicrosoft.com", "n-2")
	if err != nil {
		t.Fatal(err)
	}
	_ = wantCode(t, e.conn.CheckConsentUser(ctx, adele, contosoID, true), domain.CodeConsentUserNotAdmin)
	if err := e.conn.CheckConsentUser(ctx, adele, contosoID, false); err != nil {
		t.Fatalf("user consent by a member: %v", err)
	}

	guest, err := consent(t, e, contoso, "megan@fabrikam.onmicrosoft.com", "n-3")
	if err != nil {
		t.Fatal(err)
	}
	_ = wantCode(t, e.conn.CheckConsentUser(ctx, guest, contosoID, true), domain.CodeConsentUserExternal)

	_, err = consent(t, e, contoso, "disabled.admin@contoso.onmicrosoft.com", "n-4")
	_ = wantCode(t, err, domain.CodeConsentUserDisabled)

	// A code is redeemed once.
	code, _ = e.sim.IssueCode(contoso, "admin@contoso.onmicrosoft.com", clientID, redirectURI, "n-5", "")
	cb := platform.ConsentCallback{Tenant: contoso, Code: code, RedirectURI: redirectURI, Nonce: "n-5"}
	if _, err := e.conn.RedeemConsent(ctx, cb); err != nil {
		t.Fatal(err)
	}
	_, err = e.conn.RedeemConsent(ctx, cb)
	_ = wantCode(t, err, domain.CodeConsentNotVerified)
	// A forged or replayed callback: unknown code, other nonce.
	_, err = e.conn.RedeemConsent(ctx, platform.ConsentCallback{Tenant: contoso, Code: "forged", RedirectURI: redirectURI})
	_ = wantCode(t, err, domain.CodeConsentNotVerified)
	_, err = consent(t, e, contoso, "admin@contoso.onmicrosoft.com", "")
	if err != nil {
		t.Fatal(err)
	}
	code, _ = e.sim.IssueCode(contoso, "admin@contoso.onmicrosoft.com", clientID, redirectURI, "sent", "")
	_, err = e.conn.RedeemConsent(ctx, platform.ConsentCallback{Tenant: contoso, Code: code, RedirectURI: redirectURI, Nonce: "expected"})
	_ = wantCode(t, err, domain.CodeConsentNotVerified)

	// Conditional access blocking the service's IP: the consent exists,
	// the profile is invalid from the start.
	_, err = consent(t, e, northwind, "admin@northwind.onmicrosoft.com", "n-6")
	var ge *platform.GrantError
	if !errors.As(err, &ge) || ge.Reason != domain.ReasonConditionalAccess {
		t.Fatalf("northwind: got %v", err)
	}
}

// TestCheckGrant re-checks a kept consent after the changes an
// administrator makes in the tenant.
func TestCheckGrant(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	const delegate = "delegate@contoso.onmicrosoft.com"
	userIndex := func(f *directory.File, login string) *directory.UserData {
		for i := range f.Tenants[0].Users {
			if f.Tenants[0].Users[i].Login == login {
				return &f.Tenants[0].Users[i]
			}
		}
		t.Fatalf("no %s", login)
		return nil
	}
	fresh := func() []byte {
		c, err := consent(t, e, contoso, delegate, "n")
		if err != nil {
			t.Fatal(err)
		}
		g, err := e.conn.CheckGrant(ctx, c.Grant)
		if err != nil {
			t.Fatalf("a fresh grant: %v", err)
		}
		return g
	}
	reason := func(g []byte) string {
		_, err := e.conn.CheckGrant(ctx, g)
		var ge *platform.GrantError
		if !errors.As(err, &ge) {
			t.Fatalf("want a grant error, got %v", err)
		}
		return ge.Reason
	}

	g := fresh()
	e.dir.Update(func(f *directory.File) { userIndex(f, delegate).MFAEnabled = true })
	if r := reason(g); r != domain.ReasonMfaEnabled {
		t.Fatalf("MFA turned on: %s", r)
	}
	e.dir.Update(func(f *directory.File) { userIndex(f, delegate).MFAEnabled = false })

	g = fresh()
	e.dir.Update(func(f *directory.File) { userIndex(f, delegate).Password = "Delegate#2025" })
	if r := reason(g); r != domain.ReasonUserUnavailable {
		t.Fatalf("password changed: %s", r)
	}

	g = fresh()
	off := false
	e.dir.Update(func(f *directory.File) { userIndex(f, delegate).Enabled = &off })
	if r := reason(g); r != domain.ReasonUserUnavailable {
		t.Fatalf("disabled: %s", r)
	}
	on := true
	e.dir.Update(func(f *directory.File) { userIndex(f, delegate).Enabled = &on })

	g = fresh()
	e.dir.Update(func(f *directory.File) { f.Tenants[0].ConditionalAccessBlocksServiceIP = true })
	if r := reason(g); r != domain.ReasonConditionalAccess {
		t.Fatalf("conditional access: %s", r)
	}
	// Fixing the policy makes the same grant work again.
	e.dir.Update(func(f *directory.File) { f.Tenants[0].ConditionalAccessBlocksServiceIP = false })
	if _, err := e.conn.CheckGrant(ctx, g); err != nil {
		t.Fatalf("after the policy is fixed: %v", err)
	}

	if _, err := e.conn.CheckGrant(ctx, []byte(`{"v":9}`)); err == nil {
		t.Fatal("a foreign grant was accepted")
	}
}

func TestVerifyIDToken(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	now := time.Now()
	claims := func() map[string]any {
		return map[string]any{"ver": "2.0", "iss": e.sim.Issuer(contosoID), "aud": clientID, "tid": contosoID,
			"oid": entrasim.UserID(contosoID, "admin@contoso.onmicrosoft.com"), "sub": "s", "preferred_username": "admin@contoso.onmicrosoft.com",
			"nonce": "n", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	sign := func(c map[string]any, forged bool) string {
		s, err := e.sim.SignWith(c, forged)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got, err := e.conn.VerifyIDToken(ctx, sign(claims(), false), "n"); err != nil || got.TenantID != contosoID {
		t.Fatalf("a good token: %v", err)
	}
	bad := map[string]string{}
	bad["signature"] = sign(claims(), true)
	c := claims()
	c["iss"] = e.sim.Issuer("0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4")
	bad["issuer of another tenant"] = sign(c, false)
	c = claims()
	c["iss"] = "https://login.microsoftonline.com/" + contosoID + "/v2.0"
	bad["issuer of another host"] = sign(c, false)
	c = claims()
	c["aud"] = "another-app"
	bad["audience"] = sign(c, false)
	c = claims()
	c["exp"] = now.Add(-time.Hour).Unix()
	bad["expired"] = sign(c, false)
	c = claims()
	c["tid"] = "../../evil"
	bad["tenant id not a GUID"] = sign(c, false)
	bad["not a JWT"] = "abc"
	for name, tok := range bad {
		if _, err := e.conn.VerifyIDToken(ctx, tok, "n"); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			_ = wantCode(t, err, domain.CodeConsentNotVerified)
		}
	}
	if _, err := e.conn.VerifyIDToken(ctx, sign(claims(), false), "other"); err == nil {
		t.Error("wrong nonce accepted")
	}
}

func TestImpersonationUser(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	const field = "appProfiles[0].impersonationUser"
	if err := e.conn.CheckImpersonationUser(ctx, contoso, "adele@contoso.onmicrosoft.com", field); err != nil {
		t.Fatalf("licensed user: %v", err)
	}
	_ = wantCode(t, e.conn.CheckImpersonationUser(ctx, contoso, "lee@contoso.onmicrosoft.com", field), domain.CodeImpersonationUnlicensed)
	// SharePoint only: the licence holds EXCHANGE_S_FOUNDATION, no mailbox.
	_ = wantCode(t, e.conn.CheckImpersonationUser(ctx, contoso, "svc.plain@contoso.onmicrosoft.com", field), domain.CodeImpersonationUnlicensed)
	if got := wantCode(t, e.conn.CheckImpersonationUser(ctx, contoso, "nobody@contoso.onmicrosoft.com", field), domain.CodeImpersonationUserUnknown); got != field {
		t.Fatalf("field %s", got)
	}
	// A guest is found only by its #EXT# name.
	_ = wantCode(t, e.conn.CheckImpersonationUser(ctx, contoso, "megan@fabrikam.onmicrosoft.com", field), domain.CodeImpersonationUserUnknown)
	_ = wantCode(t, e.conn.CheckImpersonationUser(ctx, contoso, "megan_fabrikam.onmicrosoft.com#EXT#@contoso.onmicrosoft.com", field), domain.CodeImpersonationUserUnknown)
}

func TestGraphErrors(t *testing.T) {
	e := start(t, entrasim.App{ClientID: clientID, Secret: secret, Roles: appRoles},
		entrasim.App{ClientID: "no-permissions", Secret: secret})
	ctx := context.Background()
	_, err := e.conn.Graph(contoso).User(ctx, "nobody@contoso.onmicrosoft.com")
	var ge *microsoft.GraphError
	if !errors.As(err, &ge) || ge.Status != 404 || ge.Code != "Request_ResourceNotFound" || ge.InnerError.RequestID == "" || !microsoft.IsNotFound(err) {
		t.Fatalf("unknown user: %v", err)
	}
	bare := connect(t, e.sim, microsoft.Config{ClientID: "no-permissions", ClientSecret: secret})
	_, err = bare.Graph(contoso).Organization(ctx)
	if !errors.As(err, &ge) || ge.Status != 403 || ge.Code != "Authorization_RequestDenied" {
		t.Fatalf("no permission: %v", err)
	}
	u, err := e.conn.Graph(contoso).User(ctx, "disabled.admin@contoso.onmicrosoft.com")
	if err != nil || u.AccountEnabled || u.Guest() {
		t.Fatalf("disabled member: %+v %v", u, err)
	}
	// A delegated token (from the consent) reads Graph too.
	tok, err := e.conn.AppToken(ctx, contoso)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.GraphWithToken(tok).Organization(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.GraphWithToken("garbage").Organization(ctx); !errors.As(err, &ge) || ge.Status != 401 {
		t.Fatalf("bad token: %v", err)
	}
}

func TestGroupsPaging(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	var groups []entrasim.Group
	for i := range 250 {
		geo := []string{"NAM", "EUR", "APC"}[i%3]
		groups = append(groups, entrasim.Group{ID: fmt.Sprintf("g-%03d", i), DisplayName: fmt.Sprintf("Group %d", i), PreferredDataLocation: geo})
	}
	e.sim.SetGroups(contosoID, groups)
	before := e.sim.GraphRequests()
	got, count, err := e.conn.Graph(contoso).UnifiedGroups(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 || count != 250 || got[249].ID != "g-249" || got[100].PreferredDataLocation != "EUR" {
		t.Fatalf("got %d groups, count %d", len(got), count)
	}
	if n := e.sim.GraphRequests() - before; n != 3 {
		t.Fatalf("%d requests for 250 groups in pages of 100, want 3", n)
	}
	got, _, err = e.conn.Graph(fabrikam).UnifiedGroups(ctx, 0)
	if err != nil || len(got) != 0 {
		t.Fatalf("a tenant without groups: %v %v", got, err)
	}
}

func TestThrottling(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	g := e.conn.Graph(contoso)
	if _, err := g.Organization(ctx); err != nil { // warm the token cache
		t.Fatal(err)
	}

	// Retry-After honoured: two 503s, then the answer.
	e.sim.Throttle(2, 503, "0")
	before := e.sim.GraphRequests()
	if _, err := g.Organization(ctx); err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if n := e.sim.GraphRequests() - before; n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	// One 429 with a real delay of one second.
	e.sim.Throttle(1, 429, "1")
	if _, err := g.Organization(ctx); err != nil {
		t.Fatalf("after a 429: %v", err)
	}

	var te *microsoft.ThrottledError
	// Beyond the budget: refused at once, not waited for.
	small := connect(t, e.sim, microsoft.Config{ClientSecret: secret, ThrottleBudget: 2 * time.Second})
	e.sim.Throttle(1, 429, "120")
	before = e.sim.GraphRequests()
	if _, err := small.Graph(contoso).Organization(ctx); !errors.As(err, &te) || te.RetryAfter != 120*time.Second || te.Last.Code != "TooManyRequests" {
		t.Fatalf("beyond the budget: %v", err)
	}
	if n := e.sim.GraphRequests() - before; n != 1 {
		t.Fatalf("%d requests beyond the budget, want 1", n)
	}
	// Beyond the caller's deadline.
	e.sim.Throttle(1, 429, "30")
	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := g.Organization(short); !errors.As(err, &te) {
		t.Fatalf("beyond the deadline: %v", err)
	}
	// A bounded number of attempts whatever Retry-After says.
	e.sim.Throttle(100, 429, "0")
	before = e.sim.GraphRequests()
	if _, err := g.Organization(ctx); !errors.As(err, &te) {
		t.Fatalf("endless throttling: %v", err)
	}
	if n := e.sim.GraphRequests() - before; n != 6 {
		t.Fatalf("%d attempts, want 6", n)
	}
	e.sim.Throttle(0, 0, "")
	// Throttling surfaces as the API's RateLimited where a rule needs Graph.
	e.sim.Throttle(1, 429, "120")
	if err := small.CheckImpersonationUser(ctx, contoso, "adele@contoso.onmicrosoft.com", "f"); err == nil || err.Code != domain.CodeRateLimited || err.Status != 429 {
		t.Fatalf("rate limited: %v", err)
	}
}
