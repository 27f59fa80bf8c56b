package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*containersDataSource)(nil)

func init() { dataSources = append(dataSources, newContainersDataSource) }

func newContainersDataSource() datasource.DataSource { return &containersDataSource{} }

type containersDataSource struct {
	client *client.Client
}

type containersDataSourceModel struct {
	TenantID   types.String         `tfsdk:"tenant_id"`
	Search     types.String         `tfsdk:"search"`
	Containers []containerItemModel `tfsdk:"containers"`
}

type containerItemModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
	Kind types.String `tfsdk:"kind"`
}

func (d *containersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_containers"
}

func (d *containersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the containers the service scanned in a connected tenant, for example to pick the container for auto map " +
			"of an `aos_migration_connection`. A tenant has containers once it is connected; until then the list is empty.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Identifier of the tenant registration whose containers to list.",
				Validators:          filterValidators(),
			},
			"search": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only containers whose name contains this keyword (case-insensitive).",
				Validators:          filterValidators(),
			},
			"containers": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching containers, ordered by id.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of the container."},
						"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the container."},
						"kind": schema.StringAttribute{Computed: true, MarkdownDescription: "What the container holds, for example `microsoft_365_groups`."},
					},
				},
			},
		},
	}
}

func (d *containersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (d *containersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg containersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenantID := cfg.TenantID.ValueString()
	list, err := d.client.ListContainers(ctx, tenantID, client.Filter{Search: cfg.Search.ValueString(), PageSize: listPageSize})
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("tenant_id"), "Tenant not found",
			fmt.Sprintf("No tenant registration has the id %q in this organization, so it has no containers to list.", tenantID))
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "listing containers of tenant "+tenantID, err, nil)
		return
	}
	cfg.Containers = make([]containerItemModel, 0, len(list))
	for _, c := range list {
		cfg.Containers = append(cfg.Containers, containerItemModel{
			ID:   types.StringValue(c.ID),
			Name: types.StringValue(c.Name),
			Kind: types.StringValue(c.Kind),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
