package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

var _ datasource.DataSourceWithConfigure = (*requiredPermissionsDataSource)(nil)

func init() { dataSources = append(dataSources, newRequiredPermissionsDataSource) }

func newRequiredPermissionsDataSource() datasource.DataSource {
	return &requiredPermissionsDataSource{}
}

// requiredPermissionsDataSource reports what connecting a tenant of one
// platform requires, from the service's current permission set, so that
// administrators can prepare the rights (for Amazon: the IAM user's policy)
// before they register a tenant.
type requiredPermissionsDataSource struct {
	client *client.Client
}

// requiredPermissionsPolicyObject is the element type of role_policies.
var requiredPermissionsPolicyObject = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name":     types.StringType,
	"document": types.StringType,
}}

func (d *requiredPermissionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_required_permissions"
}

func (d *requiredPermissionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "What connecting a tenant of one platform requires, from the service's current permission set: who must consent " +
			"and which permissions the service's app is granted. For `amazon` it also gives the least-privilege IAM policy of the IAM user " +
			"whose key `aos_amazon_tenant` uses (every IAM action that create, refresh, reconnect and destroy call), the minimum set of each " +
			"of those operations, how they relate to the twelve actions the product documentation lists, and the documents of the managed " +
			"policies the tenant role receives.",
		Attributes: map[string]schema.Attribute{
			"platform": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Platform of the tenant: " + enumDescription(domain.Platforms) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(domain.Platforms...)},
			},
			"version": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Version of the platform's permission set. When the service raises it, connected tenants show " +
					"`reconnect_recommended`.",
			},
			"admin_requirement": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Who must consent (or, for Amazon, which identity configures the account), in words.",
			},
			"permissions": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "What the service is granted: Microsoft Graph application permissions (`microsoft`), OAuth scopes " +
					"(`google`, `salesforce`), or the names of the managed policies attached to the tenant role (`amazon`).",
			},
			"configuring_user_actions": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "`amazon` only (empty otherwise): the IAM actions the configuring IAM user needs for every operation, sorted " +
					"(the union of `operation_actions`). They include the twelve of `documented_actions`, which are not enough on their own.",
			},
			"documented_actions": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "`amazon` only (empty otherwise): the twelve IAM actions the product documentation lists for connecting " +
					"and reconnecting an account, sorted. An IAM user holding only these cannot read back the role it made " +
					"(`iam:ListAttachedRolePolicies`, `iam:GetPolicy`, `iam:GetPolicyVersion`) nor undo a failed connect (`iam:DetachRolePolicy`, " +
					"`iam:DeletePolicy`, `iam:DeleteRole`): `aos_amazon_tenant` refuses such a user before it changes anything, naming what is missing.",
			},
			"operation_actions": schema.MapAttribute{
				Computed:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "`amazon` only (empty otherwise): the minimum IAM actions of each `aos_amazon_tenant` operation, sorted, keyed " +
					"by `" + strings.Join(domain.AmazonOperations, "`, `") + "`. `create` and `reconnect` need the same set: create rolls itself " +
					"back when a step fails and finishes a create an earlier apply left half-made, and reconnect creates the role again when it " +
					"was deleted and removes policies added outside Terraform. `read` is refresh, the plan's drift check and import. `destroy` " +
					"removes the role and policies. Every operation checks its set before its first write and refuses with the missing actions. " +
					"These lists are what this provider version calls; `configuring_user_actions` comes from the service.",
			},
			"configuring_user_policy_json": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`amazon` only (null otherwise): an IAM identity policy document allowing exactly " +
					"`configuring_user_actions`, to attach to the IAM user (for example with the AWS provider's `aws_iam_policy`). " +
					"`Resource` is `*` because the account and role name are chosen at connect time; narrow it to the role and policy " +
					"ARNs if you prefer.",
			},
			"role_policies": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "`amazon` only (empty otherwise): the managed policies the tenant role receives at this version, " +
					"as `aos_amazon_tenant` creates them.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":     schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the managed policy."},
						"document": schema.StringAttribute{Computed: true, MarkdownDescription: "Policy document (JSON)."},
					},
				},
			},
		},
	}
}

func (d *requiredPermissionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type requiredPermissionsModel struct {
	Platform                  types.String `tfsdk:"platform"`
	Version                   types.Int64  `tfsdk:"version"`
	AdminRequirement          types.String `tfsdk:"admin_requirement"`
	Permissions               types.List   `tfsdk:"permissions"`
	ConfiguringUserActions    types.List   `tfsdk:"configuring_user_actions"`
	DocumentedActions         types.List   `tfsdk:"documented_actions"`
	OperationActions          types.Map    `tfsdk:"operation_actions"`
	ConfiguringUserPolicyJSON types.String `tfsdk:"configuring_user_policy_json"`
	RolePolicies              types.List   `tfsdk:"role_policies"`
}

func (d *requiredPermissionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m requiredPermissionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	platform := m.Platform.ValueString()
	ps, err := d.client.GetPermissions(ctx, platform)
	if err != nil {
		addError(&resp.Diagnostics, "reading the "+platform+" permission set", err, nil)
		return
	}
	m.Version = types.Int64Value(int64(ps.Version))
	m.AdminRequirement = types.StringValue(ps.AdminRequirement)
	m.Permissions = amazonStringList(ps.Permissions)

	actions := slices.Clone(ps.ConfiguringUserActions)
	slices.Sort(actions)
	m.ConfiguringUserActions = amazonStringList(actions)
	m.ConfiguringUserPolicyJSON = types.StringNull()
	m.DocumentedActions = amazonStringList(nil)
	opActions := map[string]attr.Value{}
	if platform == domain.PlatformAmazon {
		documented := slices.Clone(domain.AmazonDocumentedActions)
		slices.Sort(documented)
		m.DocumentedActions = amazonStringList(documented)
		for _, op := range domain.AmazonOperations {
			opActions[op] = amazonStringList(domain.AmazonOperationActions(op))
		}
	}
	opMap, diags := types.MapValue(types.ListType{ElemType: types.StringType}, opActions)
	resp.Diagnostics.Append(diags...)
	m.OperationActions = opMap
	if len(actions) > 0 {
		doc, err := requiredPermissionsUserPolicy(actions)
		if err != nil {
			resp.Diagnostics.AddError("Error building the configuring user policy", err.Error())
			return
		}
		m.ConfiguringUserPolicyJSON = types.StringValue(doc)
	}

	policies := make([]attr.Value, 0, len(ps.Policies))
	for _, p := range ps.Policies {
		obj, diags := types.ObjectValue(requiredPermissionsPolicyObject.AttrTypes, map[string]attr.Value{
			"name":     types.StringValue(p.Name),
			"document": types.StringValue(p.Document),
		})
		resp.Diagnostics.Append(diags...)
		policies = append(policies, obj)
	}
	list, diags := types.ListValue(requiredPermissionsPolicyObject, policies)
	resp.Diagnostics.Append(diags...)
	m.RolePolicies = list
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// requiredPermissionsUserPolicy builds the configuring user's identity
// policy from the actions the service lists, in the same shape (and so the
// same bytes) as domain.AmazonConfiguringUserPolicy: the service may be newer
// than the provider, and its list is the one that counts.
func requiredPermissionsUserPolicy(actions []string) (string, error) {
	type statement struct {
		Sid      string   `json:"Sid"`
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource string   `json:"Resource"`
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{
		Version: "2012-10-17",
		Statement: []statement{{
			Sid: "AOSTenantRegistrationConfigure", Effect: "Allow", Action: actions, Resource: "*",
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode the IAM policy: %w", err)
	}
	return string(b), nil
}
