// Command floorprovider measures what terraform-plugin-framework itself
// costs per resource, so the provider's own overhead can be read against it.
// Its resources do no I/O:
//
//   - floor_thing: one computed attribute, the smallest useful resource;
//   - floor_shaped: the attribute shape of aos_partner_app_profile (nine
//     string attributes and a nested timeouts object), which shows how much
//     of a plan's cost comes from the framework's per-attribute work;
//   - floor_raw: the same shape served on terraform-plugin-go directly,
//     without the framework (raw.go): what the plugin protocol and
//     Terraform core cost for this shape when the provider does the least
//     any implementation could.
//
// planbench builds it and plans N of each beside this provider and
// terraform_data. It is never released.
package main

import (
	"context"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}
func (floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return thing{} },
		func() resource.Resource { return thing{shaped: true} },
	}
}

type thing struct{ shaped bool }

// shapedAttributes are floor_shaped's string attributes besides id.
var shapedAttributes = []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"}

func (t thing) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "floor_thing"
	if t.shaped {
		resp.TypeName = "floor_shaped"
	}
}

func (t thing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}
	if !t.shaped {
		resp.Schema = schema.Schema{Attributes: attrs}
		return
	}
	for _, n := range shapedAttributes {
		attrs[n] = schema.StringAttribute{Computed: true}
	}
	attrs["timeouts"] = schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
		"create": schema.StringAttribute{Optional: true}, "update": schema.StringAttribute{Optional: true}}}
	resp.Schema = schema.Schema{Attributes: attrs}
}

// Create is not used by planbench, which writes the state itself.
func (thing) Create(ctx context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue("x"))...)
}

// Read decodes and re-encodes the whole state by reflection, as a real
// resource does, and makes no call.
func (t thing) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !t.shaped {
		var m thingModel
		resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		return
	}
	var m shapedModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type thingModel struct {
	ID types.String `tfsdk:"id"`
}

type shapedModel struct {
	ID       types.String `tfsdk:"id"`
	A1       types.String `tfsdk:"a1"`
	A2       types.String `tfsdk:"a2"`
	A3       types.String `tfsdk:"a3"`
	A4       types.String `tfsdk:"a4"`
	A5       types.String `tfsdk:"a5"`
	A6       types.String `tfsdk:"a6"`
	A7       types.String `tfsdk:"a7"`
	A8       types.String `tfsdk:"a8"`
	Timeouts types.Object `tfsdk:"timeouts"`
}

func (thing) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (thing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func main() {
	// The same log levels as terraform-provider-aos sets when TF_LOG is
	// unset (see its main.go), so the floor is compared like for like.
	if os.Getenv("TF_LOG") == "" {
		for _, env := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_FLOOR"} {
			if os.Getenv(env) == "" {
				_ = os.Setenv(env, "WARN")
			}
		}
	}
	// floor_raw is added beside the framework's resources by hand rather
	// than with terraform-plugin-mux, which this module does not need.
	framework := providerserver.NewProtocol6(floorProvider{})
	err := tf6server.Serve("registry.terraform.io/aos-dev/floor", func() tfprotov6.ProviderServer {
		return rawServer{framework()}
	})
	if err != nil {
		log.Fatal(err)
	}
}
