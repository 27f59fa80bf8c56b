package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

var (
	_ resource.ResourceWithConfigure      = (*serviceAccountProfileResource)(nil)
	_ resource.ResourceWithImportState    = (*serviceAccountProfileResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serviceAccountProfileResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serviceAccountProfileResource)(nil)
)

func init() { resources = append(resources, newServiceAccountProfileResource) }

func newServiceAccountProfileResource() resource.Resource { return &serviceAccountProfileResource{} }

type serviceAccountProfileResource struct {
	client *client.Client
}

// privateAppliedSecretVersion is the private-state key holding the service's
// secretVersion right after Terraform last sent (or adopted) the secret. A
// refreshed secret_version that differs from it means someone replaced the
// password outside Terraform.
const privateAppliedSecretVersion = "applied_secret_version"

func (r *serviceAccountProfileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service_account_profile"
}

func (r *serviceAccountProfileResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	services := domain.ServiceSlugs()
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Microsoft 365 service account profile: an account of a connected Microsoft 365 tenant, with its password, that the listed services sign in as.\n\n" +
			"The password is checked against the Microsoft 365 password table already at plan time, then the service runs a validation test (a sign-in against the tenant) on every create and update; a wrong password, an account with multi-factor authentication or a blocking access policy is refused with its own error.\n\n" +
			"Accounts with multi-factor authentication use a *classic MFA profile* (`mfa_enabled = true`): an app password instead of the password, plus the SharePoint Online admin center URL.\n\n" +
			"Passwords are write-only arguments (Terraform 1.11 or later): they are never stored in the state. The configured password is the source of truth: " +
			"when the password is replaced outside Terraform, `terraform plan` shows an in-place update (with a warning) that sends the configured one again.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("service account profile"),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the profile, unique within the tenant. Can be changed in place.",
				Validators:          nameValidators(),
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(""),
				MarkdownDescription: "Optional description (at most 1000 characters; line breaks allowed). Can be changed in place.",
				Validators:          descriptionValidators(),
			},
			"tenant_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Identifier of the connected Microsoft 365 tenant the account belongs to. Changing it replaces the profile.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"services": schema.SetAttribute{
				Required:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Services that sign in with this account, at least one; each " + enumDescription(services) + ". Can be changed in place.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(services...)),
				},
			},
			"username": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "User principal name of the account, for example `svc.backup@contoso.onmicrosoft.com`. Can be changed in place: " +
					"the service runs the validation test again with the stored password, so change the password (and its version) in the same apply when the new account has another one.",
			},
			"password_wo": schema.StringAttribute{
				Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "Password of the account (write-only: never stored in the state; Terraform 1.11 or later). Required unless `mfa_enabled` is true, refused when it is. " +
					fmt.Sprintf("It must follow the Microsoft 365 password table: %d to %d characters from A-Z, a-z, 0-9 and `%s`, no spaces or non-ASCII characters, at least %d of lowercase, uppercase, digits and symbols, and no dot right before an `@`. ",
						domain.PasswordMinLength, domain.PasswordMaxLength, domain.PasswordSymbols, domain.PasswordMinCharacterKinds) +
					"It is sent on create and, afterwards, only when `password_wo_version` changes (or when the password was changed outside Terraform).",
			},
			"password_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Version of `password_wo`. Terraform cannot see write-only values change, so raise this number whenever you change the password to have it sent.",
			},
			"mfa_enabled": schema.BoolAttribute{
				Optional: true, Computed: true,
				Default: booldefault.StaticBool(false),
				MarkdownDescription: "Whether this is a classic MFA profile, for an account with multi-factor authentication: it signs in with `app_password_wo` and needs `sharepoint_admin_center_url`, " +
					"and the account must be a Global Administrator or SharePoint Administrator. Default `false`. Can be changed in place (the other credential must then be configured).",
			},
			"app_password_wo": schema.StringAttribute{
				Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "App password of the account, for classic MFA profiles (`mfa_enabled = true`) only, where it is required (write-only: never stored in the state). " +
					"Sent on create and, afterwards, only when `app_password_wo_version` changes (or when it was changed outside Terraform).",
			},
			"app_password_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Version of `app_password_wo`; raise it whenever you change the app password to have it sent.",
			},
			"sharepoint_admin_center_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "SharePoint Online admin center URL of the tenant, such as `https://contoso-admin.sharepoint.com` (the default one or a custom one). " +
					"Required when `mfa_enabled` is true. Can be changed in place.",
			},
			"user_role": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Administrator role the validation test found for the account (`Global Administrator`, `SharePoint Administrator` or `User`); empty for accounts with MFA, whose role Microsoft 365 does not reveal.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": computedString("Outcome of the last validation test: `valid`, or `unvalidated` on a service that cannot reach the platform."),
			"secret_fingerprint": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Fingerprint of the stored password (or app password). It changes whenever the secret changes, so a change made outside Terraform is visible without revealing the secret.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_version": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Counter the service raises whenever the stored password (or app password) changes.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"last_validated": computedString("When the validation test last passed (RFC 3339); empty when it never ran."),
			"modified_time":  computedString("When the profile last changed (RFC 3339)."),
		},
	}
}

func (r *serviceAccountProfileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type serviceAccountProfileModel struct {
	ID                       types.String `tfsdk:"id"`
	Name                     types.String `tfsdk:"name"`
	Description              types.String `tfsdk:"description"`
	TenantID                 types.String `tfsdk:"tenant_id"`
	Services                 types.Set    `tfsdk:"services"`
	Username                 types.String `tfsdk:"username"`
	PasswordWO               types.String `tfsdk:"password_wo"`
	PasswordWOVersion        types.Int64  `tfsdk:"password_wo_version"`
	MfaEnabled               types.Bool   `tfsdk:"mfa_enabled"`
	AppPasswordWO            types.String `tfsdk:"app_password_wo"`
	AppPasswordWOVersion     types.Int64  `tfsdk:"app_password_wo_version"`
	SharePointAdminCenterURL types.String `tfsdk:"sharepoint_admin_center_url"`
	UserRole                 types.String `tfsdk:"user_role"`
	Status                   types.String `tfsdk:"status"`
	SecretFingerprint        types.String `tfsdk:"secret_fingerprint"`
	SecretVersion            types.Int64  `tfsdk:"secret_version"`
	LastValidated            types.String `tfsdk:"last_validated"`
	ModifiedTime             types.String `tfsdk:"modified_time"`
}

// flatten copies the service's view into the model. Values the service
// normalizes (it lower-cases the username and trims the URL) keep the
// configured spelling when they mean the same, so no plan shows a change
// that is only a matter of case.
func (m *serviceAccountProfileModel) flatten(a *domain.ServiceAccount) {
	m.ID = types.StringValue(a.ID)
	m.Name = types.StringValue(a.Name)
	m.Description = types.StringValue(a.Description)
	m.TenantID = types.StringValue(a.TenantID)
	services := make([]string, len(a.Services))
	copy(services, a.Services)
	m.Services, _ = types.SetValueFrom(context.Background(), types.StringType, services)
	if !strings.EqualFold(strings.TrimSpace(m.Username.ValueString()), a.Username) {
		m.Username = types.StringValue(a.Username)
	}
	m.MfaEnabled = types.BoolValue(a.Mfa)
	switch {
	case a.SharePointAdminCenterURL == "":
		m.SharePointAdminCenterURL = types.StringNull()
	case strings.TrimSpace(m.SharePointAdminCenterURL.ValueString()) != a.SharePointAdminCenterURL:
		m.SharePointAdminCenterURL = types.StringValue(a.SharePointAdminCenterURL)
	}
	m.UserRole = types.StringValue(a.UserRole)
	m.Status = types.StringValue(a.Status)
	m.SecretFingerprint = types.StringValue(a.SecretFingerprint)
	m.SecretVersion = types.Int64Value(int64(a.SecretVersion))
	m.LastValidated = types.StringValue(credTime(a.LastValidated))
	m.ModifiedTime = types.StringValue(credTime(a.ModifiedTime))
	// Write-only values are never kept.
	m.PasswordWO = types.StringNull()
	m.AppPasswordWO = types.StringNull()
}

// credTime renders a time for the state; the zero time (never happened)
// is an empty string rather than year 1.
func credTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// saSetFields are the API fields that are sets here: a refusal naming one
// of their elements is shown on the whole set, which has no indexes.
var saSetFields = []string{"services"}

// ValidateConfig checks at plan time what needs no service: the password
// table and which credential each kind of profile takes.
func (r *serviceAccountProfileResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg serviceAccountProfileModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if saKnown(cfg.Username) {
		if e := domain.ValidateUPN("username", strings.TrimSpace(cfg.Username.ValueString())); e != nil {
			resp.Diagnostics.AddAttributeError(path.Root("username"), "Invalid username", e.Message)
		}
	}
	if saKnown(cfg.SharePointAdminCenterURL) {
		if e := domain.ValidateSharePointAdminURL("sharepoint_admin_center_url", strings.TrimSpace(cfg.SharePointAdminCenterURL.ValueString())); e != nil {
			resp.Diagnostics.AddAttributeError(path.Root("sharepoint_admin_center_url"), "Invalid SharePoint admin center URL", e.Message)
		}
	}
	if cfg.MfaEnabled.IsUnknown() {
		return // which credential applies is decided at apply time
	}
	mfa := cfg.MfaEnabled.ValueBool()
	passwordSet := !cfg.PasswordWO.IsNull()
	appPasswordSet := !cfg.AppPasswordWO.IsNull()
	if mfa {
		if passwordSet {
			resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Password not used by a classic MFA profile",
				"A classic MFA profile (mfa_enabled = true) signs in with app_password_wo; remove password_wo.")
		}
		if !appPasswordSet {
			resp.Diagnostics.AddAttributeError(path.Root("app_password_wo"), "Missing app password",
				"A classic MFA profile (mfa_enabled = true) needs app_password_wo: create an app password for the account in Microsoft 365 and pass it here.")
		}
		if cfg.SharePointAdminCenterURL.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("sharepoint_admin_center_url"), "Missing SharePoint admin center URL",
				"A classic MFA profile (mfa_enabled = true) needs sharepoint_admin_center_url, for example https://contoso-admin.sharepoint.com.")
		}
		return
	}
	if appPasswordSet {
		resp.Diagnostics.AddAttributeError(path.Root("app_password_wo"), "App password only for classic MFA profiles",
			"app_password_wo is used only when mfa_enabled is true; remove it, or set mfa_enabled = true for an account with multi-factor authentication.")
	}
	if !passwordSet {
		resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Missing password",
			"password_wo is required unless mfa_enabled is true: the service signs in with it to validate the account.")
		return
	}
	if cfg.PasswordWO.IsUnknown() {
		return
	}
	if e := domain.ValidatePassword("password_wo", cfg.PasswordWO.ValueString()); e != nil {
		resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Password breaks the Microsoft 365 password policy",
			"Microsoft 365 would refuse this password ("+e.Code+"): "+e.Message+".")
	}
}

// saKnown reports whether a configured string is set and known.
func saKnown(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

func (r *serviceAccountProfileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, cfg serviceAccountProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	services, diags := credSetStrings(ctx, plan.Services)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	mfa := plan.MfaEnabled.ValueBool()
	in := domain.ServiceAccountWrite{
		Name:        plan.Name.ValueStringPointer(),
		Description: plan.Description.ValueStringPointer(),
		TenantID:    plan.TenantID.ValueStringPointer(),
		Services:    &services,
		Username:    credPtr(strings.TrimSpace(plan.Username.ValueString())),
		Mfa:         &mfa,
	}
	// Write-only values exist only in the configuration.
	if mfa {
		in.AppPassword = cfg.AppPasswordWO.ValueStringPointer()
	} else {
		in.Password = cfg.PasswordWO.ValueStringPointer()
	}
	if !plan.SharePointAdminCenterURL.IsNull() {
		in.SharePointAdminCenterURL = credPtr(strings.TrimSpace(plan.SharePointAdminCenterURL.ValueString()))
	}
	a, cr, err := r.client.CreateServiceAccount(ctx, in)
	if err != nil {
		addCreateError(&resp.Diagnostics, "creating service account profile "+plan.Name.ValueString(), "aos_service_account_profile", apiErrorOnSets(err, saSetFields...), nil)
		return
	}
	plan.flatten(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setPrivateVersion(ctx, resp.Private, privateAppliedSecretVersion, a.SecretVersion)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
}

func (r *serviceAccountProfileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serviceAccountProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, gr, err := r.client.GetServiceAccount(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removedOutOfBand(ctx, resp, "service account profile", state.ID.ValueString())
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "reading service account profile "+state.ID.ValueString(), err, nil)
		return
	}
	state.flatten(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// The ETag of what this refresh saw is what a plan built on it expects
	// the object to still be when the plan is applied.
	resp.Diagnostics.Append(setETag(ctx, resp.Private, gr)...)
	// A profile Terraform did not create (import) is adopted with the
	// secret it has now; from here on, changes to it are drift.
	if _, ok, diags := privateVersion(ctx, req.Private, privateAppliedSecretVersion); !diags.HasError() && !ok {
		resp.Diagnostics.Append(setPrivateVersion(ctx, resp.Private, privateAppliedSecretVersion, a.SecretVersion)...)
	}
}

// saSecretPlan says which secret an update must send and why.
type saSecretPlan struct {
	password, appPassword bool
	// drift is true when the stored secret changed outside Terraform.
	drift bool
}

// saPlanSecrets decides whether the configured secret must be sent: its
// version changed, the profile switches kind (the service drops the old
// credential then), or the service holds a secret Terraform did not send.
func saPlanSecrets(plan, state *serviceAccountProfileModel, applied int64, appliedKnown bool) saSecretPlan {
	var sp saSecretPlan
	sp.drift = appliedKnown && !state.SecretVersion.IsNull() && state.SecretVersion.ValueInt64() != applied
	mfaChanged := !plan.MfaEnabled.Equal(state.MfaEnabled)
	if plan.MfaEnabled.IsUnknown() || plan.MfaEnabled.ValueBool() {
		sp.appPassword = mfaChanged || !plan.AppPasswordWOVersion.Equal(state.AppPasswordWOVersion) || sp.drift
	}
	if plan.MfaEnabled.IsUnknown() || !plan.MfaEnabled.ValueBool() {
		sp.password = mfaChanged || !plan.PasswordWOVersion.Equal(state.PasswordWOVersion) || sp.drift
	}
	return sp
}

// ModifyPlan shows in the plan what an update will do to the secret: a new
// secret_version when a secret is sent, and an in-place update of its own
// when the password was replaced outside Terraform.
func (r *serviceAccountProfileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state serviceAccountProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	applied, ok, diags := privateVersion(ctx, req.Private, privateAppliedSecretVersion)
	resp.Diagnostics.Append(diags...)
	sp := saPlanSecrets(&plan, &state, applied, ok)
	if sp.drift {
		attr := "password_wo"
		if state.MfaEnabled.ValueBool() {
			attr = "app_password_wo"
		}
		resp.Diagnostics.AddAttributeWarning(path.Root(attr), "The password was changed outside Terraform",
			fmt.Sprintf("The secret of service account profile %q was replaced outside Terraform (secret_version %d, Terraform last set %d). "+
				"The configured %s is the source of truth: applying this plan sends it again. To keep the new secret instead, put it in the configuration and raise its version.",
				state.Name.ValueString(), state.SecretVersion.ValueInt64(), applied, attr))
		// Nothing else may differ, so mark what the update will change
		// to make it an in-place update.
		for _, a := range []string{"status", "last_validated", "modified_time", "user_role"} {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a), types.StringUnknown())...)
		}
	}
	if sp.password || sp.appPassword {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_version"), types.Int64Unknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_fingerprint"), types.StringUnknown())...)
	}
	// The role is learned from the account, so it can change with it.
	if !plan.Username.Equal(state.Username) || !plan.MfaEnabled.Equal(state.MfaEnabled) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("user_role"), types.StringUnknown())...)
	}
}

func (r *serviceAccountProfileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, cfg serviceAccountProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	applied, ok, diags := privateVersion(ctx, req.Private, privateAppliedSecretVersion)
	resp.Diagnostics.Append(diags...)
	sp := saPlanSecrets(&plan, &state, applied, ok)

	var in domain.ServiceAccountWrite
	changed := false
	if !plan.Name.Equal(state.Name) {
		in.Name, changed = plan.Name.ValueStringPointer(), true
	}
	if !plan.Description.Equal(state.Description) {
		in.Description, changed = credPtr(plan.Description.ValueString()), true
	}
	if !plan.Services.Equal(state.Services) {
		services, diags := credSetStrings(ctx, plan.Services)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		in.Services, changed = &services, true
	}
	if !plan.Username.Equal(state.Username) {
		in.Username, changed = credPtr(strings.TrimSpace(plan.Username.ValueString())), true
	}
	if !plan.MfaEnabled.Equal(state.MfaEnabled) {
		in.Mfa, changed = plan.MfaEnabled.ValueBoolPointer(), true
	}
	if !plan.SharePointAdminCenterURL.Equal(state.SharePointAdminCenterURL) {
		// An empty string removes a URL the configuration no longer sets.
		in.SharePointAdminCenterURL, changed = credPtr(strings.TrimSpace(plan.SharePointAdminCenterURL.ValueString())), true
	}
	if sp.password {
		if cfg.PasswordWO.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Missing password",
				"The password must be sent in this update; set password_wo.")
			return
		}
		in.Password, changed = cfg.PasswordWO.ValueStringPointer(), true
	}
	if sp.appPassword {
		if cfg.AppPasswordWO.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("app_password_wo"), "Missing app password",
				"The app password must be sent in this update; set app_password_wo.")
			return
		}
		in.AppPassword, changed = cfg.AppPasswordWO.ValueStringPointer(), true
	}

	// The write is conditional on the object being as the plan saw it
	// (see privateETag): a change made since then, such as in the console
	// between terraform plan -out and terraform apply, fails with 412
	// instead of being overwritten. No recorded ETag, no condition.
	etag, diags := loadETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var a *domain.ServiceAccount
	var last *client.Response
	var err error
	if changed {
		opts := ifMatchOpts(etag)
		if !state.SecretVersion.IsNull() && !state.SecretVersion.IsUnknown() {
			// Lets a retry whose first attempt's answer was lost see that
			// the password was stored (client.WriteOnly): the state's
			// secret_version is from the same read as the ETag.
			v := state.SecretVersion.ValueInt64()
			opts = append(opts, client.WriteOnly("password", "secretVersion", v), client.WriteOnly("appPassword", "secretVersion", v))
		}
		a, last, err = r.client.UpdateServiceAccount(ctx, id, in, opts...)
		if err != nil {
			addError(&resp.Diagnostics, "updating service account profile "+id, apiErrorOnSets(err, saSetFields...), nil)
			return
		}
	} else if a, last, err = r.client.GetServiceAccount(ctx, id); err != nil {
		addError(&resp.Diagnostics, "reading service account profile "+id, err, nil)
		return
	}
	plan.flatten(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if sp.password || sp.appPassword {
		resp.Diagnostics.Append(setPrivateVersion(ctx, resp.Private, privateAppliedSecretVersion, a.SecretVersion)...)
	}
	resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
}

func (r *serviceAccountProfileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state serviceAccountProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No If-Match: destroying means deleting the object whatever it looks
	// like now, so a change made since the plan must not stop it.
	err := r.client.DeleteServiceAccount(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "deleting service account profile "+state.ID.ValueString(), err, nil)
	}
}

func (r *serviceAccountProfileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// credSetStrings returns the elements of a set of strings, sorted so requests
// are stable.
func credSetStrings(ctx context.Context, s types.Set) ([]string, diag.Diagnostics) {
	out := []string{}
	if s.IsNull() || s.IsUnknown() {
		return out, nil
	}
	diags := s.ElementsAs(ctx, &out, false)
	slices.Sort(out)
	return out, diags
}

func credPtr[T any](v T) *T { return &v }

// apiErrorOnSets rewrites a refusal that names an element of a set field
// ("serviceAccountIds[0]") to name the field itself: set elements have no
// index in Terraform, so the diagnostic is attached to the whole set.
func apiErrorOnSets(err error, setFields ...string) error {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || len(apiErr.Details) == 0 {
		return err
	}
	field := apiErr.Details[0].Field
	for _, s := range setFields {
		if strings.HasPrefix(field, s+"[") {
			c := *apiErr
			c.Details = slices.Clone(apiErr.Details)
			c.Details[0].Field = s
			return &c
		}
	}
	return err
}
