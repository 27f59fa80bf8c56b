package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// consentTenantResource implements the tenants that connect through an
// administrator's consent: Microsoft 365, Google Workspace and Salesforce.
// They differ only in a few arguments, described by tenantKind.
type consentTenantResource struct {
	kind   tenantKind
	client *client.Client
}

type tenantKind struct {
	// typeSuffix is the resource type without the provider prefix.
	typeSuffix  string
	platform    string
	title       string
	description string
	domainDesc  string
	// environments, when set, adds an environment argument named envAttr.
	environments []string
	envAttr      string
	envDesc      string
	// sharePoint adds the editable SharePoint admin center URL.
	sharePoint bool
}

var (
	_ resource.ResourceWithConfigure   = (*consentTenantResource)(nil)
	_ resource.ResourceWithImportState = (*consentTenantResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*consentTenantResource)(nil)
)

// tenantModel holds every attribute any consent tenant has; attributes a
// platform lacks are absent from its schema and ignored here.
type tenantModel struct {
	ID                       types.String   `tfsdk:"id"`
	Domain                   types.String   `tfsdk:"domain"`
	Environment              types.String   `tfsdk:"-"`
	SharePointAdminCenterURL types.String   `tfsdk:"-"`
	MultiGeo                 types.Bool     `tfsdk:"-"`
	WaitForConsent           types.Bool     `tfsdk:"wait_for_consent"`
	Name                     types.String   `tfsdk:"name"`
	Status                   types.String   `tfsdk:"status"`
	ConsentURL               types.String   `tfsdk:"consent_url"`
	ConsentUser              types.String   `tfsdk:"consent_user"`
	PermissionsVersion       types.Int64    `tfsdk:"permissions_version"`
	ReconnectRecommended     types.Bool     `tfsdk:"reconnect_recommended"`
	ModifiedTime             types.String   `tfsdk:"modified_time"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

func (r *consentTenantResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeSuffix
}

func (r *consentTenantResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": idAttribute(r.kind.title + " registration"),
		"domain": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: r.kind.domainDesc + " Consent by a user of any other tenant is refused. Changing it replaces the registration.",
			Validators:          []validator.String{stringvalidator.LengthBetween(3, 253)},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"wait_for_consent": waitForConsentAttribute(),
		"name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Display name of the tenant, learned from the platform on connect (the domain until then).",
		},
		"status":       computedString("`pending_consent` until an administrator consents at `consent_url`, then `connected`."),
		"consent_url":  consentURLAttribute(),
		"consent_user": computedString("The account that consented."),
		"permissions_version": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Version of the platform's permission set the tenant was connected with (0 until connected).",
		},
		"reconnect_recommended": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "True when the service now requires a newer permission set than the tenant was connected with. " +
				"`terraform plan` then shows an in-place update that reconnects the tenant (a new consent).",
		},
		"modified_time": computedString("When the registration last changed (RFC 3339)."),
		"timeouts":      timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true}),
	}
	if r.kind.environments != nil {
		attrs[r.kind.envAttr] = schema.StringAttribute{
			Optional: true, Computed: true,
			Default:             stringdefault.StaticString(r.kind.environments[0]),
			MarkdownDescription: r.kind.envDesc + ": " + enumDescription(r.kind.environments) + ". Changing it replaces the registration.",
			Validators:          []validator.String{stringvalidator.OneOf(r.kind.environments...)},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		}
	}
	if r.kind.sharePoint {
		attrs["sharepoint_admin_center_url"] = schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "SharePoint Online admin center URL. Derived from the domain on connect " +
				"(`https://<name>-admin.sharepoint.com`); set it when the tenant uses another. Editable in place.",
			Validators:    []validator.String{stringvalidator.RegexMatches(sharePointURLPattern, "must be https://<name>-admin.sharepoint.com (or .us)")},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
		attrs["multi_geo"] = schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the tenant is multi-geo (learned on connect)."}
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.kind.description, Attributes: attrs}
}

func (r *consentTenantResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

// get and set move the model in and out of Terraform, including the
// platform-specific attributes that the struct tags leave out.
func (r *consentTenantResource) get(ctx context.Context, src interface {
	Get(context.Context, any) diagList
	GetAttribute(context.Context, path.Path, any) diagList
}, m *tenantModel) diagList {
	var diags diagList
	diags.Append(src.Get(ctx, m)...)
	if r.kind.environments != nil {
		diags.Append(src.GetAttribute(ctx, path.Root(r.kind.envAttr), &m.Environment)...)
	}
	if r.kind.sharePoint {
		diags.Append(src.GetAttribute(ctx, path.Root("sharepoint_admin_center_url"), &m.SharePointAdminCenterURL)...)
		diags.Append(src.GetAttribute(ctx, path.Root("multi_geo"), &m.MultiGeo)...)
	}
	return diags
}

func (r *consentTenantResource) set(ctx context.Context, dst interface {
	Set(context.Context, any) diagList
	SetAttribute(context.Context, path.Path, any) diagList
}, m *tenantModel) diagList {
	var diags diagList
	diags.Append(dst.Set(ctx, m)...)
	if r.kind.environments != nil {
		diags.Append(dst.SetAttribute(ctx, path.Root(r.kind.envAttr), m.Environment)...)
	}
	if r.kind.sharePoint {
		diags.Append(dst.SetAttribute(ctx, path.Root("sharepoint_admin_center_url"), m.SharePointAdminCenterURL)...)
		diags.Append(dst.SetAttribute(ctx, path.Root("multi_geo"), m.MultiGeo)...)
	}
	return diags
}

func (m *tenantModel) flatten(t *domain.Tenant) {
	m.ID = types.StringValue(t.ID)
	m.Domain = types.StringValue(t.Domain)
	m.Environment = types.StringValue(t.Environment)
	m.SharePointAdminCenterURL = types.StringValue(t.SharePointAdminCenterURL)
	m.MultiGeo = types.BoolValue(t.MultiGeo)
	m.Name = types.StringValue(t.Name)
	m.Status = types.StringValue(t.Status)
	m.ConsentURL = types.StringValue(t.ConsentURL)
	m.ConsentUser = types.StringValue(t.ConsentUser)
	m.PermissionsVersion = types.Int64Value(int64(t.PermissionsVersion))
	m.ReconnectRecommended = types.BoolValue(t.ReconnectRecommended)
	m.ModifiedTime = types.StringValue(t.ModifiedTime.Format(time.RFC3339))
	if m.WaitForConsent.IsNull() || m.WaitForConsent.IsUnknown() {
		m.WaitForConsent = types.BoolValue(false)
	}
}

// tenantFieldNames point the service's field names at this resource's
// arguments.
func (r *consentTenantResource) fieldNames() map[string]string {
	m := map[string]string{}
	if r.kind.envAttr != "" {
		m["environment"] = r.kind.envAttr
	}
	return m
}

func (r *consentTenantResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan tenantModel
	resp.Diagnostics.Append(r.get(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultConsentTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := domain.TenantCreate{Platform: r.kind.platform, Domain: plan.Domain.ValueString(), Environment: plan.Environment.ValueString()}
	if r.kind.sharePoint && !plan.SharePointAdminCenterURL.IsUnknown() {
		in.SharePointAdminCenterURL = plan.SharePointAdminCenterURL.ValueString()
	}
	t, _, err := r.client.CreateTenant(ctx, in)
	if err != nil {
		addError(&resp.Diagnostics, "registering "+r.kind.title+" tenant "+in.Domain, err, r.fieldNames())
		return
	}
	// Saved before any wait: a wait that times out leaves the
	// registration in state, not orphaned.
	plan.flatten(t)
	resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
	if plan.WaitForConsent.ValueBool() && t.Status == domain.StatusPendingConsent {
		if t, err = r.waitConsent(ctx, t, timeout); err != nil {
			addError(&resp.Diagnostics, "waiting for consent of "+r.kind.title+" tenant "+in.Domain, err, nil)
			return
		}
		plan.flatten(t)
		resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
	}
}

func (r *consentTenantResource) waitConsent(ctx context.Context, t *domain.Tenant, timeout time.Duration) (*domain.Tenant, error) {
	latest := t
	_, err := waitForConsent(ctx, r.kind.title+" tenant "+t.Domain, timeout, func(ctx context.Context) (consentState, error) {
		got, _, err := r.client.GetTenant(ctx, t.ID)
		if err != nil {
			return consentState{}, err
		}
		latest = got
		return consentState{Status: got.Status, ConsentURL: got.ConsentURL}, nil
	})
	return latest, err
}

func (r *consentTenantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state tenantModel
	resp.Diagnostics.Append(r.get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, _, err := r.client.GetTenant(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removedOutOfBand(ctx, resp, r.kind.title+" tenant", state.ID.ValueString())
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "reading "+r.kind.title+" tenant "+state.ID.ValueString(), err, nil)
		return
	}
	if t.Platform != r.kind.platform {
		resp.Diagnostics.AddError("Wrong tenant platform",
			fmt.Sprintf("Tenant %s is a %s tenant, not %s; import it with the matching resource type.", t.ID, t.Platform, r.kind.platform))
		return
	}
	state.flatten(t)
	resp.Diagnostics.Append(r.set(ctx, &resp.State, &state)...)
}

// ModifyPlan plans a reconnect when the service requires a newer
// permission set, with a warning that says why.
func (r *consentTenantResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var recommended types.Bool
	var name types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("reconnect_recommended"), &recommended)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() || !recommended.ValueBool() {
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("reconnect_recommended"), "New connection recommended",
		fmt.Sprintf("The service now requires a newer permission set than %s tenant %q was connected with. Applying this plan reconnects it: "+
			"an administrator must consent again at the new consent_url (or set wait_for_consent).", r.kind.title, name.ValueString()))
	for name, v := range map[string]attr.Value{
		"reconnect_recommended": types.BoolValue(false),
		"status":                types.StringUnknown(),
		"consent_url":           types.StringUnknown(),
		"consent_user":          types.StringUnknown(),
		"permissions_version":   types.Int64Unknown(),
		"modified_time":         types.StringUnknown(),
	} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
}

func (r *consentTenantResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state tenantModel
	resp.Diagnostics.Append(r.get(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(r.get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultConsentTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	var t *domain.Tenant
	var err error
	if r.kind.sharePoint && !plan.SharePointAdminCenterURL.IsUnknown() && !plan.SharePointAdminCenterURL.Equal(state.SharePointAdminCenterURL) {
		u := plan.SharePointAdminCenterURL.ValueString()
		if t, _, err = r.client.UpdateTenant(ctx, id, domain.TenantPatch{SharePointAdminCenterURL: &u}); err != nil {
			addError(&resp.Diagnostics, "updating "+r.kind.title+" tenant "+id, err, nil)
			return
		}
	}
	if state.ReconnectRecommended.ValueBool() {
		if t, _, err = r.client.ReconnectTenant(ctx, id); err != nil {
			addError(&resp.Diagnostics, "reconnecting "+r.kind.title+" tenant "+id, err, nil)
			return
		}
	}
	if t == nil {
		if t, _, err = r.client.GetTenant(ctx, id); err != nil {
			addError(&resp.Diagnostics, "reading "+r.kind.title+" tenant "+id, err, nil)
			return
		}
	}
	plan.flatten(t)
	resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
	if plan.WaitForConsent.ValueBool() && t.Status == domain.StatusPendingConsent {
		if t, err = r.waitConsent(ctx, t, timeout); err != nil {
			addError(&resp.Diagnostics, "waiting for consent of "+r.kind.title+" tenant "+id, err, nil)
			return
		}
		plan.flatten(t)
		resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
	}
}

func (r *consentTenantResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteTenant(ctx, id.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "removing "+r.kind.title+" tenant "+id.ValueString(), err, nil)
	}
}

func (r *consentTenantResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("wait_for_consent"), types.BoolValue(false))...)
}
