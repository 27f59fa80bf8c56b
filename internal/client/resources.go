package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func path(collection, id string, rest ...string) string {
	p := "/v1/" + collection + "/" + url.PathEscape(id)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func get[T any](ctx context.Context, c *Client, p string) (*T, *Response, error) {
	var out T
	resp, err := c.do(ctx, http.MethodGet, p, nil, &out)
	if err != nil {
		return nil, nil, err
	}
	return &out, resp, nil
}

func send[T any](ctx context.Context, c *Client, method, p string, body any, opts ...RequestOption) (*T, *Response, error) {
	var out T
	resp, err := c.do(ctx, method, p, body, &out, opts...)
	if err != nil {
		return nil, nil, err
	}
	return &out, resp, nil
}

func (c *Client) remove(ctx context.Context, p string, opts ...RequestOption) error {
	_, err := c.do(ctx, http.MethodDelete, p, nil, nil, opts...)
	return err
}

// Filter narrows a list; empty fields do not filter.
type Filter struct {
	Platform string
	TenantID string
	Type     string
	Search   string
	// PageSize is the page size asked of the server (default 100).
	PageSize int
}

func (f Filter) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("platform", f.Platform)
	set("tenantId", f.TenantID)
	set("type", f.Type)
	set("search", f.Search)
	if f.PageSize > 0 {
		q.Set("top", strconv.Itoa(f.PageSize))
	}
	return q
}

// Tenants.

func (c *Client) CreateTenant(ctx context.Context, in domain.TenantCreate) (*domain.Tenant, *Response, error) {
	return send[domain.Tenant](ctx, c, http.MethodPost, "/v1/tenants", in)
}

func (c *Client) GetTenant(ctx context.Context, id string) (*domain.Tenant, *Response, error) {
	return get[domain.Tenant](ctx, c, path("tenants", id))
}

func (c *Client) UpdateTenant(ctx context.Context, id string, in domain.TenantPatch, opts ...RequestOption) (*domain.Tenant, *Response, error) {
	return send[domain.Tenant](ctx, c, http.MethodPatch, path("tenants", id), in, opts...)
}

func (c *Client) DeleteTenant(ctx context.Context, id string, opts ...RequestOption) error {
	return c.remove(ctx, path("tenants", id), opts...)
}

func (c *Client) ReconnectTenant(ctx context.Context, id string, opts ...RequestOption) (*domain.Tenant, *Response, error) {
	return send[domain.Tenant](ctx, c, http.MethodPost, path("tenants", id, "reconnect"), struct{}{}, opts...)
}

// VerifyAmazonTenant asks the service to assume the tenant's role.
func (c *Client) VerifyAmazonTenant(ctx context.Context, id string, in domain.AmazonVerify, opts ...RequestOption) (*domain.Tenant, *Response, error) {
	return send[domain.Tenant](ctx, c, http.MethodPost, path("tenants", id, "validate"), in, opts...)
}

func (c *Client) ListTenants(ctx context.Context, f Filter) ([]domain.Tenant, error) {
	return list[domain.Tenant](ctx, c, "/v1/tenants", f.query())
}

func (c *Client) ListContainers(ctx context.Context, tenantID string, f Filter) ([]domain.Container, error) {
	return list[domain.Container](ctx, c, path("tenants", tenantID, "containers"), f.query())
}

func (c *Client) ListGeoLocations(ctx context.Context, tenantID string) ([]domain.GeoLocation, error) {
	return list[domain.GeoLocation](ctx, c, path("tenants", tenantID, "geo-locations"), nil)
}

func (c *Client) GetPermissions(ctx context.Context, platform string) (*domain.PermissionSet, error) {
	ps, _, err := get[domain.PermissionSet](ctx, c, path("platforms", platform, "permissions"))
	return ps, err
}

// App profiles.

func (c *Client) CreateAppProfile(ctx context.Context, in domain.AppProfileWrite) (*domain.AppProfile, *Response, error) {
	return send[domain.AppProfile](ctx, c, http.MethodPost, "/v1/app-profiles", in)
}

func (c *Client) GetAppProfile(ctx context.Context, id string) (*domain.AppProfile, *Response, error) {
	return get[domain.AppProfile](ctx, c, path("app-profiles", id))
}

func (c *Client) UpdateAppProfile(ctx context.Context, id string, in domain.AppProfileWrite, opts ...RequestOption) (*domain.AppProfile, *Response, error) {
	return send[domain.AppProfile](ctx, c, http.MethodPatch, path("app-profiles", id), in, opts...)
}

func (c *Client) DeleteAppProfile(ctx context.Context, id string, opts ...RequestOption) error {
	return c.remove(ctx, path("app-profiles", id), opts...)
}

func (c *Client) ReauthorizeAppProfile(ctx context.Context, id string, opts ...RequestOption) (*domain.AppProfile, *Response, error) {
	return send[domain.AppProfile](ctx, c, http.MethodPost, path("app-profiles", id, "reauthorize"), struct{}{}, opts...)
}

func (c *Client) ListAppProfiles(ctx context.Context, f Filter) ([]domain.AppProfile, error) {
	return list[domain.AppProfile](ctx, c, "/v1/app-profiles", f.query())
}

// Partner app profiles.

func (c *Client) CreatePartnerAppProfile(ctx context.Context, in domain.PartnerAppProfileWrite) (*domain.PartnerAppProfile, *Response, error) {
	return send[domain.PartnerAppProfile](ctx, c, http.MethodPost, "/v1/partner-app-profiles", in)
}

func (c *Client) GetPartnerAppProfile(ctx context.Context, id string) (*domain.PartnerAppProfile, *Response, error) {
	return get[domain.PartnerAppProfile](ctx, c, path("partner-app-profiles", id))
}

func (c *Client) UpdatePartnerAppProfile(ctx context.Context, id string, in domain.PartnerAppProfileWrite, opts ...RequestOption) (*domain.PartnerAppProfile, *Response, error) {
	return send[domain.PartnerAppProfile](ctx, c, http.MethodPatch, path("partner-app-profiles", id), in, opts...)
}

func (c *Client) DeletePartnerAppProfile(ctx context.Context, id string, opts ...RequestOption) error {
	return c.remove(ctx, path("partner-app-profiles", id), opts...)
}

func (c *Client) ReauthorizePartnerAppProfile(ctx context.Context, id string, opts ...RequestOption) (*domain.PartnerAppProfile, *Response, error) {
	return send[domain.PartnerAppProfile](ctx, c, http.MethodPost, path("partner-app-profiles", id, "reauthorize"), struct{}{}, opts...)
}

func (c *Client) ListPartnerAppProfiles(ctx context.Context, f Filter) ([]domain.PartnerAppProfile, error) {
	return list[domain.PartnerAppProfile](ctx, c, "/v1/partner-app-profiles", f.query())
}

// AddPartnerUser adds a Microsoft 365 user or group through a partner app
// profile.
func (c *Client) AddPartnerUser(ctx context.Context, profileID, principal, kind string) (*domain.PartnerUser, error) {
	u, _, err := send[domain.PartnerUser](ctx, c, http.MethodPost, path("partner-app-profiles", profileID, "users"),
		map[string]string{"principal": principal, "kind": kind})
	return u, err
}

func (c *Client) RemovePartnerUser(ctx context.Context, profileID, userID string) error {
	return c.remove(ctx, path("partner-app-profiles", profileID, "users", url.PathEscape(userID)))
}

// Service account profiles.

func (c *Client) CreateServiceAccount(ctx context.Context, in domain.ServiceAccountWrite) (*domain.ServiceAccount, *Response, error) {
	return send[domain.ServiceAccount](ctx, c, http.MethodPost, "/v1/service-accounts", in)
}

func (c *Client) GetServiceAccount(ctx context.Context, id string) (*domain.ServiceAccount, *Response, error) {
	return get[domain.ServiceAccount](ctx, c, path("service-accounts", id))
}

func (c *Client) UpdateServiceAccount(ctx context.Context, id string, in domain.ServiceAccountWrite, opts ...RequestOption) (*domain.ServiceAccount, *Response, error) {
	return send[domain.ServiceAccount](ctx, c, http.MethodPatch, path("service-accounts", id), in, opts...)
}

func (c *Client) DeleteServiceAccount(ctx context.Context, id string, opts ...RequestOption) error {
	return c.remove(ctx, path("service-accounts", id), opts...)
}

func (c *Client) ValidateServiceAccount(ctx context.Context, id string) (*domain.ServiceAccount, *Response, error) {
	return send[domain.ServiceAccount](ctx, c, http.MethodPost, path("service-accounts", id, "validate"), struct{}{})
}

func (c *Client) ListServiceAccounts(ctx context.Context, f Filter) ([]domain.ServiceAccount, error) {
	return list[domain.ServiceAccount](ctx, c, "/v1/service-accounts", f.query())
}

// Migration connections.

func (c *Client) CreateConnection(ctx context.Context, in domain.ConnectionWrite) (*domain.Connection, *Response, error) {
	return send[domain.Connection](ctx, c, http.MethodPost, "/v1/connections", in)
}

func (c *Client) GetConnection(ctx context.Context, id string) (*domain.Connection, *Response, error) {
	return get[domain.Connection](ctx, c, path("connections", id))
}

func (c *Client) UpdateConnection(ctx context.Context, id string, in domain.ConnectionWrite, opts ...RequestOption) (*domain.Connection, *Response, error) {
	return send[domain.Connection](ctx, c, http.MethodPatch, path("connections", id), in, opts...)
}

func (c *Client) DeleteConnection(ctx context.Context, id string, opts ...RequestOption) error {
	return c.remove(ctx, path("connections", id), opts...)
}

func (c *Client) ListConnections(ctx context.Context, f Filter) ([]domain.Connection, error) {
	return list[domain.Connection](ctx, c, "/v1/connections", f.query())
}

// Dev API (aosd dev only): tests use it to play the administrator.

// DevConsent completes the pending consent of a tenant, app profile or
// partner app profile as login.
func (c *Client) DevConsent(ctx context.Context, objectID, login string) error {
	_, err := c.do(ctx, http.MethodPost, "/dev/v1/consent", map[string]string{"objectId": objectID, "login": login}, nil)
	return err
}

// DevUserChange changes a simulated directory user.
type DevUserChange struct {
	MfaEnabled *bool   `json:"mfaEnabled,omitempty"`
	Enabled    *bool   `json:"enabled,omitempty"`
	Password   *string `json:"password,omitempty"`
}

func (c *Client) DevSetUser(ctx context.Context, login string, ch DevUserChange) error {
	_, err := c.do(ctx, http.MethodPatch, "/dev/v1/directory/users/"+url.PathEscape(login), ch, nil)
	return err
}

// DevTenantChange changes a simulated platform tenant.
type DevTenantChange struct {
	ConditionalAccessBlocksServiceIP *bool `json:"conditionalAccessBlocksServiceIp,omitempty"`
	LegacyAuthBlocked                *bool `json:"legacyAuthBlocked,omitempty"`
}

func (c *Client) DevSetTenant(ctx context.Context, tenantDomain string, ch DevTenantChange) error {
	_, err := c.do(ctx, http.MethodPatch, "/dev/v1/directory/tenants/"+url.PathEscape(tenantDomain), ch, nil)
	return err
}

// DevExpireAuthorization makes an app or partner app profile's
// authorization expire.
func (c *Client) DevExpireAuthorization(ctx context.Context, objectID string) error {
	_, err := c.do(ctx, http.MethodPost, "/dev/v1/expire-authorization", map[string]string{"objectId": objectID}, nil)
	return err
}

// DevBumpPermissions raises a platform's permission-set version.
func (c *Client) DevBumpPermissions(ctx context.Context, platform string) (*domain.PermissionSet, error) {
	ps, _, err := send[domain.PermissionSet](ctx, c, http.MethodPost, "/dev/v1/platforms/"+url.PathEscape(platform)+"/permissions/bump", struct{}{})
	return ps, err
}
