package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

// privateETag is the private-state key holding the ETag of the object as
// Terraform last saw it (JSON string).
//
// Why: Terraform plans against the object it read at plan time, and a saved
// plan (terraform plan -out, later terraform apply) is applied without
// reading it again. Without a precondition, an update would silently
// overwrite whatever changed in between (for example in the console).
// Keeping the ETag next to the state, and sending it as If-Match on the
// update, makes the service refuse the write with 412 instead, so the user
// plans again and sees the change. Private state travels through the plan
// (also a saved one) to the apply unchanged, which is what makes this work.
const privateETag = "etag"

// setETag records the ETag of the last response about the object. An answer
// without an ETag clears the key, so no stale ETag is sent later.
func setETag(ctx context.Context, p credPrivateWriter, r *client.Response) diag.Diagnostics {
	if p == nil {
		return nil
	}
	if r == nil || r.ETag == "" {
		return p.SetKey(ctx, privateETag, nil)
	}
	return setPrivate(ctx, p, privateETag, r.ETag)
}

// loadETag returns the recorded ETag, or "" when there is none: state from
// before ETags were recorded, or a freshly imported object whose Read has
// not run. No ETag means no precondition, as before.
func loadETag(ctx context.Context, p credPrivateReader) (string, diag.Diagnostics) {
	etag, _, diags := getPrivate[string](ctx, p, privateETag)
	return etag, diags
}

// ifMatchOpts returns the request options that make a write conditional on
// etag; none when etag is empty.
func ifMatchOpts(etag string) []client.RequestOption {
	if etag == "" {
		return nil
	}
	return []client.RequestOption{client.IfMatch(etag)}
}
