package iam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Tags that prove which registration a role belongs to. Create sets them
// (through Spec.Tags, see OwnerTags); Reconnect and Delete change a role
// only when its TagTenantID tag names the registration they act for.
const (
	TagManagedBy      = "managed-by"
	TagManagedByValue = "terraform-provider-aos"
	TagTenantID       = "aos:tenant-id"
)

// OwnerTags are the tags of a role made for registration tenantID.
func OwnerTags(tenantID string) map[string]string {
	return map[string]string{TagManagedBy: TagManagedByValue, TagTenantID: tenantID}
}

// Target names the objects an operation will touch, so that the probes of
// CheckPermissions ask about names in the same place: a policy whose
// Resource is narrowed to "role/AWSTenantAdminRole*" still matches them.
type Target struct {
	RoleName    string
	PolicyNames []string
}

// unprobed are the actions CheckPermissions cannot ask about without
// risking a change: every call of them that IAM authorizes may create
// something. They are the first writes of a create (CreatePolicy, then
// CreateRole), so when one is refused, nothing exists yet, or only what
// the already verified rollback actions remove.
var unprobed = []string{"iam:CreatePolicy", "iam:CreateRole"}

// CheckPermissions finds out, before an operation (one of
// domain.AmazonOperations) changes anything, whether the credentials may
// call every action it and its rollback need, and returns a
// *MissingPermissionsError listing all refused ones. It also returns the
// account (with its alias when the operation lists the aliases).
//
// How: IAM decides whether a request is authorized before it performs the
// action, and looking the named entity up is part of performing it (see
// "How IAM works", https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html:
// a request is authenticated, then authorized, and only then are the
// actions or operations carried out on the resources). So a call naming a
// role or policy that does not exist answers AccessDenied when the action
// is not allowed and NoSuchEntity when it is, and changes nothing either
// way. Reads are asked about with the real names; every mutating action is
// asked about with a random name derived from the real one
// ("<name>-aos-probe-<random>"), which cannot exist.
//
// Why not iam:SimulatePrincipalPolicy: it needs a permission of its own
// (one more the customer would have to grant, and one that discloses the
// user's permissions), it simulates identity policies and the inputs given
// to it, not service control policies that the caller cannot read, and
// AWS warns that its results can differ from the live environment
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
// A probe is judged by the live authorization itself, SCPs and permission
// boundaries included. Its limits: conditions on the target's own tags
// (iam:ResourceTag) cannot match an entity that does not exist, and
// iam:CreatePolicy and iam:CreateRole are not probed (see unprobed).
func (c *Client) CheckPermissions(ctx context.Context, operation string, target Target) (Account, error) {
	actions := domain.AmazonOperationActions(operation)
	if actions == nil {
		return Account{}, fmt.Errorf("check permissions: unknown operation %q", operation)
	}
	acct, err := c.callerAccount(ctx)
	if err != nil {
		return Account{}, err
	}
	if target.RoleName == "" || len(target.PolicyNames) == 0 {
		return Account{}, errors.New("check permissions: the role and policy names are required")
	}
	suffix, err := probeSuffix()
	if err != nil {
		return Account{}, err
	}
	p := &prober{c: c, acct: &acct, target: target,
		role:      probeName(target.RoleName, suffix, 64),
		policyARN: policyARN(acct.Partition, acct.ID, probeName(target.PolicyNames[0], suffix, 128)),
		realARN:   policyARN(acct.Partition, acct.ID, target.PolicyNames[0]),
	}
	if err := p.ensureProbeNamesFree(ctx); err != nil {
		return Account{}, err
	}
	var missing []string
	for _, action := range actions {
		if slices.Contains(unprobed, action) {
			continue
		}
		probe, ok := p.probes()[action]
		if !ok {
			return Account{}, fmt.Errorf("check permissions: no probe for %s", action)
		}
		err := probe(ctx)
		switch {
		case err == nil, isNotFound(err):
			// Authorized: the call got past IAM's authorization.
		case accessDeniedCodes[errorCode(err)]:
			missing = append(missing, action)
		case invalidCredentialCodes[errorCode(err)]:
			return Account{}, fmt.Errorf("check the permissions of the AWS credentials: %w", classify(err))
		case errorCode(err) != "":
			// Any other answer of IAM (a validation error, a conflict)
			// comes from performing the action, so it was authorized.
		default:
			return Account{}, fmt.Errorf("check whether the AWS credentials may call %s: %w", action, err)
		}
	}
	if len(missing) > 0 {
		return Account{}, &MissingPermissionsError{Operation: operation, Actions: missing}
	}
	return acct, nil
}

// prober holds the names the probes use.
type prober struct {
	c      *Client
	acct   *Account
	target Target
	// role and policyARN cannot exist; realARN is the target's first
	// policy, for the reads.
	role, policyARN, realARN string
}

// ensureProbeNamesFree makes sure the random names really do not exist
// before any mutating probe uses them. The names carry 64 random bits, so
// this only guards against the impossible; when the reads are refused the
// randomness is the guarantee.
func (p *prober) ensureProbeNamesFree(ctx context.Context) error {
	_, err := p.c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(p.role)})
	if err == nil {
		return fmt.Errorf("check permissions: probe role name %q unexpectedly exists; retry", p.role)
	}
	_, err = p.c.iam.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(p.policyARN)})
	if err == nil {
		return fmt.Errorf("check permissions: probe policy %s unexpectedly exists; retry", p.policyARN)
	}
	return nil
}

// probes has one call per action. Mutating calls name only p.role and
// p.policyARN, which do not exist, so IAM can only refuse them or answer
// NoSuchEntity.
func (p *prober) probes() map[string]func(context.Context) error {
	iamc := p.c.iam
	role, probeARN := aws.String(p.role), aws.String(p.policyARN)
	realRole, realARN := aws.String(p.target.RoleName), aws.String(p.realARN)
	// A valid document, so that no implementation refuses the request for
	// its syntax before it looks for the entity.
	doc := aws.String(domain.AmazonTrustPolicy("arn:"+p.acct.Partition+":iam::"+p.acct.ID+":root", "aos-permission-probe"))
	return map[string]func(context.Context) error{
		"iam:GetAccountSummary": func(ctx context.Context) error {
			_, err := iamc.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
			return err
		},
		"iam:ListAccountAliases": func(ctx context.Context) error {
			out, err := iamc.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
			if err == nil && len(out.AccountAliases) > 0 {
				p.acct.Alias = out.AccountAliases[0]
			}
			return err
		},
		"iam:GetRole": func(ctx context.Context) error {
			_, err := iamc.GetRole(ctx, &awsiam.GetRoleInput{RoleName: realRole})
			return err
		},
		"iam:ListAttachedRolePolicies": func(ctx context.Context) error {
			_, err := iamc.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: realRole})
			return err
		},
		"iam:ListRolePolicies": func(ctx context.Context) error {
			_, err := iamc.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: realRole})
			return err
		},
		"iam:GetPolicy": func(ctx context.Context) error {
			_, err := iamc.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: realARN})
			return err
		},
		"iam:GetPolicyVersion": func(ctx context.Context) error {
			_, err := iamc.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: realARN, VersionId: aws.String("v1")})
			return err
		},
		"iam:ListPolicyVersions": func(ctx context.Context) error {
			_, err := iamc.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: realARN})
			return err
		},
		"iam:CreatePolicyVersion": func(ctx context.Context) error {
			_, err := iamc.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: probeARN, PolicyDocument: doc})
			return err
		},
		"iam:DeletePolicyVersion": func(ctx context.Context) error {
			_, err := iamc.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: probeARN, VersionId: aws.String("v2")})
			return err
		},
		"iam:SetDefaultPolicyVersion": func(ctx context.Context) error {
			_, err := iamc.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: probeARN, VersionId: aws.String("v1")})
			return err
		},
		"iam:DeletePolicy": func(ctx context.Context) error {
			_, err := iamc.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: probeARN})
			return err
		},
		"iam:TagRole": func(ctx context.Context) error {
			_, err := iamc.TagRole(ctx, &awsiam.TagRoleInput{RoleName: role,
				Tags: []types.Tag{{Key: aws.String(TagManagedBy), Value: aws.String(TagManagedByValue)}}})
			return err
		},
		"iam:UpdateAssumeRolePolicy": func(ctx context.Context) error {
			_, err := iamc.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: role, PolicyDocument: doc})
			return err
		},
		"iam:UpdateRole": func(ctx context.Context) error {
			_, err := iamc.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: role, Description: aws.String("permission probe")})
			return err
		},
		"iam:AttachRolePolicy": func(ctx context.Context) error {
			_, err := iamc.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: role, PolicyArn: probeARN})
			return err
		},
		"iam:DetachRolePolicy": func(ctx context.Context) error {
			_, err := iamc.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: role, PolicyArn: probeARN})
			return err
		},
		"iam:DeleteRolePolicy": func(ctx context.Context) error {
			_, err := iamc.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("aos-permission-probe")})
			return err
		},
		"iam:DeleteRole": func(ctx context.Context) error {
			_, err := iamc.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: role})
			return err
		},
	}
}

func probeSuffix() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("check permissions: random probe name: %w", err)
	}
	return "-aos-probe-" + hex.EncodeToString(b), nil
}

// probeName is name with suffix, shortened so that the whole fits IAM's
// limit; the suffix is what makes it unique, so it is always kept whole.
func probeName(name, suffix string, limit int) string {
	if len(name)+len(suffix) > limit {
		name = name[:limit-len(suffix)]
	}
	return name + suffix
}
