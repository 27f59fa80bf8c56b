package consent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
		return c.exchange(ctx, "Google", t.Platform, c.GoogleClientID, c.GoogleClientSecret, tokenURL, cb.Code)
	case domain.PlatformSalesforce:
		host, err := c.salesforceHost(t.Environment)
		if err != nil {
			return err
		}
		return c.exchange(ctx, "Salesforce", t.Platform, c.SalesforceClientID, c.SalesforceClientSecret,
			host+salesforceTokenPath, cb.Code)
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
			// The consent was to the customer's own Azure app, whose secret
			// (or certificate) is not the service's to use at this point, so
			// the platform cannot be asked here. The redirect is accepted;
			// the profile is proven at first use, when the service signs in
			// as that app with the profile's certificate and Entra refuses
			// it if the app was never consented in the tenant.
			if cb.Code == "" && !strings.EqualFold(cb.AdminConsent, "true") {
				return fmt.Errorf("%w: the callback reports no consent", ErrNotVerified)
			}
			return nil
		}
		if id := c.MicrosoftAppClientIDs[t.AppType]; id != "" {
			clientID, secret = id, c.MicrosoftAppClientSecrets[t.AppType]
		}
		if t.ConsentMethod == domain.ConsentMethodUser {
			host, err := c.microsoftLoginHost(environment)
			if err != nil {
				return err
			}
			return c.exchange(ctx, "Microsoft", domain.PlatformMicrosoft, clientID, secret,
				host+"/"+tenantSegment(tenant)+microsoftTokenPath, cb.Code)
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

// exchange redeems an authorization code. The redirect URI must be the one
// the consent URL carried, or the platform refuses the code.
func (c Config) exchange(ctx context.Context, name, platform, clientID, secret, tokenURL, code string) error {
	if clientID == "" || secret == "" {
		return fmt.Errorf("%w: %s client id and secret", ErrNotConfigured, name)
	}
	if code == "" {
		return fmt.Errorf("%w: %s sent no authorization code", ErrNotVerified, name)
	}
	oc := oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: c.CallbackURL(platform),
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	// The tokens are not kept: the service only needs to know the grant is
	// real. Storing them is the job of the platform integration.
	if _, err := oc.Exchange(ctx, code); err != nil {
		return refused(name, "the authorization code", err)
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
