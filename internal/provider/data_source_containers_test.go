package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func testAccContainersDataSourceConfig_basic(tenantID, pendingID string) string {
	return fmt.Sprintf(`
data "aos_containers" "all" {
  tenant_id = %[1]q
}

data "aos_containers" "groups" {
  tenant_id = %[1]q
  search    = "GROUPS"
}

data "aos_containers" "none" {
  tenant_id = %[1]q
  search    = "no such container"
}

data "aos_containers" "pending" {
  tenant_id = %[2]q
}
`, tenantID, pendingID)
}

func containerValue(id, name, kind string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":   knownvalue.StringExact(id),
		"name": knownvalue.StringExact(name),
		"kind": knownvalue.StringExact(kind),
	})
}

// contoso's five containers (internal/directory/default.json), in id
// order. With two a page they take three pages.
func TestAccContainersDataSource_basic(t *testing.T) {
	testAccTenantSkipUnlessAcc(t)
	tn := testAccConnectedTenant(t, devTenant)
	pending := testAccTenantRegister(t, domain.PlatformMicrosoft, devOtherTenant, "")
	old := listPageSize
	listPageSize = 2
	t.Cleanup(func() { listPageSize = old })
	groups := []knownvalue.Check{
		containerValue("ctr-contoso-groups-apc", "Contoso Groups (Asia-Pacific)", "microsoft_365_groups"),
		containerValue("ctr-contoso-groups-eur", "Contoso Groups (Europe)", "microsoft_365_groups"),
		containerValue("ctr-contoso-groups-nam", "Contoso Groups (North America)", "microsoft_365_groups"),
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccContainersDataSourceConfig_basic(tn.ID, pending.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aos_containers.all", tfjsonpath.New("containers"), knownvalue.ListExact(append(groups,
						containerValue("ctr-contoso-mailboxes", "Contoso Mailboxes", "exchange_mailboxes"),
						containerValue("ctr-contoso-sites", "Contoso SharePoint Sites", "sharepoint_sites"),
					))),
					statecheck.ExpectKnownValue("data.aos_containers.groups", tfjsonpath.New("containers"), knownvalue.ListExact(groups)),
					statecheck.ExpectKnownValue("data.aos_containers.none", tfjsonpath.New("containers"), knownvalue.ListSizeExact(0)),
					// Containers are learned at consent: none yet.
					statecheck.ExpectKnownValue("data.aos_containers.pending", tfjsonpath.New("containers"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

func TestAccContainersDataSource_unknownTenant(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      `data "aos_containers" "x" { tenant_id = "00000000-0000-7000-8000-000000000000" }`,
				ExpectError: tenantErrorPattern("Tenant not found", `No tenant registration has the id "00000000-0000-7000-8000-000000000000"`),
			},
		},
	})
}
