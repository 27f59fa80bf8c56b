package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

// testAOS is the aosd every acceptance test in this package talks to: one
// real instance in dev mode on a temporary SQLite file, reached over HTTP.
var testAOS *aosdtest.Instance

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"aos": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) (code int) {
	// The PostgreSQL server of the tests that use one (testpg), if any
	// started.
	defer testpg.Stop()
	if os.Getenv("TF_ACC") != "" {
		// moto is the AWS IAM/STS endpoint of the Amazon tenant tests, and
		// aosd verifies Amazon roles against it (see testAccStartMoto).
		stsEndpoint, stopMoto := testAccStartMoto()
		defer stopMoto()
		in, err := aosdtest.Start(aosdtest.Options{STSEndpoint: stsEndpoint})
		if err != nil {
			fmt.Fprintln(os.Stderr, "starting aosd for acceptance tests:", err)
			return 1
		}
		defer func() {
			if err := in.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "stopping aosd after acceptance tests:", err)
				if code == 0 {
					code = 1
				}
			}
		}()
		testAOS = in
		for k, v := range in.Env() {
			if err := os.Setenv(k, v); err != nil {
				fmt.Fprintf(os.Stderr, "setting %s for acceptance tests: %v\n", k, err)
				return 1
			}
		}
		// Polls in tests run against a local service; waiting two seconds
		// between them only slows the suite.
		consentPollInterval = 100 * time.Millisecond
	}
	return m.Run()
}

func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it")
	}
	if testAOS == nil {
		t.Fatal("TF_ACC is set but aosd did not start")
	}
}

// testClient is an API client on the test aosd, for checks and for
// out-of-band changes in PreConfig.
func testClient(t *testing.T) *client.Client {
	t.Helper()
	// Tests that prepare objects through the API before resource.Test
	// would otherwise fail without TF_ACC, where resource.Test skips.
	testAccPreCheck(t)
	c, err := client.New(client.Config{Endpoint: testAOS.Endpoint, ClientID: testAOS.ClientID, ClientSecret: testAOS.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// testAccConnectedTenant registers and connects a Microsoft 365 tenant
// through the API, for tests of objects that live in a tenant, and removes
// it when the test ends (after Terraform destroyed what it made). Tests run
// one at a time in this package, so one registration per domain at a time
// is enough.
func testAccConnectedTenant(t *testing.T, tenantDomain string) *domain.Tenant {
	t.Helper()
	c := testClient(t)
	ctx := testCtx(t)
	tn, _, err := c.CreateTenant(ctx, domain.TenantCreate{Platform: domain.PlatformMicrosoft, Domain: tenantDomain})
	if err != nil {
		t.Fatalf("registering %s: %v", tenantDomain, err)
	}
	admin := "admin@" + tenantDomain
	if err := c.DevConsent(ctx, tn.ID, admin); err != nil {
		t.Fatalf("consenting %s as %s: %v", tenantDomain, admin, err)
	}
	t.Cleanup(func() { testAccRemoveTenant(t, tn.ID) })
	tn, _, err = c.GetTenant(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// testAccRemoveTenant deletes a tenant and whatever a failed test left in
// it, connections first (they use the other objects).
func testAccRemoveTenant(t *testing.T, id string) {
	c := testClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := client.Filter{TenantID: id}
	if cs, err := c.ListConnections(ctx, f); err == nil {
		for _, x := range cs {
			_ = c.DeleteConnection(ctx, x.ID)
		}
	}
	if as, err := c.ListAppProfiles(ctx, f); err == nil {
		for _, x := range as {
			_ = c.DeleteAppProfile(ctx, x.ID)
		}
	}
	if ss, err := c.ListServiceAccounts(ctx, f); err == nil {
		for _, x := range ss {
			_ = c.DeleteServiceAccount(ctx, x.ID)
		}
	}
	if err := c.DeleteTenant(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		t.Errorf("removing tenant %s: %v", id, err)
	}
}

// testAccCheckNoSecretInState fails when any attribute of any resource in
// the state holds one of the secrets: write-only arguments must never be
// persisted.
func testAccCheckNoSecretInState(secrets ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				for _, secret := range secrets {
					if secret != "" && strings.Contains(v, secret) {
						return fmt.Errorf("%s.%s holds a secret in the state", addr, k)
					}
				}
			}
		}
		return nil
	}
}
