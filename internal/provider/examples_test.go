package provider

import (
	"context"
	"os"
	"path/filepath"
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
