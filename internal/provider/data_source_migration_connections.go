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

var _ datasource.DataSourceWithConfigure = (*migrationConnectionsDataSource)(nil)

func init() { dataSources = append(dataSources, newMigrationConnectionsDataSource) }

func newMigrationConnectionsDataSource() datasource.DataSource {
	return &migrationConnectionsDataSource{}
}

type migrationConnectionsDataSource struct {
	client *client.Client
}

func (d *migrationConnectionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migration_connections"
}

func (d *migrationConnectionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the migration connections of the organization, optionally only those of one tenant, of one type, or whose name contains a keyword. " +
			"The service applies the filters and the list follows every page.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional:            true,
				Validators:          filterValidators(),
				MarkdownDescription: "Only connections of this tenant.",
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only connections of this type: " + enumDescription(domain.ConnectionTypes) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(domain.ConnectionTypes...)},
			},
			"search": schema.StringAttribute{
				Optional:            true,
				Validators:          filterValidators(),
				MarkdownDescription: "Only connections whose name contains this keyword (case-insensitive).",
			},
			"migration_connections": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching connections, in the service's order.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":           computed("Identifier of the connection."),
						"name":         computed("Name of the connection."),
						"type":         computed("Type of the connection."),
						"tenant_id":    computed("Tenant the connection works in."),
						"geo_location": computed("Multi-geo location code; empty for the tenant's default location."),
						"container_id": computed("Container used for auto map; empty when none."),
						"app_profiles": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "App profile credentials.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"id":                 computed("Identifier of the app profile."),
									"impersonation_user": computed("User a custom Azure app impersonates; empty when the app profile's own user applies."),
								},
							},
						},
						"service_account_authentication": computed("`legacy`, `modern`, or empty when the connection uses app profiles only."),
						"service_account_ids": schema.SetAttribute{
							Computed: true, ElementType: types.StringType,
							MarkdownDescription: "Service account profiles used with legacy authentication.",
						},
						"delegated_app_profile_ids": schema.SetAttribute{
							Computed: true, ElementType: types.StringType,
							MarkdownDescription: "Delegated app profiles used with modern authentication.",
						},
						"modified_time": computed("When the connection last changed (RFC 3339)."),
					},
				},
			},
		},
	}
}

func (d *migrationConnectionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type migrationConnectionsDataSourceModel struct {
	TenantID    types.String                   `tfsdk:"tenant_id"`
	Type        types.String                   `tfsdk:"type"`
	Search      types.String                   `tfsdk:"search"`
	Connections []migrationConnectionItemModel `tfsdk:"migration_connections"`
}

type migrationConnectionItemModel struct {
	ID                           types.String                `tfsdk:"id"`
	Name                         types.String                `tfsdk:"name"`
	Type                         types.String                `tfsdk:"type"`
	TenantID                     types.String                `tfsdk:"tenant_id"`
	GeoLocation                  types.String                `tfsdk:"geo_location"`
	ContainerID                  types.String                `tfsdk:"container_id"`
	AppProfiles                  []connectionAppProfileModel `tfsdk:"app_profiles"`
	ServiceAccountAuthentication types.String                `tfsdk:"service_account_authentication"`
	ServiceAccountIDs            types.Set                   `tfsdk:"service_account_ids"`
	DelegatedAppProfileIDs       types.Set                   `tfsdk:"delegated_app_profile_ids"`
	ModifiedTime                 types.String                `tfsdk:"modified_time"`
}

func (d *migrationConnectionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg migrationConnectionsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.client.ListConnections(ctx, client.Filter{
		TenantID: cfg.TenantID.ValueString(),
		Type:     cfg.Type.ValueString(),
		Search:   cfg.Search.ValueString(),
		// listPageSize (data_source_tenants.go) is shared by the list data
		// sources so tests can make every list span several pages.
		PageSize: listPageSize,
	})
	if err != nil {
		addError(&resp.Diagnostics, "listing migration connections", err, nil)
		return
	}
	cfg.Connections = make([]migrationConnectionItemModel, 0, len(list))
	for _, c := range list {
		aps := make([]connectionAppProfileModel, 0, len(c.AppProfiles))
		for _, ap := range c.AppProfiles {
			aps = append(aps, connectionAppProfileModel{ID: types.StringValue(ap.ID), ImpersonationUser: types.StringValue(ap.ImpersonationUser)})
		}
		sas, diags := types.SetValueFrom(ctx, types.StringType, connNonNilStrings(c.ServiceAccountIDs))
		resp.Diagnostics.Append(diags...)
		das, diags := types.SetValueFrom(ctx, types.StringType, connNonNilStrings(c.DelegatedAppProfileIDs))
		resp.Diagnostics.Append(diags...)
		cfg.Connections = append(cfg.Connections, migrationConnectionItemModel{
			ID:                           types.StringValue(c.ID),
			Name:                         types.StringValue(c.Name),
			Type:                         types.StringValue(c.Type),
			TenantID:                     types.StringValue(c.TenantID),
			GeoLocation:                  types.StringValue(c.GeoLocation),
			ContainerID:                  types.StringValue(c.ContainerID),
			AppProfiles:                  aps,
			ServiceAccountAuthentication: types.StringValue(c.ServiceAccountAuthentication),
			ServiceAccountIDs:            sas,
			DelegatedAppProfileIDs:       das,
			ModifiedTime:                 types.StringValue(credTime(c.ModifiedTime)),
		})
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// connNonNilStrings returns s, or an empty slice for nil, so an absent list is
// an empty set rather than a null one.
func connNonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
