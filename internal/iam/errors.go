package iam

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// ErrRoleNotFound is returned (wrapped) when the tenant role does not exist.
// The provider treats it as "deleted outside Terraform".
var ErrRoleNotFound = errors.New("IAM role not found")

// RoleExistsError is returned when Create finds a role with the requested
// name already in the account. Create never adopts or changes such a role
// itself. TenantID is the role's TagTenantID tag, empty when it has none:
// a role tagged with a registration's id was made by this provider for
// that registration, and the caller may decide to finish that
// registration's create with Reconnect (which checks the tag again).
type RoleExistsError struct {
	RoleName string
	RoleARN  string
	TenantID string
}

func (e *RoleExistsError) Error() string {
	arn := ""
	if e.RoleARN != "" {
		arn = " (" + e.RoleARN + ")"
	}
	return fmt.Sprintf("IAM role %q already exists%s; nothing was created. "+
		"To manage the existing role, bring it under Terraform with `terraform import`; "+
		"otherwise choose another role name", e.RoleName, arn)
}

// PolicyExistsError is returned when a managed policy the role needs already
// exists and is attached to some other IAM identity, so it cannot be taken
// over without changing that identity's permissions.
type PolicyExistsError struct {
	PolicyName      string
	PolicyARN       string
	AttachmentCount int32
}

func (e *PolicyExistsError) Error() string {
	return fmt.Sprintf("IAM managed policy %q (%s) already exists and is attached to %d other IAM "+
		"identities; detach or delete it, or import the tenant that owns it",
		e.PolicyName, e.PolicyARN, e.AttachmentCount)
}

// RoleNotOwnedError is returned before any write when a role exists but its
// TagTenantID tag does not name the registration the call is for: the role
// was made by someone else (by hand, by another tool, or for another
// registration), so it is never changed or deleted.
type RoleNotOwnedError struct {
	RoleName string
	// TenantID is the registration the caller acts for; Found is the
	// role's tag value, empty when the role has no such tag.
	TenantID string
	Found    string
}

func (e *RoleNotOwnedError) Error() string {
	found := "has no " + TagTenantID + " tag"
	if e.Found != "" {
		found = fmt.Sprintf("is tagged %s=%s", TagTenantID, e.Found)
	}
	return fmt.Sprintf("IAM role %q %s, so it was not created for registration %s; it is left unchanged", e.RoleName, found, e.TenantID)
}

// MissingPermissionsError lists every action an operation needs that the
// credentials were refused when CheckPermissions probed them, before the
// operation changed anything.
type MissingPermissionsError struct {
	// Operation is one of domain.AmazonOperations.
	Operation string
	// Actions are the refused actions in policy syntax, sorted.
	Actions []string
}

func (e *MissingPermissionsError) Error() string {
	return fmt.Sprintf("the AWS credentials are not allowed to call %s, which %s needs; nothing was changed. "+
		"Grant them to the IAM user (the configuring user policy of the Amazon permission set has every action)",
		strings.Join(e.Actions, ", "), e.Operation)
}

// MissingPermissionError says which IAM or STS action the credentials were
// refused. Action is in policy syntax ("iam:CreateRole"), ready to be added
// to the IAM user's policy.
type MissingPermissionError struct {
	Action string
	Err    error
}

func (e *MissingPermissionError) Error() string {
	return fmt.Sprintf("the AWS credentials are not allowed to call %s; grant %s to the IAM user "+
		"(see the configuring user policy of the Amazon permission set): %v", e.Action, e.Action, e.Err)
}

func (e *MissingPermissionError) Unwrap() error { return e.Err }

// InvalidCredentialsError means AWS rejected the access key itself: unknown
// key id, wrong secret, or an expired session token.
type InvalidCredentialsError struct {
	Err error
}

func (e *InvalidCredentialsError) Error() string {
	return fmt.Sprintf("the AWS access key is not valid: check the access key ID and secret access key "+
		"(the key may be deleted, inactive or mistyped): %v", e.Err)
}

func (e *InvalidCredentialsError) Unwrap() error { return e.Err }

// Error codes AWS uses for a refused permission and for a rejected key.
var (
	accessDeniedCodes = map[string]bool{
		"AccessDenied":          true,
		"AccessDeniedException": true,
		"UnauthorizedOperation": true,
	}
	invalidCredentialCodes = map[string]bool{
		"InvalidClientTokenId":        true,
		"SignatureDoesNotMatch":       true,
		"UnrecognizedClientException": true,
		"InvalidAccessKeyId":          true,
		"ExpiredToken":                true,
		"ExpiredTokenException":       true,
	}
)

// classify turns the SDK errors that mean the same thing for every call into
// this package's typed errors, keeping the original in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	code := errorCode(err)
	switch {
	case accessDeniedCodes[code]:
		return &MissingPermissionError{Action: actionOf(err), Err: err}
	case invalidCredentialCodes[code]:
		return &InvalidCredentialsError{Err: err}
	}
	return err
}

// actionOf names the API call that failed in policy syntax, taken from the
// SDK's operation error ("IAM", "CreateRole" → "iam:CreateRole").
func actionOf(err error) string {
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return strings.ToLower(op.ServiceID) + ":" + op.OperationName
	}
	return "an AWS action"
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func isNotFound(err error) bool { return errorCode(err) == "NoSuchEntity" }
