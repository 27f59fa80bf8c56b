package provider

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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

var (
	_ resource.ResourceWithConfigure      = (*migrationConnectionResource)(nil)
	_ resource.ResourceWithImportState    = (*migrationConnectionResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*migrationConnectionResource)(nil)
	_ resource.ResourceWithValidateConfig = (*migrationConnectionResource)(nil)
)

func init() { resources = append(resources, newMigrationConnectionResource) }

func newMigrationConnectionResource() resource.Resource { return &migrationConnectionResource{} }

type migrationConnectionResource struct {
	client *client.Client
}

// privateImpersonationOverrides is the private-state key listing the app
// profiles (by id) whose impersonation user the configuration set. It tells
// a user that was configured and later removed from the configuration (to
// be dropped) from one the service reports on its own (to be kept).
const privateImpersonationOverrides = "impersonation_overrides"

// connectionSetFields are the API fields that are sets here.
var connectionSetFields = []string{"serviceAccountIds", "delegatedAppProfileIds"}

var connectionAppProfileAttrTypes = map[string]attr.Type{
	"id":                 types.StringType,
	"impersonation_user": types.StringType,
}

func (r *migrationConnectionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migration_connection"
}

func (r *migrationConnectionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	auths := domain.ServiceAccountAuthentications
	resp.Schema = schema.Schema{
		MarkdownDescription: "A migration connection: the tenant, optional multi-geo location and auto-map container, and the credentials migration jobs of one type use.\n\n" +
			"Credentials are app profiles (`app_profile` blocks) and/or service account authentication: `legacy` with service account profiles (`service_account_ids`; accounts with MFA are refused) " +
			"or `modern` with delegated app profiles (`delegated_app_profile_ids`). Every credential must belong to the connection's tenant. " +
			"Several credentials of a kind spread the load and reduce throttling.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("migration connection"),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the connection, unique in the organization. Can be changed in place.",
				Validators:          nameValidators(),
			},
			"type": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(domain.ConnectionTypes[0]),
				MarkdownDescription: "Kind of objects the connection migrates: " + enumDescription(domain.ConnectionTypes) + " (default `" + domain.ConnectionTypes[0] + "`). Changing it replaces the connection.",
				Validators:          []validator.String{stringvalidator.OneOf(domain.ConnectionTypes...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"tenant_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Identifier of the connected Microsoft 365 tenant the connection works in. Changing it replaces the connection.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"geo_location": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Data location of a multi-geo tenant where copy jobs create destination groups, as its code (for example `EUR`). " +
					"Only multi-geo tenants accept it; leave it unset for the tenant's default location. Can be changed in place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"container_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Container of the tenant whose groups auto map loads (see the `aos_containers` data source). It must belong to the connection's tenant. Can be changed in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"service_account_authentication": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Service account authentication: " + enumDescription(auths) + ". `legacy` signs in with the service account profiles of `service_account_ids` (accounts with MFA cannot be used); " +
					"`modern` uses the delegated (or hybrid) app profiles of `delegated_app_profile_ids`. Can be changed in place.",
				Validators: []validator.String{stringvalidator.OneOf(auths...)},
			},
			"service_account_ids": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Service account profiles used with `service_account_authentication = \"legacy\"`. Can be changed in place.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.AlsoRequires(path.MatchRoot("service_account_authentication")),
					setvalidator.ConflictsWith(path.MatchRoot("delegated_app_profile_ids")),
				},
			},
			"delegated_app_profile_ids": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Delegated or hybrid app profiles used with `service_account_authentication = \"modern\"`. Can be changed in place.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.AlsoRequires(path.MatchRoot("service_account_authentication")),
					setvalidator.ConflictsWith(path.MatchRoot("service_account_ids")),
				},
			},
			"modified_time": computedString("When the connection last changed (RFC 3339)."),
		},
		Blocks: map[string]schema.Block{
			"app_profile": schema.ListNestedBlock{
				MarkdownDescription: "An app profile the connection authenticates with; repeat the block for several. Can be changed in place.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "Identifier of an app profile of the connection's tenant.",
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"impersonation_user": schema.StringAttribute{
							Optional: true, Computed: true,
							MarkdownDescription: "Custom Azure app profiles only: the user the app impersonates, who needs an Exchange Online license. " +
								"Unset, the app profile's own impersonation user applies (the service reports an empty string then).",
						},
					},
				},
			},
		},
	}
}

func (r *migrationConnectionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type migrationConnectionModel struct {
	ID                           types.String `tfsdk:"id"`
	Name                         types.String `tfsdk:"name"`
	Type                         types.String `tfsdk:"type"`
	TenantID                     types.String `tfsdk:"tenant_id"`
	GeoLocation                  types.String `tfsdk:"geo_location"`
	ContainerID                  types.String `tfsdk:"container_id"`
	AppProfile                   types.List   `tfsdk:"app_profile"`
	ServiceAccountAuthentication types.String `tfsdk:"service_account_authentication"`
	ServiceAccountIDs            types.Set    `tfsdk:"service_account_ids"`
	DelegatedAppProfileIDs       types.Set    `tfsdk:"delegated_app_profile_ids"`
	ModifiedTime                 types.String `tfsdk:"modified_time"`
}

type connectionAppProfileModel struct {
	ID                types.String `tfsdk:"id"`
	ImpersonationUser types.String `tfsdk:"impersonation_user"`
}

// appProfiles returns the app_profile blocks; none when the list is null
// or unknown.
func (m *migrationConnectionModel) appProfiles(ctx context.Context) ([]connectionAppProfileModel, diag.Diagnostics) {
	var out []connectionAppProfileModel
	if m.AppProfile.IsNull() || m.AppProfile.IsUnknown() {
		return out, nil
	}
	diags := m.AppProfile.ElementsAs(ctx, &out, false)
	return out, diags
}

// flatten copies the service's view into the model. The service upper-cases
// geo codes and lower-cases users; the configured spelling is kept when it
// means the same, so no plan shows a change of case only.
func (m *migrationConnectionModel) flatten(ctx context.Context, c *domain.Connection) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Type = types.StringValue(c.Type)
	m.TenantID = types.StringValue(c.TenantID)
	m.GeoLocation = connFoldString(m.GeoLocation, c.GeoLocation)
	m.ContainerID = connFoldString(types.StringNull(), c.ContainerID)
	m.ServiceAccountAuthentication = connFoldString(types.StringNull(), c.ServiceAccountAuthentication)
	m.ServiceAccountIDs = connIDSet(c.ServiceAccountIDs)
	m.DelegatedAppProfileIDs = connIDSet(c.DelegatedAppProfileIDs)
	m.ModifiedTime = types.StringValue(credTime(c.ModifiedTime))

	prior, d := m.appProfiles(ctx)
	diags.Append(d...)
	elems := make([]attr.Value, len(c.AppProfiles))
	for i, ap := range c.AppProfiles {
		user := types.StringValue(ap.ImpersonationUser)
		if i < len(prior) && prior[i].ID.ValueString() == ap.ID && saKnown(prior[i].ImpersonationUser) && strings.EqualFold(strings.TrimSpace(prior[i].ImpersonationUser.ValueString()), ap.ImpersonationUser) {
			user = prior[i].ImpersonationUser
		}
		obj, d := types.ObjectValue(connectionAppProfileAttrTypes, map[string]attr.Value{"id": types.StringValue(ap.ID), "impersonation_user": user})
		diags.Append(d...)
		elems[i] = obj
	}
	// An absent block is an empty list, never null, in Terraform.
	list, d := types.ListValue(types.ObjectType{AttrTypes: connectionAppProfileAttrTypes}, elems)
	diags.Append(d...)
	m.AppProfile = list
	return diags
}

// connFoldString returns the served value, or the current one when they differ
// only in case or surrounding spaces; an empty served value is null.
func connFoldString(current types.String, served string) types.String {
	if served == "" {
		return types.StringNull()
	}
	if !current.IsNull() && !current.IsUnknown() && strings.EqualFold(strings.TrimSpace(current.ValueString()), served) {
		return current
	}
	return types.StringValue(served)
}

// connIDSet turns the service's id list into the set attribute; an empty list
// is null, matching an unset argument (empty sets are refused at plan).
func connIDSet(ids []string) types.Set {
	if len(ids) == 0 {
		return types.SetNull(types.StringType)
	}
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	return types.SetValueMust(types.StringType, elems)
}

// write builds the body of a create from the plan (and the values patch
// picks from): every argument is set, empty when unset, so an argument
// removed from the configuration is removed from the connection too.
func (m *migrationConnectionModel) write(ctx context.Context) (domain.ConnectionWrite, diag.Diagnostics) {
	var diags diag.Diagnostics
	aps, d := m.appProfiles(ctx)
	diags.Append(d...)
	apw := make([]domain.ConnectionAppProfile, len(aps))
	for i, ap := range aps {
		apw[i] = domain.ConnectionAppProfile{ID: ap.ID.ValueString()}
		if saKnown(ap.ImpersonationUser) && strings.TrimSpace(ap.ImpersonationUser.ValueString()) != "" {
			apw[i].ImpersonationUser = strings.TrimSpace(ap.ImpersonationUser.ValueString())
		}
	}
	sas, d := credSetStrings(ctx, m.ServiceAccountIDs)
	diags.Append(d...)
	das, d := credSetStrings(ctx, m.DelegatedAppProfileIDs)
	diags.Append(d...)
	in := domain.ConnectionWrite{
		Name:                         m.Name.ValueStringPointer(),
		Type:                         m.Type.ValueStringPointer(),
		TenantID:                     m.TenantID.ValueStringPointer(),
		GeoLocation:                  credPtr(strings.TrimSpace(m.GeoLocation.ValueString())),
		ContainerID:                  credPtr(m.ContainerID.ValueString()),
		AppProfiles:                  &apw,
		ServiceAccountAuthentication: credPtr(m.ServiceAccountAuthentication.ValueString()),
		ServiceAccountIDs:            &sas,
		DelegatedAppProfileIDs:       &das,
	}
	return in, diags
}

// patch builds the body of an update: only the arguments whose planned value
// differs from the prior state, so a change made to another field since the
// plan is not overwritten with the value the plan read. An argument removed
// from the configuration is still sent, empty, to remove it from the
// connection. The tenant and type cannot change in place (they force a new
// connection), so they are never sent. changed is false when nothing is to
// be written.
func (m *migrationConnectionModel) patch(ctx context.Context, state *migrationConnectionModel) (in domain.ConnectionWrite, changed bool, diags diag.Diagnostics) {
	full, diags := m.write(ctx)
	if diags.HasError() {
		return in, false, diags
	}
	if !m.Name.Equal(state.Name) {
		in.Name, changed = full.Name, true
	}
	if !m.GeoLocation.Equal(state.GeoLocation) {
		in.GeoLocation, changed = full.GeoLocation, true
	}
	if !m.ContainerID.Equal(state.ContainerID) {
		in.ContainerID, changed = full.ContainerID, true
	}
	// The app profiles are one list on the service: any difference,
	// including an impersonation user left to the service (unknown in the
	// plan), sends the whole list.
	if !m.AppProfile.Equal(state.AppProfile) {
		in.AppProfiles, changed = full.AppProfiles, true
	}
	if !m.ServiceAccountAuthentication.Equal(state.ServiceAccountAuthentication) {
		in.ServiceAccountAuthentication, changed = full.ServiceAccountAuthentication, true
	}
	if !m.ServiceAccountIDs.Equal(state.ServiceAccountIDs) {
		in.ServiceAccountIDs, changed = full.ServiceAccountIDs, true
	}
	if !m.DelegatedAppProfileIDs.Equal(state.DelegatedAppProfileIDs) {
		in.DelegatedAppProfileIDs, changed = full.DelegatedAppProfileIDs, true
	}
	return in, changed, diags
}

// connConfiguredOverrides lists the app profiles whose impersonation user the
// configuration sets.
func connConfiguredOverrides(ctx context.Context, cfg *migrationConnectionModel) ([]string, diag.Diagnostics) {
	aps, diags := cfg.appProfiles(ctx)
	var ids []string
	for _, ap := range aps {
		if !ap.ImpersonationUser.IsNull() && ap.ID.ValueString() != "" {
			ids = append(ids, ap.ID.ValueString())
		}
	}
	return ids, diags
}

// ValidateConfig checks at plan time which credentials go together. The
// service checks the same (and what needs its data); this only reports
// mistakes earlier.
func (r *migrationConnectionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg migrationConnectionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case cfg.ServiceAccountAuthentication.IsUnknown():
		return
	case cfg.ServiceAccountAuthentication.ValueString() == "legacy":
		if cfg.ServiceAccountIDs.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("service_account_ids"), "Missing service account profiles",
				"service_account_authentication = \"legacy\" signs in with service account profiles; list at least one in service_account_ids.")
		}
		if !cfg.DelegatedAppProfileIDs.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("delegated_app_profile_ids"), "Delegated app profiles need modern authentication",
				"delegated_app_profile_ids is used with service_account_authentication = \"modern\"; with \"legacy\" list service_account_ids instead.")
		}
	case cfg.ServiceAccountAuthentication.ValueString() == "modern":
		if cfg.DelegatedAppProfileIDs.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("delegated_app_profile_ids"), "Missing delegated app profiles",
				"service_account_authentication = \"modern\" signs in through delegated app profiles; list at least one in delegated_app_profile_ids.")
		}
		if !cfg.ServiceAccountIDs.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("service_account_ids"), "Service account profiles need legacy authentication",
				"service_account_ids is used with service_account_authentication = \"legacy\"; with \"modern\" list delegated_app_profile_ids instead.")
		}
	case cfg.ServiceAccountAuthentication.IsNull():
		if !cfg.AppProfile.IsUnknown() && len(cfg.AppProfile.Elements()) == 0 {
			resp.Diagnostics.AddError("Missing credentials",
				"A migration connection needs credentials: at least one app_profile block, service_account_authentication (\"legacy\" with service_account_ids or \"modern\" with delegated_app_profile_ids), or both.")
		}
	}
}

func (r *migrationConnectionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, cfg migrationConnectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := plan.write(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, cr, err := r.client.CreateConnection(ctx, in)
	if err != nil {
		addCreateError(&resp.Diagnostics, "creating migration connection "+plan.Name.ValueString(), "aos_migration_connection", apiErrorOnSets(err, connectionSetFields...), nil)
		return
	}
	resp.Diagnostics.Append(plan.flatten(ctx, c)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(r.saveOverrides(ctx, &cfg, resp.Private)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
}

func (r *migrationConnectionResource) saveOverrides(ctx context.Context, cfg *migrationConnectionModel, p credPrivateWriter) diag.Diagnostics {
	ids, diags := connConfiguredOverrides(ctx, cfg)
	if diags.HasError() || p == nil {
		return diags
	}
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids)
	return append(diags, p.SetKey(ctx, privateImpersonationOverrides, b)...)
}

func connLoadOverrides(ctx context.Context, p credPrivateReader) (map[string]bool, diag.Diagnostics) {
	out := map[string]bool{}
	if p == nil {
		return out, nil
	}
	b, diags := p.GetKey(ctx, privateImpersonationOverrides)
	if diags.HasError() || len(b) == 0 {
		return out, diags
	}
	var ids []string
	if json.Unmarshal(b, &ids) == nil {
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, diags
}

func (r *migrationConnectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state migrationConnectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, gr, err := r.client.GetConnection(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removedOutOfBand(ctx, resp, "migration connection", state.ID.ValueString())
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "reading migration connection "+state.ID.ValueString(), err, nil)
		return
	}
	resp.Diagnostics.Append(state.flatten(ctx, c)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// The ETag of what this refresh saw is what a plan built on it expects
	// the connection to still be when the plan is applied.
	resp.Diagnostics.Append(setETag(ctx, resp.Private, gr)...)
}

// ModifyPlan plans each unset impersonation_user by app profile rather
// than by position: a user the service reports on its own is kept, a user
// the configuration set earlier and no longer sets is dropped (unknown
// until the service answers), and a profile new to the list is unknown.
func (r *migrationConnectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, cfg migrationConnectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || plan.AppProfile.IsUnknown() || cfg.AppProfile.IsUnknown() {
		return
	}
	planned, diags := plan.appProfiles(ctx)
	resp.Diagnostics.Append(diags...)
	configured, diags := cfg.appProfiles(ctx)
	resp.Diagnostics.Append(diags...)
	priorUser := map[string]string{}
	overrides := map[string]bool{}
	if !req.State.Raw.IsNull() {
		var state migrationConnectionModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		prior, diags := state.appProfiles(ctx)
		resp.Diagnostics.Append(diags...)
		for _, ap := range prior {
			priorUser[ap.ID.ValueString()] = ap.ImpersonationUser.ValueString()
		}
		overrides, diags = connLoadOverrides(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
	}
	if resp.Diagnostics.HasError() || len(planned) != len(configured) {
		return
	}
	dropped := false
	for i, ap := range planned {
		if !configured[i].ImpersonationUser.IsNull() || ap.ID.IsUnknown() {
			continue
		}
		want := types.StringUnknown()
		if user, ok := priorUser[ap.ID.ValueString()]; ok && (user == "" || !overrides[ap.ID.ValueString()]) {
			want = types.StringValue(user)
		} else if ok {
			dropped = true
		}
		if !want.Equal(ap.ImpersonationUser) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("app_profile").AtListIndex(i).AtName("impersonation_user"), want)...)
		}
	}
	// Dropping an override may be the only change, in which case the
	// framework has not marked the modification time as changing yet.
	if dropped {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("modified_time"), types.StringUnknown())...)
	}
}

func (r *migrationConnectionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, cfg migrationConnectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	in, changed, diags := plan.patch(ctx, &state)
	resp.Diagnostics.Append(diags...)
	// The write is conditional on the connection being as the plan saw it
	// (see privateETag): a change made since then, such as in the console
	// between terraform plan -out and terraform apply, fails with 412
	// instead of being overwritten. No recorded ETag, no condition.
	etag, diags := loadETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var c *domain.Connection
	var last *client.Response
	var err error
	if changed {
		c, last, err = r.client.UpdateConnection(ctx, id, in, ifMatchOpts(etag)...)
		if err != nil {
			addError(&resp.Diagnostics, "updating migration connection "+id, apiErrorOnSets(err, connectionSetFields...), nil)
			return
		}
	} else if c, last, err = r.client.GetConnection(ctx, id); err != nil {
		// Nothing to write (only computed values are planned to change):
		// read the connection for them.
		addError(&resp.Diagnostics, "reading migration connection "+id, err, nil)
		return
	}
	resp.Diagnostics.Append(plan.flatten(ctx, c)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(r.saveOverrides(ctx, &cfg, resp.Private)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
}

func (r *migrationConnectionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state migrationConnectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No If-Match: destroying means deleting the connection whatever it
	// looks like now, so a change made since the plan must not stop it.
	err := r.client.DeleteConnection(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "deleting migration connection "+state.ID.ValueString(), err, nil)
	}
}

func (r *migrationConnectionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
