package provider

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testcert"
)

const appAddr = "aos_app_profile.test"

// appProfileConsentUser is the dev directory member made for user consent
// followed by account changes; the drift test turns MFA on for it and back
// off.
const appProfileConsentUser = "delegate@contoso.onmicrosoft.com"

// appProfileClientID is the client id of a made-up Azure app.
const appProfileClientID = "5d2f7a3c-9b1e-4c6d-8a0f-2e4b6c8d0a1f"

func testAccAppProfileConfig_basic(name, tenantID string) string {
	return fmt.Sprintf(`
resource "aos_app_profile" "test" {
  name      = %[1]q
  tenant_id = %[2]q
  type      = "microsoft_365"
}
`, name, tenantID)
}

func appProfileHCLStrings(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func testAccAppProfileConfig_delegated(name, tenantID, consentMethod string, functions []string) string {
	return fmt.Sprintf(`
resource "aos_app_profile" "test" {
  name           = %[1]q
  tenant_id      = %[2]q
  type           = "delegated_app"
  consent_method = %[3]q
  functions      = %[4]s
}
`, name, tenantID, consentMethod, appProfileHCLStrings(functions))
}

func testAccAppProfileConfig_typed(name, tenantID, appType, extra string) string {
	return fmt.Sprintf(`
resource "aos_app_profile" "test" {
  name      = %[1]q
  tenant_id = %[2]q
  type      = %[3]q
  %[4]s
}
`, name, tenantID, appType, extra)
}

func testAccAppProfileConfig_custom(name, tenantID, certificate, password string, version int) string {
	pw := ""
	if password != "" {
		pw = fmt.Sprintf("certificate_password_wo = %q", password)
	}
	return fmt.Sprintf(`
resource "aos_app_profile" "test" {
  name                   = %[1]q
  tenant_id              = %[2]q
  type                   = "custom_azure_app"
  client_id              = %[3]q
  certificate_wo         = %[4]q
  certificate_wo_version = %[5]d
  impersonation_user     = %[6]q
  %[7]s
}
`, name, tenantID, appProfileClientID, certificate, version, devMember, pw)
}

func testAccCheckAppProfileDestroy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "aos_app_profile" {
				continue
			}
			_, _, err := c.GetAppProfile(testCtx(t), rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("app profile %s still exists", rs.Primary.ID)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return err
			}
		}
		return nil
	}
}

func appProfileID(s *terraform.State) string { return s.RootModule().Resources[appAddr].Primary.ID }

// testAccAppProfileConsent completes the pending consent as login, as the
// administrator would in the browser.
func testAccAppProfileConsent(t *testing.T, login string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		*id = appProfileID(s)
		return testClient(t).DevConsent(testCtx(t), *id, login)
	}
}

// appProfileTestCert is a certificate made for one test, with the secrets
// that must never reach the state.
type appProfileTestCert struct {
	PEM        string // certificate and key
	KeyPEM     string
	KeyLine    string // one base64 line of the key, to search the state for
	PFX        string // base64 PKCS#12 protected by Password
	Password   string
	Thumbprint string
	NotAfter   time.Time
}

// testAccAppProfileCertificate makes a self-signed RSA certificate valid
// from notBefore to notAfter, as PEM and as a password-protected PFX. Its key
// is the next of testcert's pool in turn (Microsoft Entra accepts only RSA
// keys of 2048 bits or more for an app's certificate credentials, so the
// service does too), so certificates made one after the other hold
// different keys.
func testAccAppProfileCertificate(t *testing.T, cn string, notBefore, notAfter time.Time) appProfileTestCert {
	t.Helper()
	return testAccAppProfileCertificateWithKey(t, testcert.NextRSAKey(), cn, notBefore, notAfter)
}

// testAccAppProfileCertificateWithKey is testAccAppProfileCertificate for a
// given key, such as one the service must refuse.
func testAccAppProfileCertificateWithKey(t *testing.T, key crypto.Signer, cn string, notBefore, notAfter time.Time) appProfileTestCert {
	t.Helper()
	cert := testcert.New(t, key, cn, notBefore.Truncate(time.Second), notAfter.Truncate(time.Second))
	keyPEM := testcert.KeyPEM(t, key)
	password := acctest.RandString(16)
	return appProfileTestCert{
		PEM:        testcert.CertPEM(cert) + keyPEM,
		KeyPEM:     keyPEM,
		KeyLine:    strings.Split(keyPEM, "\n")[1],
		PFX:        testcert.PFX(t, cert, key, password),
		Password:   password,
		Thumbprint: testcert.Thumbprint(cert),
		NotAfter:   cert.NotAfter.UTC(),
	}
}

// appProfileExpectPrior checks a value of the refreshed state the plan
// starts from: a drift test uses it to show what the service reported.
type appProfileExpectPrior struct {
	addr, attr, want string
}

func (e appProfileExpectPrior) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.addr {
			continue
		}
		before, ok := rc.Change.Before.(map[string]any)
		if !ok {
			resp.Error = fmt.Errorf("%s: no prior state in the plan", e.addr)
			return
		}
		if got := fmt.Sprint(before[e.attr]); got != e.want {
			resp.Error = fmt.Errorf("%s.%s before the plan is %q, want %q", e.addr, e.attr, got, e.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", e.addr)
}

func TestAccAppProfile_basic(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAppProfileConfig_basic(name, tn.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(tn.ID)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_method"), knownvalue.StringExact(domain.ConsentMethodAdmin)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("permission_kind"), knownvalue.StringExact(domain.PermissionKindApplication)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(regexp.MustCompile(`/dev/consent\?state=`))),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("functions"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_thumbprint"), knownvalue.Null()),
				},
				// The administrator consents after apply; the refresh
				// that follows must pick it up without planning a change.
				Check: testAccAppProfileConsent(t, devGlobalAdmin, &id),
			},
			{
				Config: testAccAppProfileConfig_basic(name, tn.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusActive)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_user"), knownvalue.StringExact(devGlobalAdmin)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_url"), knownvalue.StringExact("")),
				},
			},
			{
				ResourceName:            appAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "certificate_wo", "certificate_password_wo", "certificate_wo_version"},
			},
		},
	})
}

func TestAccAppProfile_waitForConsentTimeout(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	config := testAccAppProfileConfig_typed(name, tn.ID, domain.AppTypeMicrosoft365,
		"wait_for_consent = true\n  timeouts = { create = \"2s\" }")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				// Nobody consents: the wait ends at the create timeout
				// with the URL and the way to keep the profile.
				Config: config,
				ExpectError: tenantErrorPattern("was not consented within", "created and is kept in the Terraform state",
					"marked it tainted", "/dev/consent?state=", "terraform untaint aos_app_profile.<name>", "terraform apply",
					"raise the create timeout"),
			},
			{
				// The profile stays in the state, tainted: without the
				// untaint the next apply would replace it.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(appAddr, "status", domain.StatusPendingConsent),
					resource.TestMatchResourceAttr(appAddr, "consent_url", regexp.MustCompile(`/dev/consent\?state=`)),
				),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
				}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccAppProfile_update(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAppProfileConfig_delegated(name, tn.ID, "admin", []string{domain.FunctionProtectPowerBI}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("permission_kind"), knownvalue.StringExact(domain.PermissionKindDelegated)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("functions"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(domain.FunctionProtectPowerBI),
					})),
				},
				Check: testAccAppProfileConsent(t, devGlobalAdmin, &id),
			},
			{
				// A new name keeps the consent.
				Config: testAccAppProfileConfig_delegated(name+"-renamed", tn.ID, "admin", []string{domain.FunctionProtectPowerBI}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
					// Only a new consent changes these; a rename keeps them.
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusActive)),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_user"), knownvalue.StringExact(devGlobalAdmin)),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_url"), knownvalue.StringExact("")),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("modified_time")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusActive)),
				},
			},
			{
				// Other functions need a new consent, in place.
				Config: testAccAppProfileConfig_delegated(name+"-renamed", tn.ID, "admin",
					[]string{domain.FunctionProtectPowerBI, domain.FunctionRestorePlannerTaskComments}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("status")),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("consent_url")),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("consent_user")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(regexp.MustCompile(`/dev/consent\?state=`))),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("functions"), knownvalue.SetSizeExact(2)),
				},
			},
			{
				// The type is fixed for the life of a profile.
				Config: testAccAppProfileConfig_basic(name+"-renamed", tn.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("type"), knownvalue.StringExact(domain.AppTypeMicrosoft365)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("permission_kind"), knownvalue.StringExact(domain.PermissionKindApplication)),
				},
			},
		},
	})
}

func TestAccAppProfile_customAzureApp(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	now := time.Now()
	first := testAccAppProfileCertificate(t, "tf-acc-first", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	second := testAccAppProfileCertificate(t, "tf-acc-second", now.Add(-time.Hour), now.Add(2*365*24*time.Hour))
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAppProfileConfig_custom(name, tn.ID, first.PEM, "", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_id"), knownvalue.StringExact(appProfileClientID)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("impersonation_user"), knownvalue.StringExact(devMember)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_thumbprint"), knownvalue.StringExact(first.Thumbprint)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_expires"), knownvalue.StringExact(first.NotAfter.Format(time.RFC3339))),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckNoSecretInState(first.KeyPEM, first.KeyLine),
					testAccAppProfileConsent(t, devGlobalAdmin, &id),
				),
			},
			{
				// A new certificate (now a PFX with a password) is sent
				// because the version changed, and needs a new consent.
				Config: testAccAppProfileConfig_custom(name, tn.ID, second.PFX, second.Password, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("certificate_thumbprint")),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("status")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_thumbprint"), knownvalue.StringExact(second.Thumbprint)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_expires"), knownvalue.StringExact(second.NotAfter.Format(time.RFC3339))),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
				},
				Check: testAccCheckNoSecretInState(first.KeyPEM, first.KeyLine, second.KeyPEM, second.KeyLine, second.Password, second.PFX[:64]),
			},
			{
				ResourceName:            appAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "certificate_wo", "certificate_password_wo", "certificate_wo_version"},
			},
		},
	})
}

// TestAccAppProfile_certificateDrift uploads another certificate through the
// API: the refresh sees it, and the plan sends the configured one again, in
// place, which asks for a new consent as any new certificate does.
func TestAccAppProfile_certificateDrift(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	now := time.Now()
	configured := testAccAppProfileCertificate(t, "tf-acc-configured", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	other := testAccAppProfileCertificate(t, "tf-acc-other", now.Add(-time.Hour), now.Add(2*365*24*time.Hour))
	config := testAccAppProfileConfig_custom(name, tn.ID, configured.PEM, "", 1)
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_thumbprint"), knownvalue.StringExact(configured.Thumbprint)),
				},
				Check: testAccAppProfileConsent(t, devGlobalAdmin, &id),
			},
			{
				PreConfig: func() {
					if _, _, err := testClient(t).UpdateAppProfile(testCtx(t), id, domain.AppProfileWrite{Certificate: &other.PEM}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						appProfileExpectPrior{appAddr, "certificate_thumbprint", other.Thumbprint},
						plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("certificate_thumbprint")),
						plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("status")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_thumbprint"), knownvalue.StringExact(configured.Thumbprint)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("certificate_expires"), knownvalue.StringExact(configured.NotAfter.Format(time.RFC3339))),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
				},
				Check: testAccCheckNoSecretInState(configured.KeyPEM, configured.KeyLine, other.KeyPEM, other.KeyLine),
			},
		},
	})
}

func TestAccAppProfile_certificateExpired(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	now := time.Now()
	expired := testAccAppProfileCertificate(t, "tf-acc-expired", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccAppProfileConfig_custom(acctest.RandomWithPrefix("tf-app"), tn.ID, expired.PEM, "", 1),
				ExpectError: regexp.MustCompile(`(?s)certificate_wo.*CertificateExpired`),
			},
		},
	})
}

func TestAccAppProfile_certificateInvalid(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccAppProfileConfig_custom(acctest.RandomWithPrefix("tf-app"), tn.ID, "this is not a certificate", "", 1),
				ExpectError: regexp.MustCompile(`(?s)certificate_wo.*CertificateInvalid`),
			},
		},
	})
}

// TestAccAppProfile_certificateNotRSA: Microsoft Entra accepts only RSA
// certificate credentials, so an ECDSA certificate is refused when it is
// sent, on the certificate argument, rather than failing at consent.
func TestAccAppProfile_certificateNotRSA(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ec := testAccAppProfileCertificateWithKey(t, key, "tf-acc-ecdsa", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccAppProfileConfig_custom(acctest.RandomWithPrefix("tf-app"), tn.ID, ec.PEM, "", 1),
				ExpectError: regexp.MustCompile(`(?s)certificate_wo.*ECDSA.*only\s+RSA.*2048\s+bits.*CertificateInvalid`),
			},
			{
				Config:      testAccAppProfileConfig_custom(acctest.RandomWithPrefix("tf-app"), tn.ID, ec.PFX, ec.Password, 1),
				ExpectError: regexp.MustCompile(`(?s)certificate_wo.*ECDSA.*only\s+RSA.*CertificateInvalid`),
			},
		},
	})
}

func TestAccAppProfile_userConsentNotAllowed(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				// Refused at plan time when the type is known.
				Config:      testAccAppProfileConfig_typed(name, tn.ID, domain.AppTypeMicrosoft365, `consent_method = "user"`),
				ExpectError: regexp.MustCompile(`(?s)User consent is not allowed.*consent_method = "user"`),
			},
		},
	})

	// Terraform validates the configuration again at apply time, once
	// every value is known, so no configuration reaches the service with
	// this mistake. The service refuses it on its own all the same, and
	// names the field the provider maps onto consent_method.
	typ, method := domain.AppTypeMicrosoft365, domain.ConsentMethodUser
	_, _, err := testClient(t).CreateAppProfile(testCtx(t), domain.AppProfileWrite{Name: &name, TenantID: &tn.ID, Type: &typ, ConsentMethod: &method})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || apiErr.Code != domain.CodeUserConsentNotAllowed {
		t.Fatalf("creating a user-consent microsoft_365 profile through the API: got %v, want 422 %s", err, domain.CodeUserConsentNotAllowed)
	}
	if p, ok := attributePath(apiErr.Field(), nil); !ok || !p.Equal(path.Root("consent_method")) {
		t.Errorf("the service names field %q, which maps to %s, not consent_method", apiErr.Field(), p)
	}
}

func TestAccAppProfile_functionsNotAllowed(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccAppProfileConfig_typed("x", "tenant-id", domain.AppTypeCloudBackupM365, `functions = ["protect_power_bi"]`),
				ExpectError: regexp.MustCompile(`(?s)functions.*Only the "delegated_app" app type takes functions`),
			},
		},
	})
}

func TestAccAppProfile_customArguments(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				// The service's own apps take no client id.
				Config:      testAccAppProfileConfig_typed("x", "tenant-id", domain.AppTypeMicrosoft365, fmt.Sprintf("client_id = %q", appProfileClientID)),
				ExpectError: regexp.MustCompile(`(?s)client_id.*applies only to the custom Azure app types`),
			},
			{
				// A custom app needs its certificate.
				Config:      testAccAppProfileConfig_typed("x", "tenant-id", domain.AppTypeCustomAzureApp, fmt.Sprintf("client_id = %q", appProfileClientID)),
				ExpectError: regexp.MustCompile(`(?s)Missing argument for a custom Azure app.*needs certificate_wo`),
			},
		},
	})
}

func TestAccAppProfile_drift(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	config := testAccAppProfileConfig_delegated(name, tn.ID, "user", []string{domain.FunctionProtectPowerBI})
	setMFA := func(on bool) error {
		return testClient(t).DevSetUser(testCtx(t), appProfileConsentUser, client.DevUserChange{MfaEnabled: &on})
	}
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  testAccAppProfileConsent(t, appProfileConsentUser, &id),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("consent_method"), knownvalue.StringExact(domain.ConsentMethodUser)),
				},
			},
			{
				// (a) Renamed in the console: the plan renames it back.
				PreConfig: func() {
					other := name + "-console"
					if _, _, err := testClient(t).UpdateAppProfile(testCtx(t), id, domain.AppProfileWrite{Name: &other}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					appProfileExpectPrior{appAddr, "name", name + "-console"},
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusActive)),
				},
			},
			{
				// (b) MFA turned on for the consent user: the profile is
				// invalid and the plan re-authorizes it.
				PreConfig: func() {
					// The directory is shared by every test of the
					// package: put the user back whatever happens.
					t.Cleanup(func() {
						if err := setMFA(false); err != nil {
							t.Errorf("turning MFA back off for %s: %v", appProfileConsentUser, err)
						}
					})
					if err := setMFA(true); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					appProfileExpectPrior{appAddr, "status", domain.StatusInvalid},
					appProfileExpectPrior{appAddr, "reason", domain.ReasonMfaEnabled},
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("status")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("reason"), knownvalue.StringExact("")),
				},
				// Restore the user and consent again, so the next case
				// starts from an active profile.
				Check: func(s *terraform.State) error {
					if err := setMFA(false); err != nil {
						return err
					}
					return testClient(t).DevConsent(testCtx(t), id, appProfileConsentUser)
				},
			},
			{
				// (c) The authorization expired: the plan re-authorizes.
				PreConfig: func() {
					if err := testClient(t).DevExpireAuthorization(testCtx(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					appProfileExpectPrior{appAddr, "status", domain.StatusAuthorizationExpired},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
				},
			},
		},
	})
}

func TestAccAppProfile_disappears(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAppProfileConfig_basic(name, tn.ID),
				Check: func(s *terraform.State) error {
					return testClient(t).DeleteAppProfile(testCtx(t), appProfileID(s))
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: testAccAppProfileConfig_basic(name, tn.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccAppProfile_inUse(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-app")
	connName := acctest.RandomWithPrefix("tf-conn")
	var id, connID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAppProfileConfig_basic(name, tn.ID),
				Check: func(s *terraform.State) error {
					if err := testAccAppProfileConsent(t, devGlobalAdmin, &id)(s); err != nil {
						return err
					}
					typ := domain.ConnectionTypes[0]
					c, _, err := testClient(t).CreateConnection(testCtx(t), domain.ConnectionWrite{
						Name: &connName, Type: &typ, TenantID: &tn.ID,
						AppProfiles: &[]domain.ConnectionAppProfile{{ID: id}},
					})
					if err != nil {
						return err
					}
					connID = c.ID
					return nil
				},
			},
			{
				Config:      " ",
				ExpectError: regexp.MustCompile(`(?s)AppProfileInUse.*` + regexp.QuoteMeta(connName)),
			},
			{
				PreConfig: func() {
					if err := testClient(t).DeleteConnection(testCtx(t), connID); err != nil {
						t.Fatal(err)
					}
				},
				Config: " ",
			},
		},
	})
}

// TestAppProfileModifyPlan_reauthorizeWarning checks the warning a plan
// shows for a profile that needs re-authorization names the reason, and
// that the plan leaves the consent details to the apply.
func TestAppProfileModifyPlan_reauthorizeWarning(t *testing.T) {
	ctx := context.Background()
	r := &appProfileResource{}
	var sresp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	sch := sresp.Schema
	timeoutsType, ok := sch.Attributes["timeouts"].GetType().(timeouts.Type)
	if !ok {
		t.Fatalf("the timeouts attribute is a %T, not a timeouts.Type", sch.Attributes["timeouts"].GetType())
	}
	m := appProfileModel{
		ID: types.StringValue("app-1"), Name: types.StringValue("backup"), TenantID: types.StringValue("tenant-1"),
		Type: types.StringValue(domain.AppTypeDelegatedApp), ConsentMethod: types.StringValue(domain.ConsentMethodUser),
		Functions: types.SetNull(types.StringType), ClientID: types.StringNull(), CertificateWO: types.StringNull(),
		CertificatePasswordWO: types.StringNull(), CertificateWOVersion: types.Int64Null(), ImpersonationUser: types.StringNull(),
		WaitForConsent: types.BoolValue(false), PermissionKind: types.StringValue(domain.PermissionKindDelegated),
		Status: types.StringValue(domain.StatusInvalid), Reason: types.StringValue(domain.ReasonMfaEnabled),
		ConsentURL: types.StringValue(""), ConsentUser: types.StringValue(appProfileConsentUser),
		CertificateThumbprint: types.StringNull(), CertificateExpires: types.StringNull(),
		ModifiedTime: types.StringValue("2025-01-01T00:00:00Z"),
		Timeouts:     timeouts.Value{Object: types.ObjectNull(timeoutsType.AttributeTypes())},
	}
	state := tfsdk.State{Schema: sch}
	if d := state.Set(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	plan := tfsdk.Plan{Schema: sch, Raw: state.Raw.Copy()}
	resp := fwresource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, fwresource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sch, Raw: state.Raw.Copy()}}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	warnings := resp.Diagnostics.Warnings()
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail(), "multi-factor authentication") ||
		!strings.Contains(warnings[0].Detail(), appProfileConsentUser) || !strings.Contains(warnings[0].Detail(), domain.ReasonMfaEnabled) {
		t.Fatalf("warnings = %v, want one that names MFA, the consent user and the reason", warnings)
	}
	var planned appProfileModel
	if d := resp.Plan.Get(ctx, &planned); d.HasError() {
		t.Fatal(d)
	}
	if !planned.Status.IsUnknown() || !planned.ConsentURL.IsUnknown() {
		t.Errorf("planned status %v and consent_url %v, want both unknown", planned.Status, planned.ConsentURL)
	}
	if planned.PermissionKind.ValueString() != domain.PermissionKindDelegated {
		t.Errorf("planned permission_kind %v, want it kept from the state", planned.PermissionKind)
	}
}
