package provider

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// TestAccGenerateConfig_importBlocks drives the terraform CLI the way a user
// adopting existing objects does: import blocks, `terraform plan
// -generate-config-out`, apply, and then a plan that must be empty. The
// provider binary is built and installed through a filesystem mirror, as in
// scripts/demo.sh, so this is the real CLI path rather than the test
// framework's in-process one.
func TestAccGenerateConfig_importBlocks(t *testing.T) {
	testAccPreCheck(t)
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("terraform is not on PATH")
		}
	}
	work := t.TempDir()
	const ns, ver = "aos-dev", "0.0.1"
	plugin := filepath.Join(work, "mirror", "registry.terraform.io", ns, "aos", ver, runtime.GOOS+"_"+runtime.GOARCH)
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(plugin, "terraform-provider-aos_v"+ver), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
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

	// Objects that exist before Terraform knows them.
	c := testClient(t)
	ctx := testCtx(t)
	tn := testAccConnectedTenant(t, devTenant)
	name := "imported profile"
	app, _, err := c.CreateAppProfile(ctx, domain.AppProfileWrite{Name: &name, TenantID: &tn.ID, Type: ptr("microsoft_365")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteAppProfile(testCtx(t), app.ID) })
	pname := "imported partner profile"
	partner, _, err := c.CreatePartnerAppProfile(ctx, domain.PartnerAppProfileWrite{Name: &pname})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeletePartnerAppProfile(testCtx(t), partner.ID) })

	dir := filepath.Join(work, "config")
	writeFile(t, filepath.Join(dir, "main.tf"), fmt.Sprintf(`terraform {
  required_providers {
    aos = { source = "%s/aos" }
  }
}

import {
  to = aos_microsoft_tenant.contoso
  id = %q
}

import {
  to = aos_app_profile.imported
  id = %q
}

import {
  to = aos_partner_app_profile.imported
  id = %q
}
`, ns, tn.ID, app.ID, partner.ID))

	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	run := func(args ...string) (string, int) {
		cmd := exec.CommandContext(t.Context(), tf, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("terraform %v: %v", args, err)
		}
		return out.String(), code
	}
	if out, code := run("init", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("terraform init: %s", out)
	}
	out, code := run("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	if code != 0 {
		t.Fatalf("terraform plan -generate-config-out failed:\n%s", out)
	}
	gen, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "aos_microsoft_tenant" "contoso"`, `resource "aos_app_profile" "imported"`, `resource "aos_partner_app_profile" "imported"`} {
		if !strings.Contains(string(gen), want) {
			t.Fatalf("generated config lacks %s:\n%s", want, gen)
		}
	}
	if out, code := run("apply", "-input=false", "-no-color", "-auto-approve"); code != 0 {
		t.Fatalf("terraform apply of the imports failed:\n%s\ngenerated config:\n%s", out, gen)
	}
	if out, code := run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after importing with generated config is not empty (exit %d):\n%s\ngenerated config:\n%s", code, out, gen)
	}
	// The objects stay: forget them so the test's cleanup removes them.
	for _, addr := range []string{"aos_app_profile.imported", "aos_partner_app_profile.imported", "aos_microsoft_tenant.contoso"} {
		if out, code := run("state", "rm", addr); code != 0 {
			t.Fatalf("terraform state rm %s: %s", addr, out)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }
