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

func testAccMigrationConnectionsDataSourceConfig_filters(tenantID, search string) string {
	return fmt.Sprintf(`
data "aos_migration_connections" "tenant" {
  tenant_id = %[1]q
  type      = "microsoft_365_groups"
}

data "aos_migration_connections" "search" {
  tenant_id = %[1]q
  type      = "microsoft_365_groups"
  search    = %[2]q
}

data "aos_migration_connections" "none" {
  search = "no-connection-is-named-like-this"
}
`, tenantID, search)
}

func TestAccMigrationConnectionsDataSource_filters(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	// Pages of two, so every list below spans several pages.
	old := listPageSize
	listPageSize = 2
	t.Cleanup(func() { listPageSize = old })

	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	sa := testAccConnectionServiceAccount(t, tn, devServiceUser, devServicePassword, false)
	prefix := acctest.RandomWithPrefix("tf-conn-list")
	create := func(name string, in domain.ConnectionWrite) *domain.Connection {
		in.Name, in.TenantID, in.Type = &name, &tn.ID, credPtr(domain.ConnectionTypes[0])
		c, _, err := testClient(t).CreateConnection(testCtx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	appOnly := domain.ConnectionWrite{AppProfiles: &[]domain.ConnectionAppProfile{{ID: app.ID}}}
	first := create(prefix+"-0", domain.ConnectionWrite{
		GeoLocation:                  credPtr("APC"),
		ContainerID:                  credPtr("ctr-contoso-groups-apc"),
		AppProfiles:                  &[]domain.ConnectionAppProfile{{ID: app.ID}},
		ServiceAccountAuthentication: credPtr("legacy"),
		ServiceAccountIDs:            &[]string{sa.ID},
	})
	create(prefix+"-1", appOnly)
	create(prefix+"-2", appOnly)
	create(acctest.RandomWithPrefix("tf-conn-other"), appOnly)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionsDataSourceConfig_filters(tn.ID, prefix),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aos_migration_connections.tenant", tfjsonpath.New("migration_connections"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue("data.aos_migration_connections.search", tfjsonpath.New("migration_connections"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.aos_migration_connections.search", tfjsonpath.New("migration_connections"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":           knownvalue.StringExact(first.ID),
							"name":         knownvalue.StringExact(prefix + "-0"),
							"type":         knownvalue.StringExact(domain.ConnectionTypes[0]),
							"tenant_id":    knownvalue.StringExact(tn.ID),
							"geo_location": knownvalue.StringExact("APC"),
							"container_id": knownvalue.StringExact("ctr-contoso-groups-apc"),
							"app_profiles": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
								"id":                 knownvalue.StringExact(app.ID),
								"impersonation_user": knownvalue.StringExact(""),
							})}),
							"service_account_authentication": knownvalue.StringExact("legacy"),
							"service_account_ids":            knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(sa.ID)}),
							"delegated_app_profile_ids":      knownvalue.SetSizeExact(0),
							"modified_time":                  knownvalue.NotNull(),
						}),
					})),
					statecheck.ExpectKnownValue("data.aos_migration_connections.none", tfjsonpath.New("migration_connections"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}
