package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccListDataSources_emptyFilter: an empty filter is refused at plan
// time. The service reads "" as no filter, so a variable left empty by
// mistake would otherwise list every object of the organization.
func TestAccListDataSources_emptyFilter(t *testing.T) {
	var steps []resource.TestStep
	for _, c := range []struct{ typ, arg string }{
		{"aos_app_profiles", "tenant_id"},
		{"aos_app_profiles", "search"},
		{"aos_service_account_profiles", "tenant_id"},
		{"aos_service_account_profiles", "search"},
		{"aos_migration_connections", "tenant_id"},
		{"aos_migration_connections", "search"},
		{"aos_tenants", "search"},
	} {
		steps = append(steps, resource.TestStep{
			Config:      fmt.Sprintf("data %[1]q \"x\" {\n  %[2]s = \"\"\n}\n", c.typ, c.arg),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Attribute ` + c.arg + ` string length must be at least 1`),
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
