package provider

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
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

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC") != "" {
		in, err := aosdtest.Start(aosdtest.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "starting aosd for acceptance tests:", err)
			return 1
		}
		defer in.Close()
		testAOS = in
		for k, v := range in.Env() {
			os.Setenv(k, v)
		}
		// Polls in tests run against a local service; waiting two seconds
		// between them only slows the suite.
		consentPollInterval = 100 * time.Millisecond
	}
	return m.Run()
}

func testAccPreCheck(t *testing.T) {
	t.Helper()
	if testAOS == nil {
		t.Fatal("TF_ACC is set but aosd did not start")
	}
}

// testClient is an API client on the test aosd, for checks and for
// out-of-band changes in PreConfig.
func testClient(t *testing.T) *client.Client {
	t.Helper()
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
