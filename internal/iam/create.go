package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Steps of Create, in order. They are passed to the afterStep hook and
// name the step in errors.
const (
	StepValidateKeys    = "ValidateKeys"
	StepEnsureNoRole    = "EnsureNoRole"
	StepCreatePolicies  = "CreatePolicies"
	StepCreateRole      = "CreateRole"
	StepAttachPolicies  = "AttachPolicies"
	StepWaitPropagation = "WaitPropagation"
)

// errNotPropagated marks a read that does not show a write yet.
var errNotPropagated = errors.New("IAM change not visible yet")

// Account is the AWS account the credentials belong to.
type Account struct {
	ID string
	// Alias is the account alias, empty when the account has none.
	Alias string
	// CallerARN is the IAM identity that made the calls.
	CallerARN string
	// Partition is "aws", "aws-us-gov" or "aws-cn".
	Partition string
}

// Policy is a managed policy Create made or took over.
type Policy struct {
	Name string
	ARN  string
	// Adopted is true for a policy that already existed, attached to no
	// identity, and whose document was brought up to date instead of
	// creating it; a rollback leaves it in place.
	Adopted bool
}

// Validate checks what IAM would otherwise only refuse halfway through, or,
// for a malformed trust policy on some IAM emulators, not at all.
func (s Spec) Validate() error {
	var errs []error
	if s.RoleName == "" {
		errs = append(errs, errors.New("role name is empty"))
	}
	if s.Tags[TagTenantID] == "" {
		errs = append(errs, fmt.Errorf("tag %s is missing: without it the role could not be recognised as the registration's", TagTenantID))
	}
	if _, err := NormalizePolicy(s.TrustPolicy); err != nil {
		errs = append(errs, fmt.Errorf("trust policy: %w", err))
	}
	if s.MaxSessionDuration != 0 && (s.MaxSessionDuration < 3600 || s.MaxSessionDuration > 43200) {
		errs = append(errs, fmt.Errorf("max session duration %d s is outside 3600..43200", s.MaxSessionDuration))
	}
	seen := map[string]bool{}
	for _, p := range s.Policies {
		if p.Name == "" {
			errs = append(errs, errors.New("a policy has no name"))
		}
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("policy %q is listed twice", p.Name))
		}
		seen[p.Name] = true
		if _, err := NormalizePolicy(p.Document); err != nil {
			errs = append(errs, fmt.Errorf("policy %q: %w", p.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid IAM role specification: %w", err)
	}
	return nil
}

// ValidateKeys checks the credentials and learns the account: STS
// GetCallerIdentity (the account id; it needs no permission, so an error
// means the key itself is bad), then IAM GetAccountSummary and
// ListAccountAliases, which the configuring user must be allowed.
func (c *Client) ValidateKeys(ctx context.Context) (Account, error) {
	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Account{}, fmt.Errorf("validate the AWS credentials: %w", classify(err))
	}
	acct := Account{ID: aws.ToString(id.Account), CallerARN: aws.ToString(id.Arn), Partition: "aws"}
	if a, err := arn.Parse(acct.CallerARN); err == nil {
		acct.Partition = a.Partition
	}
	if _, err := c.iam.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{}); err != nil {
		return Account{}, fmt.Errorf("read the IAM account summary: %w", classify(err))
	}
	aliases, err := c.iam.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
	if err != nil {
		return Account{}, fmt.Errorf("list the AWS account aliases: %w", classify(err))
	}
	// An account has at most one alias.
	if len(aliases.AccountAliases) > 0 {
		acct.Alias = aliases.AccountAliases[0]
	}
	return acct, nil
}

// EnsureNoRole (GetRole) returns a *RoleExistsError when roleName exists,
// with the role's TagTenantID tag.
func (c *Client) EnsureNoRole(ctx context.Context, roleName string) error {
	out, err := c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(roleName)})
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("check whether IAM role %q exists: %w", roleName, classify(err))
	}
	e := &RoleExistsError{RoleName: roleName, RoleARN: aws.ToString(out.Role.Arn)}
	for _, t := range out.Role.Tags {
		if aws.ToString(t.Key) == TagTenantID {
			e.TenantID = aws.ToString(t.Value)
		}
	}
	return e
}

// CreatePolicies (CreatePolicy) creates one managed policy per document and
// returns them, in order. A policy of the same name that is attached to no
// identity, typically left behind when its role was deleted by hand, is
// adopted (GetPolicy, then the policy-version calls of Reconnect) rather than
// failing the registration; one attached elsewhere is a *PolicyExistsError.
// On error the policies handled so far are returned as well, so that the
// caller can roll them back.
func (c *Client) CreatePolicies(ctx context.Context, docs []domain.PolicyDocument) ([]Policy, error) {
	var done []Policy
	for _, d := range docs {
		out, err := c.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
			PolicyName:     aws.String(d.Name),
			PolicyDocument: aws.String(d.Document),
			Description:    aws.String("Permissions of AvePoint Online Services; managed by terraform-provider-aos."),
		})
		if err == nil {
			done = append(done, Policy{Name: d.Name, ARN: aws.ToString(out.Policy.Arn)})
			continue
		}
		var exists *types.EntityAlreadyExistsException
		if !errors.As(err, &exists) {
			return done, fmt.Errorf("create IAM policy %q: %w", d.Name, classify(err))
		}
		p, err := c.adoptPolicy(ctx, d)
		if err != nil {
			return done, err
		}
		done = append(done, p)
	}
	return done, nil
}

// adoptPolicy takes over an existing, unattached policy named d.Name.
func (c *Client) adoptPolicy(ctx context.Context, d domain.PolicyDocument) (Policy, error) {
	acct, err := c.callerAccount(ctx)
	if err != nil {
		return Policy{}, err
	}
	policyARN := policyARN(acct.Partition, acct.ID, d.Name)
	got, err := c.iam.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return Policy{}, fmt.Errorf("IAM policy %q exists but could not be read: %w", d.Name, classify(err))
	}
	if n := aws.ToInt32(got.Policy.AttachmentCount); n > 0 {
		return Policy{}, &PolicyExistsError{PolicyName: d.Name, PolicyARN: policyARN, AttachmentCount: n}
	}
	if err := c.ensurePolicyDocument(ctx, policyARN, aws.ToString(got.Policy.DefaultVersionId), d.Document); err != nil {
		return Policy{}, err
	}
	return Policy{Name: d.Name, ARN: policyARN, Adopted: true}, nil
}

// callerAccount is the account and partition of the credentials.
func (c *Client) callerAccount(ctx context.Context) (Account, error) {
	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Account{}, fmt.Errorf("identify the AWS account: %w", classify(err))
	}
	a, err := arn.Parse(aws.ToString(id.Arn))
	if err != nil {
		return Account{}, fmt.Errorf("identify the AWS account: caller ARN %q: %w", aws.ToString(id.Arn), err)
	}
	return Account{ID: aws.ToString(id.Account), CallerARN: aws.ToString(id.Arn), Partition: a.Partition}, nil
}

// CreateRole (CreateRole, with tags) creates the role and returns its ARN.
// A role that appeared since EnsureNoRole is a *RoleExistsError too.
func (c *Client) CreateRole(ctx context.Context, spec Spec) (string, error) {
	in := &awsiam.CreateRoleInput{
		RoleName:                 aws.String(spec.RoleName),
		AssumeRolePolicyDocument: aws.String(spec.TrustPolicy),
		Tags:                     roleTags(spec.Tags),
	}
	if spec.Description != "" {
		in.Description = aws.String(spec.Description)
	}
	if spec.MaxSessionDuration != 0 {
		in.MaxSessionDuration = aws.Int32(spec.MaxSessionDuration)
	}
	out, err := c.iam.CreateRole(ctx, in)
	if err != nil {
		var exists *types.EntityAlreadyExistsException
		if errors.As(err, &exists) {
			return "", &RoleExistsError{RoleName: spec.RoleName}
		}
		return "", fmt.Errorf("create IAM role %q: %w", spec.RoleName, classify(err))
	}
	return aws.ToString(out.Role.Arn), nil
}

func roleTags(tags map[string]string) []types.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// AttachPolicies (AttachRolePolicy) attaches each policy to the role. A
// policy or role created moments ago may not be visible to AttachRolePolicy
// yet, so NoSuchEntity is retried within the propagation timeout.
func (c *Client) AttachPolicies(ctx context.Context, roleName string, policyARNs []string) error {
	for _, p := range policyARNs {
		err := c.retryWhile(ctx, isNotFound, func(ctx context.Context) error {
			_, err := c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{
				RoleName:  aws.String(roleName),
				PolicyArn: aws.String(p),
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("attach IAM policy %s to role %q: %w", p, roleName, classify(err))
		}
	}
	return nil
}

// WaitPropagation (GetRole, ListAttachedRolePolicies) waits until IAM reads
// show the role with every policy attached. IAM is eventually consistent:
// without the wait, the refresh right after an apply could read an older
// state and plan a change that is not real. STS may lag further still; the
// service's verification retries for that on its side.
func (c *Client) WaitPropagation(ctx context.Context, roleName string, policyARNs []string) error {
	retryable := func(err error) bool { return isNotFound(err) || errors.Is(err, errNotPropagated) }
	err := c.retryWhile(ctx, retryable, func(ctx context.Context) error {
		if _, err := c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(roleName)}); err != nil {
			return err
		}
		attached, err := c.listAttached(ctx, roleName)
		if err != nil {
			return err
		}
		var missing []string
		for _, p := range policyARNs {
			if !slices.Contains(attached, p) {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: %s not listed as attached yet", errNotPropagated, strings.Join(missing, ", "))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("wait for IAM role %q to propagate: %w", roleName, classify(err))
	}
	return nil
}

// Create makes the role and its policies: ValidateKeys, EnsureNoRole,
// CreatePolicies, CreateRole, AttachPolicies, WaitPropagation. If any step
// fails, everything made so far is undone (detach, delete the policies it
// created, delete the role) and the step's error is returned joined with
// any error of the undo. The returned State is read back after the wait.
func (c *Client) Create(ctx context.Context, spec Spec) (state *State, err error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	var (
		roleCreated bool
		policies    []Policy
	)
	defer func() {
		if err == nil {
			return
		}
		var created []string
		for _, p := range policies {
			if !p.Adopted {
				created = append(created, p.ARN)
			}
		}
		roleName := ""
		if roleCreated {
			roleName = spec.RoleName
		}
		if roleName == "" && len(created) == 0 {
			return
		}
		cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if cerr := c.Delete(cleanupCtx, roleName, spec.Tags[TagTenantID], created); cerr != nil {
			err = errors.Join(err, fmt.Errorf("roll back the IAM objects created so far "+
				"(remove them by hand: role %q, policies %v): %w", roleName, created, cerr))
		}
	}()

	step := func(name string, fn func() error) error {
		if err := fn(); err != nil {
			return err
		}
		if c.afterStep != nil {
			if err := c.afterStep(name); err != nil {
				return fmt.Errorf("after step %s: %w", name, err)
			}
		}
		return nil
	}

	var acct Account
	if err := step(StepValidateKeys, func() (err error) {
		acct, err = c.ValidateKeys(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	if err := step(StepEnsureNoRole, func() error { return c.EnsureNoRole(ctx, spec.RoleName) }); err != nil {
		return nil, err
	}
	if err := step(StepCreatePolicies, func() (err error) {
		policies, err = c.CreatePolicies(ctx, spec.Policies)
		return err
	}); err != nil {
		return nil, err
	}
	if err := step(StepCreateRole, func() error {
		_, err := c.CreateRole(ctx, spec)
		// Only a role this call made may be rolled back; a
		// RoleExistsError means somebody else's role.
		roleCreated = err == nil
		return err
	}); err != nil {
		return nil, err
	}
	arns := policyARNs(policies)
	if err := step(StepAttachPolicies, func() error { return c.AttachPolicies(ctx, spec.RoleName, arns) }); err != nil {
		return nil, err
	}
	if err := step(StepWaitPropagation, func() error { return c.WaitPropagation(ctx, spec.RoleName, arns) }); err != nil {
		return nil, err
	}

	state, err = c.Read(ctx, spec.RoleName, arns)
	if err != nil {
		return nil, fmt.Errorf("read back the created IAM role: %w", err)
	}
	state.AccountAlias = acct.Alias
	return state, nil
}

func policyARNs(ps []Policy) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ARN)
	}
	return out
}

// policyARN is the ARN of a customer managed policy on the default path.
func policyARN(partition, accountID, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", partition, accountID, name)
}
