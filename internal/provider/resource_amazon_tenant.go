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
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
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
	// amazonPrivateIAMNotOwned is set by every refresh that read the role
	// and found that its aos:tenant-id tag does not name this
	// registration, and cleared by every one that found it does. It only
	// keeps the plan from proposing a repair that would be refused: every
	// write (reconnect, destroy) reads the tag again itself, and never
	// trusts this key.
	amazonPrivateIAMNotOwned = "amazon_iam_not_owned"
)

// amazonIAMConfigHook, when set, adjusts every IAM client configuration the
// resource builds. Only tests set it: to route requests through
// RoundTrippers that rewrite moto's errors or inject throttling and
// failures, and to shorten the waits.
var amazonIAMConfigHook func(*iam.Config)

var (
	amazonRoleNamePattern         = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	amazonAccessKeyIDPattern      = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	amazonEndpointPattern         = regexp.MustCompile(`^https?://\S+$`)
	amazonInlinePolicyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	amazonPolicyARNPattern        = regexp.MustCompile(`^arn:aws[\w-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,512}$`)
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
			"that the `aos_required_permissions` data source returns for `amazon`; before its first write, every operation checks that the " +
			"credentials may call every action it and its rollback need, and refuses with the complete list of missing ones. A create that fails " +
			"part-way removes what it made (IAM objects and the pending registration), and one that could not even do that is finished by the " +
			"next apply, which recognises the role by its `aos:tenant-id` tag.\n\n" +
			"**Ownership.** A role is changed or deleted only when its `aos:tenant-id` tag names this registration: a role of the same name " +
			"that someone else made (or that was made for another registration) is never taken over, reconnected or deleted, whatever the state says.\n\n" +
			"`terraform plan` reads the role, its trust policy, the attached and inline policies and the default versions: a detached policy, an edited trust " +
			"policy or policy document, a deleted role, or a policy attached or put on the role outside Terraform (more permissions for the service " +
			"than it requires) shows as an in-place update that repairs it, with a warning naming what drifted; list policies you attach on purpose in " +
			"`allowed_extra_policy_arns` and `allowed_inline_policy_names`. When the " +
			"service requires a newer permission set (`reconnect_recommended`), the plan shows an in-place update that reconnects: new default " +
			"policy versions (pruning the oldest non-default version when a policy already has five) and a new verification.\n\n" +
			"**Credentials outside create and update.** Write-only values exist only while Terraform plans and applies, never during refresh, import " +
			"or destroy. Refresh therefore reads IAM itself only when the tenant uses the default credential chain; with `access_key_id` the check " +
			"runs at plan time with the configured key. Destroy has no configuration at all, so it always uses the default AWS credential chain " +
			"(for example `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` of the same IAM user) and checks that those credentials belong to the " +
			"tenant's account and may call every action destroy needs before changing anything; set `retain_on_destroy` to remove only the registration.",
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
					"If a role of that name already exists, create changes nothing and says what to do (import the tenant it belongs to, or choose another " +
					"name), unless its `aos:tenant-id` tag shows that an interrupted create left it for a pending registration, which create then finishes. " +
					"Changing it replaces the registration and the role.",
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
			"allowed_extra_policy_arns": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "ARNs of managed policies that you attach to the role yourself, on purpose. Any other managed policy attached " +
					"to the role besides the registration's own is IAM drift: the plan names it and apply detaches it (the policy itself is kept).",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(amazonPolicyARNPattern,
					"must be an IAM policy ARN such as arn:aws:iam::123456789012:policy/Name or arn:aws:iam::aws:policy/ReadOnlyAccess"))},
			},
			"allowed_inline_policy_names": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Names of inline policies that you put on the role yourself, on purpose. The registration creates no inline " +
					"policy, so any other is IAM drift: the plan names it and apply deletes it.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(amazonInlinePolicyNamePattern,
					"must be 1 to 128 letters, digits or +=,.@_- characters"))},
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

	// The keys, every permission create and its rollback need, and the
	// role name are checked before anything is registered, so the common
	// mistakes (a wrong key, a policy that lacks an action, a role that
	// exists) leave nothing to undo.
	acct, err := iamc.CheckPermissions(ctx, domain.AmazonOperationCreate, amazonTarget(roleName))
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
	ps, err := r.client.GetPermissions(ctx, domain.PlatformAmazon)
	if err != nil {
		addError(&resp.Diagnostics, "reading the Amazon permission set", err, nil)
		return
	}
	if err := iamc.EnsureNoRole(ctx, roleName); err != nil {
		var exists *iam.RoleExistsError
		if errors.As(err, &exists) && exists.TenantID != "" {
			r.finishHalfMadeCreate(ctx, resp, &plan, iamc, acct, ps, exists)
			return
		}
		addAmazonIAMError(&resp.Diagnostics, "checking IAM role "+roleName, err)
		return
	}

	t, _, err := r.client.CreateTenant(ctx, domain.TenantCreate{
		Platform: domain.PlatformAmazon, Environment: plan.Environment.ValueString(), RoleName: roleName,
	})
	if err != nil {
		addCreateError(&resp.Diagnostics, "registering Amazon tenant for role "+roleName, "aos_amazon_tenant", err, amazonFieldNames)
		return
	}
	if t.Amazon == nil {
		resp.Diagnostics.AddError("Error registering Amazon tenant for role "+roleName,
			"The service returned the registration without its Amazon details (external ID and principal). This is a bug in the service; please report it.")
		r.undoCreate(ctx, resp, &plan, t, acct, nil)
		return
	}

	// From here on the registration exists: every failure undoes it (and
	// whatever IAM objects were made), or, when the undo itself fails,
	// keeps everything tracked in the state.
	spec := plan.amazonSpec(ctx, t.ID, t.Amazon, ps.Version, ps.Policies, &resp.Diagnostics)
	st, err := iamc.Create(ctx, spec)
	if err != nil {
		addAmazonIAMError(&resp.Diagnostics, "creating IAM role "+roleName+" for Amazon tenant "+t.ID, err)
		var exists *iam.RoleExistsError
		if errors.As(err, &exists) {
			// Someone made the role since the check above; it is not
			// ours, so only the registration is undone.
			r.undoCreate(ctx, resp, &plan, t, acct, nil)
			return
		}
		// Create rolls back its own objects. Whether that worked is
		// checked by looking: a role that exists now was made by this
		// Create (there was none a moment ago), so its rollback failed.
		left := r.roleLeftBehind(ctx, iamc, roleName)
		r.undoCreate(ctx, resp, &plan, t, acct, left)
		return
	}
	r.verifyCreated(ctx, resp, &plan, iamc, acct, t, st, ps.Version, true)
}

// verifyCreated has the service verify the role a create made or finished,
// and records the result. undo says whether a failed verification removes
// the IAM objects and the registration (they were made by this create).
func (r *amazonTenantResource) verifyCreated(ctx context.Context, resp *resource.CreateResponse, plan *amazonTenantModel,
	iamc *iam.Client, acct iam.Account, t *domain.Tenant, st *iam.State, version int, undo bool) {
	v, vr, err := r.client.VerifyAmazonTenant(ctx, t.ID, domain.AmazonVerify{
		RoleARN: st.RoleARN, AccountAlias: acct.Alias, PermissionsVersion: version,
	})
	if err != nil {
		addError(&resp.Diagnostics, "verifying IAM role "+st.RoleARN+" of Amazon tenant "+t.ID, err, amazonFieldNames)
		if !undo {
			return
		}
		undoCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), amazonUndoTimeout)
		defer cancel()
		var left error
		if derr := iamc.Delete(undoCtx, plan.RoleName.ValueString(), t.ID, st.PolicyARNs()); derr != nil {
			left = derr
		}
		r.undoCreate(ctx, resp, plan, t, acct, left)
		return
	}

	plan.flatten(v)
	plan.IAMDrift = amazonStringList(nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, vr)...)
}

// finishHalfMadeCreate handles a role of the configured name that this
// provider made, as its aos:tenant-id tag proves, for registration
// exists.TenantID: what an earlier create left when it was interrupted
// (Terraform killed, a lost network) or could not roll back. A pending
// registration of this organization with the same role name and
// environment is finished: the role and policies are brought to the
// permission set (iam.Reconnect, which checks the tag again) and the
// service verifies them; the registration id stays the one the role names.
// That is safe because the registration is not connected, so no tenant in
// use depends on the role, and the tag shows that it was made for exactly
// this registration, by this provider. Anything else is refused with what
// to do, and nothing is changed: a connected registration is in use
// (import it), and one the service does not show this organization may be
// another organization's.
func (r *amazonTenantResource) finishHalfMadeCreate(ctx context.Context, resp *resource.CreateResponse, plan *amazonTenantModel,
	iamc *iam.Client, acct iam.Account, ps *domain.PermissionSet, exists *iam.RoleExistsError) {
	roleName, id := exists.RoleName, exists.TenantID
	summary := "Error creating IAM role " + roleName
	t, _, err := r.client.GetTenant(ctx, id)
	switch {
	case errors.Is(err, client.ErrNotFound):
		resp.Diagnostics.AddAttributeError(path.Root("role_name"), summary, fmt.Sprintf("IAM role %q (%s) was created by "+
			"terraform-provider-aos for Amazon tenant registration %s (its %s tag), but the service has no such registration for this "+
			"organization: it was removed, or it belongs to another organization. Nothing was changed. If it is a leftover of yours, "+
			"delete the role and its policies %s and %s (for example `aws iam delete-role --role-name %s` after detaching them), then "+
			"apply again; otherwise choose another role_name.", roleName, exists.RoleARN, id, iam.TagTenantID,
			domain.AmazonDiscoveryPolicyName, domain.AmazonBackupPolicyName, roleName))
		return
	case err != nil:
		addError(&resp.Diagnostics, "reading Amazon tenant "+id+", for which IAM role "+roleName+" was made", err, nil)
		return
	case t.Platform != domain.PlatformAmazon || t.Amazon == nil || t.Amazon.RoleName != roleName || t.Environment != plan.Environment.ValueString():
		resp.Diagnostics.AddAttributeError(path.Root("role_name"), summary, fmt.Sprintf("IAM role %q is tagged as the role of "+
			"registration %s, but that registration is a %s tenant (environment %q) for another role. Nothing was changed; delete the "+
			"role, or choose another role_name.", roleName, id, t.Platform, t.Environment))
		return
	case t.Status == domain.StatusConnected:
		resp.Diagnostics.AddAttributeError(path.Root("role_name"), summary, fmt.Sprintf("IAM role %q belongs to Amazon tenant %s, "+
			"which is connected. Nothing was changed. To manage it with Terraform, import it:\n\n"+
			"import {\n  to = aos_amazon_tenant.<name>\n  id = %q\n}", roleName, id, id))
		return
	}
	resp.Diagnostics.AddWarning("Finishing an earlier create of Amazon tenant "+id,
		fmt.Sprintf("IAM role %q and registration %s (status %s) were left by an earlier create that did not finish. This apply "+
			"takes them over instead of creating new ones: it brings the role and its policies up to date and has the service verify them.",
			roleName, id, t.Status))
	spec := plan.amazonSpec(ctx, t.ID, t.Amazon, ps.Version, ps.Policies, &resp.Diagnostics)
	st, err := iamc.Reconnect(ctx, spec)
	if err != nil {
		addAmazonIAMError(&resp.Diagnostics, "finishing IAM role "+roleName+" of Amazon tenant "+id, err)
		return
	}
	r.verifyCreated(ctx, resp, plan, iamc, acct, t, st, ps.Version, false)
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
// creating again. Nothing is ever left untracked. Destroy removes the role
// only if its tag names this registration, so a role somebody else made
// in the meantime is left alone.
func (r *amazonTenantResource) undoCreate(ctx context.Context, resp *resource.CreateResponse, plan *amazonTenantModel,
	t *domain.Tenant, acct iam.Account, iamLeft error) {
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
		found, err := r.inspectIAM(ctx, amazonConnFrom(&state, ""), &state, &state)
		if err == nil {
			state.IAMDrift = amazonStringList(found.drift)
			checked = true
			resp.Diagnostics.Append(setAmazonPrivateFlag(ctx, resp.Private, amazonPrivateIAMNotOwned, !found.owned)...)
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

	// The IAM objects of a connected tenant are read (or what refresh read
	// is taken) first: a role that is not this registration's is never
	// reconnected or repaired, since apply would refuse to touch it, so
	// neither is planned for it.
	var (
		drift      []string
		owned      = true
		driftKnown bool
	)
	if state.Status.ValueString() == domain.StatusConnected {
		drift, owned, driftKnown = r.planTimeDrift(ctx, req, &state, &plan, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	foreign := driftKnown && !owned

	repair := false
	if state.ReconnectRecommended.ValueBool() && !foreign {
		resp.Diagnostics.AddAttributeWarning(path.Root("reconnect_recommended"), "New connection recommended",
			fmt.Sprintf("The service now requires a newer Amazon permission set than Amazon tenant %q holds (version %d). Applying this plan "+
				"reconnects it: new default versions of the role's policies, then a new verification by the service.",
				name, state.PermissionsVersion.ValueInt64()))
		plan.ReconnectRecommended = types.BoolValue(false)
		plan.PermissionsVersion = types.Int64Unknown()
		repair = true
	}
	switch {
	case state.Status.ValueString() != domain.StatusConnected:
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "Amazon tenant not connected",
			fmt.Sprintf("Amazon tenant %q has status %q. Applying this plan creates or repairs its IAM role and has the service verify it.",
				name, state.Status.ValueString()))
		repair = true
	case foreign:
		detail := ""
		if len(drift) > 0 {
			detail = "\n\nFound, and left as it is:\n  - " + strings.Join(drift, "\n  - ")
		}
		if state.ReconnectRecommended.ValueBool() {
			detail += "\n\nThe service requires a newer permission set; the role's owner has to apply it."
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("role_name"), "IAM role of Amazon tenant not created by this registration",
			fmt.Sprintf("IAM role %q in account %s has no %s tag naming registration %s, so Terraform never changes or deletes it: "+
				"reconnects and repairs are refused and destroy removes only the registration.%s",
				state.RoleName.ValueString(), state.AccountID.ValueString(), iam.TagTenantID, state.ID.ValueString(), detail))
	case driftKnown && len(drift) > 0:
		resp.Diagnostics.AddAttributeWarning(path.Root("iam_drift"), "IAM role of Amazon tenant changed outside Terraform",
			fmt.Sprintf("In AWS account %s, outside Terraform:\n  - %s\n\nApplying this plan repairs this: %s",
				state.AccountID.ValueString(), strings.Join(drift, "\n  - "), amazonRepairSentence(drift, state.RoleName.ValueString())))
		repair = true
	case driftKnown && !repair:
		// Nothing to repair with the planned allowed policies; what
		// refresh recorded with the previous ones no longer holds.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("iam_drift"), amazonStringList(nil))...)
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

// planTimeDrift returns the IAM drift of a connected tenant and whether its
// role is this registration's: what refresh recorded, when it could read
// IAM and the allowed extra policies are as they were, or otherwise what a
// read with the configuration's credentials and allowed policies finds now.
// ok is false when it cannot be known yet because the credentials depend on
// values unknown until apply.
func (r *amazonTenantResource) planTimeDrift(ctx context.Context, req resource.ModifyPlanRequest, state, plan *amazonTenantModel,
	diags *diag.Diagnostics) (drift []string, owned, ok bool) {
	sameAllowed := plan.AllowedExtraPolicyARNs.Equal(state.AllowedExtraPolicyARNs) &&
		plan.AllowedInlinePolicyNames.Equal(state.AllowedInlinePolicyNames)
	if amazonPrivateFlag(ctx, req.Private, amazonPrivateIAMChecked) && sameAllowed {
		diags.Append(state.IAMDrift.ElementsAs(ctx, &drift, false)...)
		return drift, !amazonPrivateFlag(ctx, req.Private, amazonPrivateIAMNotOwned), true
	}
	var secret types.String
	diags.Append(req.Config.GetAttribute(ctx, path.Root("secret_access_key_wo"), &secret)...)
	if diags.HasError() {
		return nil, false, false
	}
	for _, v := range []types.String{plan.AccessKeyID, secret, plan.Region, plan.IAMEndpoint, plan.STSEndpoint} {
		if v.IsUnknown() {
			return nil, false, false
		}
	}
	if plan.AllowedExtraPolicyARNs.IsUnknown() || plan.AllowedInlinePolicyNames.IsUnknown() {
		return nil, false, false
	}
	found, err := r.inspectIAM(ctx, amazonConnFrom(plan, secret.ValueString()), state, plan)
	if err != nil {
		addAmazonIAMError(diags, "reading the IAM role "+state.RoleName.ValueString()+" of Amazon tenant "+state.ID.ValueString(), err)
		return nil, false, false
	}
	return found.drift, found.owned, true
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
		if plan.IAMDrift.IsUnknown() {
			plan.IAMDrift = state.IAMDrift
		}
	}
	plan.flatten(t)
	if plan.AccountID.ValueString() == "" {
		plan.AccountID = state.AccountID
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	// The ownership key is not cleared here: only a read of the role's tag
	// sets or clears it.
	for _, k := range []string{amazonPrivateRepair, amazonPrivateImported, amazonPrivateIAMChecked} {
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
	// Reconnect may create the role again (when it was deleted) and roll
	// that back, so its check covers as much as create's.
	acct, err := iamc.CheckPermissions(ctx, domain.AmazonOperationReconnect, amazonTarget(roleName))
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
	spec := plan.amazonSpec(ctx, id, state.amazonTenant(), ps.Version, ps.Policies, diags)
	if diags.HasError() {
		return nil, nil, false
	}
	// iam.Reconnect reads the role's tag before it writes anything and
	// refuses a role that is not this registration's.
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
	// credentials reach. And only when the role's tag says it is this
	// registration's, which iam.Delete checks again before it deletes.
	removeIAM := !state.RetainOnDestroy.ValueBool() && roleName != "" && accountID != ""
	var iamc *iam.Client
	if removeIAM {
		// Checked before the registration is removed, so that missing
		// credentials or permissions stop the destroy while nothing has
		// changed yet.
		owned, err := r.destroyCheck(ctx, &state, &iamc)
		if err != nil {
			var missing *iam.MissingPermissionsError
			if errors.As(err, &missing) {
				addAmazonIAMError(&resp.Diagnostics, "removing IAM role "+roleName+" of Amazon tenant "+id, err)
				return
			}
			resp.Diagnostics.AddError("Error removing IAM role "+roleName+" of Amazon tenant "+id,
				"Destroy removes the IAM role and policies with the default AWS credential chain, since write-only values such as "+
					"secret_access_key_wo are not available to destroy. Provide credentials of an IAM user of account "+accountID+
					" with the configuring policy (for example AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and run "+
					"destroy again, or set retain_on_destroy = true and apply to remove only the registration. Nothing was changed.\n\n"+err.Error())
			return
		}
		if !owned {
			resp.Diagnostics.AddWarning("IAM role "+roleName+" of Amazon tenant "+id+" left in place",
				fmt.Sprintf("IAM role %q in account %s has no %s tag naming registration %s: it was not created by this registration, "+
					"so destroy removes only the registration and leaves the role and any policies as they are.", roleName, accountID, iam.TagTenantID, id))
			removeIAM = false
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
	if err := iamc.Delete(ctx, roleName, id, arns); err != nil {
		addAmazonIAMError(&resp.Diagnostics, "removing IAM role "+roleName+" of Amazon tenant "+id+
			" (the registration is already removed; run destroy again to finish)", err)
	}
}

// destroyCheck builds the IAM client destroy uses (the default credential
// chain), checks that it reaches the tenant's account and may call every
// action destroy needs, and reports whether the role is this
// registration's by its tag. A role that no longer exists counts as owned:
// the registration's policies may still be there to remove.
func (r *amazonTenantResource) destroyCheck(ctx context.Context, state *amazonTenantModel, iamc **iam.Client) (owned bool, err error) {
	roleName, accountID := state.RoleName.ValueString(), state.AccountID.ValueString()
	c, err := amazonConnFrom(state, "").newClient(ctx)
	if err != nil {
		return false, err
	}
	acct, err := c.Identify(ctx)
	if err != nil {
		return false, err
	}
	if acct.ID != accountID {
		return false, errors.New(amazonAccountMismatch(acct, accountID))
	}
	tenant, exists, err := c.RoleTenant(ctx, roleName)
	if err != nil {
		return false, err
	}
	if exists && tenant != state.ID.ValueString() {
		return false, nil
	}
	if _, err := c.CheckPermissions(ctx, domain.AmazonOperationDestroy, amazonTarget(roleName)); err != nil {
		return false, err
	}
	*iamc = c
	return true, nil
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
	AllowedExtraPolicyARNs   types.Set      `tfsdk:"allowed_extra_policy_arns"`
	AllowedInlinePolicyNames types.Set      `tfsdk:"allowed_inline_policy_names"`
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

// amazonIAMFindings is what inspectIAM found: the drift, one sentence
// each, and whether the role's tag names the registration (true as well
// when the role is missing: the drift then says so).
type amazonIAMFindings struct {
	drift []string
	owned bool
}

// inspectIAM reads the role and policies with conn and describes, one
// sentence each, how they differ from what the registration's permission
// version needs, with the extra policies that allowed (the configuration
// or state whose allowed_* attributes count) permits. The credentials must
// belong to the tenant's account: reading another account would report the
// role as missing.
//
// The expected documents come from domain.AmazonPolicies for the tenant's
// version, the function the service's permission set is built from; the
// service only publishes its current version, while drift must be judged
// against the version the role was connected with. A newer version is
// reported separately, as reconnect_recommended.
func (r *amazonTenantResource) inspectIAM(ctx context.Context, conn amazonConn, m, allowed *amazonTenantModel) (amazonIAMFindings, error) {
	var none amazonIAMFindings
	iamc, err := conn.newClient(ctx)
	if err != nil {
		return none, err
	}
	// Identify needs no permission, so refresh needs only the read actions.
	acct, err := iamc.Identify(ctx)
	if err != nil {
		return none, err
	}
	if want := m.AccountID.ValueString(); want != "" && acct.ID != want {
		return none, errors.New(amazonAccountMismatch(acct, want))
	}
	var diags diag.Diagnostics
	spec := allowed.amazonSpec(ctx, m.ID.ValueString(), m.amazonTenant(), int(m.PermissionsVersion.ValueInt64()), nil, &diags)
	if diags.HasError() {
		return none, fmt.Errorf("read the allowed extra policies: %v", diags)
	}
	var arns []string
	if d := m.PolicyARNs.ElementsAs(ctx, &arns, false); d.HasError() || len(arns) == 0 {
		arns = amazonPolicyARNs(acct.Partition, acct.ID, int(m.PermissionsVersion.ValueInt64()))
	}
	st, err := iamc.Read(ctx, spec.RoleName, arns)
	if errors.Is(err, iam.ErrRoleNotFound) {
		st, err = nil, nil
	}
	if err != nil {
		return none, err
	}
	found := amazonIAMFindings{owned: st == nil || st.OwnedBy(m.ID.ValueString())}
	for _, d := range iam.DetectDrift(spec, st) {
		found.drift = append(found.drift, d.String())
	}
	if found.drift == nil {
		found.drift = []string{}
	}
	return found, nil
}

// amazonSpec is the IAM side of registration id at a permission set
// version, with the extra policies m allows. Policies from the service's
// permission set replace the local documents of that version when given:
// the service is the authority on what the role needs.
func (m *amazonTenantModel) amazonSpec(ctx context.Context, id string, a *domain.AmazonTenant, version int,
	policies []domain.PolicyDocument, diags *diag.Diagnostics) iam.Spec {
	spec := iam.SpecFor(id, *a, version)
	if len(policies) > 0 {
		spec.Policies = policies
	}
	for _, s := range []struct {
		set types.Set
		dst *[]string
	}{{m.AllowedExtraPolicyARNs, &spec.AllowedExtraPolicyARNs}, {m.AllowedInlinePolicyNames, &spec.AllowedInlinePolicyNames}} {
		if !s.set.IsNull() && !s.set.IsUnknown() {
			diags.Append(s.set.ElementsAs(ctx, s.dst, false)...)
		}
	}
	return spec
}

// amazonTarget names what the permission checks ask about: the role and
// the registration's policies, whose names do not change between versions.
func amazonTarget(roleName string) iam.Target {
	t := iam.Target{RoleName: roleName}
	for _, p := range domain.AmazonPolicies(1) {
		t.PolicyNames = append(t.PolicyNames, p.Name)
	}
	return t
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
		exists   *iam.RoleExistsError
		pexists  *iam.PolicyExistsError
		missing  *iam.MissingPermissionError
		missings *iam.MissingPermissionsError
		notOwned *iam.RoleNotOwnedError
		invalid  *iam.InvalidCredentialsError
	)
	switch {
	case errors.As(err, &missings):
		diags.AddError(summary, fmt.Sprintf("The IAM user is not allowed to call %s, which %s needs (checked before anything was "+
			"changed; nothing was). Add them to the user's policy: the aos_required_permissions data source with platform = \"amazon\" "+
			"lists what each operation needs (operation_actions) and returns the complete least-privilege policy "+
			"(configuring_user_policy_json).\n\n%v", strings.Join(missings.Actions, ", "), missings.Operation, err))
	case errors.As(err, &notOwned):
		diags.AddAttributeError(path.Root("role_name"), summary, fmt.Sprintf("IAM role %q was not created by this registration: "+
			"Terraform changes or deletes a role only when its %s tag names the registration, and nothing was changed. If the role is "+
			"yours to manage elsewhere, remove this resource from the state (a `removed` block, or `terraform state rm`) and delete the "+
			"registration in the service, or choose another role_name for a new registration.\n\n%v", notOwned.RoleName, iam.TagTenantID, err))
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

// setAmazonPrivateFlag sets a boolean key of the private state, or clears
// it.
func setAmazonPrivateFlag(ctx context.Context, p interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, key string, on bool) diag.Diagnostics {
	var v []byte
	if on {
		v = []byte("true")
	}
	return p.SetKey(ctx, key, v)
}
