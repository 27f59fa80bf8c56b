package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Delete removes the role of registration tenantID and the given
// policies, in the order AWS requires: detach every policy attached to the
// role (ListAttachedRolePolicies, DetachRolePolicy), delete its inline
// policies (ListRolePolicies, DeleteRolePolicy), delete each policy's
// non-default versions (ListPolicyVersions, DeletePolicyVersion), delete
// the policies (DeletePolicy), then the role (DeleteRole). Anything
// already gone counts as deleted. An empty roleName deletes only the
// policies.
//
// The role is read first (GetRole): one whose TagTenantID tag does not
// name tenantID is somebody else's, and Delete then returns a
// *RoleNotOwnedError without changing anything, policies included (they
// may be attached to that role).
//
// Each phase runs for every object and joins its errors, but a phase that
// failed stops the later ones: deleting a policy that is still attached, or
// a role that still has policies, would fail on AWS anyway.
func (c *Client) Delete(ctx context.Context, roleName, tenantID string, policyARNs []string) error {
	roleExists := false
	if roleName != "" {
		role, err := c.getRole(ctx, roleName)
		switch {
		case errors.Is(err, ErrRoleNotFound):
		case err != nil:
			return err
		default:
			if err := checkOwner(role.Tags, roleName, tenantID); err != nil {
				return err
			}
			roleExists = true
		}
	}
	if roleExists {
		if err := c.detachAll(ctx, roleName); err != nil {
			return err
		}
		if err := c.deleteInline(ctx, roleName, nil); err != nil {
			return err
		}
	}
	var errs []error
	for _, p := range policyARNs {
		errs = append(errs, c.deletePolicy(ctx, p))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if !roleExists {
		return nil
	}
	// A detach can take a moment to reach the role, so DeleteRole may answer
	// DeleteConflict right after the last DetachRolePolicy; that is retried
	// within the propagation timeout, as the AWS provider does.
	err := c.retryWhile(ctx, func(err error) bool { return errorCode(err) == "DeleteConflict" },
		func(ctx context.Context) error {
			_, err := c.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(roleName)})
			return err
		})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete IAM role %q: %w", roleName, classify(err))
	}
	return nil
}

// checkOwner returns a *RoleNotOwnedError unless tags hold TagTenantID =
// tenantID.
func checkOwner(tags []types.Tag, roleName, tenantID string) error {
	found := ""
	for _, t := range tags {
		if aws.ToString(t.Key) == TagTenantID {
			found = aws.ToString(t.Value)
		}
	}
	if tenantID == "" || found != tenantID {
		return &RoleNotOwnedError{RoleName: roleName, TenantID: tenantID, Found: found}
	}
	return nil
}

// deleteInline deletes the role's inline policies except those in keep.
// AWS refuses DeleteRole while any exist.
func (c *Client) deleteInline(ctx context.Context, roleName string, keep []string) error {
	names, err := c.listInline(ctx, roleName)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list the inline policies of IAM role %q: %w", roleName, classify(err))
	}
	var errs []error
	for _, n := range names {
		if slices.Contains(keep, n) {
			continue
		}
		_, err := c.iam.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(n)})
		if err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("delete inline policy %q of IAM role %q: %w", n, roleName, classify(err)))
		}
	}
	return errors.Join(errs...)
}

// detachAll detaches every managed policy from the role, including ones
// attached outside Terraform, since a role with attachments cannot be
// deleted.
func (c *Client) detachAll(ctx context.Context, roleName string) error {
	attached, err := c.listAttached(ctx, roleName)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list the policies attached to IAM role %q: %w", roleName, classify(err))
	}
	var errs []error
	for _, p := range attached {
		_, err := c.iam.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{
			RoleName:  aws.String(roleName),
			PolicyArn: aws.String(p),
		})
		if err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("detach IAM policy %s from role %q: %w", p, roleName, classify(err)))
		}
	}
	return errors.Join(errs...)
}

// deletePolicy deletes the policy's non-default versions, then the policy.
// AWS refuses DeletePolicy while other versions exist, so they go first even
// where an emulator would not insist.
func (c *Client) deletePolicy(ctx context.Context, policyARN string) error {
	versions, err := c.listPolicyVersions(ctx, policyARN)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.IsDefaultVersion {
			continue
		}
		_, err := c.iam.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{
			PolicyArn: aws.String(policyARN),
			VersionId: v.VersionId,
		})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("delete version %s of IAM policy %s: %w", aws.ToString(v.VersionId), policyARN, classify(err))
		}
	}
	if _, err := c.iam.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(policyARN)}); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete IAM policy %s: %w", policyARN, classify(err))
	}
	return nil
}
