package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// defaultConsentTimeout bounds wait_for_consent when no timeout is set: long
// enough for an administrator to sign in, short enough to notice nobody did.
const defaultConsentTimeout = 20 * time.Minute

// enumDescription renders allowed values for a description, from the same
// slice the validator uses, so docs and validation cannot disagree.
func enumDescription(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return "one of " + strings.Join(q, ", ")
}

func idAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Identifier of the " + what + ", assigned by the service.",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

// nameValidators apply the service's own rule for names, so a name is
// judged at plan time exactly as the service judges it: up to 128
// characters (not bytes), no leading or trailing spaces, no control
// characters.
func nameValidators() []validator.String {
	return []validator.String{serviceRule{
		what:  fmt.Sprintf("1 to %d characters without leading or trailing spaces", domain.NameMaxLength),
		check: domain.ValidateName,
	}}
}

// descriptionValidators apply the service's rule for descriptions.
func descriptionValidators() []validator.String {
	return []validator.String{serviceRule{
		what:  fmt.Sprintf("at most %d characters", domain.DescriptionMaxLength),
		check: domain.ValidateDescription,
	}}
}

// filterValidators refuse an empty filter argument: the service reads ""
// as no filter at all, so a variable that is empty by mistake would
// silently list every object of the organization instead of none.
func filterValidators() []validator.String {
	return []validator.String{stringvalidator.LengthAtLeast(1)}
}

// serviceRule is a string validator that runs one of the service's field
// checks (internal/domain) at plan time. The error names the attribute and
// carries the service's own message, which says what to change.
type serviceRule struct {
	what  string
	check func(field, v string) *domain.Error
}

func (r serviceRule) Description(context.Context) string { return "value must be " + r.what }

func (r serviceRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (r serviceRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	field := req.Path.String()
	if e := r.check(field, req.ConfigValue.ValueString()); e != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+field, e.Message+".")
	}
}

func waitForConsentAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true, Computed: true,
		Default: booldefault.StaticBool(false),
		MarkdownDescription: "When `true`, create (and any update that needs a new consent) waits until an administrator has consented, " +
			"within the `create`/`update` timeout (default 20 minutes); the timeout error repeats the consent URL. " +
			"When `false` (the default) apply returns at once with `status = \"pending_consent\"` and `consent_url` set.",
	}
}

func consentURLAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "While `status` is `pending_consent`: the URL an administrator opens to sign in and consent. Empty otherwise.",
	}
}

// configureClient extracts the API client handed over by the provider.
func configureClient(data any, diags *diag.Diagnostics) *client.Client {
	if data == nil {
		return nil // the provider is not configured yet (validation)
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd.client
}

// removedOutOfBand drops a resource whose object is gone, with a warning,
// so the next plan proposes to create it again.
func removedOutOfBand(ctx context.Context, resp *resource.ReadResponse, what, id string) {
	resp.Diagnostics.AddWarning(fmt.Sprintf("The %s was deleted outside Terraform", what),
		fmt.Sprintf("%s %s no longer exists; it is removed from the state and the next apply creates it again.", strings.ToUpper(what[:1])+what[1:], id))
	resp.State.RemoveResource(ctx)
}
