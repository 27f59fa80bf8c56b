package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/iam"
)

var (
	_ resource.ResourceWithConfigure   = (*amazonTenantResource)(nil)
	_ resource.ResourceWithImportState = (*amazonTenantResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*amazonTenantResource)(nil)
)

func init() { resources = append(resources, newAmazonTenantResource) }

func newAmazonTenantResource() resource.Resource { return &amazonTenantResource{} }

// amazonTenantResource keeps an Amazon tenant registration and the IAM role
// and managed policies it needs in the customer's AWS account. The service
// never sees the customer's AWS keys: the provider makes the IAM changes
// with them, and the service only assumes the finished role.
type amazonTenantResource struct {
	client *client.Client
}

const (
	// amazonDefaultTimeout bounds create, update and destroy when no
	// timeout is configured. A create makes about fifteen IAM calls, may
	// wait up to two minutes for IAM to propagate (iam's
	// propagationTimeout) and then waits for the service to assume the
	// role, which retries for STS propagation on its side.
	amazonDefaultTimeout = 10 * time.Minute

	// amazonUndoTimeout bounds the undo of a failed create. The undo runs
	// on a context detached from the operation's, because the usual reason
	// for the failure is that the operation's context ended, and the
	// registration must not be left behind for that.
	amazonUndoTimeout = 2 * time.Minute
)

// Keys of the resource's private state. None holds a secret.
const (
	// amazonPrivateRegistrationGone is set by Read when the registration
	// was removed outside Terraform while the IAM objects may still exist.
	amazonPrivateRegistrationGone = "amazon_registration_gone"
	// amazonPrivateIAMChecked is set by Read when it read the IAM objects
	// and recorded the drift in iam_drift, so plan need not read them
	// again.
	amazonPrivateIAMChecked = "amazon_iam_checked"
	// amazonPrivateImported marks a state made by import, which lacks the
	// credentials and endpoints of the configuration, so refresh must not
	// read IAM with guessed ones.
	amazonPrivateImported = "amazon_imported"
	// amazonPrivateRepair is set by ModifyPlan when the plan repairs the
	// IAM objects, for Update.
	amazonPrivateRepair = "amazon_repair"
	// amazonPrivateIAMNotOwned marks a registration kept after a failed
	// create whose role name belongs to a role this resource did not make;
	// destroy must then leave IAM alone.
	amazonPrivateIAMNotOwned = "amazon_iam_not_owned"
)

// amazonIAMConfigHook, when set, adjusts every IAM client configuration the
// resource builds. Only tests set it: to route requests through
// RoundTrippers that rewrite moto's errors or inject throttling and
// failures, and to shorten the waits.
var amazonIAMConfigHook func(*iam.Config)

var (
	amazonRoleNamePattern    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	amazonAccessKeyIDPattern = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	amazonEndpointPattern    = regexp.MustCompile(`^https?://\S+$`)
)

// amazonFieldNames point the service's field names at this resource's
// arguments. The service names roleArn when it cannot assume the role; the
// argument behind the role is role_name.
var amazonFieldNames = map[string]string{
	"roleName":           "role_name",
	"roleArn":            "role_name",
	"permissionsVersion": "permissions_version",
}

func (r *amazonTenantResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_amazon_tenant"
}

func (r *amazonTenantResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Amazon Web Services account registered as a tenant. Create registers the tenant with the service, creates the IAM role " +
			"the service assumes (its trust policy names the service's principal with the tenant's `sts:ExternalId`) and the managed policies the " +
			"service requires, attaches them, waits for IAM to propagate, and asks the service to verify the role by assuming it.\n\n" +
			"The IAM changes are made by the provider with the AWS credentials given here (`access_key_id` with the write-only " +
			"`secret_access_key_wo`, or the default AWS credential chain); the service never receives them. The IAM user needs the policy " +
			"that the `aos_required_permissions` data source returns for `amazon`. A create that fails part-way removes what it made " +
			"(IAM objects and the pending registration); an IAM role of the same name that already exists is never taken over.\n\n" +
			"`terraform plan` reads the role, its trust policy, the attached policies and their default versions: a detached policy, an edited trust " +
			"policy or policy document, or a deleted role shows as an in-place update that repairs it, with a warning naming what drifted. When the " +
			"service requires a newer permission set (`reconnect_recommended`), the plan shows an in-place update that reconnects: new default " +
			"policy versions (pruning the oldest non-default version when a policy already has five) and a new verification.\n\n" +
			"**Credentials outside create and update.** Write-only values exist only while Terraform plans and applies, never during refresh, import " +
			"or destroy. Refresh therefore reads IAM itself only when the tenant uses the default credential chain; with `access_key_id` the check " +
			"runs at plan time with the configured key. Destroy has no configuration at all, so it always uses the default AWS credential chain " +
			"(for example `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` of the same IAM user) and checks that those credentials belong to the " +
			"tenant's account before changing anything; set `retain_on_destroy` to remove only the registration.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Amazon tenant registration"),
			"environment": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(domain.AmazonEnvironments[0]),
				MarkdownDescription: "AWS partition of the account: " + enumDescription(domain.AmazonEnvironments) + " (default `commercial`). Changing it replaces the registration.",
				Validators:          []validator.String{stringvalidator.OneOf(domain.AmazonEnvironments...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"role_name": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(domain.DefaultAmazonRoleName),
				MarkdownDescription: "Name of the IAM role to create (default `" + domain.DefaultAmazonRoleName + "`): 1 to 64 letters, digits or `+=,.@_-`. " +
					"If a role of that name already exists, create fails and says to import it instead. Changing it replaces the registration and the role.",
				Validators:    []validator.String{stringvalidator.RegexMatches(amazonRoleNamePattern, "must be 1 to 64 letters, digits or +=,.@_- characters")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"access_key_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Access key ID of the IAM user that creates and maintains the role, together with `secret_access_key_wo`. " +
					"Leave both out to use the default AWS credential chain (environment variables, shared configuration and credentials files, " +
					"SSO, container or instance role). Changing it updates in place: the next apply checks the new key against the account and " +
					"reconnects with it. After an import, the first apply records it the same way.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(amazonAccessKeyIDPattern, "must be an AWS access key ID such as AKIAIOSFODNN7EXAMPLE"),
					stringvalidator.AlsoRequires(path.MatchRoot("secret_access_key_wo")),
				},
			},
			"secret_access_key_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				MarkdownDescription: "Secret access key of `access_key_id`. Write-only: it is never stored in the state or the plan. It is used " +
					"while Terraform plans and applies; refresh, import and destroy cannot see it (see the resource description for what they use).",
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("access_key_id"))},
			},
			"secret_access_key_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number that you change whenever `secret_access_key_wo` changes: since write-only values are not kept " +
					"in the state, Terraform sees a new secret only through this version. Changing it updates in place and reconnects with the new key.",
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("secret_access_key_wo"))},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "AWS region that signs the IAM and STS requests (IAM itself is global within a partition). Defaults to the " +
					"environment's region: `us-east-1` (commercial), `us-gov-west-1` (gov), `cn-north-1` (china). Changing it updates in place.",
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 64)},
				PlanModifiers: []planmodifier.String{amazonRegionFromEnvironment{}},
			},
			"iam_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "IAM endpoint URL to use instead of the partition's, for a private endpoint or an emulator such as moto. " +
					"When left out, the `AWS_ENDPOINT_URL_IAM` or `AWS_ENDPOINT_URL` environment variable is used if set, as in the AWS SDKs.",
				Validators: []validator.String{stringvalidator.RegexMatches(amazonEndpointPattern, "must be an http(s) URL")},
			},
			"sts_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "STS endpoint URL to use instead of the region's, for the provider's own STS calls (the account the " +
					"credentials belong to). When left out, `AWS_ENDPOINT_URL_STS` or `AWS_ENDPOINT_URL` is used if set.",
				Validators: []validator.String{stringvalidator.RegexMatches(amazonEndpointPattern, "must be an http(s) URL")},
			},
			"retain_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true,
				Default: booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, destroy removes only the registration and keeps the IAM role and policies in the account " +
					"(and needs no AWS credentials). When `false` (the default), destroy removes the registration, then detaches the policies, " +
					"deletes their non-default versions, the policies and the role, in the order AWS requires.",
			},
			"account_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ID of the AWS account the role is in, as the service verified it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"account_alias": computedString("Name of the tenant: the account alias when the account has one, otherwise the account ID."),
			"external_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "External ID the service presents when it assumes the role; the trust policy requires it (`sts:ExternalId`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "AWS principal of the service that the role's trust policy allows to assume the role.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"role_arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the IAM role.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"policy_arns": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "ARNs of the managed policies created for the role (`" + domain.AmazonDiscoveryPolicyName + "` and `" + domain.AmazonBackupPolicyName + "`).",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"status": computedString("`connected` once the service has assumed the role; `pending_consent` only while a create is in progress or failed."),
			"permissions_version": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Version of the service's Amazon permission set whose policy documents the role holds.",
			},
			"reconnect_recommended": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "True when the service now requires a newer permission set than the role holds. `terraform plan` then shows an " +
					"in-place update that writes the new policy versions and has the service verify the role again.",
			},
			"iam_drift": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "What refresh found changed outside Terraform in the IAM role and policies, one sentence each; empty when " +
					"they are as created. Filled by refresh when the tenant uses the default credential chain; with `access_key_id` the same " +
					"check runs at plan time and is reported as a warning only.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *amazonTenantResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (r *amazonTenantResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan amazonTenantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := amazonSecretFromConfig(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, amazonDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	roleName := plan.RoleName.ValueString()
	iamc, err := amazonConnFrom(&plan, secret).newClient(ctx)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("access_key_id"), "Error configuring AWS credentials", err.Error())
		return
	}

	// The keys and the role name are checked before anything is
	// registered, so the common mistakes (a wrong key, a role that
	// exists) leave nothing to undo.
	acct, err := iamc.ValidateKeys(ctx)
	if err != nil {
		addAmazonIAMError(&resp.Diagnostics, "checking the AWS credentials for Amazon tenant role "+roleName, err)
		return
	}
	if want := domain.AmazonPartition(plan.Environment.ValueString()); acct.Partition != want {
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "AWS credentials of another partition",
			fmt.Sprintf("The AWS credentials belong to partition %q (%s), but environment %q is partition %q. Use credentials of an account "+
				"in that partition, or set environment to match the account.", acct.Partition, acct.CallerARN, plan.Environment.ValueString(), want))
		return
	}
	if err := iamc.EnsureNoRole(ctx, roleName); err != nil {
		addAmazonIAMError(&resp.Diagnostics, "checking IAM role "+roleName, err)
		return
	}
	ps, err := r.client.GetPermissions(ctx, domain.PlatformAmazon)
	if err != nil {
		addError(&resp.Diagnostics, "reading the Amazon permission set", err, nil)
		return
	}

	t, _, err := r.client.CreateTenant(ctx, domain.TenantCreate{
		Platform: domain.PlatformAmazon, Environment: plan.Environment.ValueString(), RoleName: roleName,
	})
	if err != nil {
		addError(&resp.Diagnostics, "registering Amazon tenant for role "+roleName, err, amazonFieldNames)
		return
	}
	if t.Amazon == nil {
		resp.Diagnostics.AddError("Error registering Amazon tenant for role "+roleName,
			"The service returned the registration without its Amazon details (external ID and principal). This is a bug in the service; please report it.")
		r.undoCreate(ctx, resp, &plan, t, acct, nil, false)
		return
	}

	// From here on the registration exists: every failure undoes it (and
	// whatever IAM objects were made), or, when the undo itself fails,
	// keeps everything tracked in the state.
	spec := amazonSpec(t.ID, t.Amazon, ps.Version, ps.Policies)
	st, err := iamc.Create(ctx, spec)
	if err != nil {
		addAmazonIAMError(&resp.Diagnostics, "creating IAM role "+roleName+" for Amazon tenant "+t.ID, err)
		var exists *iam.RoleExistsError
		if errors.As(err, &exists) {
			// Someone made the role since the check above; it is not
			// ours, so only the registration is undone.
			r.undoCreate(ctx, resp, &plan, t, acct, nil, true)
			return
		}
		// Create rolls back its own objects. Whether that worked is
		// checked by looking: a role that exists now was made by this
		// Create (there was none a moment ago), so its rollback failed.
		left := r.roleLeftBehind(ctx, iamc, roleName)
		r.undoCreate(ctx, resp, &plan, t, acct, left, false)
		return
	}

	v, vr, err := r.client.VerifyAmazonTenant(ctx, t.ID, domain.AmazonVerify{
		RoleARN: st.RoleARN, AccountAlias: acct.Alias, PermissionsVersion: ps.Version,
	})
	if err != nil {
		addError(&resp.Diagnostics, "verifying IAM role "+st.RoleARN+" of Amazon tenant "+t.ID, err, amazonFieldNames)
		undoCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), amazonUndoTimeout)
		defer cancel()
		var left error
		if derr := iamc.Delete(undoCtx, roleName, st.PolicyARNs()); derr != nil {
			left = derr
		}
		r.undoCreate(ctx, resp, &plan, t, acct, left, false)
		return
	}

	plan.flatten(v)
	plan.IAMDrift = amazonStringList(nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, vr)...)
}

// roleLeftBehind reports (as a non-nil error) that the role exists after a
// failed Create, or that it could not be checked, in which case it may
// exist.
func (r *amazonTenantResource) roleLeftBehind(ctx context.Context, iamc *iam.Client, roleName string) error {
	checkCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), amazonUndoTimeout)
	defer cancel()
	_, err := iamc.Read(checkCtx, roleName, nil)
	switch {
	case errors.Is(err, iam.ErrRoleNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("could not check whether IAM role %q was left behind: %w", roleName, err)
	}
	return fmt.Errorf("IAM role %q still exists after the rollback", roleName)
}

// undoCreate removes the pending registration of a failed create. When
// IAM objects may be left (iamLeft) or the registration cannot be removed,
// it instead keeps the registration in the state, which Terraform marks
// tainted: the next apply destroys it, IAM objects included, before
// creating again. Nothing is ever left untracked. notOwned records that the
// role name belongs to a role this resource did not make, so that destroy
// leaves it alone.
func (r *amazonTenantResource) undoCreate(ctx context.Context, resp *resource.CreateResponse, plan *amazonTenantModel,
	t *domain.Tenant, acct iam.Account, iamLeft error, notOwned bool) {
	var regErr error
	if iamLeft == nil {
		undoCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), amazonUndoTimeout)
		defer cancel()
		regErr = r.client.DeleteTenant(undoCtx, t.ID)
		if regErr == nil || errors.Is(regErr, client.ErrNotFound) {
			return
		}
	}
	plan.flatten(t)
	plan.AccountID = types.StringValue(acct.ID)
	plan.PolicyARNs = amazonStringList(amazonPolicyARNs(acct.Partition, acct.ID, t.PermissionsVersion))
	plan.IAMDrift = amazonStringList(nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if notOwned {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, amazonPrivateIAMNotOwned, []byte("true"))...)
	}
	why := fmt.Sprintf("removing the pending registration failed: %v", regErr)
	if iamLeft != nil {
		why = fmt.Sprintf("IAM objects may be left in account %s: %v", acct.ID, iamLeft)
	}
	resp.Diagnostics.AddError("Amazon tenant "+t.ID+" kept in the state after the failed create",
		"The create failed and could not be undone completely ("+why+"). So that nothing is left untracked, the registration is "+
			"kept in the state and Terraform marks it tainted: the next apply (or terraform destroy) removes the registration and the "+
			"IAM role and policies before creating again. Destroy uses the default AWS credential chain for the IAM part.")
}

func (r *amazonTenantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state amazonTenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	imported := amazonPrivateFlag(ctx, req.Private, amazonPrivateImported)
	id := state.ID.ValueString()
	t, gr, err := r.client.GetTenant(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		if imported || state.RoleName.IsNull() {
			// Nothing to keep: there is no registration to import.
			removedOutOfBand(ctx, resp, "Amazon tenant", id)
			return
		}
		// The IAM role and policies may still be in the account. Dropping
		// the resource would leave them untracked, and creating it again
		// would then fail on the existing role; keeping it lets the plan
		// replace it, so destroy removes the IAM objects first.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, amazonPrivateRegistrationGone, []byte("true"))...)
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "reading Amazon tenant "+id, err, nil)
		return
	}
	if t.Platform != domain.PlatformAmazon || t.Amazon == nil {
		resp.Diagnostics.AddError("Wrong tenant platform",
			fmt.Sprintf("Tenant %s is a %s tenant, not amazon; import it with the matching resource type (aos_%s_tenant).", t.ID, t.Platform, t.Platform))
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, amazonPrivateRegistrationGone, nil)...)
	state.flatten(t)

	checked := false
	if !imported && state.AccessKeyID.IsNull() && t.Status == domain.StatusConnected {
		drift, err := r.inspectIAM(ctx, amazonConnFrom(&state, ""), &state)
		if err == nil {
			state.IAMDrift = amazonStringList(drift)
			checked = true
		} else {
			// The plan checks again with the configuration's credentials
			// and reports a failure there; refresh alone must not fail on
			// credentials the configuration may have changed.
			tflog.Warn(ctx, "Could not read the IAM role during refresh; the plan checks it instead", map[string]any{"error": err.Error()})
		}
	}
	flag := []byte(nil)
	if checked {
		flag = []byte("true")
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, amazonPrivateIAMChecked, flag)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// The ETag of what this refresh saw is what a plan built on it expects
	// the object to still be when the plan is applied.
	resp.Diagnostics.Append(setETag(ctx, resp.Private, gr)...)
}

// ModifyPlan turns what the service or IAM report into the action that
// repairs it, with a warning saying why: a registration removed outside
// Terraform is replaced; a newer permission set, IAM drift, or a
// registration that is not connected become an in-place update.
func (r *amazonTenantResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state, plan amazonTenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if amazonPrivateFlag(ctx, req.Private, amazonPrivateRegistrationGone) {
		resp.Diagnostics.AddAttributeWarning(path.Root("id"), "Amazon tenant registration removed outside Terraform",
			fmt.Sprintf("Registration %s no longer exists in the service, but IAM role %q may still be in account %s. Applying this plan "+
				"replaces the resource: destroy removes the IAM role and policies (unless retain_on_destroy), then create registers the "+
				"account again.", state.ID.ValueString(), state.RoleName.ValueString(), state.AccountID.ValueString()))
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
		return
	}
	// A changed environment or role name replaces the resource anyway.
	if !plan.Environment.Equal(state.Environment) || !plan.RoleName.Equal(state.RoleName) {
		return
	}
	name := state.AccountAlias.ValueString()
	if name == "" {
		name = state.ID.ValueString()
	}

	repair := false
	if state.ReconnectRecommended.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("reconnect_recommended"), "New connection recommended",
			fmt.Sprintf("The service now requires a newer Amazon permission set than Amazon tenant %q holds (version %d). Applying this plan "+
				"reconnects it: new default versions of the role's policies, then a new verification by the service.",
				name, state.PermissionsVersion.ValueInt64()))
		plan.ReconnectRecommended = types.BoolValue(false)
		plan.PermissionsVersion = types.Int64Unknown()
		repair = true
	}
	if state.Status.ValueString() != domain.StatusConnected {
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "Amazon tenant not connected",
			fmt.Sprintf("Amazon tenant %q has status %q. Applying this plan creates or repairs its IAM role and has the service verify it.",
				name, state.Status.ValueString()))
		repair = true
	} else {
		drift, ok := r.planTimeDrift(ctx, req, &state, &plan, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if ok && len(drift) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("iam_drift"), "IAM role of Amazon tenant changed outside Terraform",
				fmt.Sprintf("In AWS account %s, outside Terraform:\n  - %s\n\nApplying this plan repairs this: %s",
					state.AccountID.ValueString(), strings.Join(drift, "\n  - "), amazonRepairSentence(drift, state.RoleName.ValueString())))
			repair = true
		}
	}
	if !repair {
		return
	}
	plan.Status = types.StringUnknown()
	plan.AccountAlias = types.StringUnknown()
	plan.IAMDrift = amazonStringList(nil)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, amazonPrivateRepair, []byte("true"))...)
}

// planTimeDrift returns the IAM drift of a connected tenant: what refresh
// recorded, when it could read IAM, or otherwise what a read with the
// configuration's credentials finds now. ok is false when it cannot be
// known yet because the credentials depend on values unknown until apply.
func (r *amazonTenantResource) planTimeDrift(ctx context.Context, req resource.ModifyPlanRequest, state, plan *amazonTenantModel,
	diags *diag.Diagnostics) (drift []string, ok bool) {
	if amazonPrivateFlag(ctx, req.Private, amazonPrivateIAMChecked) {
		diags.Append(state.IAMDrift.ElementsAs(ctx, &drift, false)...)
		return drift, true
	}
	var secret types.String
	diags.Append(req.Config.GetAttribute(ctx, path.Root("secret_access_key_wo"), &secret)...)
	if diags.HasError() {
		return nil, false
	}
	for _, v := range []types.String{plan.AccessKeyID, secret, plan.Region, plan.IAMEndpoint, plan.STSEndpoint} {
		if v.IsUnknown() {
			return nil, false
		}
	}
	drift, err := r.inspectIAM(ctx, amazonConnFrom(plan, secret.ValueString()), state)
	if err != nil {
		addAmazonIAMError(diags, "reading the IAM role "+state.RoleName.ValueString()+" of Amazon tenant "+state.ID.ValueString(), err)
		return nil, false
	}
	return drift, true
}

// amazonRepairSentence says what the apply of a repair does. The drift is
// known by its sentences only (refresh keeps them in iam_drift), so a
// missing role is recognized by the sentence iam.Drift gives it.
func amazonRepairSentence(drift []string, roleName string) string {
	missing := iam.Drift{Kind: iam.DriftRoleMissing, Object: roleName}.String()
	if slices.Contains(drift, missing) {
		return "the role is created again with its trust policy and policies, and the service verifies it."
	}
	return "the trust policy, policy documents and attachments are brought back (UpdateAssumeRolePolicy, CreatePolicyVersion, " +
		"AttachRolePolicy), and the service verifies the role."
}

func (r *amazonTenantResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state amazonTenantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	secret := amazonSecretFromConfig(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, amazonDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()

	// Only retain_on_destroy and the timeouts are purely local; anything
	// else that brought this update (a repair, a newer permission set, other
	// credentials or endpoints) runs the reconnect with the configuration's
	// credentials, which also proves they work.
	reconnect := amazonPrivateFlag(ctx, req.Private, amazonPrivateRepair) ||
		state.ReconnectRecommended.ValueBool() ||
		state.Status.ValueString() != domain.StatusConnected ||
		!plan.AccessKeyID.Equal(state.AccessKeyID) ||
		!plan.SecretAccessKeyWOVersion.Equal(state.SecretAccessKeyWOVersion) ||
		!plan.Region.Equal(state.Region) ||
		!plan.IAMEndpoint.Equal(state.IAMEndpoint) ||
		!plan.STSEndpoint.Equal(state.STSEndpoint)

	// The service write (the verification that ends a reconnect) is
	// conditional on the registration being as the plan saw it (see
	// privateETag): a change made since then, such as in the console
	// between terraform plan -out and terraform apply, fails with 412
	// instead of being overwritten. No recorded ETag, no condition.
	etag, diags := loadETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var t *domain.Tenant
	var last *client.Response
	if reconnect {
		var ok bool
		if t, last, ok = r.reconnect(ctx, &plan, &state, secret, etag, &resp.Diagnostics); !ok {
			return
		}
		plan.IAMDrift = amazonStringList(nil)
	} else {
		var err error
		if t, last, err = r.client.GetTenant(ctx, id); err != nil {
			addError(&resp.Diagnostics, "reading Amazon tenant "+id, err, nil)
			return
		}
		plan.IAMDrift = state.IAMDrift
	}
	plan.flatten(t)
	if plan.AccountID.ValueString() == "" {
		plan.AccountID = state.AccountID
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	for _, k := range []string{amazonPrivateRepair, amazonPrivateImported, amazonPrivateIAMChecked, amazonPrivateIAMNotOwned} {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, k, nil)...)
	}
	resp.Diagnostics.Append(setETag(ctx, resp.Private, last)...)
}

// reconnect brings the role and policies to the service's current
// permission set (iam.Reconnect, or iam.Create when the role was deleted)
// and has the service verify the role with the new permissions version,
// on the condition that the registration still has the ETag etag (none
// when empty).
func (r *amazonTenantResource) reconnect(ctx context.Context, plan, state *amazonTenantModel, secret, etag string, diags *diag.Diagnostics) (*domain.Tenant, *client.Response, bool) {
	id := state.ID.ValueString()
	roleName := state.RoleName.ValueString()
	iamc, err := amazonConnFrom(plan, secret).newClient(ctx)
	if err != nil {
		diags.AddAttributeError(path.Root("access_key_id"), "Error configuring AWS credentials", err.Error())
		return nil, nil, false
	}
	acct, err := iamc.ValidateKeys(ctx)
	if err != nil {
		addAmazonIAMError(diags, "checking the AWS credentials for Amazon tenant "+id, err)
		return nil, nil, false
	}
	if want := state.AccountID.ValueString(); want != "" && acct.ID != want {
		diags.AddAttributeError(path.Root("access_key_id"), "AWS credentials of another account",
			amazonAccountMismatch(acct, want))
		return nil, nil, false
	}
	ps, err := r.client.GetPermissions(ctx, domain.PlatformAmazon)
	if err != nil {
		addError(diags, "reading the Amazon permission set", err, nil)
		return nil, nil, false
	}
	spec := amazonSpec(id, state.amazonTenant(), ps.Version, ps.Policies)
	st, err := iamc.Reconnect(ctx, spec)
	if errors.Is(err, iam.ErrRoleNotFound) {
		st, err = iamc.Create(ctx, spec)
	}
	if err != nil {
		addAmazonIAMError(diags, "reconnecting IAM role "+roleName+" of Amazon tenant "+id, err)
		return nil, nil, false
	}
	t, vr, err := r.client.VerifyAmazonTenant(ctx, id, domain.AmazonVerify{
		RoleARN: st.RoleARN, AccountAlias: acct.Alias, PermissionsVersion: ps.Version,
	}, ifMatchOpts(etag)...)
	if err != nil {
		addError(diags, "verifying IAM role "+st.RoleARN+" of Amazon tenant "+id, err, amazonFieldNames)
		return nil, nil, false
	}
	return t, vr, true
}

func (r *amazonTenantResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state amazonTenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, amazonDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	roleName := state.RoleName.ValueString()
	accountID := state.AccountID.ValueString()

	// IAM objects are removed only when the account is known: a role
	// name alone could name somebody else's role in whatever account the
	// credentials reach.
	removeIAM := !state.RetainOnDestroy.ValueBool() && roleName != "" && accountID != "" &&
		!amazonPrivateFlag(ctx, req.Private, amazonPrivateIAMNotOwned)
	var iamc *iam.Client
	if removeIAM {
		// Checked before the registration is removed, so that missing
		// credentials stop the destroy while nothing has changed yet.
		var err error
		if iamc, err = amazonConnFrom(&state, "").newClient(ctx); err == nil {
			var acct iam.Account
			if acct, err = iamc.ValidateKeys(ctx); err == nil && acct.ID != accountID {
				err = errors.New(amazonAccountMismatch(acct, accountID))
			}
		}
		if err != nil {
			resp.Diagnostics.AddError("Error removing IAM role "+roleName+" of Amazon tenant "+id,
				"Destroy removes the IAM role and policies with the default AWS credential chain, since write-only values such as "+
					"secret_access_key_wo are not available to destroy. Provide credentials of an IAM user of account "+accountID+
					" with the configuring policy (for example AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and run "+
					"destroy again, or set retain_on_destroy = true and apply to remove only the registration. Nothing was changed.\n\n"+err.Error())
			return
		}
	}

	// No If-Match: destroying means deleting the object whatever it looks
	// like now, so a change made since the plan must not stop it.
	if err := r.client.DeleteTenant(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		addError(&resp.Diagnostics, "removing Amazon tenant "+id, err, nil)
		return
	}
	if !removeIAM {
		return
	}
	var arns []string
	resp.Diagnostics.Append(state.PolicyARNs.ElementsAs(ctx, &arns, false)...)
	if len(arns) == 0 {
		arns = amazonPolicyARNs(domain.AmazonPartition(state.Environment.ValueString()), accountID, int(state.PermissionsVersion.ValueInt64()))
	}
	if err := iamc.Delete(ctx, roleName, arns); err != nil {
		addAmazonIAMError(&resp.Diagnostics, "removing IAM role "+roleName+" of Amazon tenant "+id+
			" (the registration is already removed; run destroy again to finish)", err)
	}
}

func (r *amazonTenantResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("retain_on_destroy"), types.BoolValue(false))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, amazonPrivateImported, []byte("true"))...)
}

type amazonTenantModel struct {
	ID                       types.String   `tfsdk:"id"`
	Environment              types.String   `tfsdk:"environment"`
	RoleName                 types.String   `tfsdk:"role_name"`
	AccessKeyID              types.String   `tfsdk:"access_key_id"`
	SecretAccessKeyWO        types.String   `tfsdk:"secret_access_key_wo"`
	SecretAccessKeyWOVersion types.Int64    `tfsdk:"secret_access_key_wo_version"`
	Region                   types.String   `tfsdk:"region"`
	IAMEndpoint              types.String   `tfsdk:"iam_endpoint"`
	STSEndpoint              types.String   `tfsdk:"sts_endpoint"`
	RetainOnDestroy          types.Bool     `tfsdk:"retain_on_destroy"`
	AccountID                types.String   `tfsdk:"account_id"`
	AccountAlias             types.String   `tfsdk:"account_alias"`
	ExternalID               types.String   `tfsdk:"external_id"`
	ServicePrincipal         types.String   `tfsdk:"service_principal"`
	RoleARN                  types.String   `tfsdk:"role_arn"`
	PolicyARNs               types.List     `tfsdk:"policy_arns"`
	Status                   types.String   `tfsdk:"status"`
	PermissionsVersion       types.Int64    `tfsdk:"permissions_version"`
	ReconnectRecommended     types.Bool     `tfsdk:"reconnect_recommended"`
	IAMDrift                 types.List     `tfsdk:"iam_drift"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

// flatten copies the registration into the model. The arguments that only
// the configuration knows (credentials, endpoints) are left alone; region
// and retain_on_destroy get their defaults when unset, as after an import.
func (m *amazonTenantModel) flatten(t *domain.Tenant) {
	a := t.Amazon
	if a == nil {
		a = &domain.AmazonTenant{}
	}
	m.ID = types.StringValue(t.ID)
	m.Environment = types.StringValue(t.Environment)
	m.RoleName = types.StringValue(a.RoleName)
	m.ExternalID = types.StringValue(a.ExternalID)
	m.ServicePrincipal = types.StringValue(a.ServicePrincipal)
	m.RoleARN = types.StringValue(a.RoleARN)
	// A registration kept after a failed create has no verified account
	// yet; the account the credentials showed is kept so destroy can find
	// what the create may have left.
	if a.AccountID != "" || m.AccountID.IsNull() || m.AccountID.IsUnknown() {
		m.AccountID = types.StringValue(a.AccountID)
	}
	alias := a.AccountAlias
	if alias == "" {
		alias = a.AccountID
	}
	m.AccountAlias = types.StringValue(alias)
	m.Status = types.StringValue(t.Status)
	m.PermissionsVersion = types.Int64Value(int64(t.PermissionsVersion))
	m.ReconnectRecommended = types.BoolValue(t.ReconnectRecommended)
	switch {
	case a.RoleARN != "":
		arns, err := iam.PolicyARNsFor(a.RoleARN, domain.AmazonPolicies(t.PermissionsVersion))
		if err != nil {
			arns = nil
		}
		m.PolicyARNs = amazonStringList(arns)
	case m.AccountID.ValueString() != "":
		m.PolicyARNs = amazonStringList(amazonPolicyARNs(domain.AmazonPartition(t.Environment), m.AccountID.ValueString(), t.PermissionsVersion))
	default:
		m.PolicyARNs = amazonStringList(nil)
	}
	if m.IAMDrift.IsNull() || m.IAMDrift.IsUnknown() {
		m.IAMDrift = amazonStringList(nil)
	}
	if m.Region.IsNull() || m.Region.IsUnknown() {
		m.Region = types.StringValue(domain.AmazonRegion(t.Environment))
	}
	if m.RetainOnDestroy.IsNull() || m.RetainOnDestroy.IsUnknown() {
		m.RetainOnDestroy = types.BoolValue(false)
	}
}

// amazonTenant is the registration's Amazon part as the state knows it.
func (m *amazonTenantModel) amazonTenant() *domain.AmazonTenant {
	return &domain.AmazonTenant{
		RoleName:         m.RoleName.ValueString(),
		ExternalID:       m.ExternalID.ValueString(),
		ServicePrincipal: m.ServicePrincipal.ValueString(),
		RoleARN:          m.RoleARN.ValueString(),
		AccountID:        m.AccountID.ValueString(),
	}
}

// inspectIAM reads the role and policies with conn and describes, one
// sentence each, how they differ from what the registration's permission
// version needs. The credentials must belong to the tenant's account:
// reading another account would report the role as missing.
//
// The expected documents come from domain.AmazonPolicies for the tenant's
// version, the function the service's permission set is built from; the
// service only publishes its current version, while drift must be judged
// against the version the role was connected with. A newer version is
// reported separately, as reconnect_recommended.
func (r *amazonTenantResource) inspectIAM(ctx context.Context, conn amazonConn, m *amazonTenantModel) ([]string, error) {
	iamc, err := conn.newClient(ctx)
	if err != nil {
		return nil, err
	}
	acct, err := iamc.ValidateKeys(ctx)
	if err != nil {
		return nil, err
	}
	if want := m.AccountID.ValueString(); want != "" && acct.ID != want {
		return nil, errors.New(amazonAccountMismatch(acct, want))
	}
	spec := amazonSpec(m.ID.ValueString(), m.amazonTenant(), int(m.PermissionsVersion.ValueInt64()), nil)
	var arns []string
	if d := m.PolicyARNs.ElementsAs(ctx, &arns, false); d.HasError() || len(arns) == 0 {
		arns = amazonPolicyARNs(acct.Partition, acct.ID, int(m.PermissionsVersion.ValueInt64()))
	}
	st, err := iamc.Read(ctx, spec.RoleName, arns)
	if errors.Is(err, iam.ErrRoleNotFound) {
		st, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	drifts := iam.DetectDrift(spec, st)
	out := make([]string, 0, len(drifts))
	for _, d := range drifts {
		out = append(out, d.String())
	}
	return out, nil
}

// amazonSpec is the IAM side of registration id at a permission set
// version. Policies from the service's permission set replace the local
// documents of that version when given: the service is the authority on
// what the role needs.
func amazonSpec(id string, a *domain.AmazonTenant, version int, policies []domain.PolicyDocument) iam.Spec {
	spec := iam.SpecFor(*a, version)
	if len(policies) > 0 {
		spec.Policies = policies
	}
	spec.Tags = map[string]string{"managed-by": "terraform-provider-aos", "aos:tenant-id": id}
	return spec
}

// amazonPolicyARNs are the ARNs the registration's policies have in an
// account, when no role ARN is known to derive them from.
func amazonPolicyARNs(partition, accountID string, version int) []string {
	if accountID == "" {
		return nil
	}
	var out []string
	for _, p := range domain.AmazonPolicies(version) {
		out = append(out, fmt.Sprintf("arn:%s:iam::%s:policy/%s", partition, accountID, p.Name))
	}
	return out
}

func amazonAccountMismatch(acct iam.Account, want string) string {
	return fmt.Sprintf("The AWS credentials (%s) belong to account %s, but the Amazon tenant is connected to account %s. Use credentials "+
		"of an IAM user in account %s; moving a registration to another account needs a new resource.", acct.CallerARN, acct.ID, want, want)
}

// amazonConn says how to reach IAM and with which credentials. An empty
// secret means the default AWS credential chain, whatever access key ID is
// recorded: without its secret an access key ID is of no use.
type amazonConn struct {
	accessKeyID, secretAccessKey string
	region                       string
	iamEndpoint, stsEndpoint     string
}

func amazonConnFrom(m *amazonTenantModel, secret string) amazonConn {
	c := amazonConn{
		region:      m.Region.ValueString(),
		iamEndpoint: m.IAMEndpoint.ValueString(),
		stsEndpoint: m.STSEndpoint.ValueString(),
	}
	if c.region == "" {
		c.region = domain.AmazonRegion(m.Environment.ValueString())
	}
	if secret != "" {
		c.accessKeyID, c.secretAccessKey = m.AccessKeyID.ValueString(), secret
	}
	return c
}

// amazonEndpoint resolves an endpoint the way the AWS SDKs and CLI do when
// it is not configured: the service-specific variable, then the global one.
func amazonEndpoint(configured, service string) string {
	if configured != "" {
		return configured
	}
	if v := os.Getenv("AWS_ENDPOINT_URL_" + service); v != "" {
		return v
	}
	return os.Getenv("AWS_ENDPOINT_URL")
}

func (c amazonConn) newClient(ctx context.Context) (*iam.Client, error) {
	cfg := iam.Config{
		AccessKeyID:     c.accessKeyID,
		SecretAccessKey: c.secretAccessKey,
		Region:          c.region,
		IAMEndpoint:     amazonEndpoint(c.iamEndpoint, "IAM"),
		STSEndpoint:     amazonEndpoint(c.stsEndpoint, "STS"),
	}
	if amazonIAMConfigHook != nil {
		amazonIAMConfigHook(&cfg)
	}
	return iam.New(ctx, cfg)
}

// amazonSecretFromConfig reads the write-only secret, which exists only in
// the configuration.
func amazonSecretFromConfig(ctx context.Context, cfg interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, diags *diag.Diagnostics) string {
	var s types.String
	diags.Append(cfg.GetAttribute(ctx, path.Root("secret_access_key_wo"), &s)...)
	return s.ValueString()
}

// addAmazonIAMError reports a failed IAM step. The summary names the
// action and the object; the detail says what to do and ends with the
// original error.
func addAmazonIAMError(diags *diag.Diagnostics, action string, err error) {
	summary := "Error " + action
	var (
		exists  *iam.RoleExistsError
		pexists *iam.PolicyExistsError
		missing *iam.MissingPermissionError
		invalid *iam.InvalidCredentialsError
	)
	switch {
	case errors.As(err, &exists):
		diags.AddAttributeError(path.Root("role_name"), summary, fmt.Sprintf("An IAM role named %q already exists in the account, and "+
			"this resource never takes over a role it did not create. If the role belongs to an Amazon tenant registration of the "+
			"service, bring it under Terraform with `terraform import aos_amazon_tenant.<name> <tenant id>`. If it was left behind "+
			"(for example by retain_on_destroy), delete it and its policies, or choose another role_name.\n\n%v", exists.RoleName, err))
	case errors.As(err, &pexists):
		diags.AddError(summary, fmt.Sprintf("A managed policy the role needs already exists and is attached elsewhere, so it cannot be "+
			"taken over. Detach or delete it, or import the Amazon tenant it belongs to.\n\n%v", err))
	case errors.As(err, &missing):
		diags.AddError(summary, fmt.Sprintf("The IAM user is not allowed to call %s. Add %s to the user's policy; the "+
			"aos_required_permissions data source with platform = \"amazon\" returns the complete least-privilege policy "+
			"(configuring_user_policy_json). Nothing was left behind by this attempt unless a further error says so.\n\n%v",
			missing.Action, missing.Action, err))
	case errors.As(err, &invalid):
		diags.AddAttributeError(path.Root("access_key_id"), summary, "AWS rejected the access key: check access_key_id and "+
			"secret_access_key_wo (or the default credential chain when they are not set). The key may be mistyped, deleted or "+
			"inactive, or belong to another partition.\n\n"+err.Error())
	default:
		diags.AddError(summary, "The AWS call failed; check the credentials, region and endpoints, and retry.\n\n"+err.Error())
	}
}

func amazonStringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

// amazonPrivateFlag reads a boolean key of the private state.
func amazonPrivateFlag(ctx context.Context, p interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}, key string) bool {
	if p == nil {
		return false
	}
	b, _ := p.GetKey(ctx, key)
	return string(b) == "true"
}

// amazonRegionFromEnvironment fills a left-out region with the home region
// of the planned environment, so the plan shows the value that will sign
// the requests.
type amazonRegionFromEnvironment struct{}

func (amazonRegionFromEnvironment) Description(context.Context) string {
	return "When not configured, the region follows from the environment."
}

func (m amazonRegionFromEnvironment) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (amazonRegionFromEnvironment) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var env types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("environment"), &env)...)
	if resp.Diagnostics.HasError() || env.IsUnknown() || env.IsNull() {
		return
	}
	resp.PlanValue = types.StringValue(domain.AmazonRegion(env.ValueString()))
}
