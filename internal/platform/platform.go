// Package platform holds what every platform connector (Microsoft first;
// Google and Salesforce follow) offers aosd. The shape is set by what a
// production service can know: the authorization code of a consent
// callback and the tokens it yields, the service's own app credentials,
// and a service account's username and password. Nothing here asks about a
// login the service never saw.
//
// Refusals the product reports to its callers are *domain.Error values with
// the API's stable codes; each connector maps its platform's answers onto
// them in one place. Any other error (network, a platform outage,
// throttling beyond the budget) is returned as is, for the caller to retry
// or report as a platform failure.
package platform

import "context"

// Connector is one platform's protocol client.
type Connector interface {
	// RedeemConsent exchanges the authorization code of a consent
	// callback for tokens, verifies the ID token (issuer, audience,
	// signature against the tenant's keys, nonce) and says who consented.
	RedeemConsent(ctx context.Context, cb ConsentCallback) (*Consent, error)
	// CheckGrant uses a grant kept from a consent (a refresh token) and
	// returns the grant to keep from now on (platforms rotate them). A
	// grant that no longer works gives a *GrantError naming why.
	CheckGrant(ctx context.Context, grant []byte) ([]byte, error)
	// SignIn runs the username and password sign-in of a service account
	// validation test.
	SignIn(ctx context.Context, tenant, username, password string) (*Account, error)
}

// ConsentCallback is what the platform's redirect brought back.
type ConsentCallback struct {
	// Tenant is the platform tenant the consent was asked for (id or
	// domain); empty when the platform decides (any organization).
	Tenant      string
	Code        string
	RedirectURI string
	// Nonce is the value sent in the authorization request; the ID token
	// must carry it back.
	Nonce string
}

// Consent is a verified consent.
type Consent struct {
	// TenantID is the platform's id of the consenting user's tenant.
	TenantID string
	// UserID is the platform's object id of the consenting user.
	UserID string
	// Login is the user's sign-in name as the platform reports it.
	Login       string
	DisplayName string
	// Grant is what CheckGrant needs later. It holds a refresh token: the
	// caller seals it at rest like every secret.
	Grant []byte
}

// Account is the account a SignIn proved.
type Account struct {
	TenantID string
	UserID   string
	Login    string
}

// GrantError tells why a kept grant stopped working: Reason is one of the
// domain.Reason* values (the profile is invalid until the cause is fixed)
// or domain.StatusAuthorizationExpired (a new consent is needed).
type GrantError struct {
	Reason string
	// Err is the platform's answer, for logs.
	Err error
}

func (e *GrantError) Error() string { return "grant unusable (" + e.Reason + "): " + e.Err.Error() }

func (e *GrantError) Unwrap() error { return e.Err }
