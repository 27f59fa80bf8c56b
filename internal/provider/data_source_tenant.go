package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

var (
	_ datasource.DataSourceWithConfigure        = (*tenantDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*tenantDataSource)(nil)
)

func init() { dataSources = append(dataSources, newTenantDataSource) }

func newTenantDataSource() datasource.DataSource { return &tenantDataSource{} }

// tenantCandidatesShown bounds how many near matches an error about a
// name lists: enough to spot the intended tenant, short enough to read.
const tenantCandidatesShown = 10

type tenantDataSource struct {
	client *client.Client
}

type tenantDataSourceModel struct {
	ID                       types.String `tfsdk:"id"`
	Name                     types.String `tfsdk:"name"`
	Platform                 types.String `tfsdk:"platform"`
	Domain                   types.String `tfsdk:"domain"`
	Environment              types.String `tfsdk:"environment"`
	Status                   types.String `tfsdk:"status"`
	ConsentURL               types.String `tfsdk:"consent_url"`
	ConsentUser              types.String `tfsdk:"consent_user"`
	SharePointAdminCenterURL types.String `tfsdk:"sharepoint_admin_center_url"`
	MultiGeo                 types.Bool   `tfsdk:"multi_geo"`
	PermissionsVersion       types.Int64  `tfsdk:"permissions_version"`
	ReconnectRecommended     types.Bool   `tfsdk:"reconnect_recommended"`
	ModifiedTime             types.String `tfsdk:"modified_time"`
}

func (d *tenantDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

func (d *tenantDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one tenant registration of any platform, by `id` or by exact `name`, for example to attach app profiles or " +
			"connections to a tenant that is managed elsewhere.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Identifier of the tenant registration. Exactly one of `id` and `name` must be set.",
			},
			"name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Exact display name of the tenant (its domain until it is connected). The service is searched for the name " +
					"and exactly one tenant must carry it; when several do, set `platform` or use `id`. Exactly one of `id` and `name` must be set.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"platform": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Platform of the tenant: " + enumDescription(domain.Platforms) + ". With `name` it narrows the lookup; " +
					"with `id` the tenant must be of this platform.",
				Validators: []validator.String{stringvalidator.OneOf(domain.Platforms...)},
			},
			"domain": computed("Domain of the tenant; empty for Amazon tenants."),
			"environment": computed("Environment of the tenant (Microsoft: `commercial` or `us_government`; Salesforce: `production` or `sandbox`; " +
				"Amazon: `commercial`, `gov` or `china`); empty for Google Workspace."),
			"status":                      computed("`pending_consent`, `connected` or `invalid`."),
			"consent_url":                 computed("While `status` is `pending_consent`: the URL an administrator opens to consent. Empty otherwise."),
			"consent_user":                computed("The account that consented (empty until then)."),
			"sharepoint_admin_center_url": computed("SharePoint Online admin center URL (Microsoft 365 tenants once connected); empty otherwise."),
			"multi_geo":                   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the tenant is a multi-geo Microsoft 365 tenant."},
			"permissions_version": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "Version of the platform's permission set the tenant was connected with (0 until connected)."},
			"reconnect_recommended": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "True when the service requires a newer permission set than the tenant was connected with."},
			"modified_time": computed("When the registration last changed (RFC 3339)."),
		},
	}
}

func (d *tenantDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *tenantDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (d *tenantDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg tenantDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	platform := cfg.Platform.ValueString()
	var t *domain.Tenant
	if id := cfg.ID.ValueString(); id != "" {
		got, _, err := d.client.GetTenant(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Tenant not found",
				fmt.Sprintf("No tenant registration has the id %q in this organization; check the id, or look the tenant up by name.", id))
			return
		}
		if err != nil {
			addError(&resp.Diagnostics, "reading tenant "+id, err, nil)
			return
		}
		if platform != "" && got.Platform != platform {
			resp.Diagnostics.AddAttributeError(path.Root("platform"), "Tenant of another platform",
				fmt.Sprintf("Tenant %s (%q) is a %s tenant, not %s.", got.ID, got.Name, got.Platform, platform))
			return
		}
		t = got
	} else {
		t = d.findByName(ctx, cfg.Name.ValueString(), platform, resp)
		if t == nil {
			return
		}
	}
	cfg = tenantDataSourceModel{
		ID:                       types.StringValue(t.ID),
		Name:                     types.StringValue(t.Name),
		Platform:                 types.StringValue(t.Platform),
		Domain:                   types.StringValue(t.Domain),
		Environment:              types.StringValue(t.Environment),
		Status:                   types.StringValue(t.Status),
		ConsentURL:               types.StringValue(t.ConsentURL),
		ConsentUser:              types.StringValue(t.ConsentUser),
		SharePointAdminCenterURL: types.StringValue(t.SharePointAdminCenterURL),
		MultiGeo:                 types.BoolValue(t.MultiGeo),
		PermissionsVersion:       types.Int64Value(int64(t.PermissionsVersion)),
		ReconnectRecommended:     types.BoolValue(t.ReconnectRecommended),
		ModifiedTime:             types.StringValue(t.ModifiedTime.Format(time.RFC3339)),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// findByName asks the service for tenants whose name contains name (its
// search is a case-insensitive keyword match) and keeps the one whose name
// is exactly name. Anything but one match is an error that lists what the
// search found, so the user can pick the right name or id.
func (d *tenantDataSource) findByName(ctx context.Context, name, platform string, resp *datasource.ReadResponse) *domain.Tenant {
	found, err := d.client.ListTenants(ctx, client.Filter{Platform: platform, Search: name, PageSize: listPageSize})
	if err != nil {
		addError(&resp.Diagnostics, "searching tenants for "+fmt.Sprintf("%q", name), err, nil)
		return nil
	}
	var exact []domain.Tenant
	for _, t := range found {
		if t.Name == name {
			exact = append(exact, t)
		}
	}
	scope := "tenant"
	if platform != "" {
		scope = platform + " tenant"
	}
	switch len(exact) {
	case 1:
		return &exact[0]
	case 0:
		detail := fmt.Sprintf("No %s is named %q.", scope, name)
		if len(found) > 0 {
			detail += " Tenants whose names contain it:\n" + tenantCandidates(found)
		} else {
			detail += " No tenant name contains it either; check the name (until a tenant is connected, its name is its domain)."
		}
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Tenant not found", detail)
	default:
		detail := fmt.Sprintf("%d %ss are named %q:\n%s\nSet platform to narrow the lookup, or look the tenant up by id.", len(exact), scope, name, tenantCandidates(exact))
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Tenant name is ambiguous", detail)
	}
	return nil
}

func tenantCandidates(ts []domain.Tenant) string {
	var b strings.Builder
	for i, t := range ts {
		if i == tenantCandidatesShown {
			fmt.Fprintf(&b, "  ... and %d more\n", len(ts)-i)
			break
		}
		fmt.Fprintf(&b, "  - %q (%s, id %s)\n", t.Name, t.Platform, t.ID)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
