package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const requiredPermissionsAddr = "data.aos_required_permissions.test"

func testAccRequiredPermissionsConfig(platform string) string {
	return fmt.Sprintf(`
data "aos_required_permissions" "test" {
  platform = %[1]q
}
`, platform)
}

func requiredPermissionsStringChecks(values []string) []knownvalue.Check {
	out := make([]knownvalue.Check, 0, len(values))
	for _, v := range values {
		out = append(out, knownvalue.StringExact(v))
	}
	return out
}

func sortedStrings(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

func TestAccRequiredPermissionsDataSource_amazon(t *testing.T) {
	testAccSkipUnlessAcc(t)
	testAccPreCheck(t)
	version := testAccAmazonCurrentVersion(t)
	var policies []knownvalue.Check
	for _, p := range domain.AmazonPolicies(version) {
		policies = append(policies, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":     knownvalue.StringExact(p.Name),
			"document": knownvalue.StringExact(p.Document),
		}))
	}
	want := domain.PermissionSetFor(domain.PlatformAmazon, version)
	opChecks := map[string]knownvalue.Check{}
	for _, op := range domain.AmazonOperations {
		opChecks[op] = knownvalue.ListExact(requiredPermissionsStringChecks(domain.AmazonOperationActions(op)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccRequiredPermissionsConfig("amazon"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("version"), knownvalue.Int64Exact(int64(version))),
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("admin_requirement"), knownvalue.StringExact(want.AdminRequirement)),
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("permissions"), knownvalue.ListExact(requiredPermissionsStringChecks(want.Permissions))),
					// The policy built from the service's action list is the
					// one the domain package documents, byte for byte.
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("configuring_user_policy_json"),
						knownvalue.StringExact(domain.AmazonConfiguringUserPolicy())),
					// The twelve documented actions and the ones destroy needs.
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("configuring_user_actions"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringExact("iam:AttachRolePolicy"),
					})),
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("configuring_user_actions"),
						knownvalue.ListSizeExact(len(domain.AmazonConfiguringUserActions))),
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("role_policies"), knownvalue.ListExact(policies)),
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("documented_actions"),
						knownvalue.ListExact(requiredPermissionsStringChecks(sortedStrings(domain.AmazonDocumentedActions)))),
					statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("operation_actions"), knownvalue.MapExact(opChecks)),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckTypeSetElemAttr(requiredPermissionsAddr, "configuring_user_actions.*", "iam:CreateRole"),
					resource.TestCheckTypeSetElemAttr(requiredPermissionsAddr, "configuring_user_actions.*", "iam:GetAccountSummary"),
					resource.TestCheckTypeSetElemAttr(requiredPermissionsAddr, "configuring_user_actions.*", "iam:DeleteRole"),
					resource.TestCheckTypeSetElemAttr(requiredPermissionsAddr, "configuring_user_actions.*", "iam:DetachRolePolicy"),
					resource.TestCheckTypeSetElemAttr(requiredPermissionsAddr, "configuring_user_actions.*", "iam:DeletePolicy"),
				),
			},
		},
	})
}

func TestAccRequiredPermissionsDataSource_otherPlatforms(t *testing.T) {
	testAccSkipUnlessAcc(t)
	testAccPreCheck(t)
	// The refused platform comes first: the test's final destroy uses the
	// last step's configuration, which must be valid.
	steps := []resource.TestStep{{
		Config:      testAccRequiredPermissionsConfig("dropbox"),
		ExpectError: regexp.MustCompile(`(?s)platform.*value must be one of`),
	}}
	for _, platform := range []string{domain.PlatformMicrosoft, domain.PlatformGoogle, domain.PlatformSalesforce} {
		ps, err := testClient(t).GetPermissions(testCtx(t), platform)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.PermissionSetFor(platform, ps.Version)
		steps = append(steps, resource.TestStep{
			Config: testAccRequiredPermissionsConfig(platform),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("admin_requirement"), knownvalue.StringExact(want.AdminRequirement)),
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("permissions"), knownvalue.ListExact(requiredPermissionsStringChecks(want.Permissions))),
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("configuring_user_actions"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("configuring_user_policy_json"), knownvalue.Null()),
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("role_policies"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("documented_actions"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(requiredPermissionsAddr, tfjsonpath.New("operation_actions"), knownvalue.MapExact(map[string]knownvalue.Check{})),
			},
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}
