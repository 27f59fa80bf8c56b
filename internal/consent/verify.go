package consent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// ErrNotVerified is returned when the platform does not confirm a consent
// callback: the browser's redirect alone proves nothing, since anyone
// holding a consent link can type admin_consent=True or a made-up code.
var ErrNotVerified = errors.New("consent: the platform did not confirm the consent")

// verifyTimeout bounds one round trip to a platform's token endpoint, so a
// slow platform cannot hold the administrator's browser (and a server
// goroutine) for long.
const verifyTimeout = 15 * time.Second

// Token endpoints outside the Microsoft login hosts.
const (
	googleTokenURL      = "https://oauth2.googleapis.com/token"
	salesforceTokenPath = "/services/oauth2/token"
	microsoftTokenPath  = "/oauth2/v2.0/token"
)

// Target is the pending object a callback claims to complete, as the
// service stored it (never as the callback's query describes it).
type Target struct {
	// Kind is KindTenant, KindAppProfile or KindPartnerAppProfile.
	Kind        string
	Platform    string
	Environment string
	// Domain is the registered tenant domain (the app profile's tenant for
	// app profiles; empty for partner profiles).
	Domain string
	// AppType and ConsentMethod of an app profile.
	AppType       string
	ConsentMethod string
	// Cloud of a partner app profile.
	Cloud string
	// ClientID and Certificate of a custom app profile: the customer's own
	// Azure app, as which the service signs in to confirm the consent.
	ClientID    string
	Certificate *AppCertificate
}

// Callback is what the platform's redirect carried.
type Callback struct {
	// AdminConsent is Microsoft's admin_consent parameter ("True").
	AdminConsent string
	// Tenant is Microsoft's tenant parameter: the id of the tenant whose
	// administrator consented.
	Tenant string
	// Code is the authorization code of Google, Salesforce and Microsoft
	// user consent.
	Code string
}

// VerifyCallback asks the platform whether the consent a callback reports
// really happened, using the service's own app credentials:
//
//   - Google and Salesforce: the authorization code is redeemed at the
//     token endpoint with the redirect URI the consent URL named. Codes are
//     single use and bound to the client, so a forged or replayed one fails.
//   - Microsoft admin consent: a client-credentials token is requested for
//     the registered tenant (or, for partner profiles, the tenant the
//     callback names). Entra issues it only once the service's app has a
//     service principal in that tenant, which is what admin consent creates.
//   - Microsoft user consent: the authorization code is redeemed.
//   - Custom app profiles: as above, but as the customer's app, which
//     authenticates with a client assertion signed by the profile's
//     certificate instead of the service's secret.
//   - Google: the account that consented must also belong to the registered
//     domain, or any Workspace administrator could complete another
//     organization's registration with their own domain's consent.
//
// Any failure wraps ErrNotVerified (or ErrNotConfigured when the service
// has no secret for the app) and nothing must be changed by the caller.
func (c Config) VerifyCallback(ctx context.Context, t Target, cb Callback) error {
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
	switch t.Platform {
	case domain.PlatformGoogle:
		tokenURL := googleTokenURL
		if c.GoogleTokenURL != "" {
			tokenURL = c.GoogleTokenURL
		}
		tok, err := c.exchange(ctx, "Google", t.Platform, c.GoogleClientID, c.GoogleClientSecret, tokenURL, cb.Code)
		if err != nil {
			return err
		}
		return checkGoogleDomain(tok, t.Domain)
	case domain.PlatformSalesforce:
		host, err := c.salesforceHost(t.Environment)
		if err != nil {
			return err
		}
		_, err = c.exchange(ctx, "Salesforce", t.Platform, c.SalesforceClientID, c.SalesforceClientSecret,
			host+salesforceTokenPath, cb.Code)
		return err
	case domain.PlatformMicrosoft:
		return c.verifyMicrosoft(ctx, t, cb)
	}
	return fmt.Errorf("%w: platform %q has no consent flow", ErrNotVerified, t.Platform)
}

func (c Config) verifyMicrosoft(ctx context.Context, t Target, cb Callback) error {
	environment, tenant := t.Environment, t.Domain
	clientID, secret := c.MicrosoftClientID, c.MicrosoftClientSecret
	switch t.Kind {
	case KindAppProfile:
		at, ok := domain.AppTypeBySlug(t.AppType)
		if !ok {
			return fmt.Errorf("%w: unknown app type %q", ErrNotVerified, t.AppType)
		}
		if at.Custom {
			return c.verifyCustomApp(ctx, t, cb)
		}
		if id := c.MicrosoftAppClientIDs[t.AppType]; id != "" {
			clientID, secret = id, c.MicrosoftAppClientSecrets[t.AppType]
		}
		if t.ConsentMethod == domain.ConsentMethodUser {
			host, err := c.microsoftLoginHost(environment)
			if err != nil {
				return err
			}
			_, err = c.exchange(ctx, "Microsoft", domain.PlatformMicrosoft, clientID, secret,
				host+"/"+tenantSegment(tenant)+microsoftTokenPath, cb.Code)
			return err
		}
	case KindPartnerAppProfile:
		env, ok := partnerCloudEnvironments[t.Cloud]
		if !ok {
			return fmt.Errorf("%w: unknown partner cloud %q", ErrNotVerified, t.Cloud)
		}
		// A partner profile is consented by whichever tenant's administrator
		// signs in, so the tenant Microsoft reported is the one to check.
		environment, tenant = env, cb.Tenant
		clientID, secret = c.MicrosoftPartnerClientID, c.partnerSecret()
		if tenant == "" {
			return fmt.Errorf("%w: Microsoft did not name the consenting tenant", ErrNotVerified)
		}
	}
	if !strings.EqualFold(cb.AdminConsent, "true") {
		return fmt.Errorf("%w: Microsoft did not report admin consent", ErrNotVerified)
	}
	return c.microsoftAppToken(ctx, environment, tenant, clientID, secret)
}

// verifyCustomApp confirms the consent to a customer's own Azure app the
// same way as for the service's apps, signing in as the customer's app with
// the profile's certificate. Without that check anyone holding the consent
// link could activate the profile by typing admin_consent=True.
func (c Config) verifyCustomApp(ctx context.Context, t Target, cb Callback) error {
	if t.ClientID == "" {
		return fmt.Errorf("%w: the custom app profile has no client id to sign in with", ErrNotVerified)
	}
	if t.Certificate == nil {
		return fmt.Errorf("%w: the custom app profile has no certificate, so the service cannot sign in as the app "+
			"to confirm the consent; upload the app's certificate and authorize the profile again", ErrNotVerified)
	}
	if t.Domain == "" {
		return fmt.Errorf("%w: no Microsoft tenant to check the consent in", ErrNotVerified)
	}
	host, err := c.microsoftLoginHost(t.Environment)
	if err != nil {
		return err
	}
	tokenURL := host + "/" + tenantSegment(t.Domain) + microsoftTokenPath
	assertion, err := clientAssertion(t.Certificate, t.ClientID, tokenURL, time.Now())
	if err != nil {
		return fmt.Errorf("%w: cannot sign in as the custom app %s: %w", ErrNotVerified, t.ClientID, err)
	}
	if t.ConsentMethod == domain.ConsentMethodUser {
		_, err := c.redeem(ctx, "Microsoft", domain.PlatformMicrosoft, oauth2.Config{ClientID: t.ClientID}, tokenURL, cb.Code,
			oauth2.SetAuthURLParam("client_assertion_type", clientAssertionType),
			oauth2.SetAuthURLParam("client_assertion", assertion))
		return err
	}
	if !strings.EqualFold(cb.AdminConsent, "true") {
		return fmt.Errorf("%w: Microsoft did not report admin consent", ErrNotVerified)
	}
	cc := clientcredentials.Config{ClientID: t.ClientID, TokenURL: tokenURL,
		Scopes: []string{microsoftGraph[environmentOrDefault(t.Environment)] + "/.default"},
		EndpointParams: url.Values{"client_assertion_type": {clientAssertionType},
			"client_assertion": {assertion}},
		AuthStyle: oauth2.AuthStyleInParams}
	if _, err := cc.Token(ctx); err != nil {
		return refused("Microsoft", "an app token for tenant "+t.Domain+" as the custom app "+t.ClientID+
			" (the app is not consented there, or the certificate is not one of its credentials)", err)
	}
	return nil
}

// microsoftAppToken requests an app-only Graph token for the service's app
// in tenant. Entra refuses it (AADSTS7000229 or AADSTS700016) unless the
// app has been consented in that tenant.
func (c Config) microsoftAppToken(ctx context.Context, environment, tenant, clientID, secret string) error {
	if clientID == "" || secret == "" {
		return fmt.Errorf("%w: Microsoft client id and secret", ErrNotConfigured)
	}
	if tenant == "" {
		return fmt.Errorf("%w: no Microsoft tenant to check the consent in", ErrNotVerified)
	}
	host, err := c.microsoftLoginHost(environment)
	if err != nil {
		return err
	}
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret,
		TokenURL:  host + "/" + tenantSegment(tenant) + microsoftTokenPath,
		Scopes:    []string{microsoftGraph[environmentOrDefault(environment)] + "/.default"},
		AuthStyle: oauth2.AuthStyleInParams}
	if _, err := cc.Token(ctx); err != nil {
		return refused("Microsoft", "an app token for tenant "+tenant+" (the service's app is not consented there)", err)
	}
	return nil
}

// exchange redeems an authorization code with the service's client secret.
func (c Config) exchange(ctx context.Context, name, platform, clientID, secret, tokenURL, code string) (*oauth2.Token, error) {
	if clientID == "" || secret == "" {
		return nil, fmt.Errorf("%w: %s client id and secret", ErrNotConfigured, name)
	}
	return c.redeem(ctx, name, platform, oauth2.Config{ClientID: clientID, ClientSecret: secret}, tokenURL, code)
}

// redeem redeems an authorization code as the client oc names (opts carry
// a client assertion when there is no secret). The redirect URI must be the
// one the consent URL carried, or the platform refuses the code.
func (c Config) redeem(ctx context.Context, name, platform string, oc oauth2.Config, tokenURL, code string,
	opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	if code == "" {
		return nil, fmt.Errorf("%w: %s sent no authorization code", ErrNotVerified, name)
	}
	oc.RedirectURL = c.CallbackURL(platform)
	oc.Endpoint = oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}
	// The tokens are not kept: the service only needs to know the grant is
	// real (and, for Google, whose it is). Storing them is the job of the
	// platform integration.
	tok, err := oc.Exchange(ctx, code, opts...)
	if err != nil {
		return nil, refused(name, "the authorization code", err)
	}
	return tok, nil
}

// checkGoogleDomain refuses a Google consent given by an account outside
// the registered domain. A redeemed code only proves that some Google
// account consented; the hosted domain (hd) of the ID token says which
// Workspace organization the account belongs to. Accounts without hd are
// consumer accounts, which cannot administer a Workspace domain.
func checkGoogleDomain(tok *oauth2.Token, registered string) error {
	if registered == "" {
		return fmt.Errorf("%w: no registered Google domain to check the consenting account against", ErrNotVerified)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fmt.Errorf("%w: Google returned no ID token, so the consenting account's domain is unknown "+
			"(the consent URL must ask for the openid and email scopes)", ErrNotVerified)
	}
	// The token came straight from Google's token endpoint over TLS in
	// exchange for the code and the service's secret, so its signature
	// need not be checked (see idTokenClaims).
	var claims struct {
		HostedDomain  string `json:"hd"`
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := idTokenClaims(raw, &claims); err != nil {
		return fmt.Errorf("%w: Google's ID token could not be read: %w", ErrNotVerified, err)
	}
	if claims.HostedDomain == "" {
		return fmt.Errorf("%w: the consenting Google account %s belongs to no Workspace domain; "+
			"sign in as an administrator of %s", ErrNotVerified, claims.Email, registered)
	}
	// hd is the Workspace's primary domain. A tenant registered under one
	// of its secondary domains is matched by the administrator's verified
	// address instead: a domain belongs to one Workspace only, and hd
	// being set rules out consumer accounts.
	_, emailDomain, _ := strings.Cut(claims.Email, "@")
	byEmail := claims.EmailVerified && strings.EqualFold(emailDomain, registered)
	if !strings.EqualFold(claims.HostedDomain, registered) && !byEmail {
		return fmt.Errorf("%w: the consenting Google account %s belongs to the domain %s, not to the registered domain %s; "+
			"sign in as an administrator of %s", ErrNotVerified, claims.Email, claims.HostedDomain, registered, registered)
	}
	return nil
}

// refused turns a token endpoint failure into an ErrNotVerified error that
// says whether the platform answered no or could not be asked. The
// platform's answer is reduced to its error code and description: the raw
// body is not echoed to the browser.
func refused(name, what string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		detail := re.ErrorCode
		if re.ErrorDescription != "" {
			detail += ": " + re.ErrorDescription
		}
		if detail == "" && re.Response != nil {
			detail = re.Response.Status
		}
		return fmt.Errorf("%w: %s refused %s (%s)", ErrNotVerified, name, what, detail)
	}
	return fmt.Errorf("%w: %s could not be asked to confirm %s: %w", ErrNotVerified, name, what, err)
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: verifyTimeout}
}

func (c Config) microsoftLoginHost(environment string) (string, error) {
	if c.MicrosoftLoginBaseURL != "" {
		if _, err := microsoftHost(environment); err != nil {
			return "", err
		}
		return strings.TrimRight(c.MicrosoftLoginBaseURL, "/"), nil
	}
	return microsoftHost(environment)
}

func (c Config) salesforceHost(environment string) (string, error) {
	if environment == "" {
		environment = domain.SalesforceEnvironments[0]
	}
	host, ok := salesforceHosts[environment]
	if !ok {
		return "", fmt.Errorf("consent: unknown Salesforce environment %q", environment)
	}
	if c.SalesforceLoginBaseURL != "" {
		return strings.TrimRight(c.SalesforceLoginBaseURL, "/"), nil
	}
	return host, nil
}

// partnerSecret is the partner app's secret; deployments that use one app
// for both (aosd serve does) need not repeat it.
func (c Config) partnerSecret() string {
	if c.MicrosoftPartnerClientSecret == "" && c.MicrosoftPartnerClientID == c.MicrosoftClientID {
		return c.MicrosoftClientSecret
	}
	return c.MicrosoftPartnerClientSecret
}
