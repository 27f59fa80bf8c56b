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
// name already in the account. Create never adopts or changes such a role:
// it may belong to something else, so adopting it must be an explicit
// decision, which in Terraform is an import.
type RoleExistsError struct {
	RoleName string
	RoleARN  string
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
