package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	_ resource.ResourceWithConfigure   = (*partnerAppProfileResource)(nil)
	_ resource.ResourceWithImportState = (*partnerAppProfileResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*partnerAppProfileResource)(nil)
)

func init() { resources = append(resources, newPartnerAppProfileResource) }

func newPartnerAppProfileResource() resource.Resource { return &partnerAppProfileResource{} }

type partnerAppProfileResource struct {
	client *client.Client
}

func (r *partnerAppProfileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_partner_app_profile"
}

func (r *partnerAppProfileResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A partner app profile: the reseller-side app that lets Microsoft 365 users and groups of a customer be added as users of the console, with single sign-on. A Global Administrator of the customer's tenant authorizes it.\n\n" +
			"When the authorization expires (status `authorization_expired`), `terraform plan` shows an in-place update that re-authorizes the profile.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("partner app profile"),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the profile. Can be changed in place.",
				Validators:          nameValidators(),
			},
			"cloud": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(domain.PartnerClouds[0]),
				MarkdownDescription: "Microsoft cloud of the customer: " + enumDescription(domain.PartnerClouds) + " (use `us_government` when the customer's login URL ends in `.us`). Changing it replaces the profile.",
				Validators:          []validator.String{stringvalidator.OneOf(domain.PartnerClouds...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"wait_for_consent": waitForConsentAttribute(),
			// Status and consent details change only on a (re-)authorization;
			// ModifyPlan makes them unknown when the apply may bring one.
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`pending_consent` until a Global Administrator authorizes the app at `consent_url`, then `active`; `authorization_expired` when it must be re-authorized.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"consent_url":   keptString(consentURLAttribute()),
			"consent_user":  keptString(computedString("The account that authorized the app.")),
			"modified_time": computedString("When the profile last changed (RFC 3339)."),
			"timeouts":      timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

func (r *partnerAppProfileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

type partnerAppProfileModel struct {
	ID             types.String   `tfsdk:"id"`
	Name           types.String   `tfsdk:"name"`
	Cloud          types.String   `tfsdk:"cloud"`
	WaitForConsent types.Bool     `tfsdk:"wait_for_consent"`
	Status         types.String   `tfsdk:"status"`
	ConsentURL     types.String   `tfsdk:"consent_url"`
	ConsentUser    types.String   `tfsdk:"consent_user"`
	ModifiedTime   types.String   `tfsdk:"modified_time"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (m *partnerAppProfileModel) flatten(p *domain.PartnerAppProfile) {
	m.ID = types.StringValue(p.ID)
	m.Name = types.StringValue(p.Name)
	m.Cloud = types.StringValue(p.Cloud)
	m.Status = types.StringValue(p.Status)
	m.ConsentURL = types.StringValue(p.ConsentURL)
	m.ConsentUser = types.StringValue(p.ConsentUser)
	m.ModifiedTime = types.StringValue(p.ModifiedTime.Format(time.RFC3339))
	if m.WaitForConsent.IsNull() {
		m.WaitForConsent = types.BoolValue(false)
	}
}

func (r *partnerAppProfileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan partnerAppProfileModel
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
	p, cr, err := r.client.CreatePartnerAppProfile(ctx, domain.PartnerAppProfileWrite{Name: plan.Name.ValueStringPointer(), Cloud: plan.Cloud.ValueStringPointer()})
	if err != nil {
		addCreateError(&resp.Diagnostics, "creating partner app profile "+plan.Name.ValueString(), "aos_partner_app_profile", err, nil)
		return
	}
	// The profile exists from here on: save it before waiting, so a wait
	// that times out leaves it tracked in state rather than orphaned.
	plan.flatten(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
	if plan.WaitForConsent.ValueBool() {
		p, cr, err = r.waitConsent(ctx, p, cr, timeout)
		if err != nil {
			addWaitError(&resp.Diagnostics, "waiting for consent of partner app profile "+plan.Name.ValueString(), "aos_partner_app_profile", true, err)
			return
		}
		plan.flatten(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setETag(ctx, resp.Private, cr)...)
	}
}

func (r *partnerAppProfileResource) waitConsent(ctx context.Context, p *domain.PartnerAppProfile, pr *client.Response, timeout time.Duration) (*domain.PartnerAppProfile, *client.Response, error) {
	return waitForConsentOf(ctx, "partner app profile "+p.Name, timeout, p, pr,
		func(ctx context.Context) (*domain.PartnerAppProfile, *client.Response, error) {
			return r.client.GetPartnerAppProfile(ctx, p.ID)
		},
		func(p *domain.PartnerAppProfile) consentState {
			return consentState{Status: p.Status, ConsentURL: p.ConsentURL}
		})
}

func (r *partnerAppProfileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state partnerAppProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, gr, err := r.client.GetPartnerAppProfile(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removedOutOfBand(ctx, resp, "partner app profile", state.ID.ValueString())
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "reading partner app profile "+state.ID.ValueString(), err, nil)
		return
	}
	state.flatten(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// The ETag of what this refresh saw is what a plan built on it expects
	// the object to still be when the plan is applied.
	resp.Diagnostics.Append(setETag(ctx, resp.Private, gr)...)
}

// ModifyPlan turns an expired authorization into a planned in-place
// update, so `terraform apply` repairs it. Status and consent details are
// kept from the state on other updates (a rename); they are unknown only
// when the apply re-authorizes or waits for a pending consent.
func (r *partnerAppProfileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	// Status decides; reading single attributes keeps this hook cheap,
	// since Terraform calls it for every profile in every plan.
	var status, name types.String
	var wait types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("wait_for_consent"), &wait)...)
	if resp.Diagnostics.HasError() {
		return
	}
	expired := status.ValueString() == domain.StatusAuthorizationExpired
	waits := wait.ValueBool() && status.ValueString() == domain.StatusPendingConsent && !req.Plan.Raw.Equal(req.State.Raw)
	if !expired && !waits {
		return
	}
	if expired {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("name"), &name)...)
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "Partner app profile authorization expired",
			fmt.Sprintf("The authorization of partner app profile %q expired. Applying this plan re-authorizes it; a Global Administrator must then consent at the new consent_url (or set wait_for_consent).", name.ValueString()))
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("consent_url"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("consent_user"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("modified_time"), types.StringUnknown())...)
}

func (r *partnerAppProfileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state partnerAppProfileModel
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
	var p *domain.PartnerAppProfile
	var last *client.Response
	var err error
	if !plan.Name.Equal(state.Name) {
		p, last, err = r.client.UpdatePartnerAppProfile(ctx, id, domain.PartnerAppProfileWrite{Name: plan.Name.ValueStringPointer()}, ifMatchOpts(etag)...)
		if err != nil {
			addError(&resp.Diagnostics, "updating partner app profile "+id, err, nil)
			return
		}
		etag = last.ETag
	}
	if state.Status.ValueString() == domain.StatusAuthorizationExpired {
		p, last, err = r.client.ReauthorizePartnerAppProfile(ctx, id, ifMatchOpts(etag)...)
		if err != nil {
			addError(&resp.Diagnostics, "re-authorizing partner app profile "+id, err, nil)
			return
		}
	}
	if p == nil {
		if p, last, err = r.client.GetPartnerAppProfile(ctx, id); err != nil {
			addError(&resp.Diagnostics, "reading partner app profile "+id, err, nil)
			return
		}
	}
	plan.flatten(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
	if plan.WaitForConsent.ValueBool() && p.Status == domain.StatusPendingConsent {
		if p, last, err = r.waitConsent(ctx, p, last, timeout); err != nil {
			addWaitError(&resp.Diagnostics, "waiting for consent of partner app profile "+id, "aos_partner_app_profile", false, err)
			return
		}
		plan.flatten(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
	}
}

func (r *partnerAppProfileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state partnerAppProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No If-Match: destroying means deleting the object whatever it looks
	// like now, so a change made since the plan must not stop it.
	err := r.client.DeletePartnerAppProfile(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "deleting partner app profile "+state.ID.ValueString(), err, nil)
	}
}

func (r *partnerAppProfileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("wait_for_consent"), types.BoolValue(false))...)
}
