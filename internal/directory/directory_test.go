package directory

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// TestDefaultDirectory checks the built-in data: it loads, every Microsoft
// password satisfies the Microsoft 365 password policy (so service account
// profiles can be created with them), and each rule has the accounts it
// needs.
func TestDefaultDirectory(t *testing.T) {
	d := newDefault(t)
	for _, tn := range d.tenants {
		for _, u := range tn.users {
			if tn.data.Platform == domain.PlatformMicrosoft && u.data.Password != "" {
				if e := domain.ValidatePassword("password", u.data.Password); e != nil {
					t.Errorf("%s: password breaks the policy: %v", u.data.Login, e)
				}
			}
		}
	}
	for _, p := range []struct{ platform, domain string }{
		{"microsoft", "contoso.onmicrosoft.com"}, {"microsoft", "fabrikam.onmicrosoft.com"},
		{"microsoft", "northwind.onmicrosoft.com"}, {"microsoft", "contosogov.onmicrosoft.us"},
		{"google", "contoso.com"}, {"google", "fabrikam.com"},
		{"salesforce", "contoso.my.salesforce.com"}, {"salesforce", "contoso--dev.sandbox.my.salesforce.com"},
		{"salesforce", "fabrikam.my.salesforce.com"},
	} {
		if _, ok := d.Tenant(p.platform, p.domain); !ok {
			t.Errorf("default directory lacks %s tenant %s", p.platform, p.domain)
		}
	}
	// The README documents these accounts; a quick check that it mentions
	// every login keeps the two from drifting apart.
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range d.tenants {
		for _, u := range tn.users {
			if !strings.Contains(string(readme), u.data.Login) {
				t.Errorf("README.md does not mention %s", u.data.Login)
			}
			if u.data.Password != "" && !strings.Contains(string(readme), u.data.Password) {
				t.Errorf("README.md does not give the password of %s", u.data.Login)
			}
		}
	}
}

func TestDefaultIsFresh(t *testing.T) {
	a, b := newDefault(t), newDefault(t)
	if e := a.SetUserMFA("microsoft", "contoso.onmicrosoft.com", "adele@contoso.onmicrosoft.com", true); e != nil {
		t.Fatal(e)
	}
	if _, e := b.ValidateServiceAccount("contoso.onmicrosoft.com", "adele@contoso.onmicrosoft.com", "Adele#Vance2024", false, ""); e != nil {
		t.Fatalf("second default copy shares state: %v", e)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{name: "not json", json: "{", want: "decode"},
		{name: "unknown field", json: `{"tenants":[{"platform":"microsoft","domain":"a.onmicrosoft.com","tenantId":"1","mfa":true}]}`, want: "unknown field"},
		{name: "amazon", json: `{"tenants":[{"platform":"amazon","domain":"a","tenantId":"1"}]}`, want: "platform"},
		{name: "missing id", json: `{"tenants":[{"platform":"microsoft","domain":"a.onmicrosoft.com"}]}`, want: "tenantId"},
		{name: "bad env", json: `{"tenants":[{"platform":"microsoft","domain":"a.onmicrosoft.com","tenantId":"1","environment":"china"}]}`, want: "environment"},
		{name: "google env", json: `{"tenants":[{"platform":"google","domain":"a.com","tenantId":"1","environment":"production"}]}`, want: "environment"},
		{name: "duplicate tenant", json: `{"tenants":[{"platform":"google","domain":"a.com","tenantId":"1"},{"platform":"google","domain":"A.com","tenantId":"2"}]}`, want: "twice"},
		{name: "multigeo without locations", json: `{"tenants":[{"platform":"microsoft","domain":"a.onmicrosoft.com","tenantId":"1","multiGeo":true}]}`, want: "geoLocations"},
		{name: "locations without multigeo", json: `{"tenants":[{"platform":"microsoft","domain":"a.onmicrosoft.com","tenantId":"1","geoLocations":[{"code":"EUR","name":"Europe"}]}]}`, want: "geoLocations"},
		{name: "duplicate container", json: `{"tenants":[
			{"platform":"microsoft","domain":"a.onmicrosoft.com","tenantId":"1","containers":[{"id":"c","name":"C"}]},
			{"platform":"microsoft","domain":"b.onmicrosoft.com","tenantId":"2","containers":[{"id":"c","name":"C"}]}]}`, want: "container id"},
		{name: "duplicate user", json: `{"tenants":[{"platform":"google","domain":"a.com","tenantId":"1","users":[
			{"login":"x@a.com","password":"p"},{"login":"X@a.com","password":"p"}]}]}`, want: "twice"},
		{name: "member of two tenants", json: `{"tenants":[
			{"platform":"google","domain":"a.com","tenantId":"1","users":[{"login":"x@a.com","password":"p"}]},
			{"platform":"google","domain":"b.com","tenantId":"2","users":[{"login":"x@a.com","password":"p"}]}]}`, want: "external"},
		{name: "external without home", json: `{"tenants":[{"platform":"google","domain":"a.com","tenantId":"1","users":[
			{"login":"x@b.com","external":true}]}]}`, want: "homeDomain"},
		{name: "member without password", json: `{"tenants":[{"platform":"google","domain":"a.com","tenantId":"1","users":[
			{"login":"x@a.com"}]}]}`, want: "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir.json")
	data := `{"tenants":[{"platform":"microsoft","domain":"Solo.onmicrosoft.com","tenantId":"11111111-1111-1111-1111-111111111111",
		"users":[{"login":"Admin@solo.onmicrosoft.com","password":"Solo#Admin1","roles":["global_administrator"]}]}]}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, e := d.CheckTenantConsent("microsoft", "solo.onmicrosoft.com", "", "admin@solo.onmicrosoft.com")
	if e != nil {
		t.Fatal(e)
	}
	if info.Environment != "commercial" || info.DisplayName != "solo.onmicrosoft.com" {
		t.Errorf("defaults not applied: %+v", info)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file loaded")
	}
}

func TestMutations(t *testing.T) {
	d := newDefault(t)
	const c = "contoso.onmicrosoft.com"

	wantErr(t, d.SetUserMFA("microsoft", c, "nobody@contoso.onmicrosoft.com", true), domain.CodeNotFound, "")
	wantErr(t, d.SetUserMFA("microsoft", "nowhere.onmicrosoft.com", "a@b.c", true), domain.CodeNotFound, "")
	wantErr(t, d.SetUserPassword("microsoft", c, "adele@contoso.onmicrosoft.com", "weak"), domain.CodePasswordPolicyViolation, "password")
	wantErr(t, d.SetUserPassword("microsoft", c, "megan@fabrikam.onmicrosoft.com", "Strong#Pass1"), domain.CodeInvalidValue, "login")
	wantErr(t, d.SetUserPassword("google", "contoso.com", "employee@contoso.com", ""), domain.CodeRequired, "password")

	// A new password works for validation; the old one no longer does.
	wantErr(t, d.SetUserPassword("microsoft", c, "svc.plain@contoso.onmicrosoft.com", "Newer#Pass2025"), "", "")
	_, e := d.ValidateServiceAccount(c, "svc.plain@contoso.onmicrosoft.com", "Plain#Svc2024", false, "")
	wantErr(t, e, domain.CodeWrongPassword, "password")
	_, e = d.ValidateServiceAccount(c, "svc.plain@contoso.onmicrosoft.com", "Newer#Pass2025", false, "")
	wantErr(t, e, "", "")

	// MFA on: the normal profile fails, the MFA profile needs a role.
	wantErr(t, d.SetUserMFA("microsoft", c, "svc.backup@contoso.onmicrosoft.com", true), "", "")
	_, e = d.ValidateServiceAccount(c, "svc.backup@contoso.onmicrosoft.com", "Backup#Svc2024", false, "")
	wantErr(t, e, domain.CodeMfaEnabled, "username")
	wantErr(t, d.SetUserAppPassword(c, "svc.backup@contoso.onmicrosoft.com", "abcdabcdabcdabcd"), "", "")
	info, e := d.ValidateServiceAccount(c, "svc.backup@contoso.onmicrosoft.com", "", true, "abcdabcdabcdabcd")
	wantErr(t, e, "", "")
	if info.UserRole != "" || !info.MFA {
		t.Errorf("MFA account info %+v", info)
	}

	// Access policy toggles.
	wantErr(t, d.SetLegacyAuthBlocked(c, true), "", "")
	_, e = d.ValidateServiceAccount(c, "admin@contoso.onmicrosoft.com", "Contoso#Admin1", false, "")
	wantErr(t, e, domain.CodeAccessPolicyBlocked, "username")
	wantErr(t, d.SetLegacyAuthBlocked("contoso.com", true), domain.CodeNotFound, "")

	// Google app install toggles.
	wantErr(t, d.SetGoogleAppInstalled("fabrikam.com", true), "", "")
	_, e = d.CheckTenantConsent("google", "fabrikam.com", "", "admin@fabrikam.com")
	wantErr(t, e, "", "")

	// Containers.
	wantErr(t, d.AddContainer(c, ContainerData{ID: "ctr-new", Name: "New", Kind: "teams"}), "", "")
	wantErr(t, d.AddContainer("fabrikam.onmicrosoft.com", ContainerData{ID: "ctr-new", Name: "Again"}), domain.CodeAlreadyExists, "")
	wantErr(t, d.AddContainer(c, ContainerData{ID: "", Name: "x"}), domain.CodeRequired, "")
	cs, _ := d.Containers(c)
	if cs[len(cs)-1].ID != "ctr-new" {
		t.Errorf("container not added: %+v", cs)
	}

	// Removing a user.
	wantErr(t, d.RemoveUser("microsoft", c, "lee@contoso.onmicrosoft.com"), "", "")
	wantErr(t, d.CheckImpersonationUser("u", c, "lee@contoso.onmicrosoft.com"), domain.CodeImpersonationUserUnknown, "u")
}

// TestConcurrentUse runs checks and mutations together; `go test -race`
// proves the locking.
func TestConcurrentUse(t *testing.T) {
	d := newDefault(t)
	const c = "contoso.onmicrosoft.com"
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				switch (i + j) % 6 {
				case 0:
					_ = d.SetUserMFA("microsoft", c, "delegate@contoso.onmicrosoft.com", j%2 == 0)
				case 1:
					_, _ = d.CheckAppConsent("app-1", c, "delegate@contoso.onmicrosoft.com", "user", "delegated")
				case 2:
					_ = d.EvaluateDelegatedConsent("app-1", c, "delegate@contoso.onmicrosoft.com")
				case 3:
					_, _ = d.ValidateServiceAccount(c, "svc.backup@contoso.onmicrosoft.com", "Backup#Svc2024", false, "")
				case 4:
					_ = d.SetConditionalAccessBlocksServiceIP(c, j%2 == 0)
				case 5:
					_, _ = d.Containers(c)
					_ = d.Version()
				}
			}
		}(i)
	}
	wg.Wait()
}
