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

func testAccServiceAccountProfilesDataSourceConfig_filters(tenantID, search string) string {
	return fmt.Sprintf(`
data "aos_service_account_profiles" "tenant" {
  tenant_id = %[1]q
}

data "aos_service_account_profiles" "search" {
  tenant_id = %[1]q
  search    = %[2]q
}

data "aos_service_account_profiles" "none" {
  search = "no-profile-is-named-like-this"
}
`, tenantID, search)
}

func TestAccServiceAccountProfilesDataSource_filters(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	// Pages of two, so every list below spans several pages.
	old := listPageSize
	listPageSize = 2
	t.Cleanup(func() { listPageSize = old })

	prefix := acctest.RandomWithPrefix("tf-sa-list")
	var matching []*domain.ServiceAccount
	for i := range 3 {
		a := testAccConnectionServiceAccount(t, tn, saPlainUser, saPlainPassword, false)
		renamed := fmt.Sprintf("%s-%d", prefix, i)
		got, _, err := testClient(t).UpdateServiceAccount(testCtx(t), a.ID, domain.ServiceAccountWrite{Name: &renamed})
		if err != nil {
			t.Fatal(err)
		}
		matching = append(matching, got)
	}
	// One more profile of the tenant whose name does not match.
	testAccConnectionServiceAccount(t, tn, devServiceUser, devServicePassword, false)

	first := matching[0]
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccServiceAccountProfilesDataSourceConfig_filters(tn.ID, prefix),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aos_service_account_profiles.tenant", tfjsonpath.New("service_account_profiles"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue("data.aos_service_account_profiles.search", tfjsonpath.New("service_account_profiles"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":                          knownvalue.StringExact(first.ID),
							"name":                        knownvalue.StringExact(first.Name),
							"description":                 knownvalue.StringExact(""),
							"tenant_id":                   knownvalue.StringExact(tn.ID),
							"services":                    knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(domain.ServiceFly)}),
							"username":                    knownvalue.StringExact(saPlainUser),
							"mfa_enabled":                 knownvalue.Bool(false),
							"sharepoint_admin_center_url": knownvalue.StringExact(""),
							"user_role":                   knownvalue.StringExact("User"),
							"status":                      knownvalue.StringExact(domain.StatusValid),
							"secret_fingerprint":          knownvalue.StringExact(first.SecretFingerprint),
							"secret_version":              knownvalue.Int64Exact(1),
							"last_validated":              knownvalue.NotNull(),
							"modified_time":               knownvalue.NotNull(),
						}),
					})),
					statecheck.ExpectKnownValue("data.aos_service_account_profiles.search", tfjsonpath.New("service_account_profiles"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.aos_service_account_profiles.none", tfjsonpath.New("service_account_profiles"), knownvalue.ListSizeExact(0)),
				},
				Check: testAccCheckNoSecretInState(saPlainPassword, devServicePassword),
			},
		},
	})
}
