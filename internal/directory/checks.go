package directory

import (
	"crypto/subtle"
	"slices"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// platformNames are the platforms as people call them, for messages.
var platformNames = map[string]string{
	domain.PlatformMicrosoft:  "Microsoft 365",
	domain.PlatformGoogle:     "Google Workspace",
	domain.PlatformSalesforce: "Salesforce",
}

// SignedIn is the account that passed SignIn.
type SignedIn struct {
	Login       string
	DisplayName string
	// HomeDomain is the tenant the account belongs to.
	HomeDomain string
}

// SignIn checks a login and password the way the platform's sign-in page
// would, before any consent rule is looked at. Guests sign in with the
// credentials of their home account. Unknown logins and wrong passwords get
// the same answer, as real sign-in pages give, so the page cannot be used to
// find out which accounts exist.
func (d *Directory) SignIn(platform, login, password string) (*SignedIn, *domain.Error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, u := d.home(platform, login)
	if u == nil {
		// A guest whose home tenant is not in the directory signs in with
		// the password kept on the guest account, if any.
		t, u = d.guestWithPassword(platform, login)
	}
	if u == nil || !secretEqual(u.data.Password, password) {
		return nil, domain.Invalid(domain.CodeSignInFailed, "login",
			"the login or password is wrong; check both and sign in again")
	}
	if !u.enabled {
		return nil, domain.Invalid(domain.CodeConsentUserDisabled, "login",
			"the account %s is disabled in %s; ask an administrator to enable it or sign in with another account",
			u.data.Login, t.data.Domain)
	}
	return &SignedIn{Login: u.data.Login, DisplayName: u.displayName(), HomeDomain: t.data.Domain}, nil
}

func (d *Directory) guestWithPassword(platform, login string) (*tenant, *user) {
	for _, t := range d.tenants {
		if t.data.Platform != platform {
			continue
		}
		if u := t.member(login); u != nil && u.data.Password != "" {
			return t, u
		}
	}
	return nil, nil
}

// secretEqual compares secrets in constant time. An empty stored secret
// never matches, so an account without an app password cannot be validated
// with an empty one.
func secretEqual(stored, given string) bool {
	return stored != "" && subtle.ConstantTimeCompare([]byte(stored), []byte(given)) == 1
}

// tenantFor finds the tenant a registration names, refusing an unknown one.
func (d *Directory) tenantFor(platform, domainName string) (*tenant, *domain.Error) {
	t := d.find(platform, domainName)
	if t == nil {
		return nil, domain.Invalid(domain.CodePlatformTenantUnknown, "domain",
			"no %s tenant with the domain %q exists; check the domain (for Microsoft 365, the initial onmicrosoft domain)",
			platformNames[platform], domainName)
	}
	return t, nil
}

// consentingUser finds the account of t that is consenting and applies the
// rules common to every platform: the account must be a member of that same
// tenant (not a guest, not an account of another tenant) and enabled.
func (d *Directory) consentingUser(t *tenant, login string) (*user, *domain.Error) {
	u := t.member(login)
	if u == nil {
		if home, _ := d.home(t.data.Platform, login); home != nil {
			return nil, domain.Invalid(domain.CodeConsentUserWrongTenant, "login",
				"%s belongs to %s, not to %s; sign in with an account of %s",
				login, home.data.Domain, t.data.Domain, t.data.Domain)
		}
		return nil, domain.Invalid(domain.CodeConsentUserUnknown, "login",
			"%s is not an account of %s; sign in with an account of that tenant", login, t.data.Domain)
	}
	if u.data.External {
		return nil, domain.Invalid(domain.CodeConsentUserExternal, "login",
			"%s is a guest in %s (its home tenant is %s) and guests cannot consent; sign in with an account that belongs to %s",
			u.data.Login, t.data.Domain, u.data.HomeDomain, t.data.Domain)
	}
	if !u.enabled {
		return nil, domain.Invalid(domain.CodeConsentUserDisabled, "login",
			"the account %s is disabled; enable it or sign in with another account of %s", u.data.Login, t.data.Domain)
	}
	return u, nil
}

// checkEnvironment compares the environment a registration asked for with
// the tenant's real one. An empty environment means the default.
func checkEnvironment(t *tenant, environment string) *domain.Error {
	var allowed []string
	switch t.data.Platform {
	case domain.PlatformMicrosoft:
		allowed = domain.AzureEnvironments
	case domain.PlatformSalesforce:
		allowed = domain.SalesforceEnvironments
	default:
		return nil
	}
	if environment == "" {
		environment = allowed[0]
	}
	if e := domain.OneOf("environment", environment, allowed); e != nil {
		return e
	}
	if environment != t.data.Environment {
		return domain.Invalid(domain.CodeEnvironmentMismatch, "environment",
			"%s is a %s %s tenant, not %s; set environment to %q",
			t.data.Domain, t.data.Environment, platformNames[t.data.Platform], environment, t.data.Environment)
	}
	return nil
}

// CheckTenantConsent applies the consent rules of a tenant registration for
// the user login, who has already passed SignIn, and describes the tenant.
func (d *Directory) CheckTenantConsent(platform, domainName, environment, login string) (*TenantInfo, *domain.Error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if _, ok := platformNames[platform]; !ok {
		return nil, domain.Invalid(domain.CodePlatformNotSupported, "platform",
			"consent applies to microsoft, google and salesforce tenants; %q tenants are verified differently", platform)
	}
	t, e := d.tenantFor(platform, domainName)
	if e != nil {
		return nil, e
	}
	if e := checkEnvironment(t, environment); e != nil {
		return nil, e
	}
	// The Google app is a property of the tenant; without it no account
	// can consent, so it is reported before anything about the user.
	if platform == domain.PlatformGoogle && !t.data.TenantManagementAppInstalled {
		return nil, domain.Invalid(domain.CodeGoogleAppNotInstalled, "domain",
			"the Tenant Management app is not installed in %s; install it from the Google Workspace Marketplace link on the connect page, then consent again",
			t.data.Domain)
	}
	u, e := d.consentingUser(t, login)
	if e != nil {
		return nil, e
	}
	switch platform {
	case domain.PlatformMicrosoft:
		if !u.hasRole(RoleGlobalAdministrator) {
			return nil, domain.Invalid(domain.CodeConsentUserNotAdmin, "login",
				"%s is not a Global Administrator of %s; connecting the tenant needs consent by a Global Administrator of that tenant",
				u.data.Login, t.data.Domain)
		}
	case domain.PlatformGoogle:
		if e := checkGooglePrivileges(u); e != nil {
			return nil, e
		}
	case domain.PlatformSalesforce:
		if e := checkSalesforceUser(t, u); e != nil {
			return nil, e
		}
	}
	info := t.info()
	info.ConsentUser = u.data.Login
	return info, nil
}

func checkGooglePrivileges(u *user) *domain.Error {
	if u.hasRole(GoogleRoleSuperAdmin) {
		return nil
	}
	var missing []string
	for _, p := range GoogleConsentPrivileges {
		if !slices.Contains(u.data.Privileges, p) {
			missing = append(missing, googlePrivilegeNames[p])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return domain.Invalid(domain.CodeGooglePrivilegesMissing, "login",
		"%s lacks the admin privileges %s; grant them in the Google Admin console (or use a super administrator) and consent again",
		u.data.Login, strings.Join(missing, ", "))
}

func checkSalesforceUser(t *tenant, u *user) *domain.Error {
	if u.data.Profile != ProfileSystemAdministrator {
		var missing []string
		for _, p := range SystemAdministratorPermissions {
			if !u.hasPermission(p) {
				missing = append(missing, salesforcePermissionNames[p])
			}
		}
		if len(missing) > 0 {
			profile := u.data.Profile
			if profile == "" {
				profile = "(none)"
			}
			return domain.Invalid(domain.CodeSalesforceProfileMissing, "login",
				"%s has the profile %q, which lacks System Administrator permissions (%s); sign in as a user with the System Administrator profile or a profile that includes its permissions",
				u.data.Login, profile, strings.Join(missing, ", "))
		}
	}
	if t.data.TenantAppInstalled {
		return nil
	}
	if t.data.APIAccessControl && !u.hasPermission(PermissionUseAnyAPIClient) {
		return domain.Invalid(domain.CodeSalesforceUninstalledApp, "login",
			"API Access Control is on in %s, so only users with the %q permission may use the tenant app before it is installed; grant %s that permission or install the tenant app, then consent again",
			t.data.Domain, salesforcePermissionNames[PermissionUseAnyAPIClient], u.data.Login)
	}
	if !t.data.APIAccessControl && !u.hasPermission(PermissionApproveUninstalledApps) {
		return domain.Invalid(domain.CodeSalesforceUninstalledApp, "login",
			"the tenant app is not installed in %s, so the consenting user needs the %q permission; grant it to %s or install the tenant app, then consent again",
			t.data.Domain, salesforcePermissionNames[PermissionApproveUninstalledApps], u.data.Login)
	}
	return nil
}

// ConsentResult is the outcome of an accepted app profile consent.
type ConsentResult struct {
	ConsentUser      string
	PlatformTenantID string
	// Reason is empty when the profile is usable right away, otherwise one
	// of the domain.Reason* values saying why it is invalid from the start.
	Reason string
}

// Invalid reports whether the consented profile is invalid immediately.
func (r *ConsentResult) Invalid() bool { return r.Reason != "" }

// CheckAppConsent applies the consent rules of an app profile of a
// Microsoft tenant. Admin consent needs a Global Administrator of that
// tenant; user consent any enabled member. For apps with delegated
// permissions the result also tells whether the tenant's conditional access
// blocks the service's IP address, which makes the profile invalid although
// consent succeeded.
//
// consentID names the consented object (the app profile id). The user's
// state is remembered for that object alone, so that
// EvaluateDelegatedConsent judges each profile against its own consent:
// a later consent to another profile by the same user does not hide a
// change made in between. A new consent to the same object replaces the
// earlier one, whoever gave it.
func (d *Directory) CheckAppConsent(consentID, domainName, login, consentMethod, permissionKind string) (*ConsentResult, *domain.Error) {
	if consentMethod == "" {
		consentMethod = domain.ConsentMethodAdmin
	}
	if e := domain.OneOf("consentMethod", consentMethod, domain.ConsentMethods); e != nil {
		return nil, e
	}
	if e := domain.OneOf("permissionKind", permissionKind, domain.PermissionKinds); e != nil {
		return nil, e
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, e := d.tenantFor(domain.PlatformMicrosoft, domainName)
	if e != nil {
		return nil, e
	}
	u, e := d.consentingUser(t, login)
	if e != nil {
		return nil, e
	}
	if consentMethod == domain.ConsentMethodAdmin && !u.hasRole(RoleGlobalAdministrator) {
		return nil, domain.Invalid(domain.CodeConsentUserNotAdmin, "login",
			"%s is not a Global Administrator of %s; admin consent needs one (user consent, where the app type allows it, does not)",
			u.data.Login, t.data.Domain)
	}
	// One object has one consent at a time: a new consent replaces the
	// earlier one, whoever gave it.
	k := userKey{t.data.Domain, u.data.Login}
	d.consents[consentID] = snapshotOf(k, u)
	r := &ConsentResult{ConsentUser: u.data.Login, PlatformTenantID: t.data.TenantID}
	if delegated(permissionKind) && t.data.ConditionalAccessBlocksServiceIP {
		r.Reason = domain.ReasonConditionalAccess
	}
	return r, nil
}

func delegated(kind string) bool {
	return kind == domain.PermissionKindDelegated || kind == domain.PermissionKindHybrid
}

// EvaluateDelegatedConsent re-checks the consent login gave to the
// delegated or hybrid app profile consentID (as passed to
// CheckAppConsent) and returns why it no longer works, or "" when it
// does. The consent user's account being removed, disabled or given a new
// password since that consent makes it unavailable; MFA turned on since
// then needs a new consent; a conditional access policy that blocks the
// service's IP address stops it until the policy is fixed, after which the
// profile works again without a new consent.
//
// When the directory has no snapshot of that consent (the process
// restarted since, as snapshots are kept in memory only), the current state
// becomes the baseline, so only the conditions visible without history are
// reported.
func (d *Directory) EvaluateDelegatedConsent(consentID, domainName, login string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.find(domain.PlatformMicrosoft, domainName)
	if t == nil {
		return domain.ReasonUserUnavailable
	}
	u := t.member(login)
	if u == nil || u.data.External || !u.enabled {
		return domain.ReasonUserUnavailable
	}
	k := userKey{t.data.Domain, u.data.Login}
	snap, ok := d.snapshot(k, consentID)
	if !ok {
		snap = snapshotOf(k, u)
		d.consents[consentID] = snap
	}
	switch {
	case u.credentialGen != snap.credentialGen:
		return domain.ReasonUserUnavailable
	case u.mfaGen != snap.mfaGen:
		return domain.ReasonMfaEnabled
	case t.data.ConditionalAccessBlocksServiceIP:
		return domain.ReasonConditionalAccess
	}
	return ""
}

// ForgetConsent drops what the directory remembers of the consent to the
// object consentID, for when the app profile is deleted; otherwise its
// snapshot would stay until the process ends. It does not bump Version: no
// other consent's evaluation changes.
func (d *Directory) ForgetConsent(consentID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.consents, consentID)
}

// PartnerConsentInfo describes the tenant a partner app profile was
// consented in.
type PartnerConsentInfo struct {
	Domain           string
	DisplayName      string
	PlatformTenantID string
	ConsentUser      string
}

// partnerClouds maps a partner app profile's cloud to the Azure environment
// of the tenants that may consent to it.
var partnerClouds = map[string]string{
	"global":        "commercial",
	"us_government": "us_government",
}

// CheckPartnerConsent applies the consent rules of a partner app profile: a
// Global Administrator of a tenant in the profile's cloud.
func (d *Directory) CheckPartnerConsent(cloud, login string) (*PartnerConsentInfo, *domain.Error) {
	if e := domain.OneOf("cloud", cloud, domain.PartnerClouds); e != nil {
		return nil, e
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, u := d.home(domain.PlatformMicrosoft, login)
	if u == nil {
		return nil, domain.Invalid(domain.CodeConsentUserUnknown, "login",
			"%s is not a Microsoft 365 account; sign in with a Global Administrator account", login)
	}
	if !u.enabled {
		return nil, domain.Invalid(domain.CodeConsentUserDisabled, "login",
			"the account %s is disabled; enable it or sign in with another Global Administrator", u.data.Login)
	}
	if want := partnerClouds[cloud]; t.data.Environment != want {
		// Suggest the cloud that matches the account's own tenant.
		suggested := "global"
		if t.data.Environment == "us_government" {
			suggested = "us_government"
		}
		return nil, domain.Invalid(domain.CodeEnvironmentMismatch, "cloud",
			"%s belongs to %s, a %s tenant, but the profile's cloud is %q; sign in with an account of a %s tenant or create the profile with cloud %q",
			u.data.Login, t.data.Domain, t.data.Environment, cloud, want, suggested)
	}
	if !u.hasRole(RoleGlobalAdministrator) {
		return nil, domain.Invalid(domain.CodeConsentUserNotAdmin, "login",
			"%s is not a Global Administrator of %s; a partner app profile needs consent by a Global Administrator",
			u.data.Login, t.data.Domain)
	}
	return &PartnerConsentInfo{Domain: t.data.Domain, DisplayName: t.data.DisplayName,
		PlatformTenantID: t.data.TenantID, ConsentUser: u.data.Login}, nil
}

// ServiceAccountInfo is what a successful service account validation
// learns about the account.
type ServiceAccountInfo struct {
	DisplayName string
	// UserRole is the account's most privileged role as the console shows
	// it; blank for accounts with MFA, whose role the platform's API does
	// not reveal to this kind of sign-in.
	UserRole string
	// MFA is true when the account has multi-factor authentication on.
	MFA bool
}

// Role names as the console shows them.
const (
	RoleNameGlobalAdministrator     = "Global Administrator"
	RoleNameSharePointAdministrator = "SharePoint Administrator"
	RoleNameUser                    = "User"
)

// ValidateServiceAccount runs the validation test of a Microsoft 365 service
// account profile against the directory. A normal profile signs in with the
// password, which fails for accounts with MFA and in tenants whose access
// policies block apps without modern authentication. A classic MFA profile
// signs in with an app password and must use a Global or SharePoint
// Administrator.
func (d *Directory) ValidateServiceAccount(domainName, username, password string, mfa bool, appPassword string) (*ServiceAccountInfo, *domain.Error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, e := d.tenantFor(domain.PlatformMicrosoft, domainName)
	if e != nil {
		return nil, e
	}
	u := t.member(username)
	switch {
	case u == nil:
		return nil, domain.Invalid(domain.CodeServiceAccountUnknown, "username",
			"%s is not an account of %s; enter the user principal name of an account of this tenant", username, t.data.Domain)
	case u.data.External:
		return nil, domain.Invalid(domain.CodeServiceAccountUnknown, "username",
			"%s is a guest in %s; a service account must belong to the tenant itself", u.data.Login, t.data.Domain)
	case !u.enabled:
		return nil, domain.Invalid(domain.CodeServiceAccountDisabled, "username",
			"the account %s is blocked from signing in; enable it or choose another account", u.data.Login)
	}
	info := &ServiceAccountInfo{DisplayName: u.displayName(), MFA: u.data.MFAEnabled, UserRole: roleName(u)}
	if u.data.MFAEnabled {
		info.UserRole = ""
	}

	if mfa {
		if !u.hasRole(RoleGlobalAdministrator) && !u.hasRole(RoleSharePointAdministrator) {
			return nil, domain.Invalid(domain.CodeServiceAccountRole, "username",
				"%s is neither a Global Administrator nor a SharePoint Administrator; an MFA profile needs one of these roles",
				u.data.Login)
		}
		if !secretEqual(u.data.AppPassword, appPassword) {
			return nil, domain.Invalid(domain.CodeWrongPassword, "appPassword",
				"the app password is not accepted for %s; create a new app password for the account in Microsoft 365 and enter it",
				u.data.Login)
		}
		return info, nil
	}

	if u.data.MFAEnabled {
		return nil, domain.Invalid(domain.CodeMfaEnabled, "username",
			"%s has multi-factor authentication turned on, which password validation cannot pass; use an account without MFA, or a classic MFA profile (mfa = true) with an app password",
			u.data.Login)
	}
	if t.data.LegacyAuthBlocked {
		return nil, domain.Invalid(domain.CodeAccessPolicyBlocked, "username",
			"the access policies of %s block sign-in by apps that do not use modern authentication, so the account cannot be validated; allow such apps for this account (SharePoint admin center access control or the blocking conditional access policy) and validate again",
			t.data.Domain)
	}
	if !secretEqual(u.data.Password, password) {
		return nil, domain.Invalid(domain.CodeWrongPassword, "password",
			"Microsoft 365 does not accept this password for %s; check it, and if it works in the browser, change the password in Microsoft 365 and enter the new one",
			u.data.Login)
	}
	return info, nil
}

func roleName(u *user) string {
	switch {
	case u.hasRole(RoleGlobalAdministrator):
		return RoleNameGlobalAdministrator
	case u.hasRole(RoleSharePointAdministrator):
		return RoleNameSharePointAdministrator
	}
	return RoleNameUser
}

// CheckImpersonationUser checks the user a custom app profile's migration
// connection impersonates: an account of the tenant with an Exchange Online
// license, since impersonation works through the user's mailbox. field is
// the request path of the argument being checked.
func (d *Directory) CheckImpersonationUser(field, domainName, login string) *domain.Error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, e := d.tenantFor(domain.PlatformMicrosoft, domainName)
	if e != nil {
		return e
	}
	u := t.member(login)
	if u == nil || u.data.External {
		return domain.Invalid(domain.CodeImpersonationUserUnknown, field,
			"%s is not an account of %s; choose a user of the tenant with an Exchange Online license", login, t.data.Domain)
	}
	if !u.hasLicense(LicenseExchangeOnline) {
		return domain.Invalid(domain.CodeImpersonationUnlicensed, field,
			"%s has no Exchange Online license; assign one in Microsoft 365 or choose a licensed user", u.data.Login)
	}
	return nil
}
