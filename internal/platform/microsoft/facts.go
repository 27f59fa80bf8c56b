package microsoft

import (
	"context"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/platform"
)

// TenantFacts is what connecting a tenant learns from Graph.
type TenantFacts struct {
	TenantID                 string
	DisplayName              string
	InitialDomain            string
	SharePointAdminCenterURL string
	MultiGeo                 bool
	GeoLocations             []domain.GeoLocation
}

// TenantFacts reads the tenant's display name, initial domain (and so its
// SharePoint admin center URL) and geo locations with the service's
// app-only token: two Graph requests, /organization and /sites (for the
// geo locations), after the app token MSAL caches per tenant.
func (c *Connector) TenantFacts(ctx context.Context, tenant string) (*TenantFacts, error) {
	g := c.Graph(tenant)
	org, err := g.Organization(ctx)
	if err != nil {
		return nil, err
	}
	geos, err := g.GeoLocations(ctx)
	if err != nil {
		return nil, err
	}
	f := &TenantFacts{TenantID: org.ID, DisplayName: org.DisplayName, InitialDomain: org.InitialDomain()}
	f.SharePointAdminCenterURL = c.cfg.Cloud.SharePointAdminURL(f.InitialDomain)
	// One location is a single-geo tenant that happens to name it.
	if len(geos) > 1 {
		f.MultiGeo, f.GeoLocations = true, geos
	}
	return f, nil
}

// CheckConsentUser applies Microsoft's consent rules to a verified
// consent: the user belongs to tenantID (the tenant being connected; empty
// takes the consent's own), is a member rather than a guest, is enabled,
// and — for admin consent — holds Global Administrator. It reads the user
// and roles with the service's app-only token in that tenant.
func (c *Connector) CheckConsentUser(ctx context.Context, consent *platform.Consent, tenantID string, adminConsent bool) *domain.Error {
	if tenantID != "" && !strings.EqualFold(tenantID, consent.TenantID) {
		return domain.Invalid(domain.CodeConsentUserWrongTenant, "login",
			"%s signed in to another tenant (%s), not to %s; sign in with an account of %s",
			consent.Login, consent.TenantID, tenantID, tenantID)
	}
	g := c.Graph(consent.TenantID)
	u, err := g.User(ctx, consent.UserID)
	if err != nil {
		if IsNotFound(err) {
			return domain.Invalid(domain.CodeConsentUserUnknown, "login", "%s is not an account of the tenant; sign in with an account of that tenant", consent.Login)
		}
		return platformError(err)
	}
	switch {
	case u.Guest():
		return domain.Invalid(domain.CodeConsentUserExternal, "login",
			"%s is a guest in the tenant and guests cannot consent; sign in with an account that belongs to the tenant", u.Mail)
	case !u.AccountEnabled:
		return domain.Invalid(domain.CodeConsentUserDisabled, "login",
			"the account %s is disabled; enable it or sign in with another account", u.UserPrincipalName)
	}
	if adminConsent {
		roles, err := g.DirectoryRoles(ctx, u.ID)
		if err != nil {
			return platformError(err)
		}
		if !HasRole(roles, RoleGlobalAdministrator) {
			return domain.Invalid(domain.CodeConsentUserNotAdmin, "login",
				"%s is not a Global Administrator of the tenant; admin consent needs one", u.UserPrincipalName)
		}
	}
	return nil
}

// Role names as the console shows them (internal/directory uses the same).
const (
	RoleNameGlobalAdministrator     = "Global Administrator"
	RoleNameSharePointAdministrator = "SharePoint Administrator"
	RoleNameUser                    = "User"
)

// UserRole names the user's most privileged role the product cares about.
func (c *Connector) UserRole(ctx context.Context, tenant, userID string) (string, error) {
	roles, err := c.Graph(tenant).DirectoryRoles(ctx, userID)
	if err != nil {
		return "", err
	}
	switch {
	case HasRole(roles, RoleGlobalAdministrator):
		return RoleNameGlobalAdministrator, nil
	case HasRole(roles, RoleSharePointAdministrator):
		return RoleNameSharePointAdministrator, nil
	}
	return RoleNameUser, nil
}

// CheckImpersonationUser checks that upn is a member of the tenant with an
// Exchange Online mailbox licence; field is the request path of the
// argument, for the error.
func (c *Connector) CheckImpersonationUser(ctx context.Context, tenant, upn, field string) *domain.Error {
	g := c.Graph(tenant)
	u, err := g.User(ctx, upn)
	if err != nil {
		if IsNotFound(err) {
			return domain.Invalid(domain.CodeImpersonationUserUnknown, field,
				"%s is not an account of the tenant; choose a user of the tenant with an Exchange Online license", upn)
		}
		return platformError(err)
	}
	if u.Guest() {
		return domain.Invalid(domain.CodeImpersonationUserUnknown, field,
			"%s is a guest in the tenant; choose a member of the tenant with an Exchange Online license", upn)
	}
	lic, err := g.LicenseDetails(ctx, u.ID)
	if err != nil {
		return platformError(err)
	}
	if !HasExchangeOnline(lic) {
		return domain.Invalid(domain.CodeImpersonationUnlicensed, field,
			"%s has no Exchange Online license; assign one in Microsoft 365 or choose a licensed user", upn)
	}
	return nil
}

// platformError reports a Graph failure that is not about the caller's
// input: the platform could not answer. It is a 502 the caller may retry
// (429 with the platform's delay when throttled).
func platformError(err error) *domain.Error {
	var te *ThrottledError
	if asThrottled(err, &te) {
		return &domain.Error{Status: 429, Code: domain.CodeRateLimited,
			Message: "Microsoft Graph is throttling the service; retry after " + te.RetryAfter.String()}
	}
	return &domain.Error{Status: 502, Code: domain.CodeInternal, Message: "Microsoft Graph did not answer: " + err.Error()}
}
