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

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// State is the role and policies as IAM reports them. Documents are
// normalized (see NormalizePolicy), so they compare equal to a Spec's
// documents exactly when IAM would treat them as the same.
type State struct {
	AccountID string
	// AccountAlias is only filled by Create, which has listed the aliases.
	AccountAlias string

	RoleName           string
	RoleARN            string
	RoleID             string
	Description        string
	MaxSessionDuration int32
	TrustPolicy        string
	Tags               map[string]string
	// AttachedPolicyARNs lists every managed policy attached to the role,
	// including ones attached outside Terraform, sorted.
	AttachedPolicyARNs []string
	// InlinePolicyNames lists the role's inline policies, sorted. Create
	// makes none, so each was added outside Terraform.
	InlinePolicyNames []string
	// Policies has one entry per policy ARN asked for, in the same order.
	Policies []PolicyState
}

// PolicyState is one managed policy of the registration.
type PolicyState struct {
	Name string
	ARN  string
	// Exists is false when the policy was deleted; the other fields are
	// then empty.
	Exists bool
	// Attached says whether the policy is attached to the role.
	Attached         bool
	DefaultVersionID string
	// Document is the normalized document of the default version.
	Document string
}

// PolicyARNs returns the ARNs of the policies in s.
func (s *State) PolicyARNs() []string {
	out := make([]string, 0, len(s.Policies))
	for _, p := range s.Policies {
		out = append(out, p.ARN)
	}
	return out
}

// OwnedBy reports whether the role's TagTenantID tag names registration
// tenantID, which proves that this provider made the role for it.
func (s *State) OwnedBy(tenantID string) bool {
	return tenantID != "" && s.Tags[TagTenantID] == tenantID
}

// Read reads the role (GetRole), its attachments (ListAttachedRolePolicies),
// its inline policies (ListRolePolicies) and, for each given policy, the policy (GetPolicy) and the document of its
// default version (GetPolicyVersion). A missing role is ErrRoleNotFound; a
// missing policy is reported in its PolicyState.
func (c *Client) Read(ctx context.Context, roleName string, policyARNs []string) (*State, error) {
	role, err := c.getRole(ctx, roleName)
	if err != nil {
		return nil, err
	}
	trust, err := NormalizePolicy(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		return nil, fmt.Errorf("IAM role %q has an unreadable trust policy: %w", roleName, err)
	}
	st := &State{
		RoleName:           aws.ToString(role.RoleName),
		RoleARN:            aws.ToString(role.Arn),
		RoleID:             aws.ToString(role.RoleId),
		Description:        aws.ToString(role.Description),
		MaxSessionDuration: aws.ToInt32(role.MaxSessionDuration),
		TrustPolicy:        trust,
		Tags:               map[string]string{},
	}
	if a, err := arn.Parse(st.RoleARN); err == nil {
		st.AccountID = a.AccountID
	}
	for _, t := range role.Tags {
		st.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	attached, err := c.listAttached(ctx, roleName)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("IAM role %q: %w", roleName, ErrRoleNotFound)
		}
		return nil, fmt.Errorf("list the policies attached to IAM role %q: %w", roleName, classify(err))
	}
	slices.Sort(attached)
	st.AttachedPolicyARNs = attached
	inline, err := c.listInline(ctx, roleName)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("IAM role %q: %w", roleName, ErrRoleNotFound)
		}
		return nil, fmt.Errorf("list the inline policies of IAM role %q: %w", roleName, classify(err))
	}
	slices.Sort(inline)
	st.InlinePolicyNames = inline

	for _, p := range policyARNs {
		ps, err := c.readPolicy(ctx, p)
		if err != nil {
			return nil, err
		}
		ps.Attached = slices.Contains(attached, p)
		st.Policies = append(st.Policies, ps)
	}
	return st, nil
}

func (c *Client) readPolicy(ctx context.Context, policyARN string) (PolicyState, error) {
	ps := PolicyState{ARN: policyARN, Name: policyNameFromARN(policyARN)}
	got, err := c.iam.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if isNotFound(err) {
		return ps, nil
	}
	if err != nil {
		return ps, fmt.Errorf("read IAM policy %s: %w", policyARN, classify(err))
	}
	ps.Exists = true
	ps.Name = aws.ToString(got.Policy.PolicyName)
	ps.DefaultVersionID = aws.ToString(got.Policy.DefaultVersionId)
	doc, err := c.policyDocument(ctx, policyARN, ps.DefaultVersionID)
	if err != nil {
		return ps, err
	}
	if ps.Document, err = NormalizePolicy(doc); err != nil {
		return ps, fmt.Errorf("IAM policy %s version %s: %w", policyARN, ps.DefaultVersionID, err)
	}
	return ps, nil
}

// policyDocument (GetPolicyVersion) returns a version's document, decoded
// but not normalized.
func (c *Client) policyDocument(ctx context.Context, policyARN, versionID string) (string, error) {
	out, err := c.iam.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{
		PolicyArn: aws.String(policyARN),
		VersionId: aws.String(versionID),
	})
	if err != nil {
		return "", fmt.Errorf("read version %s of IAM policy %s: %w", versionID, policyARN, classify(err))
	}
	doc, err := decodeDocument(aws.ToString(out.PolicyVersion.Document))
	if err != nil {
		return "", fmt.Errorf("version %s of IAM policy %s: %w", versionID, policyARN, err)
	}
	return doc, nil
}

// getRole (GetRole) wraps ErrRoleNotFound for a missing role.
func (c *Client) getRole(ctx context.Context, roleName string) (*types.Role, error) {
	out, err := c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(roleName)})
	if isNotFound(err) {
		return nil, fmt.Errorf("IAM role %q: %w", roleName, ErrRoleNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read IAM role %q: %w", roleName, classify(err))
	}
	return out.Role, nil
}

// listAttached (ListAttachedRolePolicies) lists the ARNs of every managed
// policy attached to the role. Errors are returned unwrapped so callers can
// tell NoSuchEntity apart.
func (c *Client) listAttached(ctx context.Context, roleName string) ([]string, error) {
	var out []string
	pages := awsiam.NewListAttachedRolePoliciesPaginator(c.iam, &awsiam.ListAttachedRolePoliciesInput{
		RoleName: aws.String(roleName),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range page.AttachedPolicies {
			out = append(out, aws.ToString(p.PolicyArn))
		}
	}
	return out, nil
}

// listInline (ListRolePolicies) lists the names of the role's inline
// policies. Errors are returned unwrapped, as by listAttached.
func (c *Client) listInline(ctx context.Context, roleName string) ([]string, error) {
	var out []string
	pages := awsiam.NewListRolePoliciesPaginator(c.iam, &awsiam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.PolicyNames...)
	}
	return out, nil
}

// policyNameFromARN returns the name part of a policy ARN
// ("arn:aws:iam::1:policy/path/Name" → "Name").
func policyNameFromARN(policyARN string) string {
	if i := strings.LastIndexByte(policyARN, '/'); i >= 0 {
		return policyARN[i+1:]
	}
	return policyARN
}

// PolicyARNsFor returns the ARNs the given policies have in the role's
// account, as Create and Reconnect make them (default path). Import uses it
// to find a registration's policies from its role ARN alone.
func PolicyARNsFor(roleARN string, policies []domain.PolicyDocument) ([]string, error) {
	a, err := arn.Parse(roleARN)
	if err != nil {
		return nil, fmt.Errorf("role ARN %q: %w", roleARN, err)
	}
	out := make([]string, 0, len(policies))
	for _, p := range policies {
		out = append(out, policyARN(a.Partition, a.AccountID, p.Name))
	}
	return out, nil
}

// Identify returns the account and partition of the credentials
// (sts:GetCallerIdentity, which needs no permission). Refresh and destroy
// use it instead of ValidateKeys, so that they need none of the account
// actions.
func (c *Client) Identify(ctx context.Context) (Account, error) { return c.callerAccount(ctx) }

// RoleTenant (GetRole) returns the registration the role's TagTenantID tag
// names (empty when it has none) and whether the role exists.
func (c *Client) RoleTenant(ctx context.Context, roleName string) (tenantID string, exists bool, err error) {
	role, err := c.getRole(ctx, roleName)
	if errors.Is(err, ErrRoleNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	for _, t := range role.Tags {
		if aws.ToString(t.Key) == TagTenantID {
			tenantID = aws.ToString(t.Value)
		}
	}
	return tenantID, true, nil
}
