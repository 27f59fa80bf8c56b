// Package consent builds what the consent flows of tenant registrations and
// app profiles need: the platforms' consent URLs in production, a signed
// state value that carries the object being consented through the
// platform's redirect and back, and the HTML pages aosd serves in dev mode
// in place of the platforms' sign-in pages.
package consent

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// ErrNotConfigured is returned when a URL needs a client id or base URL the
// configuration does not have.
var ErrNotConfigured = errors.New("consent: not configured")

// Config holds the service's registered apps on each platform and the
// public address the platforms redirect back to.
type Config struct {
	// PublicBaseURL is aosd's externally reachable base URL, without a
	// trailing slash; callbacks go to <base>/consent/callback/<platform>.
	PublicBaseURL string
	// MicrosoftClientID is the multi-tenant app used to register Microsoft
	// tenants, and for app types without an entry in MicrosoftAppClientIDs.
	MicrosoftClientID string
	// MicrosoftAppClientIDs maps app type slugs to the service's app for
	// that type. Custom Azure app types use the profile's own client id.
	MicrosoftAppClientIDs map[string]string
	// MicrosoftPartnerClientID is the app behind partner app profiles.
	MicrosoftPartnerClientID string
	GoogleClientID           string
	SalesforceClientID       string

	// Client secrets of the apps above. The callback redeems what the
	// platform sent with them (VerifyCallback): without a secret a
	// platform's consents cannot be confirmed and are refused.
	MicrosoftClientSecret string
	// MicrosoftAppClientSecrets goes with MicrosoftAppClientIDs.
	MicrosoftAppClientSecrets map[string]string
	// MicrosoftPartnerClientSecret may be empty when the partner app is
	// MicrosoftClientID's app; MicrosoftClientSecret is used then.
	MicrosoftPartnerClientSecret string
	GoogleClientSecret           string
	SalesforceClientSecret       string

	// Token endpoint overrides, for tests: the real sign-in services cannot
	// be reached from them. MicrosoftLoginBaseURL replaces the login host of
	// every Azure environment, SalesforceLoginBaseURL that of every
	// Salesforce environment; GoogleTokenURL is the whole token URL.
	MicrosoftLoginBaseURL  string
	GoogleTokenURL         string
	SalesforceLoginBaseURL string
	// HTTPClient makes the verification requests (default: a client with a
	// timeout).
	HTTPClient *http.Client
}

// CallbackPathPrefix is where the platforms send the browser back to; the
// platform name follows it.
const CallbackPathPrefix = "/consent/callback/"

// DevSignInPath is the path of the dev-mode sign-in page that stands in for
// the platforms' consent pages.
const DevSignInPath = "/dev/consent"

// CallbackURL is the redirect URI registered for a platform.
func (c Config) CallbackURL(platform string) string {
	return strings.TrimRight(c.PublicBaseURL, "/") + CallbackPathPrefix + platform
}

// DevSignInURL is the consent URL of an object in dev mode.
func (c Config) DevSignInURL(state string) string {
	return strings.TrimRight(c.PublicBaseURL, "/") + DevSignInPath + "?state=" + url.QueryEscape(state)
}

// Microsoft identity platform hosts and Graph resources per Azure
// environment.
var (
	microsoftLoginHosts = map[string]string{
		"commercial":    "https://login.microsoftonline.com",
		"us_government": "https://login.microsoftonline.us",
	}
	microsoftGraph = map[string]string{
		"commercial":    "https://graph.microsoft.com",
		"us_government": "https://graph.microsoft.us",
	}
	// Partner clouds name the same two environments differently.
	partnerCloudEnvironments = map[string]string{
		"global":        "commercial",
		"us_government": "us_government",
	}
)

// MicrosoftDefaultScopes asks for the permissions configured on the app
// registration (".default"), which is what both admin and user consent grant.
// offline_access gives the refresh token the service needs to keep working
// after the user leaves.
func MicrosoftDefaultScopes(environment string) []string {
	return []string{microsoftGraph[environmentOrDefault(environment)] + "/.default", "offline_access", "openid"}
}

// GoogleScopes match the privileges the consenting Google account needs.
// openid and email make the code redemption return an ID token, whose hosted
// domain (hd) the callback compares with the registered domain; without it
// an administrator of any Workspace domain could complete the registration.
var GoogleScopes = []string{
	"https://www.googleapis.com/auth/admin.directory.user.readonly",
	"https://www.googleapis.com/auth/admin.directory.group.readonly",
	"https://www.googleapis.com/auth/apps.licensing",
	"openid",
	"email",
}

// SalesforceScopes give API access and a refresh token.
var SalesforceScopes = []string{"api", "refresh_token", "id"}

func environmentOrDefault(env string) string {
	if env == "" {
		return domain.AzureEnvironments[0]
	}
	return env
}

func microsoftHost(environment string) (string, error) {
	h, ok := microsoftLoginHosts[environmentOrDefault(environment)]
	if !ok {
		return "", fmt.Errorf("consent: unknown Azure environment %q", environment)
	}
	return h, nil
}

// tenantSegment keeps the tenant in the URL path safe: a domain, a GUID or
// "organizations".
func tenantSegment(tenant string) string {
	if tenant == "" {
		return "organizations"
	}
	return url.PathEscape(tenant)
}

// MicrosoftAdminConsentURL builds the v2 admin consent URL. Naming the
// tenant (its domain or id) makes Microsoft refuse administrators of other
// tenants before they reach the callback.
func MicrosoftAdminConsentURL(environment, tenant, clientID, redirectURI, state string, scopes []string) (string, error) {
	host, err := microsoftHost(environment)
	if err != nil {
		return "", err
	}
	if clientID == "" {
		return "", fmt.Errorf("%w: Microsoft client id", ErrNotConfigured)
	}
	q := url.Values{
		"client_id":    {clientID},
		"redirect_uri": {redirectURI},
		"scope":        {strings.Join(scopes, " ")},
		"state":        {state},
	}
	return host + "/" + tenantSegment(tenant) + "/v2.0/adminconsent?" + q.Encode(), nil
}

// MicrosoftUserConsentURL builds an authorization code request that shows
// the consent prompt to a signed-in user.
func MicrosoftUserConsentURL(environment, tenant, clientID, redirectURI, state string, scopes []string) (string, error) {
	host, err := microsoftHost(environment)
	if err != nil {
		return "", err
	}
	if clientID == "" {
		return "", fmt.Errorf("%w: Microsoft client id", ErrNotConfigured)
	}
	q := url.Values{
		"client_id":     {clientID},
		"response_type": {"code"},
		"response_mode": {"query"},
		"redirect_uri":  {redirectURI},
		"scope":         {strings.Join(scopes, " ")},
		"state":         {state},
		"prompt":        {"consent"},
	}
	return host + "/" + tenantSegment(tenant) + "/oauth2/v2.0/authorize?" + q.Encode(), nil
}

// GoogleConsentURL builds a Google OAuth 2.0 authorization request that
// always shows the consent screen and yields a refresh token. hostedDomain,
// when set, steers the account chooser to the tenant's domain (the callback
// still has to check it).
func GoogleConsentURL(clientID, redirectURI, state, hostedDomain string, scopes []string) (string, error) {
	if clientID == "" {
		return "", fmt.Errorf("%w: Google client id", ErrNotConfigured)
	}
	q := url.Values{
		"client_id":     {clientID},
		"redirect_uri":  {redirectURI},
		"response_type": {"code"},
		"scope":         {strings.Join(scopes, " ")},
		"access_type":   {"offline"},
		"prompt":        {"consent"},
		"state":         {state},
	}
	if hostedDomain != "" {
		q.Set("hd", hostedDomain)
	}
	return "https://accounts.google.com/o/oauth2/v2/auth?" + q.Encode(), nil
}

// Salesforce login hosts per environment.
var salesforceHosts = map[string]string{
	"production": "https://login.salesforce.com",
	"sandbox":    "https://test.salesforce.com",
}

// SalesforceConsentURL builds a Salesforce web server flow authorization
// request on the login host of the environment.
func SalesforceConsentURL(environment, clientID, redirectURI, state string, scopes []string) (string, error) {
	if environment == "" {
		environment = domain.SalesforceEnvironments[0]
	}
	host, ok := salesforceHosts[environment]
	if !ok {
		return "", fmt.Errorf("consent: unknown Salesforce environment %q", environment)
	}
	if clientID == "" {
		return "", fmt.Errorf("%w: Salesforce client id", ErrNotConfigured)
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {clientID},
		"redirect_uri":  {redirectURI},
		"scope":         {strings.Join(scopes, " ")},
		"state":         {state},
		"prompt":        {"login consent"},
	}
	return host + "/services/oauth2/authorize?" + q.Encode(), nil
}

// TenantConsentURL is the consent URL of a tenant registration.
func (c Config) TenantConsentURL(platform, environment, tenantDomain, state string) (string, error) {
	if c.PublicBaseURL == "" {
		return "", fmt.Errorf("%w: public base URL", ErrNotConfigured)
	}
	redirect := c.CallbackURL(platform)
	switch platform {
	case domain.PlatformMicrosoft:
		return MicrosoftAdminConsentURL(environment, tenantDomain, c.MicrosoftClientID, redirect, state,
			MicrosoftDefaultScopes(environment))
	case domain.PlatformGoogle:
		return GoogleConsentURL(c.GoogleClientID, redirect, state, tenantDomain, GoogleScopes)
	case domain.PlatformSalesforce:
		return SalesforceConsentURL(environment, c.SalesforceClientID, redirect, state, SalesforceScopes)
	}
	return "", fmt.Errorf("consent: platform %q has no consent flow", platform)
}

// AppProfileConsentURL is the consent URL of an app profile of a Microsoft
// tenant. Custom Azure app types consent to the customer's own app
// (customClientID); the others to the service's app for the type.
func (c Config) AppProfileConsentURL(appType, consentMethod, environment, tenantDomain, customClientID, state string) (string, error) {
	if c.PublicBaseURL == "" {
		return "", fmt.Errorf("%w: public base URL", ErrNotConfigured)
	}
	t, ok := domain.AppTypeBySlug(appType)
	if !ok {
		return "", fmt.Errorf("consent: unknown app type %q", appType)
	}
	clientID := c.MicrosoftAppClientIDs[appType]
	if clientID == "" {
		clientID = c.MicrosoftClientID
	}
	if t.Custom {
		clientID = customClientID
	}
	redirect := c.CallbackURL(domain.PlatformMicrosoft)
	scopes := MicrosoftDefaultScopes(environment)
	if consentMethod == domain.ConsentMethodUser {
		return MicrosoftUserConsentURL(environment, tenantDomain, clientID, redirect, state, scopes)
	}
	return MicrosoftAdminConsentURL(environment, tenantDomain, clientID, redirect, state, scopes)
}

// PartnerConsentURL is the consent URL of a partner app profile. It is not
// tied to a tenant: whichever Global Administrator signs in consents for
// their own tenant.
func (c Config) PartnerConsentURL(cloud, state string) (string, error) {
	if c.PublicBaseURL == "" {
		return "", fmt.Errorf("%w: public base URL", ErrNotConfigured)
	}
	env, ok := partnerCloudEnvironments[cloud]
	if !ok {
		return "", fmt.Errorf("consent: unknown partner cloud %q", cloud)
	}
	return MicrosoftAdminConsentURL(env, "organizations", c.MicrosoftPartnerClientID,
		c.CallbackURL(domain.PlatformMicrosoft), state, MicrosoftDefaultScopes(env))
}
