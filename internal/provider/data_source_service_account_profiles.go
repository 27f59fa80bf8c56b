package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*serviceAccountProfilesDataSource)(nil)

func init() { dataSources = append(dataSources, newServiceAccountProfilesDataSource) }

func newServiceAccountProfilesDataSource() datasource.DataSource {
	return &serviceAccountProfilesDataSource{}
}

type serviceAccountProfilesDataSource struct {
	client *client.Client
}

func (d *serviceAccountProfilesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service_account_profiles"
}

func (d *serviceAccountProfilesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Microsoft 365 service account profiles of the organization, optionally only those of one tenant or whose name contains a keyword. " +
			"The service applies the filters and the list follows every page. Passwords are never returned; `secret_fingerprint` and `secret_version` show when they change.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional:            true,
				Validators:          filterValidators(),
				MarkdownDescription: "Only profiles of this tenant.",
			},
			"search": schema.StringAttribute{
				Optional:            true,
				Validators:          filterValidators(),
				MarkdownDescription: "Only profiles whose name contains this keyword (case-insensitive).",
			},
			"service_account_profiles": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching profiles, in the service's order.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          computed("Identifier of the profile."),
						"name":        computed("Name of the profile."),
						"description": computed("Description of the profile."),
						"tenant_id":   computed("Tenant the account belongs to."),
						"services": schema.SetAttribute{
							Computed: true, ElementType: types.StringType,
							MarkdownDescription: "Services that sign in with the account (see `aos_service_account_profile`).",
						},
						"username":                    computed("User principal name of the account."),
						"mfa_enabled":                 schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether this is a classic MFA profile (app password)."},
						"sharepoint_admin_center_url": computed("SharePoint Online admin center URL (classic MFA profiles); empty otherwise."),
						"user_role":                   computed("Administrator role the validation test found; empty for accounts with MFA."),
						"status":                      computed("Outcome of the last validation test: `valid` or `unvalidated`."),
						"secret_fingerprint":          computed("Fingerprint of the stored password; changes whenever it does."),
						"secret_version":              schema.Int64Attribute{Computed: true, MarkdownDescription: "Counter raised whenever the stored password changes."},
						"last_validated":              computed("When the validation test last passed (RFC 3339); empty when it never ran."),
						"modified_time":               computed("When the profile last changed (RFC 3339)."),
					},
				},
			},
		},
	}
}

func (d *serviceAccountProfilesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type serviceAccountProfilesDataSourceModel struct {
	TenantID types.String                     `tfsdk:"tenant_id"`
	Search   types.String                     `tfsdk:"search"`
	Profiles []serviceAccountProfileItemModel `tfsdk:"service_account_profiles"`
}

type serviceAccountProfileItemModel struct {
	ID                       types.String `tfsdk:"id"`
	Name                     types.String `tfsdk:"name"`
	Description              types.String `tfsdk:"description"`
	TenantID                 types.String `tfsdk:"tenant_id"`
	Services                 types.Set    `tfsdk:"services"`
	Username                 types.String `tfsdk:"username"`
	MfaEnabled               types.Bool   `tfsdk:"mfa_enabled"`
	SharePointAdminCenterURL types.String `tfsdk:"sharepoint_admin_center_url"`
	UserRole                 types.String `tfsdk:"user_role"`
	Status                   types.String `tfsdk:"status"`
	SecretFingerprint        types.String `tfsdk:"secret_fingerprint"`
	SecretVersion            types.Int64  `tfsdk:"secret_version"`
	LastValidated            types.String `tfsdk:"last_validated"`
	ModifiedTime             types.String `tfsdk:"modified_time"`
}

func (d *serviceAccountProfilesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg serviceAccountProfilesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.client.ListServiceAccounts(ctx, client.Filter{
		TenantID: cfg.TenantID.ValueString(),
		Search:   cfg.Search.ValueString(),
		// listPageSize (data_source_tenants.go) is shared by the list data
		// sources so tests can make every list span several pages.
		PageSize: listPageSize,
	})
	if err != nil {
		addError(&resp.Diagnostics, "listing service account profiles", err, nil)
		return
	}
	cfg.Profiles = make([]serviceAccountProfileItemModel, 0, len(list))
	for _, a := range list {
		services, diags := types.SetValueFrom(ctx, types.StringType, a.Services)
		resp.Diagnostics.Append(diags...)
		cfg.Profiles = append(cfg.Profiles, serviceAccountProfileItemModel{
			ID:                       types.StringValue(a.ID),
			Name:                     types.StringValue(a.Name),
			Description:              types.StringValue(a.Description),
			TenantID:                 types.StringValue(a.TenantID),
			Services:                 services,
			Username:                 types.StringValue(a.Username),
			MfaEnabled:               types.BoolValue(a.Mfa),
			SharePointAdminCenterURL: types.StringValue(a.SharePointAdminCenterURL),
			UserRole:                 types.StringValue(a.UserRole),
			Status:                   types.StringValue(a.Status),
			SecretFingerprint:        types.StringValue(a.SecretFingerprint),
			SecretVersion:            types.Int64Value(int64(a.SecretVersion)),
			LastValidated:            types.StringValue(credTime(a.LastValidated)),
			ModifiedTime:             types.StringValue(credTime(a.ModifiedTime)),
		})
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
