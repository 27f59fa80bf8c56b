package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

var _ datasource.DataSourceWithConfigure = (*appProfilesDataSource)(nil)

func init() { dataSources = append(dataSources, newAppProfilesDataSource) }

func newAppProfilesDataSource() datasource.DataSource { return &appProfilesDataSource{} }

// appProfilesPageSize is the page size asked of the service when listing
// app profiles; 0 leaves it to the service (100). Tests lower it to cover
// lists that span several pages.
var appProfilesPageSize = 0

type appProfilesDataSource struct {
	client *client.Client
}

func (d *appProfilesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_profiles"
}

func (d *appProfilesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the app profiles of the organization, optionally only those of one tenant, of one type, or whose name contains a keyword. " +
			"The service applies the filters and the list follows every page.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional:            true,
				Validators:          filterValidators(),
				MarkdownDescription: "Only profiles of this tenant.",
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only profiles of this app type: " + enumDescription(domain.AppTypeSlugs()) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(domain.AppTypeSlugs()...)},
			},
			"search": schema.StringAttribute{
				Optional:            true,
				Validators:          filterValidators(),
				MarkdownDescription: "Only profiles whose name contains this keyword (case-insensitive).",
			},
			"app_profiles": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching app profiles, in the service's order.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of the app profile."},
						"name":            schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the app profile."},
						"tenant_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "Tenant the app is consented in."},
						"type":            schema.StringAttribute{Computed: true, MarkdownDescription: "App type (see `aos_app_profile`)."},
						"permission_kind": schema.StringAttribute{Computed: true, MarkdownDescription: "Kind of permissions: " + enumDescription(domain.PermissionKinds) + "."},
						"consent_method":  schema.StringAttribute{Computed: true, MarkdownDescription: "Consent method: " + enumDescription(domain.ConsentMethods) + "."},
						"status":          schema.StringAttribute{Computed: true, MarkdownDescription: "`pending_consent`, `active`, `authorization_expired` or `invalid`."},
						"reason":          schema.StringAttribute{Computed: true, MarkdownDescription: "Why the profile is `invalid`; empty otherwise."},
					},
				},
			},
		},
	}
}

func (d *appProfilesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type appProfilesDataSourceModel struct {
	TenantID    types.String          `tfsdk:"tenant_id"`
	Type        types.String          `tfsdk:"type"`
	Search      types.String          `tfsdk:"search"`
	AppProfiles []appProfileItemModel `tfsdk:"app_profiles"`
}

type appProfileItemModel struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	TenantID       types.String `tfsdk:"tenant_id"`
	Type           types.String `tfsdk:"type"`
	PermissionKind types.String `tfsdk:"permission_kind"`
	ConsentMethod  types.String `tfsdk:"consent_method"`
	Status         types.String `tfsdk:"status"`
	Reason         types.String `tfsdk:"reason"`
}

func (d *appProfilesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg appProfilesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.client.ListAppProfiles(ctx, client.Filter{
		TenantID: cfg.TenantID.ValueString(),
		Type:     cfg.Type.ValueString(),
		Search:   cfg.Search.ValueString(),
		PageSize: appProfilesPageSize,
	})
	if err != nil {
		addError(&resp.Diagnostics, "listing app profiles", err, nil)
		return
	}
	cfg.AppProfiles = make([]appProfileItemModel, 0, len(list))
	for _, p := range list {
		cfg.AppProfiles = append(cfg.AppProfiles, appProfileItemModel{
			ID:             types.StringValue(p.ID),
			Name:           types.StringValue(p.Name),
			TenantID:       types.StringValue(p.TenantID),
			Type:           types.StringValue(p.Type),
			PermissionKind: types.StringValue(p.PermissionKind),
			ConsentMethod:  types.StringValue(p.ConsentMethod),
			Status:         types.StringValue(p.Status),
			Reason:         types.StringValue(p.Reason),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
