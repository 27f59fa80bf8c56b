package provider

import (
	"errors"
	"fmt"
	"regexp"
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

const partnerAddr = "aos_partner_app_profile.test"

func testAccPartnerAppProfileConfig(name, extra string) string {
	return fmt.Sprintf(`
resource "aos_partner_app_profile" "test" {
  name = %[1]q
  %[2]s
}
`, name, extra)
}

func testAccCheckPartnerAppProfileDestroy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "aos_partner_app_profile" {
				continue
			}
			_, _, err := c.GetPartnerAppProfile(testCtx(t), rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("partner app profile %s still exists", rs.Primary.ID)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return err
			}
		}
		return nil
	}
}

func partnerID(s *terraform.State) string { return s.RootModule().Resources[partnerAddr].Primary.ID }

func TestAccPartnerAppProfile_basic(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccPartnerAppProfileConfig(name, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("cloud"), knownvalue.StringExact("global")),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(regexp.MustCompile(`/dev/consent\?state=`))),
				},
			},
			{
				ResourceName:            partnerAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccPartnerAppProfile_update(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{Config: testAccPartnerAppProfileConfig(name, "")},
			{
				Config: testAccPartnerAppProfileConfig(name+"-renamed", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate),
					// Only a (re-)authorization changes these; a rename keeps them.
					plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
					plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("consent_url"), knownvalue.StringRegexp(regexp.MustCompile(`/dev/consent\?state=`))),
					plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("consent_user"), knownvalue.StringExact("")),
					plancheck.ExpectUnknownValue(partnerAddr, tfjsonpath.New("modified_time")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
				},
			},
			{
				Config: testAccPartnerAppProfileConfig(name+"-renamed", `cloud = "us_government"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionReplace),
				}},
			},
		},
	})
}

func TestAccPartnerAppProfile_waitForConsent(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				// Nobody consents: the wait ends at the timeout with the
				// URL, and the profile stays tracked in state.
				Config: testAccPartnerAppProfileConfig(name, "wait_for_consent = true\n  timeouts = { create = \"2s\" }"),
				ExpectError: tenantErrorPattern("was not consented within", "created and is kept in the Terraform state",
					"marked it tainted", "/dev/consent?state=", "terraform untaint aos_partner_app_profile.<name>", "terraform apply",
					"raise the create timeout"),
			},
			{
				// Kept in state, tainted: without the untaint the next
				// apply would replace it, losing a consent.
				RefreshState: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionReplace),
				}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccPartnerAppProfile_waitForConsentUpdateTimeout(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccPartnerAppProfileConfig(name, ""),
				Check: func(s *terraform.State) error {
					id = partnerID(s)
					return testClient(t).DevConsent(testCtx(t), id, devGlobalAdmin)
				},
			},
			{
				// The re-authorization is not consented within the update
				// timeout: the error names that timeout, and the profile
				// is not tainted.
				PreConfig: func() {
					if err := testClient(t).DevExpireAuthorization(testCtx(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccPartnerAppProfileConfig(name, "wait_for_consent = true\n  timeouts = { update = \"2s\" }"),
				ExpectError: tenantErrorPattern("was not consented within", "kept in the Terraform state and is not tainted",
					"/dev/consent?state=", "run terraform apply", "raise the update timeout"),
			},
			{
				// Consented afterwards: an apply records it, in place.
				PreConfig: func() {
					if err := testClient(t).DevConsent(testCtx(t), id, devGlobalAdmin); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccPartnerAppProfileConfig(name, "wait_for_consent = true\n  timeouts = { update = \"2s\" }"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusActive)),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
						if v != id {
							return fmt.Errorf("id %s, want %s (the profile was replaced)", v, id)
						}
						return nil
					})),
				},
			},
		},
	})
}

func TestAccPartnerAppProfile_drift(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccPartnerAppProfileConfig(name, ""),
				Check: func(s *terraform.State) error {
					id = partnerID(s)
					return testClient(t).DevConsent(testCtx(t), id, devGlobalAdmin)
				},
			},
			{
				// Renamed out of band: the plan puts the name back, in place.
				PreConfig: func() {
					n := "renamed-elsewhere"
					if _, _, err := testClient(t).UpdatePartnerAppProfile(testCtx(t), id, domain.PartnerAppProfileWrite{Name: &n}); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccPartnerAppProfileConfig(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				}},
			},
			{
				// Authorization expired: the plan re-authorizes in place.
				PreConfig: func() {
					if err := testClient(t).DevExpireAuthorization(testCtx(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccPartnerAppProfileConfig(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(partnerAddr, tfjsonpath.New("status")),
					plancheck.ExpectUnknownValue(partnerAddr, tfjsonpath.New("consent_url")),
					plancheck.ExpectUnknownValue(partnerAddr, tfjsonpath.New("consent_user")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusPendingConsent)),
				},
			},
		},
	})
}

func TestAccPartnerAppProfile_disappears(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccPartnerAppProfileConfig(name, ""),
				Check: func(s *terraform.State) error {
					return testClient(t).DeletePartnerAppProfile(testCtx(t), partnerID(s))
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: testAccPartnerAppProfileConfig(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccPartnerAppProfile_deleteRefusedWhileUsersExist(t *testing.T) {
	name := acctest.RandomWithPrefix("tf-partner")
	var id, userID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPartnerAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccPartnerAppProfileConfig(name, ""),
				Check: func(s *terraform.State) error {
					id = partnerID(s)
					c := testClient(t)
					if err := c.DevConsent(testCtx(t), id, devGlobalAdmin); err != nil {
						return err
					}
					u, err := c.AddPartnerUser(testCtx(t), id, "adele@contoso.onmicrosoft.com", "user")
					if err != nil {
						return err
					}
					userID = u.ID
					return nil
				},
			},
			{
				Config:      " ",
				Destroy:     false,
				ExpectError: regexp.MustCompile(`(?s)PartnerAppProfileHasUsers.*adele@contoso.onmicrosoft.com`),
			},
			{
				PreConfig: func() {
					if err := testClient(t).RemovePartnerUser(testCtx(t), id, userID); err != nil {
						t.Fatal(err)
					}
				},
				Config: " ",
			},
		},
	})
}

func TestAccPartnerAppProfile_invalidCloud(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccPartnerAppProfileConfig("x", `cloud = "china"`),
				ExpectError: regexp.MustCompile(`(?s)cloud.*value must be one of`),
			},
		},
	})
}
