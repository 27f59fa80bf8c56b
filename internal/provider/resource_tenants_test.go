package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const (
	microsoftTenantAddr  = "aos_microsoft_tenant.test"
	googleTenantAddr     = "aos_google_tenant.test"
	salesforceTenantAddr = "aos_salesforce_tenant.test"

	// Platform tenants of the dev directory used here besides devTenant
	// and devOtherTenant (see internal/directory/README.md).
	devGovTenant          = "contosogov.onmicrosoft.us"
	devGoogleTenant       = "contoso.com"
	devGoogleNoApp        = "fabrikam.com"
	devSalesforceTenant   = "contoso.my.salesforce.com"
	devSalesforceSandbox  = "contoso--dev.sandbox.my.salesforce.com"
	devSalesforceAdmin    = "sfadmin@contoso.com"
	devGoogleAdmin        = "admin@contoso.com"
	devSandboxAdmin       = "sfadmin@contoso.com.dev"
	contosoSharePointURL  = "https://contoso-admin.sharepoint.com"
	contosoSharePointURL2 = "https://contosoportal-admin.sharepoint.com"
)

var tenantConsentURLPattern = regexp.MustCompile(`/dev/consent\?state=`)

// tenantErrorPattern matches Terraform's output containing each part in
// order. Terraform wraps long diagnostics, so a space in a part matches any
// run of white space.
func tenantErrorPattern(parts ...string) *regexp.Regexp {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(q, ".*"))
}

// Configurations.

func testAccMicrosoftTenantConfig_basic(tenantDomain string) string {
	return fmt.Sprintf(`
resource "aos_microsoft_tenant" "test" {
  domain = %[1]q
}
`, tenantDomain)
}

func testAccMicrosoftTenantConfig_environment(tenantDomain, env string) string {
	return fmt.Sprintf(`
resource "aos_microsoft_tenant" "test" {
  domain            = %[1]q
  azure_environment = %[2]q
}
`, tenantDomain, env)
}

func testAccMicrosoftTenantConfig_sharePoint(tenantDomain, url string) string {
	return fmt.Sprintf(`
resource "aos_microsoft_tenant" "test" {
  domain                      = %[1]q
  sharepoint_admin_center_url = %[2]q
}
`, tenantDomain, url)
}

func testAccMicrosoftTenantConfig_wait(tenantDomain, timeout string) string {
	return fmt.Sprintf(`
resource "aos_microsoft_tenant" "test" {
  domain           = %[1]q
  wait_for_consent = true
  timeouts = {
    create = %[2]q
  }
}
`, tenantDomain, timeout)
}

func testAccGoogleTenantConfig_basic(tenantDomain string) string {
	return fmt.Sprintf(`
resource "aos_google_tenant" "test" {
  domain = %[1]q
}
`, tenantDomain)
}

func testAccGoogleTenantConfig_wait(tenantDomain, timeout string) string {
	return fmt.Sprintf(`
resource "aos_google_tenant" "test" {
  domain           = %[1]q
  wait_for_consent = true
  timeouts = {
    create = %[2]q
  }
}
`, tenantDomain, timeout)
}

func testAccSalesforceTenantConfig_basic(tenantDomain string) string {
	return fmt.Sprintf(`
resource "aos_salesforce_tenant" "test" {
  domain = %[1]q
}
`, tenantDomain)
}

func testAccSalesforceTenantConfig_environment(tenantDomain, env string) string {
	return fmt.Sprintf(`
resource "aos_salesforce_tenant" "test" {
  domain      = %[1]q
  environment = %[2]q
}
`, tenantDomain, env)
}

func testAccSalesforceTenantConfig_wait(tenantDomain, timeout string) string {
	return fmt.Sprintf(`
resource "aos_salesforce_tenant" "test" {
  domain           = %[1]q
  wait_for_consent = true
  timeouts = {
    create = %[2]q
  }
}
`, tenantDomain, timeout)
}

// Checks.

// testAccCheckTenantDestroy fails while a tenant of resourceType in the
// state still exists in the service.
func testAccCheckTenantDestroy(t *testing.T, resourceType string) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			_, _, err := c.GetTenant(testCtx(t), rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("tenant %s still exists", rs.Primary.ID)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return err
			}
		}
		return nil
	}
}

func testAccTenantStateID(s *terraform.State, addr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s is not in the state", addr)
	}
	return rs.Primary.ID, nil
}

// testAccConsentTenant plays the administrator: login consents to the
// tenant at addr through the dev API.
func testAccConsentTenant(t *testing.T, addr, login string) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := testAccTenantStateID(s, addr)
		if err != nil {
			return err
		}
		if err := testClient(t).DevConsent(testCtx(t), id, login); err != nil {
			return fmt.Errorf("consent as %s: %w", login, err)
		}
		return nil
	}
}

// testAccCheckConsentRefused has login try to consent and requires the
// service to refuse with code and a message matching message.
func testAccCheckConsentRefused(t *testing.T, addr, login, code string, message *regexp.Regexp) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := testAccTenantStateID(s, addr)
		if err != nil {
			return err
		}
		err = testClient(t).DevConsent(testCtx(t), id, login)
		if err == nil {
			return fmt.Errorf("consent as %s was accepted, want %s", login, code)
		}
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) {
			return fmt.Errorf("consent as %s: %w", login, err)
		}
		if apiErr.Code != code || !message.MatchString(apiErr.Message) {
			return fmt.Errorf("consent as %s refused with %s %q, want %s matching %s", login, apiErr.Code, apiErr.Message, code, message)
		}
		return nil
	}
}

// testAccConsentWhenRegistered starts an administrator who waits for a
// pending registration of tenantDomain to appear and consents to it, so a
// wait_for_consent apply has something to wait for. The test waits for it
// to finish before it ends.
func testAccConsentWhenRegistered(t *testing.T, platform, tenantDomain, login string) {
	var wg sync.WaitGroup
	wg.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(func() { cancel(); wg.Wait() })
	go func() {
		defer wg.Done()
		c := testClient(t)
		for ctx.Err() == nil {
			ts, err := c.ListTenants(ctx, client.Filter{Platform: platform, Search: tenantDomain})
			if err == nil {
				for _, tn := range ts {
					if tn.Domain == tenantDomain && tn.Status == domain.StatusPendingConsent {
						if err := c.DevConsent(ctx, tn.ID, login); err != nil {
							t.Errorf("consent as %s: %v", login, err)
						}
						return
					}
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
}

func testAccTenantExpectConnected(addr, name, login string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("consent_user"), knownvalue.StringExact(login)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("consent_url"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_version"), knownvalue.Int64Func(func(v int64) error {
			if v < 1 {
				return fmt.Errorf("permissions_version %d, want at least 1", v)
			}
			return nil
		})),
	}
}

func testAccTenantExpectPending(addr, tenantDomain string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact(tenantDomain)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(tenantDomain)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(tenantConsentURLPattern)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_version"), knownvalue.Int64Exact(0)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("wait_for_consent"), knownvalue.Bool(false)),
	}
}

// testAccTenantPlanKeepsConsent checks that an update which neither
// reconnects nor waits plans the values learned from consent as known, from
// the state, for a tenant still waiting for its first consent.
func testAccTenantPlanKeepsConsent(addr, tenantDomain string) []plancheck.PlanCheck {
	return []plancheck.PlanCheck{
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(tenantDomain)),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(tenantConsentURLPattern)),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("consent_user"), knownvalue.StringExact("")),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_version"), knownvalue.Int64Exact(0)),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
	}
}

func testAccTenantImportStep(addr string) tfresource.TestStep {
	return tfresource.TestStep{
		ResourceName:            addr,
		ImportState:             true,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"timeouts"},
	}
}

func testAccTenantExpectAction(addr string, action plancheck.ResourceActionType, more ...plancheck.PlanCheck) tfresource.ConfigPlanChecks {
	return tfresource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}, more...)}
}

func testAccTenantTestCase(t *testing.T, resourceType string, steps ...tfresource.TestStep) tfresource.TestCase {
	return tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckTenantDestroy(t, resourceType),
		Steps:                    steps,
	}
}

// Cases every consent tenant shares, parameterized by platform.

// testAccTenantReconnectRecommended connects a tenant, raises the
// platform's permission set, and expects the plan to reconnect in place;
// the apply leaves the tenant waiting for a new consent, after which the
// plan is empty again.
func testAccTenantReconnectRecommended(t *testing.T, resourceType, addr, platform, config, login string) {
	var bumped int64
	tfresource.Test(t, testAccTenantTestCase(t, resourceType,
		tfresource.TestStep{
			Config: config,
			Check:  testAccConsentTenant(t, addr, login),
		},
		tfresource.TestStep{
			PreConfig: func() {
				ps, err := testClient(t).DevBumpPermissions(testCtx(t), platform)
				if err != nil {
					t.Fatal(err)
				}
				bumped = int64(ps.Version)
			},
			Config: config,
			ConfigPlanChecks: testAccTenantExpectAction(addr, plancheck.ResourceActionUpdate,
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("status")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("consent_url")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("consent_user")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("name")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("permissions_version")),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(tenantConsentURLPattern)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
			},
			Check: testAccConsentTenant(t, addr, login),
		},
		tfresource.TestStep{
			Config:           config,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_version"), knownvalue.Int64Func(func(v int64) error {
					if v != bumped {
						return fmt.Errorf("permissions_version %d, want the bumped %d", v, bumped)
					}
					return nil
				})),
			},
		},
	))
}

// testAccTenantDisappears removes the registration behind Terraform's back
// and expects the next plan to register it again.
func testAccTenantDisappears(t *testing.T, resourceType, addr, config string) {
	tfresource.Test(t, testAccTenantTestCase(t, resourceType,
		tfresource.TestStep{
			Config: config,
			Check: func(s *terraform.State) error {
				id, err := testAccTenantStateID(s, addr)
				if err != nil {
					return err
				}
				return testClient(t).DeleteTenant(testCtx(t), id)
			},
			ExpectNonEmptyPlan: true,
		},
		tfresource.TestStep{
			Config:           config,
			ConfigPlanChecks: testAccTenantExpectAction(addr, plancheck.ResourceActionCreate),
		},
	))
}

// testAccTenantWaitForConsent applies with wait_for_consent while an
// administrator consents elsewhere: the apply returns connected.
func testAccTenantWaitForConsent(t *testing.T, resourceType, addr, platform, tenantDomain, config, name, login string) {
	tfresource.Test(t, testAccTenantTestCase(t, resourceType,
		tfresource.TestStep{
			PreConfig:         func() { testAccConsentWhenRegistered(t, platform, tenantDomain, login) },
			Config:            config,
			ConfigStateChecks: append(testAccTenantExpectConnected(addr, name, login), statecheck.ExpectKnownValue(addr, tfjsonpath.New("wait_for_consent"), knownvalue.Bool(true))),
		},
	))
}

func testAccTenantPlanRefused(t *testing.T, config string, want *regexp.Regexp) {
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []tfresource.TestStep{{Config: config, PlanOnly: true, ExpectError: want}},
	})
}

// Microsoft 365.

func TestAccMicrosoftTenant_basic(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		tfresource.TestStep{
			Config: testAccMicrosoftTenantConfig_basic(devTenant),
			ConfigStateChecks: append(testAccTenantExpectPending(microsoftTenantAddr, devTenant),
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("azure_environment"), knownvalue.StringExact("commercial")),
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact("")),
			),
			Check: testAccConsentTenant(t, microsoftTenantAddr, devGlobalAdmin),
		},
		tfresource.TestStep{
			// Consent changes only what the service computes: the plan
			// stays empty while the state learns the tenant.
			Config:           testAccMicrosoftTenantConfig_basic(devTenant),
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: append(testAccTenantExpectConnected(microsoftTenantAddr, "Contoso", devGlobalAdmin),
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(contosoSharePointURL)),
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("multi_geo"), knownvalue.Bool(true)),
			),
		},
		testAccTenantImportStep(microsoftTenantAddr),
	))
}

func TestAccMicrosoftTenant_update(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		tfresource.TestStep{
			Config: testAccMicrosoftTenantConfig_sharePoint(devTenant, contosoSharePointURL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(contosoSharePointURL)),
			},
		},
		tfresource.TestStep{
			Config: testAccMicrosoftTenantConfig_sharePoint(devTenant, contosoSharePointURL2),
			ConfigPlanChecks: testAccTenantExpectAction(microsoftTenantAddr, plancheck.ResourceActionUpdate,
				append(testAccTenantPlanKeepsConsent(microsoftTenantAddr, devTenant),
					plancheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(contosoSharePointURL2)))...),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(contosoSharePointURL2)),
			},
		},
		tfresource.TestStep{
			Config:            testAccMicrosoftTenantConfig_basic(devOtherTenant),
			ConfigPlanChecks:  testAccTenantExpectAction(microsoftTenantAddr, plancheck.ResourceActionReplace),
			ConfigStateChecks: testAccTenantExpectPending(microsoftTenantAddr, devOtherTenant),
		},
		tfresource.TestStep{
			// A government domain alone is enough: the environment
			// follows from it, already in the plan.
			Config: testAccMicrosoftTenantConfig_basic(devGovTenant),
			ConfigPlanChecks: testAccTenantExpectAction(microsoftTenantAddr, plancheck.ResourceActionReplace,
				plancheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("azure_environment"), knownvalue.StringExact("us_government"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("azure_environment"), knownvalue.StringExact("us_government")),
			},
		},
		tfresource.TestStep{
			// Writing out the environment the domain implies changes
			// nothing; writing another one replaces.
			Config:           testAccMicrosoftTenantConfig_environment(devGovTenant, "us_government"),
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	))
}

func TestAccMicrosoftTenant_waitForConsentTimeout(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		tfresource.TestStep{
			// Nobody consents: the wait ends at the timeout with the URL.
			Config: testAccMicrosoftTenantConfig_wait(devTenant, "2s"),
			ExpectError: tenantErrorPattern("was not consented within", "created and is kept in the Terraform state",
				"marked it tainted", "/dev/consent?state=", "terraform untaint aos_microsoft_tenant.<name>", "terraform apply",
				"raise the create timeout"),
		},
		tfresource.TestStep{
			// The registration stays in the state (tainted, as Terraform
			// treats every create that failed), so nothing is orphaned.
			RefreshState: true,
			Check: tfresource.ComposeAggregateTestCheckFunc(
				tfresource.TestCheckResourceAttr(microsoftTenantAddr, "status", domain.StatusPendingConsent),
				tfresource.TestMatchResourceAttr(microsoftTenantAddr, "consent_url", tenantConsentURLPattern),
			),
			RefreshPlanChecks: tfresource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(microsoftTenantAddr, plancheck.ResourceActionReplace),
			}},
			ExpectNonEmptyPlan: true,
		},
	))
}

func TestAccMicrosoftTenant_waitForConsent(t *testing.T) {
	testAccTenantWaitForConsent(t, "aos_microsoft_tenant", microsoftTenantAddr, domain.PlatformMicrosoft, devTenant,
		testAccMicrosoftTenantConfig_wait(devTenant, "1m"), "Contoso", devGlobalAdmin)
}

func TestAccMicrosoftTenant_consentRefused(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		tfresource.TestStep{
			Config: testAccMicrosoftTenantConfig_basic(devTenant),
			Check: tfresource.ComposeAggregateTestCheckFunc(
				testAccCheckConsentRefused(t, microsoftTenantAddr, devExternalAdmin, domain.CodeConsentUserExternal,
					regexp.MustCompile(`megan@fabrikam\.onmicrosoft\.com is a guest in contoso\.onmicrosoft\.com .*guests cannot consent`)),
				testAccCheckConsentRefused(t, microsoftTenantAddr, devMember, domain.CodeConsentUserNotAdmin,
					regexp.MustCompile(`adele@contoso\.onmicrosoft\.com is not a Global Administrator of contoso\.onmicrosoft\.com`)),
				testAccCheckConsentRefused(t, microsoftTenantAddr, "admin@fabrikam.onmicrosoft.com", domain.CodeConsentUserWrongTenant,
					regexp.MustCompile(`belongs to fabrikam\.onmicrosoft\.com, not to contoso\.onmicrosoft\.com`)),
			),
		},
		tfresource.TestStep{
			// A refused consent changes nothing.
			Config:            testAccMicrosoftTenantConfig_basic(devTenant),
			ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: testAccTenantExpectPending(microsoftTenantAddr, devTenant),
		},
	))
}

func TestAccMicrosoftTenant_drift(t *testing.T) {
	config := testAccMicrosoftTenantConfig_sharePoint(devTenant, contosoSharePointURL)
	var id string
	tfresource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		tfresource.TestStep{
			Config: config,
			Check: func(s *terraform.State) error {
				id, _ = testAccTenantStateID(s, microsoftTenantAddr)
				return testAccConsentTenant(t, microsoftTenantAddr, devGlobalAdmin)(s)
			},
		},
		tfresource.TestStep{
			// Edited in the console: the plan puts the configured URL
			// back, in place, and changes nothing else the user set.
			PreConfig: func() {
				u := contosoSharePointURL2
				if _, _, err := testClient(t).UpdateTenant(testCtx(t), id, domain.TenantPatch{SharePointAdminCenterURL: &u}); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigPlanChecks: testAccTenantExpectAction(microsoftTenantAddr, plancheck.ResourceActionUpdate,
				plancheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(contosoSharePointURL)),
				plancheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("domain"), knownvalue.StringExact(devTenant)),
				plancheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("azure_environment"), knownvalue.StringExact("commercial")),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(contosoSharePointURL)),
				statecheck.ExpectKnownValue(microsoftTenantAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
			},
		},
	))
}

func TestAccMicrosoftTenant_reconnectRecommended(t *testing.T) {
	testAccTenantReconnectRecommended(t, "aos_microsoft_tenant", microsoftTenantAddr, domain.PlatformMicrosoft,
		testAccMicrosoftTenantConfig_basic(devTenant), devGlobalAdmin)
}

func TestAccMicrosoftTenant_disappears(t *testing.T) {
	testAccTenantDisappears(t, "aos_microsoft_tenant", microsoftTenantAddr, testAccMicrosoftTenantConfig_basic(devTenant))
}

func TestAccMicrosoftTenant_deleteRefusedWhileRelatedData(t *testing.T) {
	profileName := acctest.RandomWithPrefix("tf-related")
	var profileID string
	config := testAccMicrosoftTenantConfig_basic(devTenant)
	tfresource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		tfresource.TestStep{
			Config: config,
			Check: func(s *terraform.State) error {
				if err := testAccConsentTenant(t, microsoftTenantAddr, devGlobalAdmin)(s); err != nil {
					return err
				}
				id, _ := testAccTenantStateID(s, microsoftTenantAddr)
				typ := domain.AppTypeMicrosoft365
				p, _, err := testClient(t).CreateAppProfile(testCtx(t), domain.AppProfileWrite{Name: &profileName, TenantID: &id, Type: &typ})
				if err != nil {
					return err
				}
				profileID = p.ID
				return nil
			},
		},
		tfresource.TestStep{
			Config:      config,
			Destroy:     true,
			ExpectError: tenantErrorPattern("Error removing Microsoft 365 tenant", "the tenant still has related data", "TenantHasRelatedData", `- app profile "`+profileName+`"`),
		},
		tfresource.TestStep{
			PreConfig: func() {
				if err := testClient(t).DeleteAppProfile(testCtx(t), profileID); err != nil {
					t.Fatal(err)
				}
			},
			Config:  config,
			Destroy: true,
		},
	))
}

func TestAccMicrosoftTenant_invalidAzureEnvironment(t *testing.T) {
	testAccTenantPlanRefused(t, testAccMicrosoftTenantConfig_environment(devTenant, "china"),
		regexp.MustCompile(`(?s)azure_environment.*value must be one of`))
}

func TestAccMicrosoftTenant_invalidSharePointURL(t *testing.T) {
	testAccTenantPlanRefused(t, testAccMicrosoftTenantConfig_sharePoint(devOtherTenant, "https://fabrikam.sharepoint.com/sites/admin"),
		tenantErrorPattern("sharepoint_admin_center_url", "must be https://<name>-admin.sharepoint.com"))
}

func TestAccMicrosoftTenant_invalidDomain(t *testing.T) {
	testAccTenantPlanRefused(t, testAccMicrosoftTenantConfig_basic("Contoso.onmicrosoft.com"),
		regexp.MustCompile(`(?s)domain.*must be a lowercase DNS name`))
}

// The service refuses a commercial domain in the U.S. Government cloud
// (domain.CheckMicrosoftTenantDomain); the plan refuses it already, on the
// domain argument, naming the suffix that cloud expects.
func TestAccMicrosoftTenant_governmentDomainMismatch(t *testing.T) {
	testAccTenantPlanRefused(t, testAccMicrosoftTenantConfig_environment(devTenant, "us_government"),
		tenantErrorPattern(`Not the tenant's initial domain`, `with aos_microsoft_tenant.test`, `domain =`,
			`a U.S. Government Microsoft 365 tenant is named by its original domain ending in .onmicrosoft.us; got "contoso.onmicrosoft.com"`,
			`(azure_environment = "us_government")`, "initial domain Microsoft gave it", "<name>.onmicrosoft.us in this cloud"))
}

// A custom domain does not name a Microsoft 365 tenant: with
// azure_environment left out (commercial for such a domain), the plan asks
// for the .onmicrosoft.com domain.
func TestAccMicrosoftTenant_customDomain(t *testing.T) {
	testAccTenantPlanRefused(t, testAccMicrosoftTenantConfig_basic("contoso.com"),
		tenantErrorPattern(`Not the tenant's initial domain`, `with aos_microsoft_tenant.test`, `domain =`,
			`a commercial Microsoft 365 tenant is named by its original domain ending in .onmicrosoft.com; got "contoso.com"`,
			`(azure_environment left out, so "commercial")`, "not by a custom domain"))
}

// Google Workspace.

func TestAccGoogleTenant_basic(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_google_tenant",
		tfresource.TestStep{
			Config:            testAccGoogleTenantConfig_basic(devGoogleTenant),
			ConfigStateChecks: testAccTenantExpectPending(googleTenantAddr, devGoogleTenant),
			Check:             testAccConsentTenant(t, googleTenantAddr, devGoogleAdmin),
		},
		tfresource.TestStep{
			Config:            testAccGoogleTenantConfig_basic(devGoogleTenant),
			ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: testAccTenantExpectConnected(googleTenantAddr, "Contoso Workspace", devGoogleAdmin),
		},
		testAccTenantImportStep(googleTenantAddr),
	))
}

func TestAccGoogleTenant_update(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_google_tenant",
		tfresource.TestStep{Config: testAccGoogleTenantConfig_basic(devGoogleTenant)},
		tfresource.TestStep{
			Config:            testAccGoogleTenantConfig_basic(devGoogleNoApp),
			ConfigPlanChecks:  testAccTenantExpectAction(googleTenantAddr, plancheck.ResourceActionReplace),
			ConfigStateChecks: testAccTenantExpectPending(googleTenantAddr, devGoogleNoApp),
		},
	))
}

func TestAccGoogleTenant_waitForConsent(t *testing.T) {
	// reader@contoso.com holds the three privileges without being a super
	// administrator, which is enough.
	testAccTenantWaitForConsent(t, "aos_google_tenant", googleTenantAddr, domain.PlatformGoogle, devGoogleTenant,
		testAccGoogleTenantConfig_wait(devGoogleTenant, "1m"), "Contoso Workspace", "reader@contoso.com")
}

func TestAccGoogleTenant_consentRefused(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_google_tenant",
		tfresource.TestStep{
			Config: testAccGoogleTenantConfig_basic(devGoogleTenant),
			Check: tfresource.ComposeAggregateTestCheckFunc(
				testAccCheckConsentRefused(t, googleTenantAddr, "helpdesk@contoso.com", domain.CodeGooglePrivilegesMissing,
					regexp.MustCompile(`helpdesk@contoso\.com lacks the admin privileges Groups › Read, License Management › License Read`)),
				testAccCheckConsentRefused(t, googleTenantAddr, "employee@contoso.com", domain.CodeGooglePrivilegesMissing,
					regexp.MustCompile(`lacks the admin privileges Users › Read, Groups › Read, License Management › License Read`)),
			),
		},
		tfresource.TestStep{
			// Without the Tenant Management app nobody can consent, not
			// even a super administrator.
			Config:            testAccGoogleTenantConfig_basic(devGoogleNoApp),
			ConfigStateChecks: testAccTenantExpectPending(googleTenantAddr, devGoogleNoApp),
			Check: testAccCheckConsentRefused(t, googleTenantAddr, "admin@fabrikam.com", domain.CodeGoogleAppNotInstalled,
				regexp.MustCompile(`the Tenant Management app is not installed in fabrikam\.com`)),
		},
	))
}

func TestAccGoogleTenant_reconnectRecommended(t *testing.T) {
	testAccTenantReconnectRecommended(t, "aos_google_tenant", googleTenantAddr, domain.PlatformGoogle,
		testAccGoogleTenantConfig_basic(devGoogleTenant), devGoogleAdmin)
}

func TestAccGoogleTenant_disappears(t *testing.T) {
	testAccTenantDisappears(t, "aos_google_tenant", googleTenantAddr, testAccGoogleTenantConfig_basic(devGoogleTenant))
}

func TestAccGoogleTenant_invalidDomain(t *testing.T) {
	testAccTenantPlanRefused(t, testAccGoogleTenantConfig_basic("contoso com"),
		regexp.MustCompile(`(?s)domain.*must be a lowercase DNS name`))
}

// Salesforce.

func TestAccSalesforceTenant_basic(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_salesforce_tenant",
		tfresource.TestStep{
			Config: testAccSalesforceTenantConfig_basic(devSalesforceTenant),
			ConfigStateChecks: append(testAccTenantExpectPending(salesforceTenantAddr, devSalesforceTenant),
				statecheck.ExpectKnownValue(salesforceTenantAddr, tfjsonpath.New("environment"), knownvalue.StringExact("production"))),
			Check: testAccConsentTenant(t, salesforceTenantAddr, devSalesforceAdmin),
		},
		tfresource.TestStep{
			Config:            testAccSalesforceTenantConfig_basic(devSalesforceTenant),
			ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: testAccTenantExpectConnected(salesforceTenantAddr, "Contoso (Salesforce)", devSalesforceAdmin),
		},
		testAccTenantImportStep(salesforceTenantAddr),
	))
}

func TestAccSalesforceTenant_update(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_salesforce_tenant",
		tfresource.TestStep{Config: testAccSalesforceTenantConfig_basic(devSalesforceTenant)},
		tfresource.TestStep{
			Config: testAccSalesforceTenantConfig_environment(devSalesforceTenant, "sandbox"),
			ConfigPlanChecks: testAccTenantExpectAction(salesforceTenantAddr, plancheck.ResourceActionReplace,
				plancheck.ExpectKnownValue(salesforceTenantAddr, tfjsonpath.New("environment"), knownvalue.StringExact("sandbox"))),
		},
		tfresource.TestStep{
			Config:            testAccSalesforceTenantConfig_environment(devSalesforceSandbox, "sandbox"),
			ConfigPlanChecks:  testAccTenantExpectAction(salesforceTenantAddr, plancheck.ResourceActionReplace),
			ConfigStateChecks: testAccTenantExpectPending(salesforceTenantAddr, devSalesforceSandbox),
			// The sandbox has API Access Control on: its administrator
			// holds "Use Any API Client" and may consent.
			Check: testAccConsentTenant(t, salesforceTenantAddr, devSandboxAdmin),
		},
	))
}

func TestAccSalesforceTenant_waitForConsent(t *testing.T) {
	// sfintegration@contoso.com has a custom profile holding every System
	// Administrator permission, which counts as the profile.
	testAccTenantWaitForConsent(t, "aos_salesforce_tenant", salesforceTenantAddr, domain.PlatformSalesforce, devSalesforceTenant,
		testAccSalesforceTenantConfig_wait(devSalesforceTenant, "1m"), "Contoso (Salesforce)", "sfintegration@contoso.com")
}

func TestAccSalesforceTenant_consentRefused(t *testing.T) {
	tfresource.Test(t, testAccTenantTestCase(t, "aos_salesforce_tenant",
		tfresource.TestStep{
			// API Access Control off, app not installed.
			Config: testAccSalesforceTenantConfig_basic(devSalesforceTenant),
			Check: tfresource.ComposeAggregateTestCheckFunc(
				testAccCheckConsentRefused(t, salesforceTenantAddr, "sfuser@contoso.com", domain.CodeSalesforceProfileMissing,
					regexp.MustCompile(`sfuser@contoso\.com has the profile "Standard User", which lacks System Administrator permissions`)),
				testAccCheckConsentRefused(t, salesforceTenantAddr, "sfadmin.noapprove@contoso.com", domain.CodeSalesforceUninstalledApp,
					regexp.MustCompile(`the tenant app is not installed in contoso\.my\.salesforce\.com, so the consenting user needs the "Approve Uninstalled Connected Apps" permission`)),
			),
		},
		tfresource.TestStep{
			// API Access Control on: approving uninstalled apps is not
			// enough, only "Use Any API Client" is.
			Config: testAccSalesforceTenantConfig_environment(devSalesforceSandbox, "sandbox"),
			Check: testAccCheckConsentRefused(t, salesforceTenantAddr, "sfadmin.approve@contoso.com.dev", domain.CodeSalesforceUninstalledApp,
				regexp.MustCompile(`API Access Control is on in contoso--dev\.sandbox\.my\.salesforce\.com, so only users with the "Use Any API Client" permission`)),
		},
		tfresource.TestStep{
			// Registered with the wrong environment: consent tells which
			// one the org is.
			Config: testAccSalesforceTenantConfig_environment(devSalesforceSandbox, "production"),
			Check: testAccCheckConsentRefused(t, salesforceTenantAddr, devSandboxAdmin, domain.CodeEnvironmentMismatch,
				regexp.MustCompile(`is a sandbox Salesforce tenant, not production`)),
		},
	))
}

func TestAccSalesforceTenant_reconnectRecommended(t *testing.T) {
	testAccTenantReconnectRecommended(t, "aos_salesforce_tenant", salesforceTenantAddr, domain.PlatformSalesforce,
		testAccSalesforceTenantConfig_basic(devSalesforceTenant), devSalesforceAdmin)
}

func TestAccSalesforceTenant_disappears(t *testing.T) {
	testAccTenantDisappears(t, "aos_salesforce_tenant", salesforceTenantAddr, testAccSalesforceTenantConfig_basic("fabrikam.my.salesforce.com"))
}

func TestAccSalesforceTenant_invalidEnvironment(t *testing.T) {
	testAccTenantPlanRefused(t, testAccSalesforceTenantConfig_environment(devSalesforceTenant, "developer"),
		regexp.MustCompile(`(?s)environment.*value must be one of`))
}

// Unit tests (no service needed).

// The reconnect warning is a plan diagnostic, which acceptance tests cannot
// observe; this checks it and the planned values directly.
func TestConsentTenantModifyPlan_reconnectWarning(t *testing.T) {
	ctx := context.Background()
	r, ok := newMicrosoftTenantResource().(*consentTenantResource)
	if !ok {
		t.Fatal("aos_microsoft_tenant is not a consentTenantResource")
	}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ, ok := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["id"] = tftypes.NewValue(tftypes.String, "t1")
	vals["name"] = tftypes.NewValue(tftypes.String, "Contoso")
	vals["status"] = tftypes.NewValue(tftypes.String, domain.StatusConnected)
	vals["reconnect_recommended"] = tftypes.NewValue(tftypes.Bool, true)
	raw := tftypes.NewValue(typ, vals)
	req := resource.ModifyPlanRequest{
		State:  tfsdk.State{Schema: sr.Schema, Raw: raw},
		Plan:   tfsdk.Plan{Schema: sr.Schema, Raw: raw},
		Config: tfsdk.Config{Schema: sr.Schema, Raw: raw},
	}
	resp := resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary() != "New connection recommended" ||
		!strings.Contains(resp.Diagnostics[0].Detail(), `tenant "Contoso"`) {
		t.Fatalf("diagnostics = %v, want one reconnect warning naming the tenant", resp.Diagnostics)
	}
	var m tenantModel
	if d := r.get(ctx, resp.Plan, &m); d.HasError() {
		t.Fatal(d)
	}
	if m.ReconnectRecommended.ValueBool() || !m.Status.IsUnknown() || !m.ConsentURL.IsUnknown() {
		t.Errorf("planned reconnect_recommended=%v status=%v consent_url=%v, want false, unknown, unknown", m.ReconnectRecommended, m.Status, m.ConsentURL)
	}
	if !m.Name.IsUnknown() || !m.ConsentUser.IsUnknown() || !m.PermissionsVersion.IsUnknown() || !m.MultiGeo.IsUnknown() {
		t.Errorf("planned name=%v consent_user=%v permissions_version=%v multi_geo=%v, want all unknown on a reconnect",
			m.Name, m.ConsentUser, m.PermissionsVersion, m.MultiGeo)
	}

	// Without a recommendation the plan is left alone.
	vals["reconnect_recommended"] = tftypes.NewValue(tftypes.Bool, false)
	raw = tftypes.NewValue(typ, vals)
	req.State.Raw, req.Plan.Raw = raw, raw
	resp = resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, &resp)
	if len(resp.Diagnostics) != 0 || !resp.Plan.Raw.Equal(raw) {
		t.Errorf("plan changed without a recommendation: %v", resp.Diagnostics)
	}
}

func TestAzureEnvironmentFor(t *testing.T) {
	for d, want := range map[string]string{
		"contoso.onmicrosoft.com":   "commercial",
		"contosogov.onmicrosoft.us": "us_government",
	} {
		if got := azureEnvironmentFor(d); got != want {
			t.Errorf("azureEnvironmentFor(%q) = %q, want %q", d, got, want)
		}
	}
}
