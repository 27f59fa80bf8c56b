package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func testAccAppProfilesDataSourceConfig_filters(prefix, tenantID string) string {
	return fmt.Sprintf(`
resource "aos_app_profile" "alpha" {
  name      = "%[1]s-alpha"
  tenant_id = %[2]q
  type      = "microsoft_365"
}

resource "aos_app_profile" "beta" {
  name      = "%[1]s-beta"
  tenant_id = %[2]q
  type      = "delegated_app"
  functions = ["protect_power_bi"]
}

resource "aos_app_profile" "gamma" {
  name      = "%[1]s-gamma"
  tenant_id = %[2]q
  type      = "cloud_backup_m365"
}

data "aos_app_profiles" "all" {
  tenant_id  = %[2]q
  depends_on = [aos_app_profile.alpha, aos_app_profile.beta, aos_app_profile.gamma]
}

data "aos_app_profiles" "delegated" {
  tenant_id  = %[2]q
  type       = "delegated_app"
  depends_on = [aos_app_profile.alpha, aos_app_profile.beta, aos_app_profile.gamma]
}

data "aos_app_profiles" "search" {
  tenant_id  = %[2]q
  search     = "GAMMA"
  depends_on = [aos_app_profile.alpha, aos_app_profile.beta, aos_app_profile.gamma]
}
`, prefix, tenantID)
}

func TestAccAppProfilesDataSource_filters(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	prefix := acctest.RandomWithPrefix("tf-apps")
	// Two per page, so the three profiles of the tenant span two pages.
	old := appProfilesPageSize
	appProfilesPageSize = 2
	t.Cleanup(func() { appProfilesPageSize = old })
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAppProfileDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAppProfilesDataSourceConfig_filters(prefix, tn.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aos_app_profiles.all", tfjsonpath.New("app_profiles"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.aos_app_profiles.delegated", tfjsonpath.New("app_profiles"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":              knownvalue.NotNull(),
							"name":            knownvalue.StringExact(prefix + "-beta"),
							"tenant_id":       knownvalue.StringExact(tn.ID),
							"type":            knownvalue.StringExact(domain.AppTypeDelegatedApp),
							"permission_kind": knownvalue.StringExact(domain.PermissionKindDelegated),
							"consent_method":  knownvalue.StringExact(domain.ConsentMethodAdmin),
							"status":          knownvalue.StringExact(domain.StatusPendingConsent),
							"reason":          knownvalue.StringExact(""),
						}),
					})),
					statecheck.ExpectKnownValue("data.aos_app_profiles.search", tfjsonpath.New("app_profiles"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"name": knownvalue.StringExact(prefix + "-gamma"),
							"type": knownvalue.StringExact(domain.AppTypeCloudBackupM365),
						}),
					})),
				},
			},
		},
	})
}
