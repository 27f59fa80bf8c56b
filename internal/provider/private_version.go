package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privateVersion reads a version number recorded in private state under
// key, such as the service's secret or certificate version right after
// Terraform last sent the secret; ok is false when none is recorded.
func privateVersion(ctx context.Context, p credPrivateReader, key string) (int64, bool, diag.Diagnostics) {
	if p == nil {
		return 0, false, nil
	}
	b, diags := p.GetKey(ctx, key)
	if diags.HasError() || len(b) == 0 {
		return 0, false, diags
	}
	var v int64
	if err := json.Unmarshal(b, &v); err != nil {
		return 0, false, diags
	}
	return v, true, diags
}

// setPrivateVersion records v in private state under key.
func setPrivateVersion(ctx context.Context, p credPrivateWriter, key string, v int) diag.Diagnostics {
	if p == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return p.SetKey(ctx, key, b)
}
