package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

var _ datasource.DataSourceWithConfigure = (*tenantsDataSource)(nil)

func init() { dataSources = append(dataSources, newTenantsDataSource) }

func newTenantsDataSource() datasource.DataSource { return &tenantsDataSource{} }

// listPageSize is the page size aos_tenant, aos_tenants and aos_containers
// ask of the service; 0 leaves it to the service (100). It is not an
// argument because the client follows every nextLink anyway: tests lower
// it so that a handful of objects spans several pages.
var listPageSize = 0

type tenantsDataSource struct {
	client *client.Client
}

type tenantsDataSourceModel struct {
	Platform types.String         `tfsdk:"platform"`
	Search   types.String         `tfsdk:"search"`
	Tenants  []tenantSummaryModel `tfsdk:"tenants"`
}

type tenantSummaryModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	Platform             types.String `tfsdk:"platform"`
	Domain               types.String `tfsdk:"domain"`
	Environment          types.String `tfsdk:"environment"`
	Status               types.String `tfsdk:"status"`
	ReconnectRecommended types.Bool   `tfsdk:"reconnect_recommended"`
	ModifiedTime         types.String `tfsdk:"modified_time"`
}

func (d *tenantsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenants"
}

func (d *tenantsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant registrations of the organization, optionally only those of one platform or whose name contains a keyword. " +
			"The service applies the filters; every page of the list is read.",
		Attributes: map[string]schema.Attribute{
			"platform": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only tenants of this platform: " + enumDescription(domain.Platforms) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(domain.Platforms...)},
			},
			"search": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only tenants whose name contains this keyword (case-insensitive). Until a tenant is connected its name is its domain.",
				Validators:          filterValidators(),
			},
			"tenants": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching tenants, oldest registration first.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":       schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of the tenant registration."},
						"name":     schema.StringAttribute{Computed: true, MarkdownDescription: "Display name of the tenant (its domain until connected)."},
						"platform": schema.StringAttribute{Computed: true, MarkdownDescription: "Platform: " + enumDescription(domain.Platforms) + "."},
						"domain":   schema.StringAttribute{Computed: true, MarkdownDescription: "Domain of the tenant; empty for Amazon tenants."},
						"environment": schema.StringAttribute{Computed: true, MarkdownDescription: "Environment of the tenant (Microsoft: `commercial` or `us_government`; " +
							"Salesforce: `production` or `sandbox`; Amazon: `commercial`, `gov` or `china`); empty for Google Workspace."},
						"status": schema.StringAttribute{Computed: true, MarkdownDescription: "`pending_consent`, `connected` or `invalid`."},
						"reconnect_recommended": schema.BoolAttribute{Computed: true,
							MarkdownDescription: "True when the service requires a newer permission set than the tenant was connected with."},
						"modified_time": schema.StringAttribute{Computed: true, MarkdownDescription: "When the registration last changed (RFC 3339)."},
					},
				},
			},
		},
	}
}

func (d *tenantsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (d *tenantsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg tenantsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.client.ListTenants(ctx, client.Filter{
		Platform: cfg.Platform.ValueString(),
		Search:   cfg.Search.ValueString(),
		PageSize: listPageSize,
	})
	if err != nil {
		addError(&resp.Diagnostics, "listing tenants", err, nil)
		return
	}
	cfg.Tenants = make([]tenantSummaryModel, 0, len(list))
	for i := range list {
		cfg.Tenants = append(cfg.Tenants, flattenTenantSummary(&list[i]))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func flattenTenantSummary(t *domain.Tenant) tenantSummaryModel {
	return tenantSummaryModel{
		ID:                   types.StringValue(t.ID),
		Name:                 types.StringValue(t.Name),
		Platform:             types.StringValue(t.Platform),
		Domain:               types.StringValue(t.Domain),
		Environment:          types.StringValue(t.Environment),
		Status:               types.StringValue(t.Status),
		ReconnectRecommended: types.BoolValue(t.ReconnectRecommended),
		ModifiedTime:         types.StringValue(t.ModifiedTime.Format(time.RFC3339)),
	}
}
