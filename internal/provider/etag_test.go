package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

// fakePrivate stands in for the framework's private state data.
type fakePrivate map[string][]byte

func (p fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p fakePrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(p, key)
		return nil
	}
	p[key] = value
	return nil
}

func TestETagPrivateState(t *testing.T) {
	ctx := context.Background()
	p := fakePrivate{}
	if got, diags := loadETag(ctx, p); got != "" || diags.HasError() {
		t.Fatalf("no ETag recorded: got %q, %v; want none", got, diags)
	}
	if diags := setETag(ctx, p, &client.Response{ETag: `"7"`}); diags.HasError() {
		t.Fatal(diags)
	}
	if string(p[privateETag]) != `"\"7\""` {
		t.Fatalf("stored %s, want the ETag as a JSON string", p[privateETag])
	}
	if got, _ := loadETag(ctx, p); got != `"7"` {
		t.Fatalf("loadETag = %q, want %q", got, `"7"`)
	}
	// An answer without an ETag forgets the old one rather than keeping
	// it to send later.
	if diags := setETag(ctx, p, &client.Response{}); diags.HasError() {
		t.Fatal(diags)
	}
	if got, _ := loadETag(ctx, p); got != "" {
		t.Fatalf("loadETag after an answer without ETag = %q, want none", got)
	}
	// Unreadable data is no ETag, not an error.
	p[privateETag] = []byte(`7`)
	if got, diags := loadETag(ctx, p); got != "" || diags.HasError() {
		t.Fatalf("unreadable ETag: got %q, %v", got, diags)
	}
	if got, _ := loadETag(ctx, nil); got != "" {
		t.Fatalf("nil private data: got %q", got)
	}
}

func TestIfMatchOpts(t *testing.T) {
	if got := ifMatchOpts(""); len(got) != 0 {
		t.Fatalf("no ETag: %d options, want none (no precondition)", len(got))
	}
	if got := ifMatchOpts(`"3"`); len(got) != 1 {
		t.Fatalf("an ETag: %d options, want If-Match", len(got))
	}
}
