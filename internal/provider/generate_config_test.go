package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// TestAccGenerateConfig_importBlocks drives the terraform CLI the way a user
// adopting existing objects does: import blocks, `terraform plan
// -generate-config-out`, apply, and then a plan that must be empty. The
// provider binary is built and installed through a filesystem mirror, as in
// scripts/demo.sh (see newTerraformCLI), so this is the real CLI path
// rather than the test framework's in-process one.
func TestAccGenerateConfig_importBlocks(t *testing.T) {
	cli := newTerraformCLI(t)

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

	dir := filepath.Join(t.TempDir(), "config")
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
`, cli.ns, tn.ID, app.ID, partner.ID))

	run := func(args ...string) (string, int) { return cli.run(dir, args...) }
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
