package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
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
	// envFromDomain, when set, works out the environment from the domain
	// when the configuration leaves it out, instead of a fixed default.
	envFromDomain func(tenantDomain string) string
	// sharePoint adds the editable SharePoint admin center URL and the
	// multi-geo flag (Microsoft 365).
	sharePoint bool
}

var (
	_ resource.ResourceWithConfigure   = (*consentTenantResource)(nil)
	_ resource.ResourceWithImportState = (*consentTenantResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*consentTenantResource)(nil)
)

// tenantDomainPattern is the service's rule for a tenant domain: a
// lowercase DNS name. The service lowercases what it gets, so a mixed-case
// domain would come back different from the configuration; refusing it at
// plan time avoids a registration Terraform then cannot match.
var tenantDomainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$`)

// tenantModel holds every attribute any consent tenant has. The
// platform-specific ones carry no tfsdk tag: each platform's schema has a
// different set, and get/set move them through the wire structs below.
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

// The framework maps a struct onto a schema one to one, so each platform
// gets a struct with exactly its attributes: the common ones embedded, plus
// its own.
type microsoftTenantWire struct {
	tenantModel
	AzureEnvironment         types.String `tfsdk:"azure_environment"`
	SharePointAdminCenterURL types.String `tfsdk:"sharepoint_admin_center_url"`
	MultiGeo                 types.Bool   `tfsdk:"multi_geo"`
}

type salesforceTenantWire struct {
	tenantModel
	Environment types.String `tfsdk:"environment"`
}

func (r *consentTenantResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeSuffix
}

func (r *consentTenantResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": idAttribute(r.kind.title + " registration"),
		"domain": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: r.kind.domainDesc + " Written in lowercase. Consent by a user of any other tenant is refused. Changing it replaces the registration.",
			Validators: []validator.String{
				stringvalidator.LengthBetween(3, 253),
				stringvalidator.RegexMatches(tenantDomainPattern, "must be a lowercase DNS name such as contoso.onmicrosoft.com"),
			},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"wait_for_consent": waitForConsentAttribute(),
		// These change only on a consent, which an update brings only
		// when it reconnects or waits; ModifyPlan makes them unknown then.
		"name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Display name of the tenant, learned from the platform on connect (the domain until then).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"status":       keptString(computedString("`pending_consent` until an administrator consents at `consent_url`, then `connected`.")),
		"consent_url":  keptString(consentURLAttribute()),
		"consent_user": keptString(computedString("The account that consented (empty until then).")),
		"permissions_version": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Version of the platform's permission set the tenant was connected with (0 until connected).",
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"reconnect_recommended": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "True when the service now requires a newer permission set than the tenant was connected with. " +
				"`terraform plan` then shows an in-place update that reconnects the tenant (a new consent).",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"modified_time": computedString("When the registration last changed (RFC 3339)."),
		"timeouts":      timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true}),
	}
	if r.kind.environments != nil {
		env := schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: r.kind.envDesc + ": " + enumDescription(r.kind.environments) + ". Changing it replaces the registration.",
			Validators:          []validator.String{stringvalidator.OneOf(r.kind.environments...)},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		}
		if r.kind.envFromDomain != nil {
			// The derived value must be in the plan before RequiresReplace
			// compares it with the state.
			env.PlanModifiers = []planmodifier.String{environmentFromDomain{derive: r.kind.envFromDomain}, stringplanmodifier.RequiresReplace()}
		} else {
			env.Default = stringdefault.StaticString(r.kind.environments[0])
		}
		attrs[r.kind.envAttr] = env
	}
	if r.kind.sharePoint {
		attrs["sharepoint_admin_center_url"] = schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "SharePoint Online admin center URL. When left out it is derived from the domain on connect " +
				"(`https://<name>-admin.sharepoint.com`, empty until then); set it when the tenant uses another. Editable in place.",
			Validators:    []validator.String{stringvalidator.RegexMatches(sharePointURLPattern, "must be https://<name>-admin.sharepoint.com (or .us)")},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
		attrs["multi_geo"] = schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the tenant is multi-geo (learned on connect).",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.kind.description, Attributes: attrs}
}

var _ resource.ResourceWithValidateConfig = (*consentTenantResource)(nil)

// ValidateConfig applies the service's rule for a Microsoft tenant's domain
// at plan time (domain.CheckMicrosoftTenantDomain): the registration names
// the tenant by its initial domain, whose suffix depends on the Azure
// environment, so a custom domain or one of the other cloud fails in the
// plan instead of on apply.
func (r *consentTenantResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if r.kind.platform != domain.PlatformMicrosoft {
		return
	}
	var d, env types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("domain"), &d)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(r.kind.envAttr), &env)...)
	if resp.Diagnostics.HasError() || d.IsNull() || d.IsUnknown() || env.IsUnknown() {
		return
	}
	environment, configured := env.ValueString(), !env.IsNull()
	if !configured {
		environment = domain.DefaultAzureEnvironment(d.ValueString())
	}
	e := domain.CheckMicrosoftTenantDomain("domain", d.ValueString(), environment)
	if e == nil {
		return
	}
	source := fmt.Sprintf("%s = %q", r.kind.envAttr, environment)
	if !configured {
		source = fmt.Sprintf("%s left out, so %q", r.kind.envAttr, environment)
	}
	resp.Diagnostics.AddAttributeError(path.Root("domain"), "Not the tenant's initial domain",
		fmt.Sprintf("%s (%s). The service names a Microsoft 365 tenant by the initial domain Microsoft gave it when it was created, "+
			"<name>%s in this cloud, not by a custom domain. Find it in the Microsoft Entra admin center under Domain names, "+
			"or set %s to the cloud the tenant is in.",
			e.Message, source, domain.MicrosoftDomainSuffix(environment), r.kind.envAttr))
}

func (r *consentTenantResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

// get and set move the model in and out of Terraform (plan, state or
// config), through the struct that matches this platform's schema.
func (r *consentTenantResource) get(ctx context.Context, src interface {
	Get(context.Context, any) diagList
}, m *tenantModel) diagList {
	switch {
	case r.kind.sharePoint:
		var w microsoftTenantWire
		diags := src.Get(ctx, &w)
		*m = w.tenantModel
		m.Environment, m.SharePointAdminCenterURL, m.MultiGeo = w.AzureEnvironment, w.SharePointAdminCenterURL, w.MultiGeo
		return diags
	case r.kind.environments != nil:
		var w salesforceTenantWire
		diags := src.Get(ctx, &w)
		*m = w.tenantModel
		m.Environment = w.Environment
		return diags
	default:
		return src.Get(ctx, m)
	}
}

func (r *consentTenantResource) set(ctx context.Context, dst interface {
	Set(context.Context, any) diagList
}, m *tenantModel) diagList {
	switch {
	case r.kind.sharePoint:
		return dst.Set(ctx, &microsoftTenantWire{tenantModel: *m, AzureEnvironment: m.Environment,
			SharePointAdminCenterURL: m.SharePointAdminCenterURL, MultiGeo: m.MultiGeo})
	case r.kind.environments != nil:
		return dst.Set(ctx, &salesforceTenantWire{tenantModel: *m, Environment: m.Environment})
	default:
		return dst.Set(ctx, m)
	}
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

// fieldNames point the service's field names at this resource's
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
	ctx, cancel := operationContext(ctx, timeout)
	defer cancel()
	in := domain.TenantCreate{Platform: r.kind.platform, Domain: plan.Domain.ValueString(), Environment: plan.Environment.ValueString()}
	if r.kind.sharePoint && !plan.SharePointAdminCenterURL.IsUnknown() {
		in.SharePointAdminCenterURL = plan.SharePointAdminCenterURL.ValueString()
	}
	t, cr, err := r.client.CreateTenant(ctx, in)
	if err != nil {
		addCreateError(&resp.Diagnostics, "registering "+r.kind.title+" tenant "+in.Domain, "aos_"+r.kind.typeSuffix, err, r.fieldNames())
		return
	}
	// Saved before any wait: a wait that times out leaves the
	// registration in state, not orphaned.
	plan.flatten(t)
	resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
	if plan.WaitForConsent.ValueBool() && t.Status == domain.StatusPendingConsent {
		if t, cr, err = r.waitConsent(ctx, t, cr, timeout); err != nil {
			addWaitError(&resp.Diagnostics, "waiting for consent of "+r.kind.title+" tenant "+in.Domain, "aos_"+r.kind.typeSuffix, true, err)
			return
		}
		plan.flatten(t)
		resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
		resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
	}
}

func (r *consentTenantResource) waitConsent(ctx context.Context, t *domain.Tenant, tr *client.Response, timeout time.Duration) (*domain.Tenant, *client.Response, error) {
	return waitForConsentOf(ctx, r.kind.title+" tenant "+t.Domain, timeout, t, tr,
		func(ctx context.Context) (*domain.Tenant, *client.Response, error) {
			return r.client.GetTenant(ctx, t.ID)
		},
		func(t *domain.Tenant) consentState { return consentState{Status: t.Status, ConsentURL: t.ConsentURL} })
}

func (r *consentTenantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state tenantModel
	resp.Diagnostics.Append(r.get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, gr, err := r.client.GetTenant(ctx, state.ID.ValueString())
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
			fmt.Sprintf("Tenant %s is a %s tenant, not %s; import it with the matching resource type (aos_%s_tenant).", t.ID, t.Platform, r.kind.platform, t.Platform))
		return
	}
	state.flatten(t)
	resp.Diagnostics.Append(r.set(ctx, &resp.State, &state)...)
	// The ETag of what this refresh saw is what a plan built on it expects
	// the object to still be when the plan is applied.
	resp.Diagnostics.Append(setETag(ctx, resp.Private, gr)...)
}

// ModifyPlan plans a reconnect when the service requires a newer
// permission set, with a warning that says why. The values learned from a
// consent are kept from the state (UseStateForUnknown) on any other
// update; they are left unknown only when the apply may bring a consent:
// a planned reconnect, or an update of a pending tenant that waits for
// consent.
func (r *consentTenantResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state, plan tenantModel
	resp.Diagnostics.Append(r.get(ctx, req.State, &state)...)
	resp.Diagnostics.Append(r.get(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	reconnect := state.ReconnectRecommended.ValueBool()
	waits := plan.WaitForConsent.ValueBool() && state.Status.ValueString() == domain.StatusPendingConsent && !req.Plan.Raw.Equal(req.State.Raw)
	if !reconnect && !waits {
		return
	}
	unknown := map[string]attr.Value{
		"status":              types.StringUnknown(),
		"consent_url":         types.StringUnknown(),
		"consent_user":        types.StringUnknown(),
		"name":                types.StringUnknown(),
		"permissions_version": types.Int64Unknown(),
		"modified_time":       types.StringUnknown(),
	}
	if reconnect {
		resp.Diagnostics.AddAttributeWarning(path.Root("reconnect_recommended"), "New connection recommended",
			fmt.Sprintf("The service now requires a newer permission set than %s tenant %q was connected with. Applying this plan reconnects it: "+
				"an administrator must consent again at the new consent_url (or set wait_for_consent).", r.kind.title, state.Name.ValueString()))
		// Whether or not the new consent comes during the apply, the
		// tenant then has the current permission set or is pending.
		unknown["reconnect_recommended"] = types.BoolValue(false)
	}
	if r.kind.sharePoint {
		unknown["multi_geo"] = types.BoolUnknown()
		// A URL left out is derived on connect when it is still empty.
		var configured types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("sharepoint_admin_center_url"), &configured)...)
		if configured.IsNull() && state.SharePointAdminCenterURL.ValueString() == "" {
			unknown["sharepoint_admin_center_url"] = types.StringUnknown()
		}
	}
	for attrName, v := range unknown {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attrName), v)...)
	}
}

// keptString keeps a computed value from the state when an update is
// planned; a ModifyPlan makes it unknown when the update may change it.
func keptString(a schema.StringAttribute) schema.StringAttribute {
	a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.UseStateForUnknown())
	return a
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
	ctx, cancel := operationContext(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	// The writes are conditional on the object being as the plan saw it
	// (see privateETag): a change made since then, such as in the console
	// between terraform plan -out and terraform apply, fails with 412
	// instead of being overwritten. No recorded ETag, no condition. Each
	// write answers with the new ETag, which the next write then expects.
	etag, diags := loadETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var t *domain.Tenant
	var last *client.Response
	var err error
	if r.kind.sharePoint && !plan.SharePointAdminCenterURL.IsUnknown() && !plan.SharePointAdminCenterURL.Equal(state.SharePointAdminCenterURL) {
		u := plan.SharePointAdminCenterURL.ValueString()
		if t, last, err = r.client.UpdateTenant(ctx, id, domain.TenantPatch{SharePointAdminCenterURL: &u}, ifMatchOpts(etag)...); err != nil {
			addError(&resp.Diagnostics, "updating "+r.kind.title+" tenant "+id, err, nil)
			return
		}
		etag = last.ETag
	}
	if state.ReconnectRecommended.ValueBool() {
		if t, last, err = r.client.ReconnectTenant(ctx, id, ifMatchOpts(etag)...); err != nil {
			addError(&resp.Diagnostics, "reconnecting "+r.kind.title+" tenant "+id, err, nil)
			return
		}
	}
	if t == nil {
		if t, last, err = r.client.GetTenant(ctx, id); err != nil {
			addError(&resp.Diagnostics, "reading "+r.kind.title+" tenant "+id, err, nil)
			return
		}
	}
	plan.flatten(t)
	resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
	if plan.WaitForConsent.ValueBool() && t.Status == domain.StatusPendingConsent {
		if t, last, err = r.waitConsent(ctx, t, last, timeout); err != nil {
			addWaitError(&resp.Diagnostics, "waiting for consent of "+r.kind.title+" tenant "+id, "aos_"+r.kind.typeSuffix, false, err)
			return
		}
		plan.flatten(t)
		resp.Diagnostics.Append(r.set(ctx, &resp.State, &plan)...)
		resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
	}
}

func (r *consentTenantResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No If-Match: destroying means deleting the object whatever it looks
	// like now, so a change made since the plan must not stop it.
	err := r.client.DeleteTenant(ctx, id.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "removing "+r.kind.title+" tenant "+id.ValueString(), err, nil)
	}
}

func (r *consentTenantResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("wait_for_consent"), types.BoolValue(false))...)
}

// environmentFromDomain fills a left-out environment from the planned
// domain, the way the service would, so the plan shows the value and a
// government domain needs no extra argument.
type environmentFromDomain struct {
	derive func(tenantDomain string) string
}

func (m environmentFromDomain) Description(context.Context) string {
	return "When not configured, the environment follows from the domain."
}

func (m environmentFromDomain) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m environmentFromDomain) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var d types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("domain"), &d)...)
	if resp.Diagnostics.HasError() || d.IsUnknown() || d.IsNull() {
		return
	}
	resp.PlanValue = types.StringValue(m.derive(d.ValueString()))
}

// azureEnvironmentFor follows the service's default: an onmicrosoft.us
// domain belongs to a U.S. Government tenant, anything else to a
// commercial one.
func azureEnvironmentFor(tenantDomain string) string {
	return domain.DefaultAzureEnvironment(tenantDomain)
}
