package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
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
	_ resource.ResourceWithConfigure      = (*appProfileResource)(nil)
	_ resource.ResourceWithImportState    = (*appProfileResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*appProfileResource)(nil)
	_ resource.ResourceWithValidateConfig = (*appProfileResource)(nil)
)

func init() { resources = append(resources, newAppProfileResource) }

func newAppProfileResource() resource.Resource { return &appProfileResource{} }

type appProfileResource struct {
	client *client.Client
}

// appProfileClientIDPattern is the textual form of an Azure application
// (client) id; the service accepts either case and stores lowercase.
var appProfileClientIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// appTypeTable renders the app type catalogue as a Markdown table for the
// resource description, from the same catalogue the validator uses.
func appTypeTable() string {
	var b strings.Builder
	b.WriteString("| `type` | App type | Permissions | User consent | Custom app |\n|---|---|---|---|---|\n")
	for _, t := range domain.AppTypes() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", t.Slug, t.DisplayName, t.PermissionKind, appProfileYesNo(t.UserConsentAllowed), appProfileYesNo(t.Custom))
	}
	return b.String()
}

func appProfileYesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func customAppTypeSlugs() []string {
	var out []string
	for _, t := range domain.AppTypes() {
		if t.Custom {
			out = append(out, t.Slug)
		}
	}
	return out
}

func (r *appProfileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_profile"
}

func (r *appProfileResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	customTypes := enumDescription(customAppTypeSlugs())
	resp.Schema = schema.Schema{
		MarkdownDescription: "An app profile of a connected Microsoft 365 tenant: one of the service's apps (or your own Azure app) consented in the tenant, " +
			"which the service's products use to reach the tenant's data.\n\n" +
			"Creating the profile returns `status = \"pending_consent\"` and a `consent_url` that an administrator (or, for user consent, the consenting user) opens. " +
			"Changing `consent_method`, `functions`, `client_id` or the certificate (`certificate_wo_version`) re-authorizes the profile in place: the service asks for a new consent. " +
			"When the authorization expires (`authorization_expired`) or the consent stops working (`invalid`, see `reason`), `terraform plan` shows an in-place update that re-authorizes it.\n\n" +
			"App types:\n\n" + appTypeTable(),
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("app profile"),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the profile, unique within the tenant. Can be changed in place.",
				Validators:          nameValidators(),
			},
			"tenant_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the connected Microsoft 365 tenant (`aos_microsoft_tenant`) the app is consented in. Changing it replaces the profile.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "App type: " + enumDescription(domain.AppTypeSlugs()) + ". " +
					"The table above gives each type's permissions and whether it allows user consent. Changing it replaces the profile.",
				Validators:    []validator.String{stringvalidator.OneOf(domain.AppTypeSlugs()...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"consent_method": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(domain.ConsentMethods[0]),
				MarkdownDescription: "Who consents: " + enumDescription(domain.ConsentMethods) + " (default `admin`: a Global Administrator of the tenant). " +
					"`user` lets a non-administrator consent for themselves and is allowed only for " + enumDescription(domain.UserConsentAppTypeSlugs()) + ". " +
					"Changing it re-authorizes the profile.",
				Validators: []validator.String{stringvalidator.OneOf(domain.ConsentMethods...)},
			},
			"functions": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only for type `" + domain.AppTypeDelegatedApp + "`: the Cloud Backup for Microsoft 365 functions that use the app, each " +
					enumDescription(domain.DelegatedAppFunctions) + ". Changing them re-authorizes the profile; make sure the subscription includes the modules they protect.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(domain.DelegatedAppFunctions...)),
				},
			},
			"client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only for the custom types (" + customTypes + "), where it is required: the Application (client) ID of your Azure app, " +
					"a GUID. Changing it re-authorizes the profile.",
				Validators: []validator.String{stringvalidator.RegexMatches(appProfileClientIDPattern, "must be a GUID such as 00000000-0000-0000-0000-000000000000")},
			},
			"certificate_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				MarkdownDescription: "Only for the custom types, where it is required: the certificate registered on your Azure app with its private key, " +
					"as PEM text (a `CERTIFICATE` block and an unencrypted private key) or a base64-encoded PFX file (`filebase64(\"app.pfx\")`). " +
					"The key must be RSA of 2048 bits or more, the only certificate credentials Microsoft Entra accepts for an app: " +
					"an ECDSA, Ed25519 or shorter RSA certificate is refused. " +
					"Write-only: it is never stored in the state. It is sent on create, and on update only when `certificate_wo_version` changes " +
					"(or when another certificate was uploaded outside Terraform: `terraform plan` then shows an in-place update, with a warning, that sends the configured one again); " +
					"a new certificate re-authorizes the profile.",
			},
			"certificate_password_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				MarkdownDescription: "Password of a PFX `certificate_wo`. Write-only; sent together with the certificate.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("certificate_wo"))},
			},
			"certificate_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number that you change whenever `certificate_wo` (or its password) changes: since write-only values are not kept in the state, " +
					"changing this number is what makes `terraform apply` send the certificate again.",
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("certificate_wo"))},
			},
			"impersonation_user": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only for the custom types: the user (user principal name) the app impersonates by default in migration connections; " +
					"the user needs an Exchange Online licence. Can be changed in place.",
			},
			"wait_for_consent": waitForConsentAttribute(),
			"permission_kind": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Kind of permissions the app type uses: " + enumDescription(domain.PermissionKinds) + ". Delegated and hybrid apps act for the consent user and turn `invalid` when that user's account changes.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": computedString("`pending_consent` until someone consents at `consent_url`, then `active`; `authorization_expired` when the authorization lapsed; " +
				"`invalid` when the consent no longer works (see `reason`)."),
			"reason": computedString("Why the profile is `invalid`: `" + domain.ReasonConditionalAccess + "` (the tenant's conditional access policies block the service's IP address), `" +
				domain.ReasonMfaEnabled + "` (MFA was turned on for the consent user) or `" + domain.ReasonUserUnavailable + "` (the consent user is disabled, removed or changed password). Empty otherwise."),
			"consent_url":            consentURLAttribute(),
			"consent_user":           computedString("The account that consented."),
			"certificate_thumbprint": computedString("Custom types: SHA-1 thumbprint of the certificate in use (uppercase hex), as the Azure portal shows it."),
			"certificate_expires":    computedString("Custom types: when the certificate in use expires (RFC 3339). Renew it and bump `certificate_wo_version` before then."),
			"modified_time":          computedString("When the profile last changed (RFC 3339)."),
			"timeouts":               timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

func (r *appProfileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig mirrors the type rules the service applies, so a wrong
// combination fails at plan time on the attribute that causes it. Values
// that are unknown (computed elsewhere) are left to the service.
func (r *appProfileResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg appProfileModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Type.IsUnknown() || cfg.Type.IsNull() {
		return
	}
	t, ok := domain.AppTypeBySlug(cfg.Type.ValueString())
	if !ok {
		return // the OneOf validator on type reports it
	}
	if cfg.ConsentMethod.ValueString() == domain.ConsentMethodUser && !t.UserConsentAllowed {
		resp.Diagnostics.AddAttributeError(path.Root("consent_method"), "User consent is not allowed for this app type",
			fmt.Sprintf("App type %q needs consent by a Global Administrator: set consent_method to %q or remove it. User consent is offered only for: %s.",
				t.Slug, domain.ConsentMethodAdmin, strings.Join(domain.UserConsentAppTypeSlugs(), ", ")))
	}
	if !cfg.Functions.IsNull() && t.Slug != domain.AppTypeDelegatedApp {
		resp.Diagnostics.AddAttributeError(path.Root("functions"), "Functions are not allowed for this app type",
			fmt.Sprintf("Only the %q app type takes functions; remove functions from this %q profile.", domain.AppTypeDelegatedApp, t.Slug))
	}
	custom := map[string]attr.Value{
		"client_id":               cfg.ClientID,
		"certificate_wo":          cfg.CertificateWO,
		"certificate_password_wo": cfg.CertificatePasswordWO,
		"certificate_wo_version":  cfg.CertificateWOVersion,
		"impersonation_user":      cfg.ImpersonationUser,
	}
	if !t.Custom {
		for _, name := range []string{"client_id", "certificate_wo", "certificate_password_wo", "certificate_wo_version", "impersonation_user"} {
			if !custom[name].IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Argument not allowed for this app type",
					fmt.Sprintf("%s applies only to the custom Azure app types (%s); remove it from this %q profile.",
						name, strings.Join(customAppTypeSlugs(), ", "), t.Slug))
			}
		}
		return
	}
	// Write-only values are present in the configuration on every run, so
	// the certificate can be required here even on updates.
	for _, name := range []string{"client_id", "certificate_wo"} {
		if custom[name].IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Missing argument for a custom Azure app",
				fmt.Sprintf("A %q profile needs %s: the Application (client) ID of your Azure app and the certificate registered on it, with its private key.", t.Slug, name))
		}
	}
}

type appProfileModel struct {
	ID                    types.String   `tfsdk:"id"`
	Name                  types.String   `tfsdk:"name"`
	TenantID              types.String   `tfsdk:"tenant_id"`
	Type                  types.String   `tfsdk:"type"`
	ConsentMethod         types.String   `tfsdk:"consent_method"`
	Functions             types.Set      `tfsdk:"functions"`
	ClientID              types.String   `tfsdk:"client_id"`
	CertificateWO         types.String   `tfsdk:"certificate_wo"`
	CertificatePasswordWO types.String   `tfsdk:"certificate_password_wo"`
	CertificateWOVersion  types.Int64    `tfsdk:"certificate_wo_version"`
	ImpersonationUser     types.String   `tfsdk:"impersonation_user"`
	WaitForConsent        types.Bool     `tfsdk:"wait_for_consent"`
	PermissionKind        types.String   `tfsdk:"permission_kind"`
	Status                types.String   `tfsdk:"status"`
	Reason                types.String   `tfsdk:"reason"`
	ConsentURL            types.String   `tfsdk:"consent_url"`
	ConsentUser           types.String   `tfsdk:"consent_user"`
	CertificateThumbprint types.String   `tfsdk:"certificate_thumbprint"`
	CertificateExpires    types.String   `tfsdk:"certificate_expires"`
	ModifiedTime          types.String   `tfsdk:"modified_time"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

// appProfileKeepCase returns the value already in the model when the
// service's value differs only in letter case: the service lowercases client
// ids and user names, and a diff on case alone would never go away.
func appProfileKeepCase(current types.String, served string) types.String {
	if served == "" {
		return types.StringNull()
	}
	if !current.IsNull() && !current.IsUnknown() && strings.EqualFold(current.ValueString(), served) {
		return current
	}
	return types.StringValue(served)
}

func appProfileNullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func (m *appProfileModel) flatten(p *domain.AppProfile) {
	m.ID = types.StringValue(p.ID)
	m.Name = types.StringValue(p.Name)
	m.TenantID = types.StringValue(p.TenantID)
	m.Type = types.StringValue(p.Type)
	m.ConsentMethod = types.StringValue(p.ConsentMethod)
	if len(p.Functions) == 0 {
		m.Functions = types.SetNull(types.StringType)
	} else {
		elems := make([]attr.Value, len(p.Functions))
		for i, f := range p.Functions {
			elems[i] = types.StringValue(f)
		}
		m.Functions = types.SetValueMust(types.StringType, elems)
	}
	m.ClientID = appProfileKeepCase(m.ClientID, p.ClientID)
	m.ImpersonationUser = appProfileKeepCase(m.ImpersonationUser, p.ImpersonationUser)
	// Write-only arguments are never persisted.
	m.CertificateWO = types.StringNull()
	m.CertificatePasswordWO = types.StringNull()
	m.PermissionKind = types.StringValue(p.PermissionKind)
	m.Status = types.StringValue(p.Status)
	m.Reason = types.StringValue(p.Reason)
	m.ConsentURL = types.StringValue(p.ConsentURL)
	m.ConsentUser = types.StringValue(p.ConsentUser)
	m.CertificateThumbprint = appProfileNullIfEmpty(p.CertificateThumbprint)
	if p.CertificateExpires != nil {
		m.CertificateExpires = types.StringValue(p.CertificateExpires.UTC().Format(time.RFC3339))
	} else {
		m.CertificateExpires = types.StringNull()
	}
	m.ModifiedTime = types.StringValue(p.ModifiedTime.Format(time.RFC3339))
	if m.WaitForConsent.IsNull() || m.WaitForConsent.IsUnknown() {
		m.WaitForConsent = types.BoolValue(false)
	}
}

func appProfileStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	out := []string{}
	if s.IsNull() || s.IsUnknown() {
		return out
	}
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	slices.Sort(out)
	return out
}

// appProfileCertificateFromConfig reads the write-only certificate and
// password, which exist only in the configuration. The password is always
// sent with the certificate (empty when unset) so that replacing a PFX by PEM
// text clears the stored password.
func appProfileCertificateFromConfig(ctx context.Context, cfg interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, diags *diag.Diagnostics) (cert, password *string) {
	var c, p types.String
	diags.Append(cfg.GetAttribute(ctx, path.Root("certificate_wo"), &c)...)
	diags.Append(cfg.GetAttribute(ctx, path.Root("certificate_password_wo"), &p)...)
	if c.IsNull() || c.IsUnknown() {
		return nil, nil
	}
	cv, pv := c.ValueString(), p.ValueString()
	return &cv, &pv
}

// privateAppliedCertificateVersion is the private-state key holding the
// service's certificateVersion right after Terraform last sent the
// certificate; privateCertificateVersion holds the one the service reported
// when Terraform last read the profile. When they differ, someone uploaded
// another certificate outside Terraform. After an import nothing was sent,
// so nothing is recorded and no drift is reported.
const (
	privateAppliedCertificateVersion = "applied_certificate_version"
	privateCertificateVersion        = "certificate_version"
)

// appProfileCertificateDrift tells whether the certificate in use is not the
// one Terraform last sent, with the versions that say so.
func appProfileCertificateDrift(ctx context.Context, p credPrivateReader) (current, applied int64, drift bool, diags diag.Diagnostics) {
	applied, appliedOK, d := privateVersion(ctx, p, privateAppliedCertificateVersion)
	diags.Append(d...)
	current, currentOK, d := privateVersion(ctx, p, privateCertificateVersion)
	diags.Append(d...)
	return current, applied, appliedOK && currentOK && current != applied, diags
}

// setAppProfileCertificateVersions records the certificateVersion of p as
// seen and, when the certificate was just sent, as applied.
func setAppProfileCertificateVersions(ctx context.Context, pr credPrivateWriter, p *domain.AppProfile, sent bool) diag.Diagnostics {
	diags := setPrivateVersion(ctx, pr, privateCertificateVersion, p.CertificateVersion)
	if sent {
		diags.Append(setPrivateVersion(ctx, pr, privateAppliedCertificateVersion, p.CertificateVersion)...)
	}
	return diags
}

// addAppProfileError reports a failed call. The service names a function
// by its index ("functions[1]"), which has no meaning in a set, so such
// refusals are attached to the whole functions attribute.
func addAppProfileError(diags *diag.Diagnostics, action string, err error) {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && strings.HasPrefix(apiErr.Field(), "functions[") {
		diags.AddAttributeError(path.Root("functions"), "Error "+action, apiErr.Error())
		return
	}
	addError(diags, action, err, nil)
}

func (r *appProfileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan appProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
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
	in := domain.AppProfileWrite{
		Name:              plan.Name.ValueStringPointer(),
		TenantID:          plan.TenantID.ValueStringPointer(),
		Type:              plan.Type.ValueStringPointer(),
		ConsentMethod:     plan.ConsentMethod.ValueStringPointer(),
		ClientID:          plan.ClientID.ValueStringPointer(),
		ImpersonationUser: plan.ImpersonationUser.ValueStringPointer(),
	}
	if !plan.Functions.IsNull() {
		fs := appProfileStrings(ctx, plan.Functions, &resp.Diagnostics)
		in.Functions = &fs
	}
	in.Certificate, in.CertificatePassword = appProfileCertificateFromConfig(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	p, cr, err := r.client.CreateAppProfile(ctx, in)
	if err != nil {
		if isAlreadyExists(err) {
			addCreateError(&resp.Diagnostics, "creating app profile "+plan.Name.ValueString(), "aos_app_profile", err, nil)
			return
		}
		addAppProfileError(&resp.Diagnostics, "creating app profile "+plan.Name.ValueString(), err)
		return
	}
	// The profile exists from here on: save it before waiting, so a wait
	// that times out leaves it tracked in state rather than orphaned.
	plan.flatten(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
	resp.Diagnostics.Append(setAppProfileCertificateVersions(ctx, resp.Private, p, in.Certificate != nil)...)
	if plan.WaitForConsent.ValueBool() && p.Status == domain.StatusPendingConsent {
		if p, cr, err = r.waitConsent(ctx, p, cr, timeout); err != nil {
			addWaitError(&resp.Diagnostics, "waiting for consent of app profile "+plan.Name.ValueString(), "aos_app_profile", true, err)
			return
		}
		plan.flatten(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
	}
}

func (r *appProfileResource) waitConsent(ctx context.Context, p *domain.AppProfile, pr *client.Response, timeout time.Duration) (*domain.AppProfile, *client.Response, error) {
	return waitForConsentOf(ctx, "app profile "+p.Name, timeout, p, pr,
		func(ctx context.Context) (*domain.AppProfile, *client.Response, error) {
			return r.client.GetAppProfile(ctx, p.ID)
		},
		func(p *domain.AppProfile) consentState {
			return consentState{Status: p.Status, ConsentURL: p.ConsentURL}
		})
}

func (r *appProfileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state appProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, gr, err := r.client.GetAppProfile(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removedOutOfBand(ctx, resp, "app profile", state.ID.ValueString())
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "reading app profile "+state.ID.ValueString(), err, nil)
		return
	}
	state.flatten(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// The ETag of what this refresh saw is what a plan built on it expects
	// the object to still be when the plan is applied.
	resp.Diagnostics.Append(setETag(ctx, resp.Private, gr)...)
	// The certificate version the service uses now; ModifyPlan compares it
	// with the one Terraform applied.
	resp.Diagnostics.Append(setAppProfileCertificateVersions(ctx, resp.Private, p, false)...)
}

// appProfileNeedsReauthorization tells whether a profile in this status can
// only be repaired by a new consent.
func appProfileNeedsReauthorization(status string) bool {
	return status == domain.StatusAuthorizationExpired || status == domain.StatusInvalid
}

// appProfileReasonText explains a status that needs re-authorization in words
// a user can act on.
func appProfileReasonText(status, reason, consentUser string) string {
	if status == domain.StatusAuthorizationExpired {
		return "its authorization expired"
	}
	who := "the consent user"
	if consentUser != "" {
		who += " " + consentUser
	}
	switch reason {
	case domain.ReasonMfaEnabled:
		return "multi-factor authentication was turned on for " + who + " after the consent (reason " + reason + ")"
	case domain.ReasonUserUnavailable:
		return who + " can no longer sign in: the account was disabled or removed, or its password changed (reason " + reason + ")"
	case domain.ReasonConditionalAccess:
		return "the tenant's conditional access policies block the IP address the service signs in from (reason " + reason +
			"); add that address to the policies, otherwise the profile turns invalid again after the new consent"
	case "":
		return "it is invalid"
	}
	return "it is invalid (reason " + reason + ")"
}

// ModifyPlan keeps the plan honest about what apply will do. A change that
// makes the service ask for a new consent (consent method, functions,
// client id, certificate) or a profile that needs re-authorization
// (authorization expired, or invalid because of the consent user or
// conditional access) leaves status and consent details unknown; the latter
// also plans an in-place update with a warning that says why. Other
// changes (a rename, another impersonation user) keep the status and
// consent details, and changes that never reach the service keep every
// computed value.
func (r *appProfileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state appProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Type.Equal(state.Type) || !plan.TenantID.Equal(state.TenantID) {
		return // replacement: Terraform plans the new object as a create
	}
	status := state.Status.ValueString()
	reauthorize := appProfileNeedsReauthorization(status)
	current, applied, drift, diags := appProfileCertificateDrift(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if !reauthorize && !drift && req.Plan.Raw.Equal(req.State.Raw) {
		return // nothing changes
	}
	if drift {
		resp.Diagnostics.AddAttributeWarning(path.Root("certificate_wo"), "The certificate was changed outside Terraform",
			fmt.Sprintf("The certificate of app profile %q was replaced outside Terraform (certificateVersion %d, Terraform last set %d). "+
				"The configured certificate_wo is the source of truth: applying this plan sends it again and, as with any new certificate, re-authorizes the profile; "+
				"then consent again at the new consent_url (or set wait_for_consent). To keep the new certificate instead, put it in the configuration and raise certificate_wo_version.",
				state.Name.ValueString(), current, applied))
	}
	if reauthorize {
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "App profile needs re-authorization",
			fmt.Sprintf("App profile %q cannot be used because %s. Applying this plan re-authorizes it; then consent again at the new consent_url (or set wait_for_consent).",
				state.Name.ValueString(), appProfileReasonText(status, state.Reason.ValueString(), state.ConsentUser.ValueString())))
	}
	certChanged := drift || !plan.CertificateWOVersion.Equal(state.CertificateWOVersion)
	reconsent := reauthorize || certChanged ||
		!plan.ConsentMethod.Equal(state.ConsentMethod) ||
		!plan.Functions.Equal(state.Functions) ||
		!appProfileSameFold(plan.ClientID, state.ClientID)
	apiCall := reconsent || !plan.Name.Equal(state.Name) || !appProfileSameFold(plan.ImpersonationUser, state.ImpersonationUser)
	waits := plan.WaitForConsent.ValueBool() && status == domain.StatusPendingConsent

	keep := map[string]attr.Value{"permission_kind": state.PermissionKind}
	if !certChanged {
		keep["certificate_thumbprint"] = state.CertificateThumbprint
		keep["certificate_expires"] = state.CertificateExpires
	} else {
		// Also when only drift makes the update: the configuration did not
		// change then, so nothing else would be unknown.
		keep["certificate_thumbprint"] = types.StringUnknown()
		keep["certificate_expires"] = types.StringUnknown()
	}
	// Only a new consent (or a wait that may see one) changes the status
	// and the consent details; a rename or another impersonation user is
	// a call that keeps them, and changes only the modification time.
	if !reconsent && !waits {
		keep["status"], keep["reason"], keep["consent_url"], keep["consent_user"] = state.Status, state.Reason, state.ConsentURL, state.ConsentUser
	} else {
		for _, name := range []string{"status", "reason", "consent_url", "consent_user"} {
			keep[name] = types.StringUnknown()
		}
	}
	if !reconsent && !waits && !apiCall {
		keep["modified_time"] = state.ModifiedTime
	} else {
		keep["modified_time"] = types.StringUnknown()
	}
	for name, v := range keep {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
}

// appProfileSameFold compares two optional strings ignoring letter case;
// unknown values count as different.
func appProfileSameFold(a, b types.String) bool {
	if a.IsUnknown() || b.IsUnknown() {
		return false
	}
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	return strings.EqualFold(a.ValueString(), b.ValueString())
}

func (r *appProfileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state appProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
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
	var patch domain.AppProfileWrite
	changed := false
	if !plan.Name.Equal(state.Name) {
		patch.Name, changed = plan.Name.ValueStringPointer(), true
	}
	if !plan.ConsentMethod.Equal(state.ConsentMethod) {
		patch.ConsentMethod, changed = plan.ConsentMethod.ValueStringPointer(), true
	}
	if !plan.Functions.Equal(state.Functions) {
		// An absent set clears the functions, so it is sent as empty.
		fs := appProfileStrings(ctx, plan.Functions, &resp.Diagnostics)
		patch.Functions, changed = &fs, true
	}
	if !appProfileSameFold(plan.ClientID, state.ClientID) {
		v := plan.ClientID.ValueString()
		patch.ClientID, changed = &v, true
	}
	if !appProfileSameFold(plan.ImpersonationUser, state.ImpersonationUser) {
		v := plan.ImpersonationUser.ValueString()
		patch.ImpersonationUser, changed = &v, true
	}
	// The certificate is sent when its version changed, and again when
	// another one was uploaded outside Terraform (see ModifyPlan).
	_, _, drift, diags := appProfileCertificateDrift(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if drift || !plan.CertificateWOVersion.Equal(state.CertificateWOVersion) {
		patch.Certificate, patch.CertificatePassword = appProfileCertificateFromConfig(ctx, req.Config, &resp.Diagnostics)
		changed = changed || patch.Certificate != nil
	}
	if resp.Diagnostics.HasError() {
		return
	}
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
	var p *domain.AppProfile
	var last *client.Response
	var err error
	if changed {
		opts := ifMatchOpts(etag)
		if patch.Certificate != nil {
			// Lets a retry whose first attempt's answer was lost see that
			// the certificate was stored (client.WriteOnly): the version
			// last read is from the same read as the ETag.
			if v, ok, d := privateVersion(ctx, req.Private, privateCertificateVersion); ok && !d.HasError() {
				opts = append(opts, client.WriteOnly("certificate", "certificateVersion", v), client.WriteOnly("certificatePassword", "certificateVersion", v))
			}
		}
		if p, last, err = r.client.UpdateAppProfile(ctx, id, patch, opts...); err != nil {
			addAppProfileError(&resp.Diagnostics, "updating app profile "+id, err)
			return
		}
		etag = last.ETag
	}
	// A patch that changed the consent already asked for a new one; only
	// otherwise does a broken authorization need an explicit call.
	if appProfileNeedsReauthorization(state.Status.ValueString()) && (p == nil || p.Status != domain.StatusPendingConsent) {
		if p, last, err = r.client.ReauthorizeAppProfile(ctx, id, ifMatchOpts(etag)...); err != nil {
			addError(&resp.Diagnostics, "re-authorizing app profile "+id, err, nil)
			return
		}
	}
	waits := plan.WaitForConsent.ValueBool() && state.Status.ValueString() == domain.StatusPendingConsent
	if p == nil && !waits {
		// Only arguments local to Terraform changed (wait_for_consent,
		// timeouts, letter case): the plan already holds the values from
		// the state, and reading again could only make them disagree.
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	if p == nil {
		if p, last, err = r.client.GetAppProfile(ctx, id); err != nil {
			addError(&resp.Diagnostics, "reading app profile "+id, err, nil)
			return
		}
	}
	plan.flatten(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
	resp.Diagnostics.Append(setAppProfileCertificateVersions(ctx, resp.Private, p, patch.Certificate != nil)...)
	if plan.WaitForConsent.ValueBool() && p.Status == domain.StatusPendingConsent {
		if p, last, err = r.waitConsent(ctx, p, last, timeout); err != nil {
			addWaitError(&resp.Diagnostics, "waiting for consent of app profile "+id, "aos_app_profile", false, err)
			return
		}
		plan.flatten(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
	}
}

func (r *appProfileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No If-Match: destroying means deleting the object whatever it looks
	// like now, so a change made since the plan must not stop it.
	err := r.client.DeleteAppProfile(ctx, id.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "deleting app profile "+id.ValueString(), err, nil)
	}
}

func (r *appProfileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("wait_for_consent"), types.BoolValue(false))...)
}
