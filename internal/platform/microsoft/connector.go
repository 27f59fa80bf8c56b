// Package microsoft is the connector to Microsoft Entra ID and Microsoft
// Graph. Tokens come from MSAL Go: a confidential client (client secret or
// certificate) for the service's own app-only tokens and for redeeming
// consent callbacks, a public client for the username/password sign-in of
// the service account validation test. Graph is spoken through a small
// typed client (graph.go) for the few calls the product needs.
//
// Every AADSTS code the product cares about is mapped onto the API's
// stable codes in errors.go, beside its citation.
package microsoft

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/aos-dev/terraform-provider-aos/internal/platform"
)

// Config configures a Connector.
type Config struct {
	Cloud Cloud
	// LoginURL and GraphURL replace the cloud's hosts (a simulator in dev
	// mode and tests); empty means the cloud's own.
	LoginURL, GraphURL string
	// ClientID is the service's app registration (multi-tenant, with
	// "Allow public client flows" on for the service account sign-in).
	ClientID string
	// ClientSecret, or Certificates and Key, authenticate the app.
	ClientSecret string
	Certificates []*x509.Certificate
	Key          crypto.PrivateKey
	// HTTPClient carries every request (MSAL's, go-oidc's and Graph's);
	// nil means http.DefaultClient.
	HTTPClient *http.Client
	// ThrottleBudget bounds the total time one Graph call waits for
	// Retry-After when throttled (default one minute).
	ThrottleBudget time.Duration
}

// Connector talks to one Microsoft cloud for one app registration. It is
// safe for concurrent use.
type Connector struct {
	cfg   Config
	login string
	graph string
	http  *http.Client
	cred  confidential.Credential
	// app is the confidential client of app-only tokens; MSAL caches them
	// per tenant in memory.
	app confidential.Client

	verifiers sync.Map // tenant id -> *oidcVerifier
}

var _ platform.Connector = (*Connector)(nil)

// New checks the configuration and builds a connector.
func New(cfg Config) (*Connector, error) {
	if cfg.Cloud.LoginURL == "" {
		cfg.Cloud = Commercial
	}
	if cfg.ClientID == "" {
		return nil, errors.New("microsoft: ClientID is required")
	}
	c := &Connector{cfg: cfg, login: strings.TrimSuffix(cfg.Cloud.LoginURL, "/"),
		graph: strings.TrimSuffix(cfg.Cloud.GraphURL, "/"), http: cfg.HTTPClient}
	if cfg.LoginURL != "" {
		c.login = strings.TrimSuffix(cfg.LoginURL, "/")
	}
	if cfg.GraphURL != "" {
		c.graph = strings.TrimSuffix(cfg.GraphURL, "/")
	}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.cfg.ThrottleBudget <= 0 {
		c.cfg.ThrottleBudget = time.Minute
	}
	var err error
	switch {
	case cfg.ClientSecret != "" && cfg.Key != nil:
		return nil, errors.New("microsoft: give a client secret or a certificate, not both")
	case cfg.ClientSecret != "":
		c.cred, err = confidential.NewCredFromSecret(cfg.ClientSecret)
	case cfg.Key != nil:
		c.cred, err = confidential.NewCredFromCert(cfg.Certificates, cfg.Key)
	default:
		return nil, errors.New("microsoft: a client secret or a certificate is required")
	}
	if err != nil {
		return nil, fmt.Errorf("microsoft: credential: %w", err)
	}
	c.app, err = c.confidential(nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// confidential builds a confidential client on the organizations
// authority; each call names its tenant. store, when set, is the token cache
// (one consent's grant).
func (c *Connector) confidential(store cache.ExportReplace) (confidential.Client, error) {
	opts := []confidential.Option{confidential.WithHTTPClient(c.http)}
	if c.cfg.LoginURL != "" {
		// A stand-in authority is not in MSAL's list of known hosts, and
		// instance discovery would ask login.microsoftonline.com about it.
		opts = append(opts, confidential.WithInstanceDiscovery(false))
	}
	if store != nil {
		opts = append(opts, confidential.WithCache(store))
	}
	cl, err := confidential.New(c.login+"/organizations", c.cfg.ClientID, c.cred, opts...)
	if err != nil {
		return confidential.Client{}, fmt.Errorf("microsoft: %w", err)
	}
	return cl, nil
}

// AppToken returns an app-only Graph token for the tenant (id or domain),
// from MSAL's cache while it lasts.
func (c *Connector) AppToken(ctx context.Context, tenant string) (string, error) {
	res, err := c.app.AcquireTokenByCredential(ctx, []string{c.cfg.Cloud.GraphScope()}, confidential.WithTenantID(tenant))
	if err != nil {
		if e, ok := entraError(err); ok {
			if ce := configError(e); ce != nil {
				return "", ce
			}
			return "", e
		}
		return "", fmt.Errorf("microsoft: app token: %w", err)
	}
	return res.AccessToken, nil
}

// Graph returns a Graph client acting as the service's app in the tenant.
func (c *Connector) Graph(tenant string) *Graph {
	return c.graphClient(func(ctx context.Context) (string, error) { return c.AppToken(ctx, tenant) })
}

// memCache is one grant's MSAL token cache, held in memory between the
// calls of one operation.
type memCache struct{ data []byte }

func (m *memCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if len(m.data) == 0 {
		return nil
	}
	return u.Unmarshal(m.data)
}

// Export keeps MSAL's cache without its access tokens. A kept grant then
// holds only what a later check needs (the refresh token, the account and
// ID token), and that check must redeem the refresh token: MSAL Go's
// confidential AcquireTokenSilent would otherwise answer from a cached,
// unexpired access token and learn nothing about the user's state, and it
// refuses the claims request that would bypass the cache. "AccessToken" is
// the section of MSAL's shared cache schema that holds them.
func (m *memCache) Export(_ context.Context, mm cache.Marshaler, _ cache.ExportHints) error {
	b, err := mm.Marshal()
	if err != nil {
		return err
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(b, &sections); err != nil {
		return fmt.Errorf("microsoft: MSAL cache: %w", err)
	}
	delete(sections, "AccessToken")
	m.data, err = json.Marshal(sections)
	return err
}

// grant is what a consent leaves to check later: MSAL's cache of that one
// sign-in (it holds the refresh token) and which account in it is meant.
type grant struct {
	Version  int             `json:"v"`
	TenantID string          `json:"tenantId"`
	Account  string          `json:"homeAccountId"`
	Cache    json.RawMessage `json:"msalCache"`
}

// consentScopes are the delegated scopes asked for at consent; MSAL adds
// openid, profile and offline_access (the last gives the refresh token).
func (c *Connector) consentScopes() []string { return []string{c.cfg.Cloud.GraphScope()} }

// RedeemConsent redeems the consent callback's code with MSAL, verifies
// the ID token and keeps MSAL's cache as the grant.
func (c *Connector) RedeemConsent(ctx context.Context, cb platform.ConsentCallback) (*platform.Consent, error) {
	if cb.Code == "" || cb.RedirectURI == "" {
		return nil, errors.New("microsoft: consent callback needs a code and the redirect URI")
	}
	store := &memCache{}
	cl, err := c.confidential(store)
	if err != nil {
		return nil, err
	}
	var opts []confidential.AcquireByAuthCodeOption
	if cb.Tenant != "" {
		opts = append(opts, confidential.WithTenantID(cb.Tenant))
	}
	res, err := cl.AcquireTokenByAuthCode(ctx, cb.Code, cb.RedirectURI, c.consentScopes(), opts...)
	if err != nil {
		return nil, consentError(err)
	}
	claims, err := c.VerifyIDToken(ctx, res.IDToken.RawToken, cb.Nonce)
	if err != nil {
		return nil, err
	}
	// A tenant asked for by id must be the token's; one asked for by
	// domain is compared by CheckConsentUser, which knows the tenant id.
	if isGUID(cb.Tenant) && !strings.EqualFold(cb.Tenant, claims.TenantID) {
		return nil, fmt.Errorf("microsoft: the ID token is of tenant %s, not %s", claims.TenantID, cb.Tenant)
	}
	g, err := json.Marshal(grant{Version: 1, TenantID: claims.TenantID, Account: res.Account.HomeAccountID, Cache: store.data})
	if err != nil {
		return nil, err
	}
	login := claims.PreferredUsername
	return &platform.Consent{TenantID: claims.TenantID, UserID: claims.ObjectID, Login: login,
		DisplayName: claims.Name, Grant: g}, nil
}

// CheckGrant redeems the grant's refresh token (the kept grant holds no
// access token, see memCache.Export) and returns the grant with the
// rotated refresh token.
func (c *Connector) CheckGrant(ctx context.Context, raw []byte) ([]byte, error) {
	var g grant
	if err := json.Unmarshal(raw, &g); err != nil || g.Version != 1 || g.Account == "" {
		return nil, errors.New("microsoft: the kept grant is not one this connector wrote")
	}
	store := &memCache{data: g.Cache}
	cl, err := c.confidential(store)
	if err != nil {
		return nil, err
	}
	acc, err := cl.Account(ctx, g.Account)
	if err != nil || acc.HomeAccountID == "" {
		return nil, errors.New("microsoft: the kept grant holds no account")
	}
	_, err = cl.AcquireTokenSilent(ctx, c.consentScopes(), confidential.WithSilentAccount(acc),
		confidential.WithTenantID(g.TenantID))
	if err != nil {
		return nil, grantError(err)
	}
	g.Cache = store.data
	return json.Marshal(g)
}

// SignIn runs the username/password (ROPC) sign-in of a service account
// validation test with MSAL's public client, in the tenant (id or domain).
// A fresh client per call keeps no one's tokens after the test.
func (c *Connector) SignIn(ctx context.Context, tenant, username, password string) (*platform.Account, error) {
	opts := []public.Option{public.WithAuthority(c.login + "/" + tenant), public.WithHTTPClient(c.http)}
	if c.cfg.LoginURL != "" {
		opts = append(opts, public.WithInstanceDiscovery(false))
	}
	cl, err := public.New(c.cfg.ClientID, opts...)
	if err != nil {
		return nil, fmt.Errorf("microsoft: %w", err)
	}
	res, err := cl.AcquireTokenByUsernamePassword(ctx, []string{c.cfg.Cloud.GraphScope()}, username, password) //nolint:staticcheck // ROPC is what the validation test is; see the package comment.
	if err != nil {
		return nil, signInError(err, username)
	}
	return &platform.Account{TenantID: res.IDToken.TenantID, UserID: res.IDToken.Oid, Login: res.IDToken.PreferredUsername}, nil
}
