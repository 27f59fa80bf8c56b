package directory

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Mutations for the dev API. They model what a platform administrator does
// behind the service's back, so tests can watch the service notice it.
// Every mutation bumps Version.

func notFound(what, name string) *domain.Error {
	return &domain.Error{Status: http.StatusNotFound, Code: domain.CodeNotFound,
		Message: fmt.Sprintf("the directory has no %s %q", what, name)}
}

// mutateUser runs f on a member account (guests are changed through their
// home tenant) under the write lock.
func (d *Directory) mutateUser(platform, domainName, login string, f func(t *tenant, u *user) *domain.Error) *domain.Error {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.find(platform, domainName)
	if t == nil {
		return notFound(platform+" tenant", domainName)
	}
	u := t.member(login)
	if u == nil {
		return notFound("user", login+" in "+t.data.Domain)
	}
	if e := f(t, u); e != nil {
		return e
	}
	d.version++
	return nil
}

// SetUserMFA turns multi-factor authentication on or off. Turning it on
// invalidates delegated consents the user gave before.
func (d *Directory) SetUserMFA(platform, domainName, login string, on bool) *domain.Error {
	return d.mutateUser(platform, domainName, login, func(_ *tenant, u *user) *domain.Error {
		if on && !u.data.MFAEnabled {
			u.mfaGen++
		}
		u.data.MFAEnabled = on
		return nil
	})
}

// SetUserEnabled blocks or unblocks sign-in. Blocking revokes the user's
// sessions, so consents given before stay unusable even after unblocking.
func (d *Directory) SetUserEnabled(platform, domainName, login string, on bool) *domain.Error {
	return d.mutateUser(platform, domainName, login, func(_ *tenant, u *user) *domain.Error {
		if !on && u.enabled {
			u.credentialGen++
		}
		u.enabled = on
		return nil
	})
}

// SetUserPassword changes the password. Microsoft passwords must satisfy
// the Microsoft 365 password policy, as the real platform would insist.
func (d *Directory) SetUserPassword(platform, domainName, login, password string) *domain.Error {
	if platform == domain.PlatformMicrosoft {
		if e := domain.ValidatePassword("password", password); e != nil {
			return e
		}
	} else if password == "" {
		return domain.Invalid(domain.CodeRequired, "password", "enter the new password")
	}
	return d.mutateUser(platform, domainName, login, func(_ *tenant, u *user) *domain.Error {
		if u.data.External {
			return domain.Invalid(domain.CodeInvalidValue, "login",
				"%s is a guest; change its password in its home tenant %s", u.data.Login, u.data.HomeDomain)
		}
		u.data.Password = password
		u.credentialGen++
		return nil
	})
}

// SetUserAppPassword replaces a Microsoft user's app password.
func (d *Directory) SetUserAppPassword(domainName, login, appPassword string) *domain.Error {
	return d.mutateUser(domain.PlatformMicrosoft, domainName, login, func(_ *tenant, u *user) *domain.Error {
		u.data.AppPassword = appPassword
		return nil
	})
}

// RemoveUser deletes an account from a tenant, as when someone leaves the
// company.
func (d *Directory) RemoveUser(platform, domainName, login string) *domain.Error {
	return d.mutateUser(platform, domainName, login, func(t *tenant, u *user) *domain.Error {
		for i, x := range t.users {
			if x == u {
				t.users = append(t.users[:i], t.users[i+1:]...)
				break
			}
		}
		// The user's consents go with the account: an account re-created
		// under the same login starts its generations afresh and must not
		// be compared with the old one's.
		k := userKey{t.data.Domain, u.data.Login}
		for id, s := range d.consents {
			if s.user == k {
				delete(d.consents, id)
			}
		}
		return nil
	})
}

// mutateTenant runs f on a tenant under the write lock.
func (d *Directory) mutateTenant(platform, domainName string, f func(t *tenant) *domain.Error) *domain.Error {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.find(platform, domainName)
	if t == nil {
		return notFound(platform+" tenant", domainName)
	}
	if e := f(t); e != nil {
		return e
	}
	d.version++
	return nil
}

// SetConditionalAccessBlocksServiceIP changes whether the Microsoft
// tenant's conditional access policies block the service's IP address.
func (d *Directory) SetConditionalAccessBlocksServiceIP(domainName string, blocks bool) *domain.Error {
	return d.mutateTenant(domain.PlatformMicrosoft, domainName, func(t *tenant) *domain.Error {
		t.data.ConditionalAccessBlocksServiceIP = blocks
		return nil
	})
}

// SetLegacyAuthBlocked changes whether the Microsoft tenant's access
// policies block apps that do not use modern authentication.
func (d *Directory) SetLegacyAuthBlocked(domainName string, blocked bool) *domain.Error {
	return d.mutateTenant(domain.PlatformMicrosoft, domainName, func(t *tenant) *domain.Error {
		t.data.LegacyAuthBlocked = blocked
		return nil
	})
}

// SetGoogleAppInstalled installs or removes the Tenant Management app.
func (d *Directory) SetGoogleAppInstalled(domainName string, installed bool) *domain.Error {
	return d.mutateTenant(domain.PlatformGoogle, domainName, func(t *tenant) *domain.Error {
		t.data.TenantManagementAppInstalled = installed
		return nil
	})
}

// AddContainer adds a container to a Microsoft tenant, as a scan that
// discovers new objects would. Container ids are unique across the
// directory so that a container can never be mistaken for another tenant's.
func (d *Directory) AddContainer(domainName string, c ContainerData) *domain.Error {
	if strings.TrimSpace(c.ID) == "" || strings.TrimSpace(c.Name) == "" {
		return domain.Invalid(domain.CodeRequired, "id", "a container needs an id and a name")
	}
	return d.mutateTenant(domain.PlatformMicrosoft, domainName, func(t *tenant) *domain.Error {
		for _, other := range d.tenants {
			for _, x := range other.data.Containers {
				if x.ID == c.ID {
					return domain.Conflict(domain.CodeAlreadyExists,
						"container %q already exists in %s; choose another id", c.ID, other.data.Domain)
				}
			}
		}
		t.data.Containers = append(t.data.Containers, c)
		return nil
	})
}
