package domain

import (
	"fmt"
	"net/http"
)

// Error is a refusal the API reports to its caller. Every rule of the product
// has its own stable Code so clients (the Terraform provider above all) can
// map a refusal onto the argument that caused it.
type Error struct {
	Status  int      `json:"-"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
	// Related lists the objects that block a delete (409).
	Related []Related `json:"related,omitempty"`
}

// Related names an object that blocks an action.
type Related struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Detail points at one field of the request. Field uses the JSON name as a
// dotted path ("appProfiles[1].impersonationUser").
type Detail struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if len(e.Details) == 1 {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Details[0].Field)
	}
	return e.Code + ": " + e.Message
}

// Stable error codes. They are part of the API contract (api/openapi.yaml);
// renaming one breaks clients.
const (
	CodeBadRequest           = "BadRequest"
	CodeUnknownField         = "UnknownField"
	CodeInvalidValue         = "InvalidValue"
	CodeRequired             = "Required"
	CodeUnauthorized         = "Unauthorized"
	CodeForbidden            = "Forbidden"
	CodeNotFound             = "NotFound"
	CodeConflict             = "Conflict"
	CodeAlreadyExists        = "AlreadyExists"
	CodePreconditionFailed   = "PreconditionFailed"
	CodePreconditionRequired = "PreconditionRequired"
	CodeTooLarge             = "RequestTooLarge"
	CodeRateLimited          = "RateLimited"
	CodeInternal             = "InternalError"
	CodeIdempotencyMismatch  = "IdempotencyKeyReused"
	CodeInvalidState         = "InvalidState"
	CodeMethodNotAllowed     = "MethodNotAllowed"
	// CodeBusy: the object was changed by other requests at the same time
	// so often that the service gave up; a retry after Retry-After heals it.
	CodeBusy = "Busy"

	// Tenants and consent.
	CodeTenantHasRelatedData     = "TenantHasRelatedData"
	CodeConsentUserNotAdmin      = "ConsentUserNotGlobalAdmin"
	CodeConsentUserExternal      = "ConsentUserExternal"
	CodeConsentUserWrongTenant   = "ConsentUserWrongTenant"
	CodeConsentUserUnknown       = "ConsentUserUnknown"
	CodeGooglePrivilegesMissing  = "GooglePrivilegesMissing"
	CodeGoogleAppNotInstalled    = "GoogleAppNotInstalled"
	CodeSalesforceProfileMissing = "SalesforceAdminProfileRequired"
	CodeSalesforceUninstalledApp = "SalesforceUninstalledAppPermissionMissing"
	CodeAmazonRoleNotAssumable   = "AmazonRoleNotAssumable"
	CodeConsentNotPending        = "ConsentNotPending"
	// CodeConsentNotVerified: the platform did not confirm a consent callback
	// (the code was refused, or the service's app has no access to the
	// tenant), so the callback may be forged and changed nothing.
	CodeConsentNotVerified = "ConsentNotVerified"

	// App profiles.
	CodeUserConsentNotAllowed  = "UserConsentNotAllowed"
	CodeFunctionsNotAllowed    = "FunctionsNotAllowed"
	CodeCertificateInvalid     = "CertificateInvalid"
	CodeCertificateExpired     = "CertificateExpired"
	CodeAppProfileInUse        = "AppProfileInUse"
	CodePlatformNotSupported   = "PlatformNotSupported"
	CodeTenantNotConnected     = "TenantNotConnected"
	CodePartnerProfileHasUsers = "PartnerAppProfileHasUsers"
	CodeInUse                  = "ObjectInUse"

	// Service accounts.
	CodePasswordPolicyViolation = "PasswordPolicyViolation"
	CodeMfaNotSupported         = "MfaNotSupported"
	CodeWrongPassword           = "ValidationWrongPassword"
	CodeMfaEnabled              = "ValidationMfaEnabled"
	CodeAccessPolicyBlocked     = "ValidationAccessPolicyBlocked"
	CodeServiceAccountUnknown   = "ValidationUserNotFound"
	CodeServiceAccountRole      = "ValidationRoleMissing"
	CodeServicesRequired        = "ServicesRequired"
	// CodeServiceProviderOnly: a service offered to service provider
	// organizations only was chosen by another organization.
	CodeServiceProviderOnly = "ServiceProviderOnly"

	// Connections.
	CodeCredentialTenantMismatch = "CredentialTenantMismatch"
	CodeGeoLocationNotAllowed    = "GeoLocationNotAllowed"
	CodeContainerTenantMismatch  = "ContainerTenantMismatch"
	CodeImpersonationUnlicensed  = "ImpersonationUserUnlicensed"
	CodeCredentialsRequired      = "CredentialsRequired"
	CodeCredentialKindMismatch   = "CredentialKindMismatch"
)

// Invalid builds a 422 for a rule about one field.
func Invalid(code, field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Status: http.StatusUnprocessableEntity, Code: code, Message: msg,
		Details: []Detail{{Field: field, Code: code, Message: msg}}}
}

// BadRequest builds a 400 about one field (malformed input rather than a
// broken product rule).
func BadRequest(code, field, format string, args ...any) *Error {
	e := Invalid(code, field, format, args...)
	e.Status = http.StatusBadRequest
	return e
}

// Conflict builds a 409; related lists the objects that block the action.
func Conflict(code, format string, args ...any) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound builds a 404 for an object of the given kind.
func NotFound(kind, id string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound,
		Message: fmt.Sprintf("%s %q does not exist", kind, id)}
}

// Codes added for the pure product rules (password, certificate, app types,
// services) and the dev directory's platform checks. Like the codes above
// they are part of the contract once published.
const (
	CodeDuplicateValue           = "DuplicateValue"
	CodeFieldNotAllowed          = "FieldNotAllowedForType"
	CodeCertificateNotYetValid   = "CertificateNotYetValid"
	CodePlatformTenantUnknown    = "PlatformTenantNotFound"
	CodeEnvironmentMismatch      = "EnvironmentMismatch"
	CodeConsentUserDisabled      = "ConsentUserDisabled"
	CodeSignInFailed             = "SignInFailed"
	CodeServiceAccountDisabled   = "ValidationUserDisabled"
	CodeImpersonationUserUnknown = "ImpersonationUserNotFound"
)
