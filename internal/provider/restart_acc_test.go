package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/faultproxy"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

// aosdProcess is aosd run as its own process (`aosd dev` on a data dir, or
// `aosd serve` on a PostgreSQL database), so a test can kill it (SIGKILL:
// no shutdown, transactions cut wherever they are) and start it again on
// the same data and port.
type aosdProcess struct {
	t       *testing.T
	bin     string
	dataDir string
	logPath string
	// args are the command's arguments without --listen.
	args []string
	// creds are the client's AOS_* values; for aosd dev they come from
	// the env file it writes.
	creds map[string]string

	mu      sync.Mutex
	addr    string // host:port, fixed after the first start
	cmd     *exec.Cmd
	exited  chan struct{}
	starts  int
	kills   int
	pending sync.WaitGroup // restarts scheduled and not yet done
}

// buildAOSD builds cmd/aosd from this tree into dir.
func buildAOSD(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "aosd")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", out, "../../cmd/aosd")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building aosd: %v\n%s", err, b)
	}
	return out
}

// startAOSDProcess starts aosd dev with auto-consent on a new data dir and
// a free port, and stops it when the test ends.
func startAOSDProcess(t *testing.T) *aosdProcess {
	t.Helper()
	work := t.TempDir()
	a := &aosdProcess{t: t, bin: buildAOSD(t, work), dataDir: filepath.Join(work, "data"), logPath: filepath.Join(work, "aosd.log")}
	a.args = []string{"dev", "--data-dir", a.dataDir, "--auto-consent", "--log-level", "warn"}
	a.run()
	return a
}

// startAOSDServeProcess starts aosd serve (production mode, no dev
// routes, so no consent completes) on the PostgreSQL database dbURL with a
// new key and API client, on a free port, and stops it when the test ends.
func startAOSDServeProcess(t *testing.T, dbURL string) *aosdProcess {
	t.Helper()
	work := t.TempDir()
	a := &aosdProcess{t: t, bin: buildAOSD(t, work), logPath: filepath.Join(work, "aosd.log")}
	keyFile, msSecretFile := filepath.Join(work, "key"), filepath.Join(work, "microsoft-secret")
	for f, v := range map[string]string{keyFile: secrets.GenerateKey(), msSecretFile: "restart-test-secret"} {
		if err := os.WriteFile(f, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.CommandContext(t.Context(), a.bin, "clients", "create", "--database", dbURL, "--org", "restart").CombinedOutput()
	if err != nil {
		t.Fatalf("aosd clients create: %v\n%s", err, out)
	}
	a.creds = parseEnv(string(out))
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.addr = ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	a.creds["AOS_ENDPOINT"] = "http://" + a.addr
	a.args = []string{"serve", "--database", dbURL, "--encryption-key-file", keyFile, "--public-url", "http://" + a.addr,
		"--microsoft-client-id", "00000000-0000-0000-0000-0000000000a5", "--microsoft-client-secret-file", msSecretFile,
		"--disable-amazon", "--rate-limit", "0", "--log-level", "warn"}
	a.run()
	return a
}

// run starts the process for the first time and stops it at cleanup.
func (a *aosdProcess) run() {
	t := a.t
	t.Helper()
	t.Cleanup(func() {
		a.pending.Wait()
		a.mu.Lock()
		defer a.mu.Unlock()
		a.stopLocked()
	})
	if err := a.start(); err != nil {
		t.Fatal(err)
	}
}

// start runs aosd and waits until it answers /healthz. The first start
// listens on a free port, which every later start reuses.
func (a *aosdProcess) start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	listen := a.addr
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	logf, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	_, _ = fmt.Fprintf(logf, "--- start %d on %s\n", a.starts+1, listen)
	// Not the test's context: the process must outlive a step, and the
	// cleanup stops it.
	cmd := exec.Command(a.bin, append(slices.Clone(a.args), "--listen", listen)...) //nolint:noctx // stopped by the cleanup, see above
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting aosd: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	a.cmd, a.exited = cmd, exited
	a.starts++
	deadline := time.Now().Add(time.Minute)
	for {
		if a.addr == "" {
			if env, err := a.env(); err == nil {
				a.addr = strings.TrimPrefix(env["AOS_ENDPOINT"], "http://")
			}
		}
		if a.addr != "" && a.healthy() {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("aosd exited while starting:\n%s", a.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("aosd did not answer /healthz within a minute:\n%s", a.log())
		}
	}
}

func (a *aosdProcess) healthy() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+a.addr+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// env returns the AOS_* values of the client: those given, or those aosd
// dev wrote to its data dir.
func (a *aosdProcess) env() (map[string]string, error) {
	if a.creds != nil {
		return a.creds, nil
	}
	b, err := os.ReadFile(filepath.Join(a.dataDir, "aos.env"))
	if err != nil {
		return nil, err
	}
	vals := parseEnv(string(b))
	if vals["AOS_ENDPOINT"] == "" || vals["AOS_CLIENT_SECRET"] == "" {
		return nil, errors.New("aos.env is not complete yet")
	}
	return vals, nil
}

// parseEnv reads KEY=VALUE lines.
func parseEnv(s string) map[string]string {
	vals := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			vals[k] = v
		}
	}
	return vals
}

func (a *aosdProcess) log() string {
	b, _ := os.ReadFile(a.logPath)
	return string(b)
}

func (a *aosdProcess) stopLocked() {
	if a.cmd == nil {
		return
	}
	_ = a.cmd.Process.Kill()
	<-a.exited
	a.cmd = nil
}

// killAndRestartAfter kills aosd at once and starts it again on the same
// data dir and port after outage, in the background; waitUp waits for that.
func (a *aosdProcess) killAndRestartAfter(outage time.Duration) {
	a.mu.Lock()
	a.stopLocked()
	a.kills++
	a.pending.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.pending.Done()
		select {
		case <-time.After(outage):
		case <-a.t.Context().Done():
			return
		}
		if err := a.start(); err != nil {
			a.t.Errorf("restarting aosd after the kill: %v", err)
		}
	}()
}

// waitUp waits until the restarts scheduled so far are done.
func (a *aosdProcess) waitUp() { a.pending.Wait() }

func (a *aosdProcess) counts() (starts, kills int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.starts, a.kills
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
func testAccCheckRestartService(t *testing.T, a *aosdProcess, c *client.Client, suffix string) resource.TestCheckFunc {
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
func restartCompare(t *testing.T, a *aosdProcess, c *client.Client, suffix string, ids map[string][]string) error {
	a.waitUp()
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
func testAccRestart(t *testing.T, a *aosdProcess, connected bool, updatePath string) {
	env, err := a.env()
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
			OnFire: func(faultproxy.Event) { a.killAndRestartAfter(outage) }}
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
			if starts, kills := a.counts(); kills != wantKills || starts != wantKills+1 {
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
