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

func nameValidators() []validator.String {
	return []validator.String{stringvalidator.LengthBetween(1, 128)}
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
