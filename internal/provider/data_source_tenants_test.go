package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// testAccTenantSkipUnlessAcc skips before a test touches aosd outside
// resource.Test, which would otherwise fail without TF_ACC.
func testAccTenantSkipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
}

// testAccTenantRegister registers a tenant through the API (pending
// consent unless login is set, then connected as login) and removes it
// when the test ends.
func testAccTenantRegister(t *testing.T, platform, tenantDomain, login string) *domain.Tenant {
	t.Helper()
	c := testClient(t)
	ctx := testCtx(t)
	tn, _, err := c.CreateTenant(ctx, domain.TenantCreate{Platform: platform, Domain: tenantDomain})
	if err != nil {
		t.Fatalf("registering %s tenant %s: %v", platform, tenantDomain, err)
	}
	t.Cleanup(func() { testAccRemoveTenant(t, tn.ID) })
	if login != "" {
		if err := c.DevConsent(ctx, tn.ID, login); err != nil {
			t.Fatalf("consenting %s as %s: %v", tenantDomain, login, err)
		}
		if tn, _, err = c.GetTenant(ctx, tn.ID); err != nil {
			t.Fatal(err)
		}
	}
	return tn
}

// tenantListCheck checks a list of tenant objects in the state: the
// tenants in want appear in that order (other registrations may sit
// between them), and every element satisfies each.
type tenantListCheck struct {
	want *[]*domain.Tenant
	each func(map[string]any) error
	what string
}

func (c tenantListCheck) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	next := 0
	for _, el := range list {
		obj, ok := el.(map[string]any)
		if !ok {
			return fmt.Errorf("expected objects in the list, got %T", el)
		}
		if c.each != nil {
			if err := c.each(obj); err != nil {
				return err
			}
		}
		if next < len(*c.want) && obj["id"] == (*c.want)[next].ID {
			w := (*c.want)[next]
			if obj["name"] != w.Name || obj["platform"] != w.Platform || obj["domain"] != w.Domain || obj["status"] != w.Status {
				return fmt.Errorf("tenant %s listed as %v, want name %q platform %q domain %q status %q", w.ID, obj, w.Name, w.Platform, w.Domain, w.Status)
			}
			next++
		}
	}
	if next < len(*c.want) {
		return fmt.Errorf("tenant %s (%s) missing from the list or out of order (%d listed)", (*c.want)[next].ID, (*c.want)[next].Name, len(list))
	}
	return nil
}

func (c tenantListCheck) String() string { return c.what }

func tenantsOfPlatform(platform string) func(map[string]any) error {
	return func(obj map[string]any) error {
		if obj["platform"] != platform {
			return fmt.Errorf("tenant %v listed, want only %s tenants", obj["name"], platform)
		}
		return nil
	}
}

func tenantsNamed(keyword string) func(map[string]any) error {
	return func(obj map[string]any) error {
		if name, _ := obj["name"].(string); !strings.Contains(strings.ToLower(name), strings.ToLower(keyword)) {
			return fmt.Errorf("tenant %q listed, want only names containing %q", name, keyword)
		}
		return nil
	}
}

func testAccTenantsDataSourceConfig_filters() string {
	return `
data "aos_tenants" "all" {}

data "aos_tenants" "microsoft" {
  platform = "microsoft"
}

data "aos_tenants" "search" {
  search = "FABRIKAM"
}

data "aos_tenants" "both" {
  platform = "microsoft"
  search   = "contoso"
}
`
}

func TestAccTenantsDataSource_filters(t *testing.T) {
	var all, microsoft, fabrikam, microsoftContoso []*domain.Tenant
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					contoso := testAccTenantRegister(t, domain.PlatformMicrosoft, devTenant, devGlobalAdmin)
					other := testAccTenantRegister(t, domain.PlatformMicrosoft, devOtherTenant, "")
					google := testAccTenantRegister(t, domain.PlatformGoogle, devGoogleNoApp, "")
					sf := testAccTenantRegister(t, domain.PlatformSalesforce, devSalesforceTenant, "")
					all = []*domain.Tenant{contoso, other, google, sf}
					microsoft = []*domain.Tenant{contoso, other}
					// Search matches names: the connected Microsoft tenant
					// is "Contoso" now, the pending ones are their domains.
					fabrikam = []*domain.Tenant{other, google}
					microsoftContoso = []*domain.Tenant{contoso}
				},
				Config: testAccTenantsDataSourceConfig_filters(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aos_tenants.all", tfjsonpath.New("tenants"),
						tenantListCheck{want: &all, what: "every tenant"}),
					statecheck.ExpectKnownValue("data.aos_tenants.microsoft", tfjsonpath.New("tenants"),
						tenantListCheck{want: &microsoft, each: tenantsOfPlatform(domain.PlatformMicrosoft), what: "Microsoft tenants"}),
					statecheck.ExpectKnownValue("data.aos_tenants.search", tfjsonpath.New("tenants"),
						tenantListCheck{want: &fabrikam, each: tenantsNamed("fabrikam"), what: "tenants named *fabrikam*"}),
					statecheck.ExpectKnownValue("data.aos_tenants.both", tfjsonpath.New("tenants"),
						tenantListCheck{want: &microsoftContoso, what: "Microsoft tenants named *contoso*", each: func(obj map[string]any) error {
							if err := tenantsOfPlatform(domain.PlatformMicrosoft)(obj); err != nil {
								return err
							}
							return tenantsNamed("contoso")(obj)
						}}),
					statecheck.ExpectKnownValue("data.aos_tenants.both", tfjsonpath.New("tenants").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                    knownvalue.NotNull(),
						"name":                  knownvalue.StringExact("Contoso"),
						"platform":              knownvalue.StringExact(domain.PlatformMicrosoft),
						"domain":                knownvalue.StringExact(devTenant),
						"environment":           knownvalue.StringExact("commercial"),
						"status":                knownvalue.StringExact(domain.StatusConnected),
						"reconnect_recommended": knownvalue.Bool(false),
						"modified_time":         knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
					})),
				},
			},
		},
	})
}

// The service returns at most 100 tenants a page. With two a page, five
// registrations take three pages, and every one must be in the list.
func TestAccTenantsDataSource_paging(t *testing.T) {
	old := listPageSize
	listPageSize = 2
	t.Cleanup(func() { listPageSize = old })
	var want []*domain.Tenant
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					for _, r := range []struct{ platform, domain string }{
						{domain.PlatformMicrosoft, devTenant},
						{domain.PlatformMicrosoft, devOtherTenant},
						{domain.PlatformMicrosoft, "northwind.onmicrosoft.com"},
						{domain.PlatformGoogle, devGoogleTenant},
						{domain.PlatformSalesforce, devSalesforceTenant},
					} {
						want = append(want, testAccTenantRegister(t, r.platform, r.domain, ""))
					}
				},
				Config: `data "aos_tenants" "all" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.aos_tenants.all", tfjsonpath.New("tenants"),
						tenantListCheck{want: &want, what: "all five tenants across three pages"}),
				},
			},
		},
	})
}

func TestAccTenantsDataSource_invalidPlatform(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      `data "aos_tenants" "x" { platform = "azure" }`,
				ExpectError: regexp.MustCompile(`(?s)platform.*value must be one of`),
			},
		},
	})
}
