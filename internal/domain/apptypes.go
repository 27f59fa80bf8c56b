package domain

import (
	"slices"
	"strings"
)

// Permission kinds of an app profile. They decide which status rules apply:
// only apps that act for a signed-in user (delegated or hybrid) depend on the
// consent user's account and on the tenant's conditional access policies.
const (
	PermissionKindApplication = "application"
	PermissionKindDelegated   = "delegated"
	PermissionKindHybrid      = "hybrid"
)

// PermissionKinds lists every permission kind.
var PermissionKinds = []string{PermissionKindApplication, PermissionKindDelegated, PermissionKindHybrid}

// Consent methods of an app profile.
const (
	ConsentMethodAdmin = "admin"
	ConsentMethodUser  = "user"
)

// ConsentMethods lists the consent methods; the first is the default.
var ConsentMethods = []string{ConsentMethodAdmin, ConsentMethodUser}

// App type slugs that rules refer to by name.
const (
	AppTypeMicrosoft365            = "microsoft_365"
	AppTypeCloudBackupM365         = "cloud_backup_m365"
	AppTypeDelegatedApp            = "delegated_app"
	AppTypeCustomAzureApp          = "custom_azure_app"
	AppTypeCustomAzureAppDelegated = "custom_azure_app_delegated"
)

// AppType describes one kind of app profile a Microsoft tenant can hold.
type AppType struct {
	Slug        string `json:"slug"`
	DisplayName string `json:"displayName"`
	// Services are the product services that use the app, as the console
	// groups them.
	Services       []string `json:"services"`
	PermissionKind string   `json:"permissionKind"`
	// UserConsentAllowed marks the types a non-administrator may consent
	// to for themselves.
	UserConsentAllowed bool `json:"userConsentAllowed"`
	// Custom types are the customer's own Azure app: the profile carries
	// its client id and certificate (and optionally an impersonation user)
	// instead of using one of the service's apps.
	Custom bool `json:"custom"`
}

// appTypes is the catalogue of app types, in the order the console lists
// them: the broad apps first, then the service apps that allow user consent.
var appTypes = []AppType{
	{Slug: AppTypeMicrosoft365, DisplayName: "Microsoft 365 (All permissions)",
		Services: []string{"AvePoint Online Services"}, PermissionKind: PermissionKindApplication},
	{Slug: AppTypeCloudBackupM365, DisplayName: "Cloud Backup for Microsoft 365 (All permissions)",
		Services: []string{"Cloud Backup for Microsoft 365"}, PermissionKind: PermissionKindApplication},
	{Slug: AppTypeDelegatedApp, DisplayName: "Delegated app",
		Services: []string{"Cloud Backup for Microsoft 365"}, PermissionKind: PermissionKindDelegated, UserConsentAllowed: true},
	{Slug: AppTypeCustomAzureApp, DisplayName: "Custom Azure app",
		Services: []string{"AvePoint Online Services"}, PermissionKind: PermissionKindApplication, Custom: true},
	{Slug: AppTypeCustomAzureAppDelegated, DisplayName: "Custom Azure app with delegated permissions",
		Services: []string{"EnPower", "Cloud Governance", "Cloud Backup for IaaS + PaaS", "Policies for Microsoft 365",
			"Insights", "Fly", "MyHub", "tyGraph", "AvePoint Portal Manager"},
		PermissionKind: PermissionKindHybrid, UserConsentAllowed: true, Custom: true},

	{Slug: "insights_m365", DisplayName: "Insights for Microsoft 365",
		Services: []string{"Insights"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "insights_power_platform", DisplayName: "Insights for Power Platform",
		Services: []string{"Insights"}, PermissionKind: PermissionKindHybrid, UserConsentAllowed: true},
	{Slug: "enpower_m365", DisplayName: "EnPower for Microsoft 365",
		Services: []string{"EnPower"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "enpower_power_platform", DisplayName: "EnPower for Power Platform",
		Services: []string{"EnPower"}, PermissionKind: PermissionKindHybrid, UserConsentAllowed: true},
	{Slug: "enpower_teams_calling", DisplayName: "EnPower for Teams Calling",
		Services: []string{"EnPower"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "fly_power_platform", DisplayName: "Fly for Power Platform",
		Services: []string{"Fly"}, PermissionKind: PermissionKindHybrid, UserConsentAllowed: true},
	{Slug: "fly_delegated_app", DisplayName: "Fly Delegated App",
		Services: []string{"Fly"}, PermissionKind: PermissionKindDelegated, UserConsentAllowed: true},
	{Slug: "cloud_backup_azure", DisplayName: "Cloud Backup for Azure",
		Services: []string{"Cloud Backup for IaaS + PaaS"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "cloud_backup_iaas_delegated_app", DisplayName: "Delegated App (Cloud Backup for IaaS + PaaS)",
		Services: []string{"Cloud Backup for IaaS + PaaS"}, PermissionKind: PermissionKindDelegated, UserConsentAllowed: true},
	{Slug: "cloud_backup_azure_devops", DisplayName: "Cloud Backup for Azure DevOps",
		Services: []string{"Cloud Backup for IaaS + PaaS"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "cloud_governance_power_platform", DisplayName: "Cloud Governance for Power Platform",
		Services: []string{"Cloud Governance"}, PermissionKind: PermissionKindHybrid, UserConsentAllowed: true},
	{Slug: "cloud_governance_delegated_app", DisplayName: "Cloud Governance Delegated App",
		Services: []string{"Cloud Governance"}, PermissionKind: PermissionKindDelegated, UserConsentAllowed: true},
	{Slug: "myhub", DisplayName: "MyHub",
		Services: []string{"MyHub"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "tygraph_suite", DisplayName: "tyGraph Suite",
		Services: []string{"tyGraph"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "tygraph_viva_engage", DisplayName: "tyGraph for Viva Engage",
		Services: []string{"tyGraph"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "cloud_backup_express", DisplayName: "Cloud Backup Express",
		Services: []string{"Cloud Backup for Microsoft 365"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "viva_engage", DisplayName: "Viva Engage",
		Services: []string{"Cloud Governance", "Cloud Backup for Microsoft 365"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "dms_online", DisplayName: "Document Management System Online (DMS Online)",
		Services: []string{"Document Management System Online"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "portal_manager", DisplayName: "AvePoint Portal Manager",
		Services: []string{"AvePoint Portal Manager"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
	{Slug: "portal_manager_room", DisplayName: "AvePoint Portal Manager for Room - Terminal Interface View",
		Services: []string{"AvePoint Portal Manager"}, PermissionKind: PermissionKindApplication, UserConsentAllowed: true},
}

// Delegated app functions: the Cloud Backup for Microsoft 365 features that
// run through the Delegated app and can be switched on per profile.
const (
	FunctionRestoreTeamsConversationsAsPosts = "restore_teams_conversations_as_posts"
	FunctionProtectPowerBI                   = "protect_power_bi"
	FunctionProtectPowerAutomatePowerApps    = "protect_power_automate_power_apps"
	FunctionRestorePlannerTaskComments       = "restore_planner_task_comments"
)

// DelegatedAppFunctions lists the functions a Delegated app profile may use.
var DelegatedAppFunctions = []string{
	FunctionRestoreTeamsConversationsAsPosts,
	FunctionProtectPowerBI,
	FunctionProtectPowerAutomatePowerApps,
	FunctionRestorePlannerTaskComments,
}

// AppTypes returns a copy of the catalogue, safe for the caller to modify.
func AppTypes() []AppType {
	out := make([]AppType, len(appTypes))
	for i, t := range appTypes {
		t.Services = slices.Clone(t.Services)
		out[i] = t
	}
	return out
}

// AppTypeBySlug finds an app type; ok is false for an unknown slug.
func AppTypeBySlug(slug string) (t AppType, ok bool) {
	for _, t := range appTypes {
		if t.Slug == slug {
			t.Services = slices.Clone(t.Services)
			return t, true
		}
	}
	return AppType{}, false
}

// AppTypeSlugs lists every app type slug in catalogue order. Schema
// validators and messages are built from it so they cannot drift apart.
func AppTypeSlugs() []string {
	out := make([]string, len(appTypes))
	for i, t := range appTypes {
		out[i] = t.Slug
	}
	return out
}

// UserConsentAppTypeSlugs lists the app types that allow user consent.
func UserConsentAppTypeSlugs() []string {
	var out []string
	for _, t := range appTypes {
		if t.UserConsentAllowed {
			out = append(out, t.Slug)
		}
	}
	return out
}

// AppProfileSpec is the desired state of an app profile after defaults are
// applied and, on update, after the patch is merged onto the stored profile.
// Validating the merged state (rather than the patch) means a patch can never
// produce a combination a create would have refused.
type AppProfileSpec struct {
	Name          string
	TenantID      string
	Type          string
	ConsentMethod string
	Functions     []string
	ClientID      string
	// HasCertificate is true when a certificate is stored or being sent;
	// its content is checked separately by ParseCertificate.
	HasCertificate bool
	// HasCertificatePassword is true when a certificate password is being
	// sent.
	HasCertificatePassword bool
	ImpersonationUser      string
}

// ValidateAppProfile checks a complete desired app profile. The first
// violation is returned; fields are checked in the order a form shows them.
func ValidateAppProfile(p AppProfileSpec) *Error {
	if e := ValidateName("name", p.Name); e != nil {
		return e
	}
	if e := RequiredString("tenantId", p.TenantID); e != nil {
		return e
	}
	t, e := ValidateAppType("type", p.Type)
	if e != nil {
		return e
	}
	if e := ValidateConsentMethod("consentMethod", t, p.ConsentMethod); e != nil {
		return e
	}
	if e := ValidateFunctions("functions", t, p.Functions); e != nil {
		return e
	}
	return ValidateCustomAppFields(t, p)
}

// ValidateAppType checks that slug names an app type and returns it.
func ValidateAppType(field, slug string) (AppType, *Error) {
	if slug == "" {
		return AppType{}, Invalid(CodeRequired, field, "choose an app type: %s", strings.Join(AppTypeSlugs(), ", "))
	}
	t, ok := AppTypeBySlug(slug)
	if !ok {
		return AppType{}, Invalid(CodeInvalidValue, field,
			"%q is not an app type; choose one of: %s", slug, strings.Join(AppTypeSlugs(), ", "))
	}
	return t, nil
}

// ValidateConsentMethod checks the consent method against the app type. An
// empty method means the default, admin consent, which every type allows.
func ValidateConsentMethod(field string, t AppType, method string) *Error {
	if method == "" {
		return nil
	}
	if e := OneOf(field, method, ConsentMethods); e != nil {
		return e
	}
	if method == ConsentMethodUser && !t.UserConsentAllowed {
		return Invalid(CodeUserConsentNotAllowed, field,
			"app type %q needs consent by a Global Administrator; set %s to %q. User consent is offered only for: %s",
			t.Slug, field, ConsentMethodAdmin, strings.Join(UserConsentAppTypeSlugs(), ", "))
	}
	return nil
}

// ValidateFunctions checks the Delegated app functions: only the Delegated
// app type takes them, each must be one of the four known functions, and
// none may repeat (a repeated entry would show as a permanent diff in
// Terraform, since the service stores a set).
func ValidateFunctions(field string, t AppType, fns []string) *Error {
	if len(fns) == 0 {
		return nil
	}
	if t.Slug != AppTypeDelegatedApp {
		return Invalid(CodeFunctionsNotAllowed, field,
			"only the %q app type takes functions; remove %s from this %q profile", AppTypeDelegatedApp, field, t.Slug)
	}
	seen := make(map[string]bool, len(fns))
	for i, f := range fns {
		item := indexed(field, i)
		if !slices.Contains(DelegatedAppFunctions, f) {
			return Invalid(CodeInvalidValue, item,
				"%q is not a Delegated app function; choose from: %s", f, strings.Join(DelegatedAppFunctions, ", "))
		}
		if seen[f] {
			return Invalid(CodeDuplicateValue, item, "function %q is listed twice; list each function once", f)
		}
		seen[f] = true
	}
	return nil
}

// ValidateCustomAppFields checks the fields that belong to custom Azure app
// types: those types need the app's client id and a certificate, and may
// name an impersonation user; every other type uses the service's own app,
// so sending any of these fields is a mistake worth reporting.
func ValidateCustomAppFields(t AppType, p AppProfileSpec) *Error {
	if !t.Custom {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"clientId", p.ClientID != ""},
			{"certificate", p.HasCertificate},
			{"certificatePassword", p.HasCertificatePassword},
			{"impersonationUser", p.ImpersonationUser != ""},
		} {
			if f.set {
				return Invalid(CodeFieldNotAllowed, f.name,
					"%s applies only to the custom Azure app types (%s, %s); remove it from this %q profile",
					f.name, AppTypeCustomAzureApp, AppTypeCustomAzureAppDelegated, t.Slug)
			}
		}
		return nil
	}
	if p.ClientID == "" {
		return Invalid(CodeRequired, "clientId",
			"a %q profile needs clientId: the Application (client) ID of your Azure app", t.Slug)
	}
	if e := ValidateGUID("clientId", p.ClientID); e != nil {
		return e
	}
	if !p.HasCertificate {
		return Invalid(CodeRequired, "certificate",
			"a %q profile needs the certificate registered on your Azure app, with its private key (PEM or base64 PFX)", t.Slug)
	}
	if p.ImpersonationUser != "" {
		if e := ValidateUPN("impersonationUser", p.ImpersonationUser); e != nil {
			return e
		}
	}
	return nil
}

// AppProfileSpecFromWrite builds the desired state of a new profile from a
// create body, applying the default consent method.
func AppProfileSpecFromWrite(w *AppProfileWrite) AppProfileSpec {
	s := AppProfileSpec{
		Name:                   deref(w.Name),
		TenantID:               deref(w.TenantID),
		Type:                   deref(w.Type),
		ConsentMethod:          deref(w.ConsentMethod),
		ClientID:               deref(w.ClientID),
		HasCertificate:         deref(w.Certificate) != "",
		HasCertificatePassword: deref(w.CertificatePassword) != "",
		ImpersonationUser:      deref(w.ImpersonationUser),
	}
	if s.ConsentMethod == "" {
		s.ConsentMethod = ConsentMethodAdmin
	}
	if w.Functions != nil {
		s.Functions = slices.Clone(*w.Functions)
	}
	return s
}

// ValidateAppProfileCreate checks a create body.
func ValidateAppProfileCreate(w *AppProfileWrite) *Error {
	return ValidateAppProfile(AppProfileSpecFromWrite(w))
}

// MergeAppProfile applies a patch to a stored profile and returns the
// desired state. hasStoredCertificate tells whether the stored profile has a
// certificate, which the profile itself does not carry. Sending an empty
// string clears optional text fields.
func MergeAppProfile(stored *AppProfile, hasStoredCertificate bool, w *AppProfileWrite) AppProfileSpec {
	s := AppProfileSpec{
		Name:              stored.Name,
		TenantID:          stored.TenantID,
		Type:              stored.Type,
		ConsentMethod:     stored.ConsentMethod,
		Functions:         slices.Clone(stored.Functions),
		ClientID:          stored.ClientID,
		HasCertificate:    hasStoredCertificate,
		ImpersonationUser: stored.ImpersonationUser,
	}
	if w.Name != nil {
		s.Name = *w.Name
	}
	if w.TenantID != nil {
		s.TenantID = *w.TenantID
	}
	if w.Type != nil {
		s.Type = *w.Type
	}
	if w.ConsentMethod != nil {
		s.ConsentMethod = *w.ConsentMethod
	}
	if s.ConsentMethod == "" {
		s.ConsentMethod = ConsentMethodAdmin
	}
	if w.Functions != nil {
		s.Functions = slices.Clone(*w.Functions)
	}
	if w.ClientID != nil {
		s.ClientID = *w.ClientID
	}
	if w.Certificate != nil {
		s.HasCertificate = *w.Certificate != ""
	}
	if w.CertificatePassword != nil {
		s.HasCertificatePassword = *w.CertificatePassword != ""
	}
	if w.ImpersonationUser != nil {
		s.ImpersonationUser = *w.ImpersonationUser
	}
	return s
}

// ValidateAppProfilePatch checks a patch against the stored profile: the
// tenant and type are fixed for the life of a profile (another tenant or
// type is another app registration), and the merged state must be valid.
func ValidateAppProfilePatch(stored *AppProfile, hasStoredCertificate bool, w *AppProfileWrite) *Error {
	if w.TenantID != nil && *w.TenantID != stored.TenantID {
		return Invalid(CodeInvalidValue, "tenantId",
			"the tenant of an app profile cannot change; create a new profile for the other tenant")
	}
	if w.Type != nil && *w.Type != stored.Type {
		return Invalid(CodeInvalidValue, "type",
			"the type of an app profile cannot change; create a new profile of type %q", *w.Type)
	}
	return ValidateAppProfile(MergeAppProfile(stored, hasStoredCertificate, w))
}

// NeedsReauthorization tells whether a patch invalidates the existing
// consent: a different Azure app, a different certificate, other Delegated
// app functions or another consent method all need the consent flow to run
// again. newCert is the parsed certificate of the patch (nil when none was
// sent); sending the same certificate again (as a Terraform write-only
// version bump may do) keeps the consent.
func NeedsReauthorization(stored *AppProfile, w *AppProfileWrite, newCert *CertificateInfo) bool {
	switch {
	case w.ClientID != nil && *w.ClientID != stored.ClientID:
		return true
	case newCert != nil && newCert.Thumbprint != stored.CertificateThumbprint:
		return true
	case w.ConsentMethod != nil && *w.ConsentMethod != stored.ConsentMethod:
		return true
	case w.Functions != nil && !sameSet(*w.Functions, stored.Functions):
		return true
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
