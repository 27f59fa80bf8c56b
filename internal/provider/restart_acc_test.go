package provider

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdproc"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/faultproxy"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

// startAOSDProcess starts aosd dev with auto-consent on a new data dir and
// a free port as its own process, so the test can kill it, and stops it
// when the test ends.
func startAOSDProcess(t *testing.T) *aosdproc.Process {
	t.Helper()
	work := t.TempDir()
	return startAOSD(t, aosdproc.Dev(buildAOSD(t, work), work))
}

// startAOSDServeProcess starts aosd serve (production mode, no dev
// routes, so no consent completes) on the PostgreSQL database dbURL with a
// new key and API client, on a free port, and stops it when the test ends.
func startAOSDServeProcess(t *testing.T, dbURL string) *aosdproc.Process {
	t.Helper()
	work := t.TempDir()
	bin := buildAOSD(t, work)
	keyFile, msSecretFile := filepath.Join(work, "key"), filepath.Join(work, "microsoft-secret")
	for f, v := range map[string]string{keyFile: secrets.GenerateKey(), msSecretFile: "restart-test-secret"} {
		if err := os.WriteFile(f, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.CommandContext(t.Context(), bin, "clients", "create", "--database", dbURL, "--org", "restart").CombinedOutput()
	if err != nil {
		t.Fatalf("aosd clients create: %v\n%s", err, out)
	}
	// serve needs its address before it starts, for --public-url.
	addr, err := aosdproc.FreeAddr(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	creds := aosdproc.ParseEnv(string(out))
	creds["AOS_ENDPOINT"] = "http://" + addr
	return startAOSD(t, aosdproc.Options{
		Bin: bin,
		Args: []string{"serve", "--database", dbURL, "--encryption-key-file", keyFile, "--public-url", "http://" + addr,
			"--microsoft-client-id", "00000000-0000-0000-0000-0000000000a5", "--microsoft-client-secret-file", msSecretFile,
			"--disable-amazon", "--rate-limit", "0", "--log-level", "warn"},
		Addr:    addr,
		Env:     creds,
		LogPath: filepath.Join(work, "aosd.log"),
	})
}

// buildAOSD builds cmd/aosd from this tree into dir.
func buildAOSD(t *testing.T, dir string) string {
	t.Helper()
	bin, err := aosdproc.Build(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// startAOSD starts aosd as opts say and stops it when the test ends.
func startAOSD(t *testing.T, opts aosdproc.Options) *aosdproc.Process {
	t.Helper()
	a, err := aosdproc.Start(t.Context(), opts)
	t.Cleanup(a.Stop)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// restartOutage is how long aosd stays down after the kill during create:
// longer than the whole retry count of the client on today's main (four
// retries from 0.5 s, at most about 8.5 s of waits), shorter than a retry
// time budget worth having.
const restartOutage = 10 * time.Second

// testAccRestartConfig is a Microsoft 365 tenant and three partner app
// profiles, and with connected (the tenant connects at once: aosd dev
// --auto-consent) app profiles, a service account profile and a migration
// connection in the tenant; names end in suffix.
func testAccRestartConfig(p *faultproxy.Proxy, env map[string]string, suffix string, connected bool) string {
	config := fmt.Sprintf(`
provider "aos" {
  endpoint      = %[1]q
  client_id     = %[2]q
  client_secret = %[3]q
}

resource "aos_microsoft_tenant" "contoso" {
  domain = %[4]q
}

resource "aos_partner_app_profile" "p" {
  count = 3
  name  = "restart-partner-${count.index}%[5]s"
}
`, p.URL(), env["AOS_CLIENT_ID"], env["AOS_CLIENT_SECRET"], devTenant, suffix)
	if !connected {
		return config
	}
	return config + fmt.Sprintf(`
resource "aos_app_profile" "app" {
  count     = 2
  name      = "restart-app-${count.index}%[1]s"
  tenant_id = aos_microsoft_tenant.contoso.id
  type      = "microsoft_365"
}

resource "aos_service_account_profile" "sa" {
  tenant_id           = aos_microsoft_tenant.contoso.id
  name                = "restart-sa%[1]s"
  services            = ["fly"]
  username            = %[2]q
  password_wo         = %[3]q
  password_wo_version = 1
}

resource "aos_migration_connection" "c" {
  name      = "restart-conn%[1]s"
  tenant_id = aos_microsoft_tenant.contoso.id
  app_profile {
    id = aos_app_profile.app[0].id
  }
}
`, suffix, saPlainUser, saPlainPassword)
}

// restartObject is an object of the service: its id, and its name when the
// configuration names it.
type restartObject struct{ id, name string }

func restartObjects[T any](xs []T, err error, f func(T) restartObject) ([]restartObject, error) {
	if err != nil {
		return nil, err
	}
	out := make([]restartObject, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out, nil
}

// testAccCheckRestartService fails unless the service holds exactly the
// objects in the state, kind by kind (no duplicate, no orphan), each named
// with suffix (no lost write).
func testAccCheckRestartService(t *testing.T, a *aosdproc.Process, c *client.Client, suffix string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids := map[string][]string{}
		for _, rs := range s.RootModule().Resources {
			ids[rs.Type] = append(ids[rs.Type], rs.Primary.ID)
		}
		return restartCompare(t, a, c, suffix, ids)
	}
}

// restartCompare compares the objects in the service with ids, the ids in
// the state by resource type.
func restartCompare(t *testing.T, a *aosdproc.Process, c *client.Client, suffix string, ids map[string][]string) error {
	if err := a.Wait(); err != nil {
		return err
	}
	ctx := testCtx(t)
	listers := map[string]func() ([]restartObject, error){
		"aos_microsoft_tenant": func() ([]restartObject, error) {
			xs, err := c.ListTenants(ctx, client.Filter{})
			return restartObjects(xs, err, func(x domain.Tenant) restartObject { return restartObject{x.ID, ""} })
		},
		"aos_partner_app_profile": func() ([]restartObject, error) {
			xs, err := c.ListPartnerAppProfiles(ctx, client.Filter{})
			return restartObjects(xs, err, func(x domain.PartnerAppProfile) restartObject { return restartObject{x.ID, x.Name} })
		},
		"aos_app_profile": func() ([]restartObject, error) {
			xs, err := c.ListAppProfiles(ctx, client.Filter{})
			return restartObjects(xs, err, func(x domain.AppProfile) restartObject { return restartObject{x.ID, x.Name} })
		},
		"aos_service_account_profile": func() ([]restartObject, error) {
			xs, err := c.ListServiceAccounts(ctx, client.Filter{})
			return restartObjects(xs, err, func(x domain.ServiceAccount) restartObject { return restartObject{x.ID, x.Name} })
		},
		"aos_migration_connection": func() ([]restartObject, error) {
			xs, err := c.ListConnections(ctx, client.Filter{})
			return restartObjects(xs, err, func(x domain.Connection) restartObject { return restartObject{x.ID, x.Name} })
		},
	}
	var problems []string
	for typ, list := range listers {
		inState := slices.Clone(ids[typ])
		objs, err := list()
		if err != nil {
			return err
		}
		var inService []string
		for _, o := range objs {
			inService = append(inService, o.id)
			if o.name != "" && !strings.HasSuffix(o.name, suffix) {
				problems = append(problems, fmt.Sprintf("%s %s is named %q, want the suffix %q: a lost write", typ, o.id, o.name, suffix))
			}
		}
		slices.Sort(inState)
		slices.Sort(inService)
		if !slices.Equal(inState, inService) {
			problems = append(problems, fmt.Sprintf("%s: the state holds %v, the service %v (duplicates or orphans)", typ, inState, inService))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// TestAccRestart_killMidApply kills aosd (SIGKILL) in the middle of an
// apply of several resources, right after it committed a create whose reply
// the proxy then drops, keeps it down for restartOutage and starts it again
// on the same SQLite file and port. The apply's retries must carry it: the
// retried create is answered from the idempotency record that committed
// with the object, the other writes in flight are retried. Then the same
// with an update (a PATCH committed, its reply lost, aosd killed). After
// each apply and a re-apply: exactly the objects in the state exist in the
// service, with the values written.
func TestAccRestart_killMidApply(t *testing.T) {
	testAccPreCheck(t)
	testAccRestart(t, startAOSDProcess(t), true, "/v1/app-profiles/*")
}

// TestAccRestart_killMidApplyPostgres is the same with aosd serve on
// PostgreSQL, whose server keeps running while aosd dies: the transactions
// aosd had open are rolled back by PostgreSQL when their connections drop.
// Production mode completes no consent, so the configuration holds only
// what needs none; the update renames partner app profiles.
func TestAccRestart_killMidApplyPostgres(t *testing.T) {
	testAccPreCheck(t)
	testAccRestart(t, startAOSDServeProcess(t, testpg.URL(t)), false, "/v1/partner-app-profiles/*")
}

// testAccRestart runs the kill-and-restart test against a: the create kill
// on the second partner app profile's POST, the update kill on the first
// PATCH matching updatePath.
func testAccRestart(t *testing.T, a *aosdproc.Process, connected bool, updatePath string) {
	env, err := a.Env()
	if err != nil {
		t.Fatal(err)
	}
	direct, err := client.New(client.Config{Endpoint: env["AOS_ENDPOINT"], ClientID: env["AOS_CLIENT_ID"], ClientSecret: env["AOS_CLIENT_SECRET"]})
	if err != nil {
		t.Fatal(err)
	}
	p, err := faultproxy.Start(env["AOS_ENDPOINT"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	killAfterCommit := func(method, path string, nth int, outage time.Duration) faultproxy.Rule {
		return faultproxy.Rule{Method: method, Path: path, Nth: nth, Fault: faultproxy.DropReply,
			OnFire: func(faultproxy.Event) { a.Kill(); a.RestartAfter(t.Context(), outage) }}
	}
	checkKilled := func(wantKills int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for _, e := range p.Events() {
				t.Logf("fault injected: %s", e)
			}
			if u := p.Unfired(); len(u) > 0 {
				return fmt.Errorf("the kill never happened, so this step proves nothing: %s", strings.Join(u, "; "))
			}
			for _, e := range p.Events() {
				if e.Upstream < 200 || e.Upstream > 299 {
					return fmt.Errorf("the write before the kill did not commit: %s", e)
				}
			}
			if starts, kills := a.Counts(); kills != wantKills || starts != wantKills+1 {
				return fmt.Errorf("aosd was killed %d times and started %d times, want %d and %d", kills, starts, wantKills, wantKills+1)
			}
			return nil
		}
	}
	reapply := func(suffix string) resource.TestStep {
		return resource.TestStep{
			PreConfig:        func() { p.SetRules() },
			Config:           testAccRestartConfig(p, env, suffix, connected),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            testAccCheckRestartService(t, a, direct, suffix),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// Destroy leaves nothing: checked against an empty state, every
		// object still in the service is an orphan.
		CheckDestroy: func(*terraform.State) error { return restartCompare(t, a, direct, "", nil) },
		Steps: []resource.TestStep{
			{
				// The second of three partner profiles created at once.
				PreConfig: func() {
					p.SetRules(killAfterCommit(http.MethodPost, "/v1/partner-app-profiles", 2, restartOutage))
				},
				Config: testAccRestartConfig(p, env, "", connected),
				Check: resource.ComposeTestCheckFunc(checkKilled(1),
					testAccCheckRestartService(t, a, direct, "")),
			},
			reapply(""),
			{
				// A rename whose PATCH committed; the outage is short, the
				// lost reply is the point.
				PreConfig: func() {
					p.SetRules(killAfterCommit(http.MethodPatch, updatePath, 1, time.Second))
				},
				Config: testAccRestartConfig(p, env, "-renamed", connected),
				Check: resource.ComposeTestCheckFunc(checkKilled(2),
					testAccCheckRestartService(t, a, direct, "-renamed")),
			},
			reapply("-renamed"),
		},
	})
}
