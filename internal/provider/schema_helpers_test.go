package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestServiceRuleValidators: names and descriptions are judged at plan time
// as the service judges them, in characters rather than bytes.
func TestServiceRuleValidators(t *testing.T) {
	jp := strings.Repeat("名", 128) // 128 characters, 384 bytes
	for _, tc := range []struct {
		name   string
		rules  []validator.String
		value  string
		refuse string // part of the error, "" when accepted
	}{
		{"name of 128 multibyte characters", nameValidators(), jp, ""},
		{"name of 129 characters", nameValidators(), jp + "x", "129 characters"},
		{"name with a trailing space", nameValidators(), "Backup ", "spaces"},
		{"blank name", nameValidators(), "  ", "required"},
		{"description of 1000 multibyte characters", descriptionValidators(), strings.Repeat("é", 1000), ""},
		{"description of 1001 characters", descriptionValidators(), strings.Repeat("é", 1001), "1001 characters"},
		{"description with line breaks", descriptionValidators(), "line one\nline two", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp validator.StringResponse
			for _, r := range tc.rules {
				r.ValidateString(context.Background(), validator.StringRequest{
					Path: path.Root("name"), ConfigValue: types.StringValue(tc.value)}, &resp)
			}
			switch {
			case tc.refuse == "" && resp.Diagnostics.HasError():
				t.Fatalf("refused: %v", resp.Diagnostics)
			case tc.refuse != "" && !resp.Diagnostics.HasError():
				t.Fatal("accepted")
			case tc.refuse != "" && !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), tc.refuse):
				t.Fatalf("detail %q does not mention %q", resp.Diagnostics.Errors()[0].Detail(), tc.refuse)
			}
		})
	}
}
