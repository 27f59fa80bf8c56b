package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// credPrivateReader is the part of the framework's private state data the
// resources use; request and response private data both satisfy it.
type credPrivateReader interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type credPrivateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// getPrivate reads the JSON value recorded in private state under key; ok is
// false when none is recorded. Unreadable data counts as absent: what the
// provider keeps there (versions, ETags) only sharpens a plan or guards a
// write, so losing it must not fail the operation.
func getPrivate[T any](ctx context.Context, p credPrivateReader, key string) (v T, ok bool, diags diag.Diagnostics) {
	if p == nil {
		return v, false, nil
	}
	b, diags := p.GetKey(ctx, key)
	if diags.HasError() || len(b) == 0 {
		return v, false, diags
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, false, diags
	}
	return v, true, diags
}

// setPrivate records v as JSON in private state under key.
func setPrivate(ctx context.Context, p credPrivateWriter, key string, v any) diag.Diagnostics {
	if p == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Internal error", "encoding private state "+key+": "+err.Error())
		return diags
	}
	return p.SetKey(ctx, key, b)
}

// privateVersion reads a version number recorded in private state under
// key, such as the service's secret or certificate version right after
// Terraform last sent the secret; ok is false when none is recorded.
func privateVersion(ctx context.Context, p credPrivateReader, key string) (int64, bool, diag.Diagnostics) {
	return getPrivate[int64](ctx, p, key)
}

// setPrivateVersion records v in private state under key.
func setPrivateVersion(ctx context.Context, p credPrivateWriter, key string, v int) diag.Diagnostics {
	return setPrivate(ctx, p, key, v)
}
