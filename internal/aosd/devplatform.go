package aosd

import (
	"github.com/aos-dev/terraform-provider-aos/internal/directory"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/server"
)

// devPlatform answers the server's platform questions from the simulated
// directory of aosd dev.
type devPlatform struct {
	d *directory.Directory
}

// NewDevPlatform loads the directory (the built-in one when file is empty).
func NewDevPlatform(file string) (server.Platform, server.DirectoryMutator, error) {
	var d *directory.Directory
	var err error
	if file == "" {
		d, err = directory.Default()
	} else {
		d, err = directory.LoadFile(file)
	}
	if err != nil {
		return nil, nil, err
	}
	p := &devPlatform{d: d}
	return p, p, nil
}

// errOrNil keeps a nil *domain.Error from becoming a non-nil error.
func errOrNil(e *domain.Error) error {
	if e == nil {
		return nil
	}
	return e
}

func (p *devPlatform) CheckTenantConsent(platform, tenantDomain, environment, login string) (*server.TenantFacts, *domain.Error) {
	info, err := p.d.CheckTenantConsent(platform, tenantDomain, environment, login)
	if err != nil {
		return nil, err
	}
	return &server.TenantFacts{DisplayName: info.DisplayName, SharePointAdminCenterURL: info.SharePointAdminCenterURL,
		MultiGeo: info.MultiGeo, GeoLocations: info.GeoLocations, Containers: info.Containers}, nil
}

func (p *devPlatform) CheckAppConsent(profileID, tenantDomain, login, consentMethod, permissionKind string) (string, *domain.Error) {
	res, err := p.d.CheckAppConsent(profileID, tenantDomain, login, consentMethod, permissionKind)
	if err != nil {
		return "", err
	}
	return res.Reason, nil
}

func (p *devPlatform) DelegatedConsentReason(profileID, tenantDomain, login string) string {
	return p.d.EvaluateDelegatedConsent(profileID, tenantDomain, login)
}

func (p *devPlatform) ForgetAppConsent(profileID string) {
	p.d.ForgetConsent(profileID)
}

func (p *devPlatform) CheckPartnerConsent(cloud, login string) (string, *domain.Error) {
	info, err := p.d.CheckPartnerConsent(cloud, login)
	if err != nil {
		return "", err
	}
	return info.Domain, nil
}

func (p *devPlatform) ValidateServiceAccount(tenantDomain, username, password string, mfa bool, appPassword string) (string, *domain.Error) {
	info, err := p.d.ValidateServiceAccount(tenantDomain, username, password, mfa, appPassword)
	if err != nil {
		return "", err
	}
	return info.UserRole, nil
}

func (p *devPlatform) CheckImpersonationUser(tenantDomain, login, field string) *domain.Error {
	return p.d.CheckImpersonationUser(field, tenantDomain, login)
}

func (p *devPlatform) Authenticate(login, password string) bool {
	for _, platform := range []string{domain.PlatformMicrosoft, domain.PlatformGoogle, domain.PlatformSalesforce} {
		if _, err := p.d.SignIn(platform, login, password); err == nil {
			return true
		}
	}
	return false
}

func (p *devPlatform) AdminFor(platform, tenantDomain string) string {
	return p.d.AdminFor(platform, tenantDomain)
}

// SetUser changes a user found by login on any platform.
func (p *devPlatform) SetUser(login string, mfaEnabled, enabled *bool, password *string) error {
	platform, home, ok := p.d.HomeOf(login)
	if !ok {
		return &domain.Error{Status: 404, Code: domain.CodeNotFound, Message: "the directory has no user " + login}
	}
	if mfaEnabled != nil {
		if err := p.d.SetUserMFA(platform, home, login, *mfaEnabled); err != nil {
			return err
		}
	}
	if enabled != nil {
		if err := p.d.SetUserEnabled(platform, home, login, *enabled); err != nil {
			return err
		}
	}
	if password != nil {
		if err := p.d.SetUserPassword(platform, home, login, *password); err != nil {
			return err
		}
	}
	return nil
}

func (p *devPlatform) SetTenant(tenantDomain string, conditionalAccess, legacyAuthBlocked *bool) error {
	if conditionalAccess != nil {
		if err := p.d.SetConditionalAccessBlocksServiceIP(tenantDomain, *conditionalAccess); err != nil {
			return err
		}
	}
	if legacyAuthBlocked != nil {
		return errOrNil(p.d.SetLegacyAuthBlocked(tenantDomain, *legacyAuthBlocked))
	}
	return nil
}
