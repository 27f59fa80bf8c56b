package iam

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// maxPolicyVersions is how many versions IAM keeps per managed policy;
// CreatePolicyVersion fails with LimitExceeded beyond it.
const maxPolicyVersions = 5

// Reconnect brings an existing role and its policies to spec, changing only
// what differs: the trust policy (UpdateAssumeRolePolicy), the description
// and maximum session (UpdateRole), each policy's document (a new default
// version, see ensurePolicyDocument; a deleted policy is created again),
// the attachments (AttachRolePolicy), and what grants the role more than
// spec allows (see ExtraPolicies: DetachRolePolicy, DeleteRolePolicy). It
// then waits for propagation and returns the state read back. A missing
// role is ErrRoleNotFound: the role has to be created, not reconnected. A
// role whose TagTenantID tag does not name spec's registration is a
// *RoleNotOwnedError, returned before anything is changed.
func (c *Client) Reconnect(ctx context.Context, spec Spec) (*State, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	role, err := c.getRole(ctx, spec.RoleName)
	if err != nil {
		return nil, err
	}
	if err := checkOwner(role.Tags, spec.RoleName, spec.Tags[TagTenantID]); err != nil {
		return nil, err
	}
	roleARN, err := arn.Parse(aws.ToString(role.Arn))
	if err != nil {
		return nil, fmt.Errorf("IAM role %q has an unexpected ARN %q: %w", spec.RoleName, aws.ToString(role.Arn), err)
	}

	if !samePolicy(aws.ToString(role.AssumeRolePolicyDocument), spec.TrustPolicy) {
		if _, err := c.iam.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{
			RoleName:       aws.String(spec.RoleName),
			PolicyDocument: aws.String(spec.TrustPolicy),
		}); err != nil {
			return nil, fmt.Errorf("update the trust policy of IAM role %q: %w", spec.RoleName, classify(err))
		}
	}

	if in, changed := roleUpdate(aws.ToString(role.Description), aws.ToInt32(role.MaxSessionDuration), spec); changed {
		if _, err := c.iam.UpdateRole(ctx, in); err != nil {
			return nil, fmt.Errorf("update IAM role %q: %w", spec.RoleName, classify(err))
		}
	}

	arns := make([]string, 0, len(spec.Policies))
	for _, p := range spec.Policies {
		policyARN := policyARN(roleARN.Partition, roleARN.AccountID, p.Name)
		if err := c.ensurePolicy(ctx, policyARN, p); err != nil {
			return nil, err
		}
		arns = append(arns, policyARN)
	}

	attached, err := c.listAttached(ctx, spec.RoleName)
	if err != nil {
		return nil, fmt.Errorf("list the policies attached to IAM role %q: %w", spec.RoleName, classify(err))
	}
	var detached []string
	for _, p := range arns {
		if !slices.Contains(attached, p) {
			detached = append(detached, p)
		}
	}
	if err := c.AttachPolicies(ctx, spec.RoleName, detached); err != nil {
		return nil, err
	}
	var errs []error
	for _, p := range attached {
		if slices.Contains(arns, p) || slices.Contains(spec.AllowedExtraPolicyARNs, p) {
			continue
		}
		if _, err := c.iam.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{
			RoleName: aws.String(spec.RoleName), PolicyArn: aws.String(p),
		}); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("detach IAM policy %s, attached outside Terraform, from role %q: %w", p, spec.RoleName, classify(err)))
		}
	}
	errs = append(errs, c.deleteInline(ctx, spec.RoleName, spec.AllowedInlinePolicyNames))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.WaitPropagation(ctx, spec.RoleName, arns); err != nil {
		return nil, err
	}
	return c.Read(ctx, spec.RoleName, arns)
}

// roleUpdate returns the UpdateRole call that brings the role's description
// and maximum session duration to spec, and whether anything differs. Empty
// spec values leave the role's values alone. The call always carries both
// values, the unchanged one as it is now: some IAM implementations (moto)
// reset an omitted description to none and an omitted duration to an hour.
func roleUpdate(description string, maxSessionDuration int32, spec Spec) (*awsiam.UpdateRoleInput, bool) {
	wantDescription, wantMax := description, maxSessionDuration
	if spec.Description != "" {
		wantDescription = spec.Description
	}
	if spec.MaxSessionDuration != 0 {
		wantMax = spec.MaxSessionDuration
	}
	in := &awsiam.UpdateRoleInput{
		RoleName:    aws.String(spec.RoleName),
		Description: aws.String(wantDescription),
	}
	if wantMax != 0 {
		in.MaxSessionDuration = aws.Int32(wantMax)
	}
	return in, wantDescription != description || wantMax != maxSessionDuration
}

// ensurePolicy (GetPolicy) creates the policy when it is missing and
// otherwise brings its default document to p.Document.
func (c *Client) ensurePolicy(ctx context.Context, policyARN string, p domain.PolicyDocument) error {
	got, err := c.iam.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if isNotFound(err) {
		_, err := c.CreatePolicies(ctx, []domain.PolicyDocument{p})
		return err
	}
	if err != nil {
		return fmt.Errorf("read IAM policy %s: %w", policyARN, classify(err))
	}
	return c.ensurePolicyDocument(ctx, policyARN, aws.ToString(got.Policy.DefaultVersionId), p.Document)
}

// ensurePolicyDocument makes doc the default version of the policy:
//   - nothing, when the default version already has it (GetPolicyVersion);
//   - SetDefaultPolicyVersion, when an older version has it
//     (ListPolicyVersions, GetPolicyVersion), so going back and forth
//     between two permission sets does not pile up versions;
//   - otherwise CreatePolicyVersion with SetAsDefault, first deleting the
//     oldest non-default version (DeletePolicyVersion) when the policy
//     already has the five versions IAM allows.
func (c *Client) ensurePolicyDocument(ctx context.Context, policyARN, defaultVersionID, doc string) error {
	current, err := c.policyDocument(ctx, policyARN, defaultVersionID)
	if err != nil {
		return err
	}
	if samePolicy(current, doc) {
		return nil
	}
	versions, err := c.listPolicyVersions(ctx, policyARN)
	if err != nil {
		return err
	}
	var nonDefault []types.PolicyVersion
	for _, v := range versions {
		if !v.IsDefaultVersion {
			nonDefault = append(nonDefault, v)
		}
	}
	for _, v := range nonDefault {
		old, err := c.policyDocument(ctx, policyARN, aws.ToString(v.VersionId))
		if err != nil {
			return err
		}
		if samePolicy(old, doc) {
			if _, err := c.iam.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{
				PolicyArn: aws.String(policyARN),
				VersionId: v.VersionId,
			}); err != nil {
				return fmt.Errorf("make version %s the default of IAM policy %s: %w",
					aws.ToString(v.VersionId), policyARN, classify(err))
			}
			return nil
		}
	}
	if len(versions) >= maxPolicyVersions && len(nonDefault) > 0 {
		oldest := slices.MinFunc(nonDefault, compareVersionAge)
		if _, err := c.iam.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{
			PolicyArn: aws.String(policyARN),
			VersionId: oldest.VersionId,
		}); err != nil && !isNotFound(err) {
			return fmt.Errorf("delete the oldest version %s of IAM policy %s to make room for a new one: %w",
				aws.ToString(oldest.VersionId), policyARN, classify(err))
		}
	}
	if _, err := c.iam.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{
		PolicyArn:      aws.String(policyARN),
		PolicyDocument: aws.String(doc),
		SetAsDefault:   true,
	}); err != nil {
		return fmt.Errorf("create a new default version of IAM policy %s: %w", policyARN, classify(err))
	}
	return nil
}

// listPolicyVersions (ListPolicyVersions) lists every version of a policy.
func (c *Client) listPolicyVersions(ctx context.Context, policyARN string) ([]types.PolicyVersion, error) {
	var out []types.PolicyVersion
	pages := awsiam.NewListPolicyVersionsPaginator(c.iam, &awsiam.ListPolicyVersionsInput{
		PolicyArn: aws.String(policyARN),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the versions of IAM policy %s: %w", policyARN, classify(err))
		}
		out = append(out, page.Versions...)
	}
	return out, nil
}

// compareVersionAge orders policy versions oldest first: by creation time,
// then by version number, because versions made within the same instant
// (or by an emulator with coarse clocks) must still have an order.
func compareVersionAge(a, b types.PolicyVersion) int {
	if ta, tb := aws.ToTime(a.CreateDate), aws.ToTime(b.CreateDate); !ta.Equal(tb) {
		return ta.Compare(tb)
	}
	return cmp.Compare(versionNumber(a.VersionId), versionNumber(b.VersionId))
}

// versionNumber parses "v12" as 12; anything else sorts first.
func versionNumber(id *string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(id), "v"))
	if err != nil {
		return 0
	}
	return n
}
