package provider

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// tfCLI runs the real terraform CLI against the provider built from this
// tree and the test aosd. The test framework applies every plan right after
// making it, so what happens between a saved plan and its apply can only be
// tested this way.
type tfCLI struct {
	t   *testing.T
	tf  string
	env []string
	// ns is the registry namespace the provider is installed under:
	// configurations require source = "<ns>/aos".
	ns string
}

// terraformForCLITests is the terraform binary for tests that drive the CLI
// themselves; it skips the test without TF_ACC or without terraform.
func terraformForCLITests(t *testing.T) string {
	t.Helper()
	testAccPreCheck(t)
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH")
	}
	return tf
}

// buildProvider builds the provider from this tree to out.
func buildProvider(t *testing.T, out string) {
	t.Helper()
	build := exec.CommandContext(t.Context(), "go", "build", "-o", out, "../..")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, b)
	}
}

// newTerraformCLI builds the provider and installs it through a filesystem
// mirror, as in scripts/demo.sh, with a CLI configuration of its own. It
// skips the test when no terraform binary is found.
func newTerraformCLI(t *testing.T) *tfCLI {
	t.Helper()
	tf := terraformForCLITests(t)
	work := t.TempDir()
	const ns, ver = "aos-dev", "0.0.1"
	plugin := filepath.Join(work, "mirror", "registry.terraform.io", ns, "aos", ver, runtime.GOOS+"_"+runtime.GOARCH)
	buildProvider(t, filepath.Join(plugin, "terraform-provider-aos_v"+ver))
	rc := filepath.Join(work, "terraformrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/%[2]s/aos"]
  }
  direct {
    exclude = ["registry.terraform.io/%[2]s/aos"]
  }
}
`, filepath.Join(work, "mirror"), ns))
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &tfCLI{t: t, tf: tf, env: env, ns: ns}
}

// run runs terraform in dir and returns its combined output and exit code.
func (c *tfCLI) run(dir string, args ...string) (string, int) {
	c.t.Helper()
	cmd := exec.CommandContext(c.t.Context(), c.tf, args...)
	cmd.Dir, cmd.Env = dir, c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("terraform %v: %v", args, err)
	}
	return out.String(), code
}

// mustRun runs terraform and fails the test unless it succeeds.
func (c *tfCLI) mustRun(dir string, args ...string) string {
	c.t.Helper()
	out, code := c.run(dir, args...)
	if code != 0 {
		c.t.Fatalf("terraform %v (exit %d):\n%s", args, code, out)
	}
	return out
}

// savedPlanScenario is one object of a test of saved plans: write
// configures it with value for the attribute the test changes, get reads
// that value through the API and set changes it there, out of band.
type savedPlanScenario struct {
	write func(value string)
	get   func() string
	set   func(value string)
	// shown, when set, is how a plan shows value (such as within a URL);
	// by default the value itself.
	shown func(value string) string
}

// testSavedPlanChangedOutOfBand applies saved plans (terraform plan -out,
// then terraform apply of the file) to an object created by terraform
// apply. A saved plan applies cleanly when nothing changed; when the object
// changed through the API in between, the apply fails with 412 instead of
// overwriting the change, because the update carries the ETag the plan read
// as If-Match. Planning again then shows the change and applies.
func testSavedPlanChangedOutOfBand(t *testing.T, cli *tfCLI, dir string, sc savedPlanScenario) {
	t.Helper()
	sc.write("created")
	cli.mustRun(dir, "init", "-input=false", "-no-color")
	cli.mustRun(dir, "apply", "-input=false", "-no-color", "-auto-approve")

	// Nothing changed in between: the saved plan applies.
	sc.write("planned once")
	cli.mustRun(dir, "plan", "-input=false", "-no-color", "-out=tfplan")
	cli.mustRun(dir, "apply", "-input=false", "-no-color", "tfplan")
	if got := sc.get(); got != "planned once" {
		t.Fatalf("value after applying the saved plan = %q, want %q", got, "planned once")
	}

	// Changed through the API after the plan: the apply is refused and the
	// change stays.
	sc.write("planned twice")
	cli.mustRun(dir, "plan", "-input=false", "-no-color", "-out=tfplan")
	const console = "changed in the console"
	sc.set(console)
	out, code := cli.run(dir, "apply", "-input=false", "-no-color", "tfplan")
	if code == 0 {
		t.Fatalf("terraform apply of a plan made before an out-of-band change succeeded; it must fail:\n%s", out)
	}
	if want := credErrorPattern("The object changed since Terraform planned this change"); !want.MatchString(out) {
		t.Fatalf("terraform apply failed without the 412 message (want %s):\n%s", want, out)
	}
	if !credErrorPattern("Run terraform plan again").MatchString(out) {
		t.Fatalf("the 412 message does not say to plan again:\n%s", out)
	}
	if got := sc.get(); got != console {
		t.Fatalf("value after the refused apply = %q, want the out-of-band %q (overwritten)", got, console)
	}

	// Planning again shows the out-of-band change and applies.
	out = cli.mustRun(dir, "plan", "-input=false", "-no-color", "-out=tfplan")
	shown := console
	if sc.shown != nil {
		shown = sc.shown(console)
	}
	if !credErrorPattern(regexp.QuoteMeta(shown)).MatchString(out) {
		t.Fatalf("the new plan does not show the out-of-band value:\n%s", out)
	}
	cli.mustRun(dir, "apply", "-input=false", "-no-color", "tfplan")
	if got := sc.get(); got != "planned twice" {
		t.Fatalf("value after planning again = %q, want %q", got, "planned twice")
	}
	// A failed test leaves the object to the tenant's cleanup.
	cli.mustRun(dir, "destroy", "-input=false", "-no-color", "-auto-approve")
}

// savedPlanConfig is the configuration of a saved-plan test: the provider
// built by cli, resources, and an output "id" naming the tested object.
func savedPlanConfig(cli *tfCLI, idExpr, resources string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    aos = { source = "%s/aos" }
  }
}

output "id" {
  value = %s
}
`, cli.ns, idExpr) + resources
}

// savedPlanID returns the id of the tested object after the first apply.
func savedPlanID(t *testing.T, cli *tfCLI, dir string) string {
	t.Helper()
	return strings.TrimSpace(cli.mustRun(dir, "output", "-raw", "id"))
}

func TestAccSavedPlan_serviceAccountProfileChangedOutOfBand(t *testing.T) {
	cli := newTerraformCLI(t)
	tn := testAccConnectedTenant(t, devTenant)
	c := testClient(t)
	name := acctest.RandomWithPrefix("tf-sa-saved-plan")
	dir := filepath.Join(t.TempDir(), "config")
	testSavedPlanChangedOutOfBand(t, cli, dir, savedPlanScenario{
		write: func(description string) {
			writeFile(t, filepath.Join(dir, "main.tf"), savedPlanConfig(cli, saAddr+".id",
				testAccServiceAccountProfileConfig_password(tn.ID, name, saPlainUser, saPlainPassword, 1,
					`["fly"]`, fmt.Sprintf("description = %q", description))))
		},
		get: func() string {
			a, _, err := c.GetServiceAccount(testCtx(t), savedPlanID(t, cli, dir))
			if err != nil {
				t.Fatal(err)
			}
			return a.Description
		},
		set: func(description string) {
			if _, _, err := c.UpdateServiceAccount(testCtx(t), savedPlanID(t, cli, dir), domain.ServiceAccountWrite{Description: &description}); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func TestAccSavedPlan_migrationConnectionChangedOutOfBand(t *testing.T) {
	cli := newTerraformCLI(t)
	tn := testAccConnectedTenant(t, devTenant)
	app := testAccConnectionAppProfile(t, tn, domain.AppTypeMicrosoft365, "")
	c := testClient(t)
	prefix := acctest.RandomWithPrefix("tf-conn-saved-plan")
	dir := filepath.Join(t.TempDir(), "config")
	testSavedPlanChangedOutOfBand(t, cli, dir, savedPlanScenario{
		write: func(name string) {
			writeFile(t, filepath.Join(dir, "main.tf"), savedPlanConfig(cli, connAddr+".id",
				testAccMigrationConnectionConfig_app(prefix+" "+name, tn.ID, app.ID, "")))
		},
		get: func() string {
			conn, _, err := c.GetConnection(testCtx(t), savedPlanID(t, cli, dir))
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimPrefix(conn.Name, prefix+" ")
		},
		set: func(name string) {
			if _, _, err := c.UpdateConnection(testCtx(t), savedPlanID(t, cli, dir), domain.ConnectionWrite{Name: credPtr(prefix + " " + name)}); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func TestAccSavedPlan_partnerAppProfileChangedOutOfBand(t *testing.T) {
	cli := newTerraformCLI(t)
	c := testClient(t)
	prefix := acctest.RandomWithPrefix("tf-partner-saved-plan")
	dir := filepath.Join(t.TempDir(), "config")
	var id string
	t.Cleanup(func() {
		// Only a failed test leaves the profile behind.
		if id != "" {
			if err := c.DeletePartnerAppProfile(testCtx(t), id); err != nil && !errors.Is(err, client.ErrNotFound) {
				t.Errorf("removing partner app profile %s: %v", id, err)
			}
		}
	})
	testSavedPlanChangedOutOfBand(t, cli, dir, savedPlanScenario{
		write: func(name string) {
			writeFile(t, filepath.Join(dir, "main.tf"), savedPlanConfig(cli, partnerAddr+".id",
				testAccPartnerAppProfileConfig(prefix+" "+name, "")))
		},
		get: func() string {
			id = savedPlanID(t, cli, dir)
			p, _, err := c.GetPartnerAppProfile(testCtx(t), id)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimPrefix(p.Name, prefix+" ")
		},
		set: func(name string) {
			if _, _, err := c.UpdatePartnerAppProfile(testCtx(t), savedPlanID(t, cli, dir), domain.PartnerAppProfileWrite{Name: credPtr(prefix + " " + name)}); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func TestAccSavedPlan_microsoftTenantChangedOutOfBand(t *testing.T) {
	cli := newTerraformCLI(t)
	c := testClient(t)
	dir := filepath.Join(t.TempDir(), "config")
	// The tested value is a SharePoint admin center URL, named after the
	// scenario's value.
	url := func(value string) string {
		return "https://" + strings.ReplaceAll(value, " ", "-") + "-admin.sharepoint.com"
	}
	var id string
	t.Cleanup(func() {
		// Only a failed test leaves the registration behind.
		if id != "" {
			testAccRemoveTenant(t, id)
		}
	})
	testSavedPlanChangedOutOfBand(t, cli, dir, savedPlanScenario{
		write: func(value string) {
			writeFile(t, filepath.Join(dir, "main.tf"), savedPlanConfig(cli, microsoftTenantAddr+".id",
				testAccMicrosoftTenantConfig_sharePoint(devOtherTenant, url(value))))
		},
		get: func() string {
			id = savedPlanID(t, cli, dir)
			tn, _, err := c.GetTenant(testCtx(t), id)
			if err != nil {
				t.Fatal(err)
			}
			v := strings.TrimSuffix(strings.TrimPrefix(tn.SharePointAdminCenterURL, "https://"), "-admin.sharepoint.com")
			return strings.ReplaceAll(v, "-", " ")
		},
		set: func(value string) {
			u := url(value)
			if _, _, err := c.UpdateTenant(testCtx(t), savedPlanID(t, cli, dir), domain.TenantPatch{SharePointAdminCenterURL: &u}); err != nil {
				t.Fatal(err)
			}
		},
		shown: url,
	})
}
