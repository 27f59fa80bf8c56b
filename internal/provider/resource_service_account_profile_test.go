package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const saAddr = "aos_service_account_profile.test"

// Service accounts of the dev directory used here (see
// internal/directory/README.md).
const (
	saPlainUser            = "svc.plain@contoso.onmicrosoft.com" // role "User"
	saPlainPassword        = "Plain#Svc2024"
	saMfaAdminPassword     = "Mfa#Admin2024"
	saMfaMember            = "mfa.user@contoso.onmicrosoft.com" // MFA, no admin role
	saMfaMemberAppPassword = "zxcvbnmasdfghjkl"
	saFabrikamUser         = "svc@fabrikam.onmicrosoft.com"
	saFabrikamPassword     = "Fabrikam#Svc2024"
	saContosoAdminURL      = "https://contoso-admin.sharepoint.com"
)

// testAccServiceAccountProfileConfig_password is an ordinary profile that
// signs in with a password. services is HCL, for example `["fly"]`.
func testAccServiceAccountProfileConfig_password(tenantID, name, username, password string, version int, services, extra string) string {
	return fmt.Sprintf(`
resource "aos_service_account_profile" "test" {
  tenant_id           = %[1]q
  name                = %[2]q
  services            = %[6]s
  username            = %[3]q
  password_wo         = %[4]q
  password_wo_version = %[5]d
  %[7]s
}
`, tenantID, name, username, password, version, services, extra)
}

// testAccServiceAccountProfileConfig_mfa is a classic MFA profile.
func testAccServiceAccountProfileConfig_mfa(tenantID, name, username, appPassword string, version int, url string) string {
	return fmt.Sprintf(`
resource "aos_service_account_profile" "test" {
  tenant_id                   = %[1]q
  name                        = %[2]q
  services                    = ["fly"]
  username                    = %[3]q
  mfa_enabled                 = true
  app_password_wo             = %[4]q
  app_password_wo_version     = %[5]d
  sharepoint_admin_center_url = %[6]q
}
`, tenantID, name, username, appPassword, version, url)
}

func testAccCheckServiceAccountProfileDestroy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "aos_service_account_profile" {
				continue
			}
			_, _, err := c.GetServiceAccount(testCtx(t), rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("service account profile %s still exists", rs.Primary.ID)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return err
			}
		}
		return nil
	}
}

// credErrorPattern matches words of an error as Terraform prints it:
// it wraps long lines, so each space in want matches any run of white
// space, and the pattern spans lines.
func credErrorPattern(want string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(want, " ", `\s+`))
}

func saID(s *terraform.State) string { return s.RootModule().Resources[saAddr].Primary.ID }

// testAccRestoreDevUserPassword puts a directory user's password back when
// the test ends, so tests that change it leave the directory as they
// found it.
func testAccRestoreDevUserPassword(t *testing.T, login, password string) {
	t.Cleanup(func() {
		if err := testClient(t).DevSetUser(testCtx(t), login, client.DevUserChange{Password: &password}); err != nil {
			t.Errorf("restoring the password of %s: %v", login, err)
		}
	})
}

func TestAccServiceAccountProfile_basic(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-sa")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1,
					`["fly", "insights"]`, `description = "Migration account"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("description"), knownvalue.StringExact("Migration account")),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("services"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("fly"), knownvalue.StringExact("insights")})),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("mfa_enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusValid)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("user_role"), knownvalue.StringExact("User")),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_fingerprint"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("last_validated"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-`))),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
				},
				Check: testAccCheckNoSecretInState(saPlainPassword),
			},
			{
				ResourceName:      saAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The version of a write-only value exists only in the
				// configuration that set it.
				ImportStateVerifyIgnore: []string{"password_wo_version"},
				Check:                   testAccCheckNoSecretInState(saPlainPassword),
			},
		},
	})
}

func TestAccServiceAccountProfile_update(t *testing.T) {
	contoso := testAccConnectedTenant(t, devTenant)
	fabrikam := testAccConnectedTenant(t, devOtherTenant)
	name := acctest.RandomWithPrefix("tf-sa")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccServiceAccountProfileConfig_password(contoso.ID, name, saPlainUser, saPlainPassword, 1, `["fly"]`, ""),
			},
			{
				// Name, description and services change in place; the
				// password is not sent again, so its version stays.
				Config: testAccServiceAccountProfileConfig_password(contoso.ID, name+"-renamed", saPlainUser, saPlainPassword, 1,
					`["fly", "cloud_backup_m365"]`, `description = "now described"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("description"), knownvalue.StringExact("now described")),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				// Another account with its password (new version): in
				// place, validated again, the role follows the account.
				Config: testAccServiceAccountProfileConfig_password(contoso.ID, name+"-renamed", devServiceUser, devServicePassword, 2,
					`["fly", "cloud_backup_m365"]`, `description = "now described"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(saAddr, tfjsonpath.New("secret_version")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("username"), knownvalue.StringExact(devServiceUser)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("user_role"), knownvalue.StringExact("SharePoint Administrator")),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(2)),
				},
				Check: testAccCheckNoSecretInState(saPlainPassword, devServicePassword),
			},
			{
				// Switching to a classic MFA profile is in place too.
				Config: testAccServiceAccountProfileConfig_mfa(contoso.ID, name+"-renamed", devMfaUser, devMfaAppPassword, 1, saContosoAdminURL),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("mfa_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("sharepoint_admin_center_url"), knownvalue.StringExact(saContosoAdminURL)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("user_role"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(3)),
				},
				Check: testAccCheckNoSecretInState(devMfaAppPassword),
			},
			{
				// Another tenant is another profile.
				Config: testAccServiceAccountProfileConfig_password(fabrikam.ID, name, saFabrikamUser, saFabrikamPassword, 1, `["fly"]`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(fabrikam.ID)),
				},
				Check: testAccCheckNoSecretInState(saFabrikamPassword),
			},
		},
	})
}

func TestAccServiceAccountProfile_drift(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	testAccRestoreDevUserPassword(t, saPlainUser, saPlainPassword)
	name := acctest.RandomWithPrefix("tf-sa")
	config := testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1, `["fly"]`, "")
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					id = saID(s)
					return nil
				},
			},
			{
				// Someone renamed the profile and stored another password
				// through the API (the account briefly had that password,
				// then got the configured one back). The plan restores the
				// name and sends the configured password again, in place.
				PreConfig: func() {
					c, ctx := testClient(t), testCtx(t)
					other := "Other#Secret2024"
					if err := c.DevSetUser(ctx, saPlainUser, client.DevUserChange{Password: &other}); err != nil {
						t.Fatal(err)
					}
					renamed := "renamed-elsewhere"
					if _, _, err := c.UpdateServiceAccount(ctx, id, domain.ServiceAccountWrite{Name: &renamed, Password: &other}); err != nil {
						t.Fatal(err)
					}
					orig := saPlainPassword
					if err := c.DevSetUser(ctx, saPlainUser, client.DevUserChange{Password: &orig}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(saAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					plancheck.ExpectUnknownValue(saAddr, tfjsonpath.New("secret_version")),
					plancheck.ExpectUnknownValue(saAddr, tfjsonpath.New("secret_fingerprint")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(3)),
				},
			},
			{
				// Only the password replaced out of band: the update is
				// planned for the secret alone.
				PreConfig: func() {
					c, ctx := testClient(t), testCtx(t)
					other := "Other#Secret2024"
					if err := c.DevSetUser(ctx, saPlainUser, client.DevUserChange{Password: &other}); err != nil {
						t.Fatal(err)
					}
					if _, _, err := c.UpdateServiceAccount(ctx, id, domain.ServiceAccountWrite{Password: &other}); err != nil {
						t.Fatal(err)
					}
					orig := saPlainPassword
					if err := c.DevSetUser(ctx, saPlainUser, client.DevUserChange{Password: &orig}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(saAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					plancheck.ExpectUnknownValue(saAddr, tfjsonpath.New("secret_version")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(5)),
				},
			},
		},
	})
}

func TestAccServiceAccountProfile_disappears(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-sa")
	config := testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1, `["fly"]`, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					return testClient(t).DeleteServiceAccount(testCtx(t), saID(s))
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// The password table is applied at plan time, so these need no tenant: the
// plan fails before anything is sent.
func TestAccServiceAccountProfile_passwordPolicy(t *testing.T) {
	const tenant = "tenant-not-contacted"
	step := func(password, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testAccServiceAccountProfileConfig_password(tenant, "x", saPlainUser, password, 1, `["fly"]`, ""),
			ExpectError: regexp.MustCompile(`(?s)Password breaks the Microsoft 365 password policy.*` + want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("Sh0rt#x", `has 7 characters; use at least 8`),
			step("Much#Too#Long#Pass1", `has 19 characters; Microsoft 365 accepts at most 16`),
			step("Pass word#2024", `contains a space at position 5`),
			step("Pässword#2024", `Unicode \(non-ASCII\) character at position 2`),
			step("Abcdef.@2024", `dot \(\.\) right before the @ symbol at position 7`),
			step("Pass~word#2024", `character that is not allowed at position 5`),
			step("lowercaseonly", `mixes only 1 of the four character kinds`),
		},
	})
}

// Which credential a profile takes is checked at plan time as well.
func TestAccServiceAccountProfile_credentialArguments(t *testing.T) {
	const tenant = "tenant-not-contacted"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
resource "aos_service_account_profile" "test" {
  tenant_id = %[1]q
  name      = "x"
  services  = ["fly"]
  username  = %[2]q
}
`, tenant, saPlainUser),
				ExpectError: regexp.MustCompile(`(?s)Missing password.*password_wo is required unless mfa_enabled`),
			},
			{
				Config: testAccServiceAccountProfileConfig_password(tenant, "x", saPlainUser, saPlainPassword, 1, `["fly"]`,
					`app_password_wo = "abcdefghijklmnop"`),
				ExpectError: regexp.MustCompile(`App password only for classic MFA profiles`),
			},
			{
				Config: testAccServiceAccountProfileConfig_password(tenant, "x", devMfaUser, devMfaAppPassword, 1, `["fly"]`,
					`mfa_enabled = true`),
				ExpectError: regexp.MustCompile(`Password not used by a classic MFA profile`),
			},
			{
				Config:      testAccServiceAccountProfileConfig_mfa(tenant, "x", devMfaUser, devMfaAppPassword, 1, "https://contoso.sharepoint.com"),
				ExpectError: regexp.MustCompile(`(?s)Invalid SharePoint admin center URL.*not a SharePoint Online admin center URL`),
			},
		},
	})
}

func TestAccServiceAccountProfile_emptyServices(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccServiceAccountProfileConfig_password("tenant-not-contacted", "x", saPlainUser, saPlainPassword, 1, `[]`, ""),
				ExpectError: regexp.MustCompile(`(?s)services.*set must contain at least 1 elements`),
			},
			{
				Config:      testAccServiceAccountProfileConfig_password("tenant-not-contacted", "x", saPlainUser, saPlainPassword, 1, `["backup"]`, ""),
				ExpectError: regexp.MustCompile(`(?s)services.*value must be one of`),
			},
		},
	})
}

func TestAccServiceAccountProfile_wrongPassword(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccServiceAccountProfileConfig_password(tn.ID, acctest.RandomWithPrefix("tf-sa"), saPlainUser, "Wrong#Pass2024", 1, `["fly"]`, ""),
				ExpectError: credErrorPattern(`password_wo.*does not accept this password.*ValidationWrongPassword`),
			},
		},
	})
}

func TestAccServiceAccountProfile_mfaAccount(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccServiceAccountProfileConfig_password(tn.ID, acctest.RandomWithPrefix("tf-sa"), devMfaAdmin, saMfaAdminPassword, 1, `["fly"]`, ""),
				ExpectError: credErrorPattern(`username.*multi-factor authentication turned on.*ValidationMfaEnabled`),
			},
		},
	})
}

func TestAccServiceAccountProfile_accessPolicyBlocked(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	c := testClient(t)
	blocked, open := true, false
	if err := c.DevSetTenant(testCtx(t), devTenant, client.DevTenantChange{LegacyAuthBlocked: &blocked}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := testClient(t).DevSetTenant(testCtx(t), devTenant, client.DevTenantChange{LegacyAuthBlocked: &open}); err != nil {
			t.Errorf("unblocking legacy authentication in %s: %v", devTenant, err)
		}
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccServiceAccountProfileConfig_password(tn.ID, acctest.RandomWithPrefix("tf-sa"), saPlainUser, saPlainPassword, 1, `["fly"]`, ""),
				ExpectError: credErrorPattern(`access policies of contoso\.onmicrosoft\.com block sign-in.*ValidationAccessPolicyBlocked`),
			},
		},
	})
}

func TestAccServiceAccountProfile_mfaProfileNeedsAdmin(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccServiceAccountProfileConfig_mfa(tn.ID, acctest.RandomWithPrefix("tf-sa"), saMfaMember, saMfaMemberAppPassword, 1, saContosoAdminURL),
				ExpectError: credErrorPattern(`username.*neither a Global Administrator nor a SharePoint Administrator.*ValidationRoleMissing`),
			},
		},
	})
}

// testAccServiceProvider marks the test organization as a service provider
// (or not) for the rest of the test, as "aosd orgs set" would, and puts it
// back to an ordinary organization when the test ends. Tests in this
// package run one at a time, so the shared organization can be switched.
func testAccServiceProvider(t *testing.T, on bool) {
	t.Helper()
	if err := testAOS.SetServiceProvider(testAOS.Org, on); err != nil {
		t.Fatalf("marking %s a service provider (%v): %v", testAOS.Org, on, err)
	}
	t.Cleanup(func() {
		if err := testAOS.SetServiceProvider(testAOS.Org, false); err != nil {
			t.Errorf("resetting %s to an ordinary organization: %v", testAOS.Org, err)
		}
	})
}

// TestAccServiceAccountProfile_serviceProviderOnly: aos_common is for
// service provider organizations only. The provider cannot know the
// organization at plan time, so the service refuses at apply and the error
// is shown on services.
func TestAccServiceAccountProfile_serviceProviderOnly(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-sa")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1, `["fly", "aos_common"]`, ""),
				// The source line Terraform quotes is the services argument:
				// the refusal of services[1] is attached to the whole set.
				ExpectError: credErrorPattern(`Error creating service account profile.*services = \["fly", "aos_common"\].*` +
					`"aos_common" \(AvePoint Online Services common service\) is offered to service provider organizations only.*` +
					`remove it from services.*ServiceProviderOnly`),
			},
		},
	})
}

// TestAccServiceAccountProfile_serviceProviderOrg: a service provider
// organization may use aos_common; if it stops being one, the profile cannot
// be changed until aos_common is removed, and removing it works.
func TestAccServiceAccountProfile_serviceProviderOrg(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	name := acctest.RandomWithPrefix("tf-sa")
	testAccServiceProvider(t, true)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckServiceAccountProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1, `["fly", "aos_common"]`, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("services"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("fly"), knownvalue.StringExact("aos_common")})),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusValid)),
				},
			},
			{
				ResourceName:            saAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"password_wo_version"},
			},
			{
				// The organization is no longer a service provider: an
				// unrelated change is refused, pointing at services.
				PreConfig: func() {
					if err := testAOS.SetServiceProvider(testAOS.Org, false); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1,
					`["fly", "aos_common"]`, `description = "changed"`),
				ExpectError: credErrorPattern(`Error updating service account profile.*services = \["fly", "aos_common"\].*` +
					`offered to service provider organizations only.*ServiceProviderOnly`),
			},
			{
				// Without aos_common the same change applies in place.
				Config: testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1,
					`["fly"]`, `description = "changed"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("services"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("fly")})),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("description"), knownvalue.StringExact("changed")),
				},
			},
		},
	})
}
