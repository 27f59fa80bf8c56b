package server

import (
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Platform is what aosd asks the platforms (Microsoft, Google, Salesforce)
// about users and tenants. In dev mode the built-in directory answers; in
// production aosd has no such oracle: consent happens on the real sign-in
// pages and comes back through the callbacks, and the checks that need the
// platform's directory (service account validation, impersonation licence)
// are left to the platform itself.
type Platform interface {
	// CheckTenantConsent decides whether login may connect the tenant.
	CheckTenantConsent(platform, tenantDomain, environment, login string) (*TenantFacts, *domain.Error)
	// CheckAppConsent decides whether login may consent the app profile
	// profileID; reason is set when the profile is consented but
	// immediately invalid.
	CheckAppConsent(profileID, tenantDomain, login, consentMethod, permissionKind string) (reason string, err *domain.Error)
	// DelegatedConsentReason tells why the delegated or hybrid app profile
	// profileID, consented by login, is no longer usable ("" when it is).
	// Each profile is judged against its own consent: a change to the user
	// between two consents counts against the earlier profile only.
	DelegatedConsentReason(profileID, tenantDomain, login string) string
	// ForgetAppConsent drops what the platform keeps of a deleted app
	// profile's consent.
	ForgetAppConsent(profileID string)
	// CheckPartnerConsent decides whether login may authorize a partner
	// app profile in cloud, and returns the user's tenant domain.
	CheckPartnerConsent(cloud, login string) (string, *domain.Error)
	// ValidateServiceAccount runs the validation test of a service account
	// profile and returns the user's role.
	ValidateServiceAccount(tenantDomain, username, password string, mfa bool, appPassword string) (role string, err *domain.Error)
	// CheckImpersonationUser checks the user holds an Exchange Online
	// licence in the tenant.
	CheckImpersonationUser(tenantDomain, login, field string) *domain.Error
	// Authenticate checks a login and password on the sign-in page.
	Authenticate(login, password string) bool
	// AdminFor names a user able to consent for the tenant (auto-consent).
	AdminFor(platform, tenantDomain string) string
}

// TenantFacts is what connecting a tenant learns from its platform.
type TenantFacts struct {
	DisplayName              string
	SharePointAdminCenterURL string
	MultiGeo                 bool
	GeoLocations             []domain.GeoLocation
	Containers               []domain.Container
}

// DevConfig turns on dev mode.
type DevConfig struct {
	Platform Platform
	// AutoConsent completes every consent at once as the tenant's first
	// administrator. It exists for demos only.
	AutoConsent bool
	// Mutator changes the simulated directory (dev API).
	Mutator DirectoryMutator
}

// DirectoryMutator changes the simulated directory from the dev API.
type DirectoryMutator interface {
	SetUser(login string, mfaEnabled, enabled *bool, password *string) error
	SetTenant(tenantDomain string, conditionalAccessBlocksServiceIP, legacyAuthBlocked *bool) error
}

func (s *Server) platform() Platform {
	if s.dev == nil {
		return nil
	}
	return s.dev.Platform
}

func (s *Server) autoConsent() bool { return s.dev != nil && s.dev.AutoConsent }
