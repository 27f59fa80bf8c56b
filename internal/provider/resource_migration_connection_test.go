package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testcert"
)

const connAddr = "aos_migration_connection.test"

// testAccConnectionAppProfile creates and consents an app profile of the
// given type in a tenant through the API, as a connection's credential.
// Custom Azure app types get a fresh certificate and impersonationUser.
func testAccConnectionAppProfile(t *testing.T, tn *domain.Tenant, appType, impersonationUser string) *domain.AppProfile {
	t.Helper()
	c, ctx := testClient(t), testCtx(t)
	in := domain.AppProfileWrite{
		Name:     credPtr(acctest.RandomWithPrefix("tf-conn-app")),
		TenantID: &tn.ID,
		Type:     &appType,
	}
	if at, _ := domain.AppTypeBySlug(appType); at.Custom {
		in.ClientID = credPtr("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
		in.Certificate = credPtr(testAccConnectionCertificatePEM(t))
		if impersonationUser != "" {
			in.ImpersonationUser = &impersonationUser
		}
	}
	a, _, err := c.CreateAppProfile(ctx, in)
	if err != nil {
		t.Fatalf("creating %s app profile in %s: %v", appType, tn.Domain, err)
	}
	if err := c.DevConsent(ctx, a.ID, "admin@"+tn.Domain); err != nil {
		t.Fatalf("consenting app profile %s: %v", a.ID, err)
	}
	return a
}

// testAccConnectionServiceAccount creates a service account profile through
// the API. With mfa, password is the app password of a classic MFA profile.
func testAccConnectionServiceAccount(t *testing.T, tn *domain.Tenant, username, password string, mfa bool) *domain.ServiceAccount {
	t.Helper()
	in := domain.ServiceAccountWrite{
		Name:     credPtr(acctest.RandomWithPrefix("tf-conn-sa")),
		TenantID: &tn.ID,
		Services: &[]string{domain.ServiceFly},
		Username: &username,
		Mfa:      &mfa,
	}
	if mfa {
		in.AppPassword = &password
		in.SharePointAdminCenterURL = &tn.SharePointAdminCenterURL
	} else {
		in.Password = &password
	}
	a, _, err := testClient(t).CreateServiceAccount(testCtx(t), in)
	if err != nil {
		t.Fatalf("creating service account profile for %s: %v", username, err)
	}
	return a
}

// testAccConnectionCertificatePEM makes a self-signed certificate valid now,
// with the next RSA key of testcert's pool, as a custom Azure app's
// credential.
func testAccConnectionCertificatePEM(t *testing.T) string {
	t.Helper()
	key := testcert.NextRSAKey()
	cert := testcert.New(t, key, "terraform-provider-aos acceptance test", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	return testcert.CertPEM(cert) + testcert.KeyPEM(t, key)
}

// testAccMigrationConnectionConfig is a connection with the given extra
// arguments and blocks (HCL).
func testAccMigrationConnectionConfig(name, tenantID, body string) string {
	return fmt.Sprintf(`
resource "aos_migration_connection" "test" {
  name      = %[1]q
  tenant_id = %[2]q
%[3]s
}
`, name, tenantID, body)
}

// testAccMigrationConnectionConfig_legacy uses one app profile plus legacy
// service account authentication, in a geo location and container.
func testAccMigrationConnectionConfig_legacy(name, tenantID, appID, saID, geo, container string) string {
	return testAccMigrationConnectionConfig(name, tenantID, fmt.Sprintf(`
  geo_location                   = %[3]q
  container_id                   = %[4]q
  service_account_authentication = "legacy"
  service_account_ids            = [%[2]q]

  app_profile {
    id = %[1]q
  }
`, appID, saID, geo, container))
}

// testAccMigrationConnectionConfig_modern uses modern authentication only.
func testAccMigrationConnectionConfig_modern(name, tenantID, delegatedID string) string {
	return testAccMigrationConnectionConfig(name, tenantID, fmt.Sprintf(`
  service_account_authentication = "modern"
  delegated_app_profile_ids      = [%[1]q]
`, delegatedID))
}

// testAccMigrationConnectionConfig_app uses one app profile, with an
// impersonation user when user is not empty.
func testAccMigrationConnectionConfig_app(name, tenantID, appID, user string) string {
	imp := ""
	if user != "" {
		imp = fmt.Sprintf("impersonation_user = %q", user)
	}
	return testAccMigrationConnectionConfig(name, tenantID, fmt.Sprintf(`
  app_profile {
    id = %[1]q
    %[2]s
  }
`, appID, imp))
}

func testAccCheckMigrationConnectionDestroy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "aos_migration_connection" {
				continue
			}
			_, _, err := c.GetConnection(testCtx(t), rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("migration connection %s still exists", rs.Primary.ID)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return err
			}
		}
		return nil
	}
}

func connID(s *terraform.State) string { return s.RootModule().Resources[connAddr].Primary.ID }

func TestAccMigrationConnection_basic(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	sa := testAccConnectionServiceAccount(t, tn, devServiceUser, devServicePassword, false)
	name := acctest.RandomWithPrefix("tf-conn")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig_legacy(name, tn.ID, app.ID, sa.ID, "EUR", "ctr-contoso-groups-eur"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("type"), knownvalue.StringExact("microsoft_365_groups")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(tn.ID)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("geo_location"), knownvalue.StringExact("EUR")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("container_id"), knownvalue.StringExact("ctr-contoso-groups-eur")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("app_profile"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":                 knownvalue.StringExact(app.ID),
							"impersonation_user": knownvalue.StringExact(""),
						}),
					})),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("service_account_authentication"), knownvalue.StringExact("legacy")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("service_account_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(sa.ID)})),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("delegated_app_profile_ids"), knownvalue.Null()),
				},
			},
			{
				ResourceName:      connAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccMigrationConnection_update(t *testing.T) {
	contoso := testAccConnectedTenant(t, devTenant)
	fabrikam := testAccConnectedTenant(t, devOtherTenant)
	app := testAccConnectionAppProfile(t, contoso, domain.AppTypeMicrosoft365, "")
	delegated := testAccConnectionAppProfile(t, contoso, domain.AppTypeDelegatedApp, "")
	custom := testAccConnectionAppProfile(t, contoso, domain.AppTypeCustomAzureApp, devMember)
	sa := testAccConnectionServiceAccount(t, contoso, devServiceUser, devServicePassword, false)
	fabrikamApp := testAccConnectionAppProfile(t, fabrikam, domain.AppTypeMicrosoft365, "")
	name := acctest.RandomWithPrefix("tf-conn")
	update := []plancheck.PlanCheck{plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate)}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig_legacy(name, contoso.ID, app.ID, sa.ID, "EUR", "ctr-contoso-groups-eur"),
			},
			{
				// Renamed, another location (spelled in lower case: the
				// service stores upper case, and no diff may follow) and
				// container, and legacy switched to modern: all in place.
				// What the configuration no longer sets is removed.
				Config: testAccMigrationConnectionConfig(name+"-renamed", contoso.ID, fmt.Sprintf(`
  geo_location                   = "nam"
  container_id                   = "ctr-contoso-groups-nam"
  service_account_authentication = "modern"
  delegated_app_profile_ids      = [%[1]q]
`, delegated.ID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: update},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("geo_location"), knownvalue.StringExact("nam")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("app_profile"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("service_account_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("delegated_app_profile_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(delegated.ID)})),
				},
			},
			{
				// A custom app profile whose impersonation user is
				// overridden by the connection.
				Config:           testAccMigrationConnectionConfig_app(name, contoso.ID, custom.ID, "Adele@Contoso.onmicrosoft.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: update},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("app_profile").AtSliceIndex(0).AtMapKey("impersonation_user"), knownvalue.StringExact("Adele@Contoso.onmicrosoft.com")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("geo_location"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("service_account_authentication"), knownvalue.Null()),
				},
			},
			{
				// The override removed from the configuration: the
				// profile's own user applies again.
				Config: testAccMigrationConnectionConfig_app(name, contoso.ID, custom.ID, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(update,
					plancheck.ExpectUnknownValue(connAddr, tfjsonpath.New("app_profile").AtSliceIndex(0).AtMapKey("impersonation_user")))},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("app_profile").AtSliceIndex(0).AtMapKey("impersonation_user"), knownvalue.StringExact("")),
				},
			},
			{
				// Another tenant is another connection.
				Config: testAccMigrationConnectionConfig_app(name, fabrikam.ID, fabrikamApp.ID, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(fabrikam.ID)),
				},
			},
		},
	})
}

func TestAccMigrationConnection_drift(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	sa := testAccConnectionServiceAccount(t, tn, devServiceUser, devServicePassword, false)
	name := acctest.RandomWithPrefix("tf-conn")
	config := testAccMigrationConnectionConfig_legacy(name, tn.ID, app.ID, sa.ID, "EUR", "ctr-contoso-groups-eur")
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					id = connID(s)
					return nil
				},
			},
			{
				// Renamed, moved to another container and stripped of its
				// app profile outside Terraform: the plan puts each back,
				// in place.
				PreConfig: func() {
					renamed, container := "renamed-elsewhere", "ctr-contoso-groups-apc"
					if _, _, err := testClient(t).UpdateConnection(testCtx(t), id, domain.ConnectionWrite{
						Name: &renamed, ContainerID: &container, AppProfiles: &[]domain.ConnectionAppProfile{},
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("container_id"), knownvalue.StringExact("ctr-contoso-groups-eur")),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("app_profile").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact(app.ID)),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("geo_location"), knownvalue.StringExact("EUR")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("container_id"), knownvalue.StringExact("ctr-contoso-groups-eur")),
				},
			},
		},
	})
}

func TestAccMigrationConnection_disappears(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	config := testAccMigrationConnectionConfig_app(acctest.RandomWithPrefix("tf-conn"), tn.ID, app.ID, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					return testClient(t).DeleteConnection(testCtx(t), connID(s))
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// The credential rules that need no service are checked at plan time.
func TestAccMigrationConnection_credentialArguments(t *testing.T) {
	const tenant = "tenant-not-contacted"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccMigrationConnectionConfig("x", tenant, ""),
				ExpectError: credErrorPattern(`Missing credentials.*A migration connection needs credentials`),
			},
			{
				Config:      testAccMigrationConnectionConfig("x", tenant, `service_account_ids = ["sa-1"]`),
				ExpectError: credErrorPattern(`Attribute "service_account_authentication" must be specified when "service_account_ids" is specified`),
			},
			{
				Config: testAccMigrationConnectionConfig("x", tenant, `
  service_account_authentication = "legacy"
  service_account_ids            = ["sa-1"]
  delegated_app_profile_ids      = ["ap-1"]
`),
				ExpectError: credErrorPattern(`Attribute "delegated_app_profile_ids" cannot be specified when "service_account_ids" is specified`),
			},
			{
				Config:      testAccMigrationConnectionConfig("x", tenant, `service_account_authentication = "legacy"`),
				ExpectError: credErrorPattern(`Missing service account profiles`),
			},
			{
				Config: testAccMigrationConnectionConfig("x", tenant, `
  service_account_authentication = "modern"
  service_account_ids            = ["sa-1"]
`),
				ExpectError: credErrorPattern(`Missing delegated app profiles`),
			},
			{
				Config:      testAccMigrationConnectionConfig("x", tenant, `service_account_authentication = "basic"`),
				ExpectError: credErrorPattern(`service_account_authentication.*value must be one of`),
			},
			{
				Config: testAccMigrationConnectionConfig("x", tenant, `
  type = "exchange"
  app_profile {
    id = "ap-1"
  }
`),
				ExpectError: credErrorPattern(`type.*value must be one of`),
			},
		},
	})
}

func TestAccMigrationConnection_credentialTenantMismatch(t *testing.T) {
	contoso := testAccConnectedTenant(t, devTenant)
	fabrikam := testAccConnectedTenant(t, devOtherTenant)
	foreign := testAccConnectionServiceAccount(t, fabrikam, saFabrikamUser, saFabrikamPassword, false)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig(acctest.RandomWithPrefix("tf-conn"), contoso.ID, fmt.Sprintf(`
  service_account_authentication = "legacy"
  service_account_ids            = [%[1]q]
`, foreign.ID)),
				// The refusal names serviceAccountIds[0]; a set has no
				// index, so it lands on the set itself.
				ExpectError: credErrorPattern(`service_account_ids = \[.*belongs to another tenant.*CredentialTenantMismatch`),
			},
		},
	})
}

func TestAccMigrationConnection_geoLocationSingleGeoTenant(t *testing.T) {
	fabrikam := testAccConnectedTenant(t, devOtherTenant)
	app := testAccConnectionAppProfile(t, fabrikam, domain.AppTypeMicrosoft365, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig(acctest.RandomWithPrefix("tf-conn"), fabrikam.ID, fmt.Sprintf(`
  geo_location = "NAM"
  app_profile {
    id = %[1]q
  }
`, app.ID)),
				ExpectError: credErrorPattern(`geo_location.*is not a multi-geo tenant.*GeoLocationNotAllowed`),
			},
		},
	})
}

func TestAccMigrationConnection_geoLocationUnknown(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig(acctest.RandomWithPrefix("tf-conn"), tn.ID, fmt.Sprintf(`
  geo_location = "JPN"
  app_profile {
    id = %[1]q
  }
`, app.ID)),
				ExpectError: credErrorPattern(`geo_location.*has no geo location "JPN"; use one of NAM, EUR, APC.*GeoLocationNotAllowed`),
			},
		},
	})
}

func TestAccMigrationConnection_containerTenantMismatch(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig(acctest.RandomWithPrefix("tf-conn"), tn.ID, fmt.Sprintf(`
  container_id = "ctr-fabrikam-groups"
  app_profile {
    id = %[1]q
  }
`, app.ID)),
				ExpectError: credErrorPattern(`container_id.*is not a container of tenant.*ContainerTenantMismatch`),
			},
		},
	})
}

func TestAccMigrationConnection_impersonationUserUnlicensed(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	custom := testAccConnectionAppProfile(t, tn, domain.AppTypeCustomAzureApp, devMember)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig_app(acctest.RandomWithPrefix("tf-conn"), tn.ID, custom.ID, devUnlicensed),
				// appProfiles[0].impersonationUser is app_profile[0].impersonation_user.
				ExpectError: credErrorPattern(`in resource "aos_migration_connection" "test":.*impersonation_user = "` +
					regexp.QuoteMeta(devUnlicensed) + `".*has no Exchange Online license.*ImpersonationUserUnlicensed`),
			},
		},
	})
}

func TestAccMigrationConnection_legacyWithMfaAccount(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	mfa := testAccConnectionServiceAccount(t, tn, devMfaUser, devMfaAppPassword, true)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccMigrationConnectionConfig(acctest.RandomWithPrefix("tf-conn"), tn.ID, fmt.Sprintf(`
  service_account_authentication = "legacy"
  service_account_ids            = [%[1]q]
`, mfa.ID)),
				ExpectError: credErrorPattern(`service_account_ids = \[.*legacy authentication cannot use MFA accounts.*MfaNotSupported`),
			},
		},
	})
}

func TestAccMigrationConnection_modernWithApplicationApp(t *testing.T) {
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckMigrationConnectionDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccMigrationConnectionConfig_modern(acctest.RandomWithPrefix("tf-conn"), tn.ID, app.ID),
				ExpectError: credErrorPattern(`delegated_app_profile_ids = \[.*has application permissions only.*CredentialKindMismatch`),
			},
		},
	})
}

// TestMigrationConnectionPatch checks that an update sends only what the
// plan changes, so a field changed outside Terraform since the plan is not
// written back with the value the plan read.
func TestMigrationConnectionPatch(t *testing.T) {
	ctx := context.Background()
	apType := types.ObjectType{AttrTypes: connectionAppProfileAttrTypes}
	apList := func(user types.String) types.List {
		return types.ListValueMust(apType, []attr.Value{types.ObjectValueMust(connectionAppProfileAttrTypes,
			map[string]attr.Value{"id": types.StringValue("ap1"), "impersonation_user": user})})
	}
	state := migrationConnectionModel{
		ID: types.StringValue("c1"), Name: types.StringValue("old"), Type: types.StringValue("microsoft_365_groups"),
		TenantID: types.StringValue("t1"), GeoLocation: types.StringValue("EUR"), ContainerID: types.StringNull(),
		AppProfile: apList(types.StringValue("")), ServiceAccountAuthentication: types.StringValue("legacy"),
		ServiceAccountIDs: connIDSet([]string{"sa1"}), DelegatedAppProfileIDs: types.SetNull(types.StringType),
		ModifiedTime: types.StringValue("2026-01-01T00:00:00Z"),
	}

	plan := state
	plan.Name, plan.ModifiedTime = types.StringValue("new"), types.StringUnknown()
	in, changed, diags := plan.patch(ctx, &state)
	if diags.HasError() || !changed {
		t.Fatalf("rename: changed=%v %v", changed, diags)
	}
	want := domain.ConnectionWrite{Name: ptr("new")}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("rename sends %+v, want only the name", in)
	}

	plan = state
	plan.GeoLocation = types.StringNull()
	plan.ServiceAccountAuthentication = types.StringNull()
	plan.ServiceAccountIDs = types.SetNull(types.StringType)
	plan.AppProfile = apList(types.StringUnknown())
	in, changed, _ = plan.patch(ctx, &state)
	if !changed || in.Name != nil || in.ContainerID != nil || in.DelegatedAppProfileIDs != nil || in.TenantID != nil || in.Type != nil {
		t.Fatalf("removals send %+v, want only the removed arguments", in)
	}
	// Removed arguments are sent empty, so they are removed.
	if in.GeoLocation == nil || *in.GeoLocation != "" || in.ServiceAccountAuthentication == nil || *in.ServiceAccountAuthentication != "" ||
		in.ServiceAccountIDs == nil || len(*in.ServiceAccountIDs) != 0 {
		t.Fatalf("removals send %+v, want empty values", in)
	}
	if in.AppProfiles == nil || len(*in.AppProfiles) != 1 || (*in.AppProfiles)[0].ID != "ap1" {
		t.Fatalf("app profiles sent %+v, want the whole list", in.AppProfiles)
	}

	plan = state
	plan.ModifiedTime = types.StringUnknown()
	if in, changed, _ = plan.patch(ctx, &state); changed {
		t.Fatalf("nothing to write, yet it sends %+v", in)
	}
}
