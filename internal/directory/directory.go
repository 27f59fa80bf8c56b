// Package directory plays the platform side of tenant registration in dev
// mode: the Microsoft Entra ID, Google Workspace and Salesforce tenants whose
// users sign in to give consent, and the accounts service account profiles
// are validated against. A Directory is loaded from JSON (a built-in default,
// or a file given to aosd) and can be changed through mutation methods, so
// tests can reproduce what happens when an administrator turns on MFA,
// disables an account or tightens a tenant's policies.
//
// The checks return *domain.Error values with the same stable codes the
// production platforms' failures are mapped to, so the HTTP layer does not
// care whether a refusal came from the directory or a real platform.
package directory

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Microsoft 365 roles a user can hold.
const (
	RoleGlobalAdministrator     = "global_administrator"
	RoleSharePointAdministrator = "sharepoint_administrator"
)

// Microsoft 365 licenses.
const (
	LicenseExchangeOnline   = "exchange_online"
	LicenseSharePointOnline = "sharepoint_online"
	LicenseTeams            = "teams"
)

// Google Workspace: a super administrator holds every privilege; other
// administrators hold the privileges listed for them.
const (
	GoogleRoleSuperAdmin = "super_admin"
	PrivilegeUsersRead   = "users.read"
	PrivilegeGroupsRead  = "groups.read"
	PrivilegeLicenseRead = "license.read"
)

// GoogleConsentPrivileges are the admin privileges the consenting Google
// account needs, in the order the admin console shows them.
var GoogleConsentPrivileges = []string{PrivilegeUsersRead, PrivilegeGroupsRead, PrivilegeLicenseRead}

var googlePrivilegeNames = map[string]string{
	PrivilegeUsersRead:   "Users › Read",
	PrivilegeGroupsRead:  "Groups › Read",
	PrivilegeLicenseRead: "License Management › License Read",
}

// Salesforce profile and permissions.
const (
	ProfileSystemAdministrator = "System Administrator"
	// PermissionUseAnyAPIClient lets a user use uninstalled connected apps
	// when the org has API Access Control turned on.
	PermissionUseAnyAPIClient = "use_any_api_client"
	// PermissionApproveUninstalledApps lets a user use uninstalled
	// connected apps when API Access Control is off.
	PermissionApproveUninstalledApps = "approve_uninstalled_connected_apps"
)

// SystemAdministratorPermissions are the permissions that make another
// Salesforce profile equivalent to System Administrator for consent.
var SystemAdministratorPermissions = []string{
	"api_enabled", "customize_application", "manage_users", "modify_all_data", "view_all_data",
}

var salesforcePermissionNames = map[string]string{
	"api_enabled":                    "API Enabled",
	"customize_application":          "Customize Application",
	"manage_users":                   "Manage Users",
	"modify_all_data":                "Modify All Data",
	"view_all_data":                  "View All Data",
	PermissionUseAnyAPIClient:        "Use Any API Client",
	PermissionApproveUninstalledApps: "Approve Uninstalled Connected Apps",
}

// File is the JSON document a directory is loaded from.
type File struct {
	Tenants []TenantData `json:"tenants"`
}

// TenantData is one platform tenant in the directory file.
type TenantData struct {
	Platform    string `json:"platform"`
	Domain      string `json:"domain"`
	DisplayName string `json:"displayName"`
	// TenantID is the platform's own id of the tenant (the Entra tenant id,
	// the Google customer id, the Salesforce org id).
	TenantID string `json:"tenantId"`
	// Environment is the Azure environment (commercial, us_government) of
	// a Microsoft tenant or the Salesforce environment (production,
	// sandbox); Google tenants have none.
	Environment  string               `json:"environment,omitempty"`
	MultiGeo     bool                 `json:"multiGeo,omitempty"`
	GeoLocations []domain.GeoLocation `json:"geoLocations,omitempty"`
	Containers   []ContainerData      `json:"containers,omitempty"`
	// ConditionalAccessBlocksServiceIP (Microsoft) models a conditional
	// access policy that does not list the service's IP address: apps
	// with delegated permissions stop working.
	ConditionalAccessBlocksServiceIP bool `json:"conditionalAccessBlocksServiceIp,omitempty"`
	// LegacyAuthBlocked (Microsoft) models an access policy that blocks
	// apps that do not use modern authentication, which password-based
	// service account validation is.
	LegacyAuthBlocked bool `json:"legacyAuthBlocked,omitempty"`
	// TenantManagementAppInstalled (Google) tells whether the Tenant
	// Management app was installed from the Workspace Marketplace.
	TenantManagementAppInstalled bool `json:"tenantManagementAppInstalled,omitempty"`
	// APIAccessControl (Salesforce) is the org's API Access Control
	// setting; it decides which permission lets a user use an uninstalled
	// connected app.
	APIAccessControl bool `json:"apiAccessControl,omitempty"`
	// TenantAppInstalled (Salesforce) tells whether the tenant app is
	// installed in the org, in which case no uninstalled-app permission is
	// needed.
	TenantAppInstalled bool       `json:"tenantAppInstalled,omitempty"`
	Users              []UserData `json:"users,omitempty"`
}

// ContainerData is a scanned container of a Microsoft tenant.
type ContainerData struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// UserData is one account of a tenant in the directory file.
type UserData struct {
	// Login is the user principal name, Google account or Salesforce
	// username the user signs in with.
	Login       string `json:"login"`
	DisplayName string `json:"displayName,omitempty"`
	Password    string `json:"password,omitempty"`
	// AppPassword is the Microsoft app password of an MFA user.
	AppPassword string `json:"appPassword,omitempty"`
	// Enabled defaults to true when absent.
	Enabled *bool `json:"enabled,omitempty"`
	// External marks a guest: the account lives in HomeDomain and was
	// invited into this tenant. It signs in with its home credentials.
	External   bool     `json:"external,omitempty"`
	HomeDomain string   `json:"homeDomain,omitempty"`
	MFAEnabled bool     `json:"mfaEnabled,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	Licenses   []string `json:"licenses,omitempty"`
	// Privileges are Google admin privileges.
	Privileges []string `json:"privileges,omitempty"`
	// Profile and Permissions are the Salesforce profile name and extra
	// permissions.
	Profile     string   `json:"profile,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

//go:embed default.json
var defaultJSON []byte

// Directory is the dev-mode platform directory. It is safe for concurrent
// use: checks take a read lock, mutations a write lock.
type Directory struct {
	mu      sync.RWMutex
	tenants []*tenant
	// version grows on every mutation so callers can tell cheaply whether
	// delegated consents need re-evaluation.
	version uint64
	// consents remembers, per consented object (app profile id), who
	// consented and that user's credential and MFA generations at the
	// time. Keying by user instead was not enough: a user's later consent
	// to another profile overwrote the snapshot and hid a change made in
	// between from the earlier profile. The snapshots live only in memory;
	// nothing writes them to disk.
	consents map[string]consentSnapshot
}

type tenant struct {
	data  TenantData // Users is nil; users live in the users slice.
	users []*user
}

type user struct {
	data    UserData
	enabled bool
	// credentialGen grows whenever the account's credentials stop being
	// the ones a consent was given with: password change or disable.
	credentialGen uint64
	// mfaGen grows whenever MFA is turned on.
	mfaGen uint64
}

type userKey struct{ domain, login string }

type consentSnapshot struct {
	user                  userKey
	credentialGen, mfaGen uint64
}

func snapshotOf(k userKey, u *user) consentSnapshot {
	return consentSnapshot{user: k, credentialGen: u.credentialGen, mfaGen: u.mfaGen}
}

// snapshot returns the snapshot of the consent user k gave to object
// consentID, if any. Callers hold the lock.
func (d *Directory) snapshot(k userKey, consentID string) (consentSnapshot, bool) {
	s, ok := d.consents[consentID]
	return s, ok && s.user == k
}

// Default returns a fresh copy of the built-in directory described in this
// package's README.
func Default() (*Directory, error) {
	return Load(bytes.NewReader(defaultJSON))
}

// LoadFile reads a directory from a JSON file.
func LoadFile(path string) (*Directory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	// The file is only read, so a failing Close loses nothing.
	defer func() { _ = f.Close() }()
	d, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Load reads a directory from JSON. Unknown fields are refused so that a
// misspelt flag in a hand-written file fails loudly instead of silently
// leaving a rule untested.
func Load(r io.Reader) (*Directory, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("directory: decode: %w", err)
	}
	return New(f)
}

// New builds a directory from its file form after checking it.
func New(f File) (*Directory, error) {
	d := &Directory{consents: map[string]consentSnapshot{}}
	var errs []error
	containerIDs := map[string]string{}
	homeLogins := map[string]string{} // platform|login -> domain
	for i, td := range f.Tenants {
		where := fmt.Sprintf("tenants[%d] (%s)", i, td.Domain)
		td.Domain = strings.ToLower(td.Domain)
		if err := checkTenant(&td); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		if d.find(td.Platform, td.Domain) != nil {
			errs = append(errs, fmt.Errorf("%s: %s domain %q appears twice", where, td.Platform, td.Domain))
			continue
		}
		for _, c := range td.Containers {
			if c.ID == "" || c.Name == "" {
				errs = append(errs, fmt.Errorf("%s: containers need an id and a name", where))
			} else if other, dup := containerIDs[c.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: container id %q is also used by %s", where, c.ID, other))
			}
			containerIDs[c.ID] = td.Domain
		}
		t := &tenant{data: td}
		t.data.Users = nil
		t.data.GeoLocations = slices.Clone(td.GeoLocations)
		t.data.Containers = slices.Clone(td.Containers)
		for j, ud := range td.Users {
			uwhere := fmt.Sprintf("%s users[%d] (%s)", where, j, ud.Login)
			ud.Login = strings.ToLower(strings.TrimSpace(ud.Login))
			ud.HomeDomain = strings.ToLower(ud.HomeDomain)
			if ud.Login == "" {
				errs = append(errs, fmt.Errorf("%s: login is required", uwhere))
				continue
			}
			if t.member(ud.Login) != nil {
				errs = append(errs, fmt.Errorf("%s: login appears twice in the tenant", uwhere))
				continue
			}
			if ud.External {
				if ud.HomeDomain == "" || ud.HomeDomain == td.Domain {
					errs = append(errs, fmt.Errorf("%s: an external user needs homeDomain, another tenant's domain", uwhere))
					continue
				}
			} else {
				key := td.Platform + "|" + ud.Login
				if other, dup := homeLogins[key]; dup {
					errs = append(errs, fmt.Errorf("%s: login is also a member of %s; mark one of them external", uwhere, other))
					continue
				}
				homeLogins[key] = td.Domain
				if ud.Password == "" {
					errs = append(errs, fmt.Errorf("%s: password is required", uwhere))
					continue
				}
			}
			enabled := ud.Enabled == nil || *ud.Enabled
			ud.Enabled = nil
			ud.Roles = slices.Clone(ud.Roles)
			ud.Licenses = slices.Clone(ud.Licenses)
			ud.Privileges = slices.Clone(ud.Privileges)
			ud.Permissions = slices.Clone(ud.Permissions)
			t.users = append(t.users, &user{data: ud, enabled: enabled})
		}
		d.tenants = append(d.tenants, t)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	return d, nil
}

// checkTenant validates one tenant and fills in its defaults.
func checkTenant(td *TenantData) error {
	if td.Domain == "" || td.TenantID == "" {
		return errors.New("domain and tenantId are required")
	}
	switch td.Platform {
	case domain.PlatformMicrosoft:
		if td.Environment == "" {
			td.Environment = domain.AzureEnvironments[0]
		}
		if !slices.Contains(domain.AzureEnvironments, td.Environment) {
			return fmt.Errorf("environment %q is not one of %v", td.Environment, domain.AzureEnvironments)
		}
	case domain.PlatformSalesforce:
		if td.Environment == "" {
			td.Environment = domain.SalesforceEnvironments[0]
		}
		if !slices.Contains(domain.SalesforceEnvironments, td.Environment) {
			return fmt.Errorf("environment %q is not one of %v", td.Environment, domain.SalesforceEnvironments)
		}
	case domain.PlatformGoogle:
		if td.Environment != "" {
			return errors.New("google tenants have no environment")
		}
	default:
		// Amazon accounts are verified with STS, not through this
		// directory.
		return fmt.Errorf("platform %q is not one of microsoft, google, salesforce", td.Platform)
	}
	if td.MultiGeo != (len(td.GeoLocations) > 0) {
		return errors.New("multiGeo tenants list their geoLocations; single-geo tenants list none")
	}
	seen := map[string]bool{}
	for _, g := range td.GeoLocations {
		if g.Code == "" || seen[g.Code] {
			return fmt.Errorf("geo location code %q is empty or repeated", g.Code)
		}
		seen[g.Code] = true
	}
	if td.DisplayName == "" {
		td.DisplayName = td.Domain
	}
	return nil
}

// Version returns a counter that grows with every mutation.
func (d *Directory) Version() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.version
}

// find returns the tenant of platform with domain name, or nil. Callers hold
// the lock.
func (d *Directory) find(platform, name string) *tenant {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, t := range d.tenants {
		if t.data.Platform == platform && t.data.Domain == name {
			return t
		}
	}
	return nil
}

// home finds the tenant where login is a member (not a guest).
func (d *Directory) home(platform, login string) (*tenant, *user) {
	for _, t := range d.tenants {
		if t.data.Platform != platform {
			continue
		}
		if u := t.member(login); u != nil && !u.data.External {
			return t, u
		}
	}
	return nil, nil
}

// member returns the account with login in t (guest or member), or nil.
func (t *tenant) member(login string) *user {
	login = strings.ToLower(strings.TrimSpace(login))
	for _, u := range t.users {
		if u.data.Login == login {
			return u
		}
	}
	return nil
}

func (u *user) hasRole(r string) bool       { return slices.Contains(u.data.Roles, r) }
func (u *user) hasLicense(l string) bool    { return slices.Contains(u.data.Licenses, l) }
func (u *user) hasPermission(p string) bool { return slices.Contains(u.data.Permissions, p) }

func (u *user) displayName() string {
	if u.data.DisplayName != "" {
		return u.data.DisplayName
	}
	return u.data.Login
}

// TenantInfo is what the service learns about a platform tenant when its
// registration is consented.
type TenantInfo struct {
	Platform         string
	Domain           string
	DisplayName      string
	PlatformTenantID string
	Environment      string
	MultiGeo         bool
	GeoLocations     []domain.GeoLocation
	// Containers carry no TenantID: the directory does not know the
	// registration's id; the caller fills it in.
	Containers []domain.Container
	// SharePointAdminCenterURL is derived from the domain (Microsoft only).
	SharePointAdminCenterURL string
	// ConsentUser is the login of the user who consented, normalised.
	ConsentUser string
}

func (t *tenant) info() *TenantInfo {
	i := &TenantInfo{
		Platform:         t.data.Platform,
		Domain:           t.data.Domain,
		DisplayName:      t.data.DisplayName,
		PlatformTenantID: t.data.TenantID,
		Environment:      t.data.Environment,
		MultiGeo:         t.data.MultiGeo,
		GeoLocations:     slices.Clone(t.data.GeoLocations),
		Containers:       t.containers(),
	}
	if t.data.Platform == domain.PlatformMicrosoft {
		i.SharePointAdminCenterURL = domain.DefaultSharePointAdminURL(t.data.Domain, t.data.Environment)
	}
	return i
}

func (t *tenant) containers() []domain.Container {
	out := make([]domain.Container, 0, len(t.data.Containers))
	for _, c := range t.data.Containers {
		out = append(out, domain.Container{ID: c.ID, Name: c.Name, Kind: c.Kind})
	}
	return out
}

// Tenant describes a platform tenant without any consent; ok is false when
// the directory has no such tenant.
func (d *Directory) Tenant(platform, domainName string) (info *TenantInfo, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t := d.find(platform, domainName)
	if t == nil {
		return nil, false
	}
	return t.info(), true
}

// Containers lists the containers of a Microsoft tenant; ok is false when
// the tenant is unknown.
func (d *Directory) Containers(domainName string) (c []domain.Container, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t := d.find(domain.PlatformMicrosoft, domainName)
	if t == nil {
		return nil, false
	}
	return t.containers(), true
}

// GeoLocations lists the geo locations of a multi-geo Microsoft tenant
// (none for a single-geo tenant); ok is false when the tenant is unknown.
func (d *Directory) GeoLocations(domainName string) (g []domain.GeoLocation, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t := d.find(domain.PlatformMicrosoft, domainName)
	if t == nil {
		return nil, false
	}
	return slices.Clone(t.data.GeoLocations), true
}
