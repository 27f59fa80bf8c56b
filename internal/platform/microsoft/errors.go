package microsoft

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/platform"
)

// EntraError is an error response of the Entra ID token endpoint
// ("Microsoft identity platform and OAuth 2.0 authorization code flow",
// section "Error response",
// learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
type EntraError struct {
	Status        int    `json:"-"`
	Code          string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Suberror      string `json:"suberror"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
}

func (e *EntraError) Error() string {
	first, _, _ := strings.Cut(e.Description, "\r\n")
	return fmt.Sprintf("entra id: %s: %s (trace %s)", e.Code, first, e.TraceID)
}

// Has tells whether Entra reported the AADSTS code.
func (e *EntraError) Has(code int) bool { return slices.Contains(e.Codes, code) }

// entraError finds the token endpoint's error response in an error MSAL
// returned (MSAL keeps the reply, body included, in a CallErr).
func entraError(err error) (*EntraError, bool) {
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) || ce.Resp == nil || ce.Resp.Body == nil {
		return nil, false
	}
	// MSAL has read the body already and left a copy in memory, so this
	// read cannot fail; a body that is not Entra's JSON is not an
	// EntraError.
	b, _ := io.ReadAll(ce.Resp.Body)
	e := &EntraError{Status: ce.Resp.StatusCode}
	if jerr := json.Unmarshal(b, e); jerr == nil && e.Code != "" {
		return e, true
	}
	return nil, false
}

// entraCode is how one AADSTS code maps onto the API. Every row cites
// "Microsoft Entra authentication and authorization error codes",
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
// (the AADSTS table; the name after the number is the page's).
type entraCode struct {
	aadsts int
	// signIn is the stable code of a failed service account validation,
	// field the argument it is about, message what to do ("%s" is the
	// username). Empty signIn: not a validation outcome.
	signIn, field, message string
	// reason is what the code means for a kept consent grant: a
	// domain.Reason* value or domain.StatusAuthorizationExpired.
	reason string
	// consent is the stable code when a consent callback's code redemption
	// fails with it (default CodeConsentNotVerified).
	consent string
}

// entraCodes is the one place AADSTS codes meet the API's codes.
var entraCodes = []entraCode{
	// AADSTS50126 InvalidUserNameOrPassword: bad username or password.
	{aadsts: 50126, signIn: domain.CodeWrongPassword, field: "password",
		message: "Microsoft 365 does not accept this password for %s; check it, and if it works in the browser, change the password in Microsoft 365 and enter the new one"},
	// AADSTS50055 InvalidPasswordExpiredPassword: the password is expired.
	{aadsts: 50055, signIn: domain.CodeWrongPassword, field: "password", reason: domain.ReasonUserUnavailable,
		message: "the password of %s has expired; change it in Microsoft 365 and enter the new one"},
	// AADSTS50076 UserStrongAuthClientAuthNRequired: MFA required (policy or location change).
	{aadsts: 50076, signIn: domain.CodeMfaEnabled, field: "username", reason: domain.ReasonMfaEnabled,
		message: "%s must use multi-factor authentication, which password validation cannot pass; use an account without MFA, or a classic MFA profile (mfa = true) with an app password"},
	// AADSTS50079 UserStrongAuthEnrollmentRequired: the user must register for MFA.
	{aadsts: 50079, signIn: domain.CodeMfaEnabled, field: "username", reason: domain.ReasonMfaEnabled,
		message: "%s must register for multi-factor authentication, which password validation cannot pass; use an account without MFA, or a classic MFA profile (mfa = true) with an app password"},
	// AADSTS53003 BlockedByConditionalAccess: a conditional access policy blocked the token.
	{aadsts: 53003, signIn: domain.CodeAccessPolicyBlocked, field: "username", reason: domain.ReasonConditionalAccess,
		message: "a conditional access policy of the tenant blocks the sign-in of %s from the service; allow the service's IP address (or exclude the account) in that policy and validate again"},
	// AADSTS50034 UserAccountNotFound: the account does not exist in the directory.
	{aadsts: 50034, signIn: domain.CodeServiceAccountUnknown, field: "username", reason: domain.ReasonUserUnavailable,
		consent: domain.CodeConsentUserUnknown,
		message: "%s is not an account of this tenant; enter the user principal name of a member account of the tenant"},
	// AADSTS50057 UserDisabled: the account is disabled.
	{aadsts: 50057, signIn: domain.CodeServiceAccountDisabled, field: "username", reason: domain.ReasonUserUnavailable,
		consent: domain.CodeConsentUserDisabled,
		message: "the account %s is blocked from signing in; enable it in Microsoft 365 or choose another account"},
	// AADSTS50053 IdsLocked: locked after too many failed sign-ins, or sign-in blocked from a malicious IP.
	{aadsts: 50053, signIn: domain.CodeServiceAccountDisabled, field: "username", reason: domain.ReasonUserUnavailable,
		consent: domain.CodeConsentUserDisabled,
		message: "the account %s is locked after too many failed sign-ins; wait for the lockout to end (or have an administrator unlock it) and validate again"},
	// AADSTS50173 FreshTokenNeeded: the grant was revoked, e.g. by a password change or reset.
	{aadsts: 50173, reason: domain.ReasonUserUnavailable},
	// AADSTS700082 ExpiredOrRevokedGrantInactiveToken: the refresh token expired through inactivity.
	{aadsts: 700082, reason: domain.StatusAuthorizationExpired},
	// AADSTS70008 ExpiredOrRevokedGrant: the refresh token expired or was revoked.
	{aadsts: 70008, reason: domain.StatusAuthorizationExpired},
	// AADSTS65001 DelegationDoesNotExist: the user or administrator has not consented to the app.
	{aadsts: 65001, signIn: domain.CodeTenantNotConnected, field: "domain", reason: domain.StatusAuthorizationExpired,
		message: "the tenant has not consented to the service's app, so %s cannot be validated; connect the tenant (admin consent) first"},
	// AADSTS90002 InvalidTenantName: the tenant does not exist.
	{aadsts: 90002, signIn: domain.CodePlatformTenantUnknown, field: "domain", reason: domain.StatusAuthorizationExpired,
		message: "the tenant of %s does not exist in this Microsoft cloud; check the domain and the environment"},
}

// configCodes are answers that mean the service itself is misconfigured,
// not the caller's input: they are reported as errors of the service, with
// what the operator must fix (same page as entraCodes).
var configCodes = map[int]string{
	// AADSTS7000218 InvalidClient: the request must contain client_assertion or client_secret.
	7000218: "the app registration does not allow public client flows, which the service account sign-in needs; turn on \"Allow public client flows\" in its Authentication settings",
	// AADSTS7000215 InvalidClientSecretProvidedException: wrong client secret.
	7000215: "the service's client secret is not accepted; put the secret's value (not its id) in the configuration, or create a new one",
	// AADSTS700016 UnauthorizedClient_DoesNotMatchRequest: app not found in the directory.
	700016: "the service's app registration is not known in the tenant; check the client id and that the app is multi-tenant",
	// AADSTS700027 InvalidClientCredential: client assertion failed signature validation.
	700027: "the service's certificate is not registered on its app registration; upload the certificate's public key",
}

func lookup(e *EntraError) (entraCode, bool) {
	for _, c := range entraCodes {
		if e.Has(c.aadsts) {
			return c, true
		}
	}
	return entraCode{}, false
}

// ConfigError is a refusal caused by the service's own configuration.
type ConfigError struct {
	Hint string
	Err  *EntraError
}

func (e *ConfigError) Error() string {
	return "microsoft: service configuration: " + e.Hint + ": " + e.Err.Error()
}

func (e *ConfigError) Unwrap() error { return e.Err }

func configError(e *EntraError) error {
	for code, hint := range configCodes {
		if e.Has(code) {
			return &ConfigError{Hint: hint, Err: e}
		}
	}
	return nil
}

// signInError maps a failed username/password sign-in. Unmapped platform
// answers are returned as *EntraError.
func signInError(err error, username string) error {
	e, ok := entraError(err)
	if !ok {
		return fmt.Errorf("microsoft: sign-in: %w", err)
	}
	if ce := configError(e); ce != nil {
		return ce
	}
	if c, ok := lookup(e); ok && c.signIn != "" {
		return domain.Invalid(c.signIn, c.field, c.message, username)
	}
	return e
}

// grantError maps a failed use of a kept grant onto a GrantError when the
// answer names a cause, or returns the platform's error.
func grantError(err error) error {
	e, ok := entraError(err)
	if !ok {
		return fmt.Errorf("microsoft: refresh: %w", err)
	}
	if c, ok := lookup(e); ok && c.reason != "" {
		return &platform.GrantError{Reason: c.reason, Err: e}
	}
	if ce := configError(e); ce != nil {
		return ce
	}
	if e.Code == "invalid_grant" {
		// Any other refusal of the grant itself (malformed, unknown)
		// needs a new consent.
		return &platform.GrantError{Reason: domain.StatusAuthorizationExpired, Err: e}
	}
	return e
}

// consentError maps a failed redemption of a consent callback's code.
func consentError(err error) error {
	e, ok := entraError(err)
	if !ok {
		return fmt.Errorf("microsoft: consent: %w", err)
	}
	if ce := configError(e); ce != nil {
		return ce
	}
	code := domain.CodeConsentNotVerified
	c, found := lookup(e)
	if found && c.reason == domain.ReasonConditionalAccess {
		// Entra recorded the consent on its consent page; only the tokens
		// for the service are blocked, so the profile is consented and
		// invalid until the policy is fixed.
		return &platform.GrantError{Reason: c.reason, Err: e}
	}
	if found && c.consent != "" {
		code = c.consent
	}
	first, _, _ := strings.Cut(e.Description, "\r\n")
	return domain.Invalid(code, "code", "Microsoft did not confirm the consent (%s); sign in and consent again", first)
}
