package microsoft

import (
	"context"
	"errors"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/platform"
	"github.com/aos-dev/terraform-provider-aos/internal/platform/microsoft/entrasim"
)

// TestEveryEntraMapping drives every row of entraCodes and configCodes
// through the simulator: the simulator answers with the AADSTS code in
// Entra's error shape, and the connector must give the row's API answer on
// each path the row covers (service account sign-in, kept grant, consent).
func TestEveryEntraMapping(t *testing.T) {
	dir, err := entrasim.LoadDirectory("../../directory/default.json")
	if err != nil {
		t.Fatal(err)
	}
	const app = "mapping-app"
	sim, err := entrasim.Start(dir, entrasim.App{ClientID: app, Secret: "s", Roles: []string{"User.Read.All"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c, err := New(Config{ClientID: app, ClientSecret: "s", LoginURL: sim.LoginURL(), GraphURL: sim.GraphURL(), HTTPClient: sim.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const (
		tenant   = "contoso.onmicrosoft.com"
		svc      = "svc.backup@contoso.onmicrosoft.com"
		password = "Backup#Svc2024"
		delegate = "delegate@contoso.onmicrosoft.com"
		redirect = "https://aosd.example/cb"
	)
	redeem := func(login string) (*platform.Consent, error) {
		code, err := sim.IssueCode(tenant, login, app, redirect, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return c.RedeemConsent(ctx, platform.ConsentCallback{Tenant: tenant, Code: code, RedirectURI: redirect})
	}

	// The mappings issue 9 names, written out so a change to the table
	// cannot pass unnoticed.
	required := map[int]string{
		50126: domain.CodeWrongPassword, 50055: domain.CodeWrongPassword,
		50076: domain.CodeMfaEnabled, 50079: domain.CodeMfaEnabled,
		53003: domain.CodeAccessPolicyBlocked, 50034: domain.CodeServiceAccountUnknown,
		50057: domain.CodeServiceAccountDisabled,
	}
	for code, want := range required {
		row, ok := lookup(&EntraError{Codes: []int{code}})
		if !ok || row.signIn != want {
			t.Errorf("AADSTS%d maps to %q, want %q", code, row.signIn, want)
		}
	}

	for _, row := range entraCodes {
		if row.signIn != "" {
			sim.FailSignIn(svc, row.aadsts)
			_, err := c.SignIn(ctx, tenant, svc, password)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != row.signIn || de.Details[0].Field != row.field {
				t.Errorf("AADSTS%d sign-in: got %v, want %s on %s", row.aadsts, err, row.signIn, row.field)
			}
			sim.FailSignIn(svc, 0)
		}
		if row.reason != "" {
			consent, err := redeem(delegate)
			if err != nil {
				t.Fatal(err)
			}
			sim.FailSignIn(delegate, row.aadsts)
			_, err = c.CheckGrant(ctx, consent.Grant)
			var ge *platform.GrantError
			if !errors.As(err, &ge) || ge.Reason != row.reason {
				t.Errorf("AADSTS%d grant: got %v, want %s", row.aadsts, err, row.reason)
			}
			sim.FailSignIn(delegate, 0)
		}
		// Every row also maps a failed consent redemption: the row's
		// consent code, conditional access as a consented but invalid
		// profile, anything else as not verified.
		sim.FailSignIn(delegate, row.aadsts)
		_, err := redeem(delegate)
		sim.FailSignIn(delegate, 0)
		var ge *platform.GrantError
		var de *domain.Error
		switch {
		case row.reason == domain.ReasonConditionalAccess:
			if !errors.As(err, &ge) || ge.Reason != row.reason {
				t.Errorf("AADSTS%d consent: got %v, want a grant error", row.aadsts, err)
			}
		case row.consent != "":
			if !errors.As(err, &de) || de.Code != row.consent {
				t.Errorf("AADSTS%d consent: got %v, want %s", row.aadsts, err, row.consent)
			}
		default:
			if !errors.As(err, &de) || de.Code != domain.CodeConsentNotVerified {
				t.Errorf("AADSTS%d consent: got %v, want %s", row.aadsts, err, domain.CodeConsentNotVerified)
			}
		}
	}

	for code := range configCodes {
		sim.FailSignIn(svc, code)
		_, err := c.SignIn(ctx, tenant, svc, password)
		var ce *ConfigError
		if !errors.As(err, &ce) || !ce.Err.Has(code) {
			t.Errorf("AADSTS%d: got %v, want a configuration error", code, err)
		}
		sim.FailSignIn(svc, 0)
	}

	// A code no row knows comes back as Entra's error, not as a guess.
	sim.FailSignIn(svc, 50058)
	_, err = c.SignIn(ctx, tenant, svc, password)
	var ee *EntraError
	if !errors.As(err, &ee) || !ee.Has(50058) || ee.Code == "" {
		t.Errorf("unmapped code: got %v", err)
	}
}
