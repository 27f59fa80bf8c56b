package directory

import (
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// AdminFor names the first account able to consent for a tenant, found by
// running the same consent checks a sign-in would. Auto-consent (a dev demo
// aid) signs in as it. platform "partner:<cloud>" asks for any account able
// to authorize a partner app profile in that cloud. "" when none can.
func (d *Directory) AdminFor(platform, tenantDomain string) string {
	if cloud, ok := strings.CutPrefix(platform, "partner:"); ok {
		for _, login := range d.logins(domain.PlatformMicrosoft, "") {
			if _, err := d.CheckPartnerConsent(cloud, login); err == nil {
				return login
			}
		}
		return ""
	}
	env := ""
	d.mu.RLock()
	if t := d.find(platform, tenantDomain); t != nil {
		env = t.data.Environment
	}
	d.mu.RUnlock()
	for _, login := range d.logins(platform, tenantDomain) {
		if _, err := d.CheckTenantConsent(platform, tenantDomain, env, login); err == nil {
			return login
		}
	}
	return ""
}

// logins lists member accounts of one tenant (or of every tenant of the
// platform when tenantDomain is empty). The lock is released before the
// caller runs checks that take it again.
func (d *Directory) logins(platform, tenantDomain string) []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []string
	for _, t := range d.tenants {
		if t.data.Platform != platform || (tenantDomain != "" && t.data.Domain != strings.ToLower(tenantDomain)) {
			continue
		}
		for _, u := range t.users {
			if !u.data.External {
				out = append(out, u.data.Login)
			}
		}
	}
	return out
}

// HomeOf finds the platform and home tenant of an account by its login.
func (d *Directory) HomeOf(login string) (platform, tenantDomain string, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, p := range []string{domain.PlatformMicrosoft, domain.PlatformGoogle, domain.PlatformSalesforce} {
		if t, _ := d.home(p, login); t != nil {
			return p, t.data.Domain, true
		}
	}
	return "", "", false
}
