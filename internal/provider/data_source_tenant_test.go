package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func testAccTenantDataSourceConfig_byID(tenantDomain string) string {
	return fmt.Sprintf(`
resource "aos_microsoft_tenant" "test" {
  domain = %[1]q
}

data "aos_tenant" "test" {
  id = aos_microsoft_tenant.test.id
}
`, tenantDomain)
}

func testAccTenantDataSourceConfig_byName(name, platform string) string {
	p := ""
	if platform != "" {
		p = fmt.Sprintf("platform = %q", platform)
	}
	return fmt.Sprintf(`
data "aos_tenant" "test" {
  name = %[1]q
  %[2]s
}
`, name, p)
}

func TestAccTenantDataSource_byID(t *testing.T) {
	const ds = "data.aos_tenant.test"
	config := testAccTenantDataSourceConfig_byID(devTenant)
	same := func(attr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(microsoftTenantAddr, tfjsonpath.New(attr), ds, tfjsonpath.New(attr), compare.ValuesSame())
	}
	resource.Test(t, testAccTenantTestCase(t, "aos_microsoft_tenant",
		resource.TestStep{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				same("id"), same("name"), same("domain"), same("status"), same("consent_url"),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("platform"), knownvalue.StringExact(domain.PlatformMicrosoft)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("environment"), knownvalue.StringExact("commercial")),
			},
			Check: testAccConsentTenant(t, microsoftTenantAddr, devGlobalAdmin),
		},
		resource.TestStep{
			// Read again after consent: the data source sees what the
			// platform told the service.
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				same("name"), same("status"), same("sharepoint_admin_center_url"), same("multi_geo"), same("permissions_version"), same("modified_time"),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("name"), knownvalue.StringExact("Contoso")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("consent_user"), knownvalue.StringExact(devGlobalAdmin)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("multi_geo"), knownvalue.Bool(true)),
			},
		},
	))
}

// Name lookup: the service's search is a keyword match, so "Contoso" also
// finds contoso.com and contoso.my.salesforce.com; only the exact name
// counts.
func TestAccTenantDataSource_byName(t *testing.T) {
	const ds = "data.aos_tenant.test"
	var contoso, googleTwin *domain.Tenant
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					contoso = testAccTenantRegister(t, domain.PlatformMicrosoft, devTenant, devGlobalAdmin)
					testAccTenantRegister(t, domain.PlatformGoogle, devGoogleTenant, "")
					testAccTenantRegister(t, domain.PlatformSalesforce, devSalesforceTenant, "")
					// A pending tenant is named by its domain, so a Google
					// registration of a Microsoft domain (refused at
					// consent, accepted at registration) shares the name
					// of the pending Microsoft one.
					testAccTenantRegister(t, domain.PlatformMicrosoft, devOtherTenant, "")
					googleTwin = testAccTenantRegister(t, domain.PlatformGoogle, devOtherTenant, "")
				},
				Config: testAccTenantDataSourceConfig_byName("Contoso", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
						if v != contoso.ID {
							return fmt.Errorf("id %s, want %s", v, contoso.ID)
						}
						return nil
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("platform"), knownvalue.StringExact(domain.PlatformMicrosoft)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("domain"), knownvalue.StringExact(devTenant)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
				},
			},
			{
				Config:      testAccTenantDataSourceConfig_byName("Contos", ""),
				ExpectError: tenantErrorPattern("Tenant not found", `No tenant is named "Contos".`, "Tenants whose names contain it:", `- "Contoso" (microsoft, id`, `- "contoso.com" (google, id`),
			},
			{
				// Looked up by id, the tenant must be of the platform given.
				Config: testAccTenantDataSourceConfig_byName("Contoso", "") + `
data "aos_tenant" "by_id" {
  id       = data.aos_tenant.test.id
  platform = "google"
}
`,
				ExpectError: tenantErrorPattern("Tenant of another platform", "is a microsoft tenant, not google"),
			},
			{
				Config:      testAccTenantDataSourceConfig_byName("nothing-like-it", ""),
				ExpectError: tenantErrorPattern(`No tenant is named "nothing-like-it".`, "No tenant name contains it either"),
			},
			{
				Config:      testAccTenantDataSourceConfig_byName(devOtherTenant, ""),
				ExpectError: tenantErrorPattern("Tenant name is ambiguous", `2 tenants are named "fabrikam.onmicrosoft.com":`, "(microsoft, id", "(google, id", "Set platform to narrow the lookup"),
			},
			{
				// The platform settles it.
				Config: testAccTenantDataSourceConfig_byName(devOtherTenant, domain.PlatformGoogle),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
						if v != googleTwin.ID {
							return fmt.Errorf("id %s, want the Google registration %s", v, googleTwin.ID)
						}
						return nil
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("platform"), knownvalue.StringExact(domain.PlatformGoogle)),
				},
			},
		},
	})
}

func TestAccTenantDataSource_idOrName(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      `data "aos_tenant" "test" {}`,
				ExpectError: tenantErrorPattern("Missing Attribute Configuration", "Exactly one of these attributes must be configured: [id,name]"),
			},
			{
				Config:      `data "aos_tenant" "test" { id = "00000000-0000-7000-8000-000000000000" }`,
				ExpectError: tenantErrorPattern("Tenant not found", `No tenant registration has the id "00000000-0000-7000-8000-000000000000"`),
			},
			{
				Config:      `data "aos_tenant" "test" {` + "\n" + `id = "a"` + "\n" + `name = "b"` + "\n}",
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
		},
	})
}
