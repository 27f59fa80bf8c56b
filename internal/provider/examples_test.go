package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TestExamples_everyTypeHasOne: tfplugindocs builds each page's "Example
// Usage" and "Import" sections from examples/, and leaves them out without
// a word when the files are missing. A resource or data source added
// without examples fails here instead of shipping a page without them.
func TestExamples_everyTypeHasOne(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join("..", "..", "examples")
	for _, f := range resources {
		var resp resource.MetadataResponse
		f().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "aos"}, &resp)
		for _, file := range []string{"resource.tf", "import.sh"} {
			assertNonEmptyFile(t, filepath.Join(root, "resources", resp.TypeName, file))
		}
	}
	for _, f := range dataSources {
		var resp datasource.MetadataResponse
		f().Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "aos"}, &resp)
		assertNonEmptyFile(t, filepath.Join(root, "data-sources", resp.TypeName, "data-source.tf"))
	}
}

func assertNonEmptyFile(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		t.Errorf("missing example: %v", err)
	case fi.Size() == 0:
		t.Errorf("empty example: %s", path)
	}
}

// fileArgument finds the files an example reads with file() or filebase64()
// next to itself, such as a certificate.
var fileArgument = regexp.MustCompile(`file(?:base64)?\("\$\{path\.module\}/([^"]+)"\)`)

// TestAccExamples_validate runs `terraform validate` on every example with
// the provider built from this tree, so the examples published in docs/
// stay valid for the schema as it changes. Files an example reads (a
// certificate) are stood in for by placeholders; validate does not parse
// them.
func TestAccExamples_validate(t *testing.T) {
	tf := terraformForCLITests(t)
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	buildProvider(t, filepath.Join(bin, "terraform-provider-aos"))
	// dev_overrides use the binary as it is, so validate needs no init.
	rc := filepath.Join(work, "terraformrc")
	writeFile(t, rc, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"aos-dev/aos\" = %q\n  }\n  direct {}\n}\n", bin))

	dirs, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, filepath.Join("..", "..", "examples", "quickstart"))
	for _, dir := range dirs {
		tfFiles, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		if len(tfFiles) == 0 {
			continue
		}
		rel, _ := filepath.Rel(filepath.Join("..", "..", "examples"), dir)
		t.Run(rel, func(t *testing.T) {
			copyDir := filepath.Join(work, "examples", rel)
			declared := false
			for _, f := range tfFiles {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(copyDir, filepath.Base(f)), string(b))
				declared = declared || strings.Contains(string(b), "required_providers")
				for _, m := range fileArgument.FindAllStringSubmatch(string(b), -1) {
					writeFile(t, filepath.Join(copyDir, m[1]), "placeholder")
				}
			}
			if !declared {
				// Per-resource examples are snippets; the docs show them
				// without the terraform block a configuration needs.
				writeFile(t, filepath.Join(copyDir, "versions.tf"),
					"terraform {\n  required_providers {\n    aos = { source = \"aos-dev/aos\" }\n  }\n}\n")
			}
			cmd := exec.CommandContext(t.Context(), tf, "validate", "-no-color")
			cmd.Dir = copyDir
			cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("terraform validate %s: %v\n%s", rel, err, out)
			}
		})
	}
}
