// Package domain holds the registration API's objects, their enumerations and
// the product rules that can be checked without storage or a platform
// directory. The HTTP layer (internal/server) and the Terraform provider's
// client (internal/client) both speak these shapes.
package domain

import "time"

// Platforms a tenant registration can belong to.
const (
	PlatformMicrosoft  = "microsoft"
	PlatformGoogle     = "google"
	PlatformSalesforce = "salesforce"
	PlatformAmazon     = "amazon"
)

// Platforms lists every platform, in documentation order.
var Platforms = []string{PlatformMicrosoft, PlatformGoogle, PlatformSalesforce, PlatformAmazon}

// Environments per platform. The first entry is the default.
var (
	AzureEnvironments      = []string{"commercial", "us_government"}
	SalesforceEnvironments = []string{"production", "sandbox"}
	AmazonEnvironments     = []string{"commercial", "gov", "china"}
	PartnerClouds          = []string{"global", "us_government"}
)

// Tenant states.
const (
	StatusPendingConsent = "pending_consent"
	StatusConnected      = "connected"
	StatusInvalid        = "invalid"
)

// App profile and partner app profile states.
const (
	StatusActive               = "active"
	StatusAuthorizationExpired = "authorization_expired"
)

// Service account profile states.
const (
	StatusValid = "valid"
)

// Tenant is one registration of a customer's cloud tenant.
type Tenant struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Platform string `json:"platform"`
	// Domain names the platform tenant to connect: the onmicrosoft.com (or
	// onmicrosoft.us) domain, the Google Workspace primary domain or the
	// Salesforce My Domain. Consent by a user of any other tenant is refused.
	// Empty for Amazon, where the account is found from the role.
	Domain      string `json:"domain,omitempty"`
	Environment string `json:"environment"`
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	ConsentURL  string `json:"consentUrl,omitempty"`
	ConsentUser string `json:"consentUser,omitempty"`
	// SharePointAdminCenterURL is set from the tenant domain on connect and
	// may be edited afterwards (Microsoft only).
	SharePointAdminCenterURL string `json:"sharePointAdminCenterUrl,omitempty"`
	MultiGeo                 bool   `json:"multiGeo"`
	// PermissionsVersion is the platform permission-set version the tenant
	// was last connected with; ReconnectRecommended is true when the service
	// requires a newer one.
	PermissionsVersion   int  `json:"permissionsVersion"`
	ReconnectRecommended bool `json:"reconnectRecommended"`
	// Amazon only.
	Amazon *AmazonTenant `json:"amazon,omitempty"`

	CreatedTime  time.Time `json:"createdTime"`
	ModifiedTime time.Time `json:"modifiedTime"`
}

// AmazonTenant carries what the provider needs to create the IAM role and
// what the service learned when it verified the role.
type AmazonTenant struct {
	RoleName   string `json:"roleName"`
	ExternalID string `json:"externalId"`
	// ServicePrincipal is the AWS principal (account root ARN) the role's
	// trust policy must name.
	ServicePrincipal string `json:"servicePrincipal"`
	RoleARN          string `json:"roleArn,omitempty"`
	AccountID        string `json:"accountId,omitempty"`
	AccountAlias     string `json:"accountAlias,omitempty"`
}

// TenantCreate is the body of POST /v1/tenants.
type TenantCreate struct {
	Platform    string `json:"platform"`
	Domain      string `json:"domain,omitempty"`
	Environment string `json:"environment,omitempty"`
	// RoleName (Amazon) defaults to AWSTenantAdminRole.
	RoleName string `json:"roleName,omitempty"`
	// SharePointAdminCenterURL (Microsoft) overrides the URL derived from
	// the domain on connect.
	SharePointAdminCenterURL string `json:"sharePointAdminCenterUrl,omitempty"`
}

// DefaultAmazonRoleName is the role created in the customer's account when
// no name is given.
const DefaultAmazonRoleName = "AWSTenantAdminRole"

// TenantPatch is the body of PATCH /v1/tenants/{id}. Only the SharePoint
// admin center URL is editable; everything else needs a new registration.
type TenantPatch struct {
	SharePointAdminCenterURL *string `json:"sharePointAdminCenterUrl,omitempty"`
}

// AmazonVerify is the body of POST /v1/tenants/{id}/validate for Amazon
// tenants: the role the provider created, which the service assumes.
type AmazonVerify struct {
	RoleARN      string `json:"roleArn" text:"arn"`
	AccountAlias string `json:"accountAlias,omitempty"`
	// PermissionsVersion is the version of the permission set whose policy
	// documents the caller put in the role.
	PermissionsVersion int `json:"permissionsVersion,omitempty"`
}

// PermissionSet is what a platform's registration needs, versioned: a bump
// marks connected tenants reconnectRecommended.
type PermissionSet struct {
	Platform string `json:"platform"`
	Version  int    `json:"version"`
	// AdminRequirement says, in words, who can consent.
	AdminRequirement string   `json:"adminRequirement"`
	Permissions      []string `json:"permissions"`
	// Policies (Amazon) are the IAM policy documents the role needs.
	Policies []PolicyDocument `json:"policies,omitempty"`
	// ConfiguringUserActions (Amazon) are the IAM actions the configuring IAM
	// user needs.
	ConfiguringUserActions []string `json:"configuringUserActions,omitempty"`
}

// PolicyDocument is one managed policy the Amazon role needs.
type PolicyDocument struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// AppProfile is a consented app in a Microsoft tenant.
type AppProfile struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	TenantID       string   `json:"tenantId"`
	Type           string   `json:"type"`
	PermissionKind string   `json:"permissionKind"`
	ConsentMethod  string   `json:"consentMethod"`
	Functions      []string `json:"functions,omitempty"`
	// Custom Azure app types only.
	ClientID              string     `json:"clientId,omitempty"`
	CertificateThumbprint string     `json:"certificateThumbprint,omitempty"`
	CertificateExpires    *time.Time `json:"certificateExpires,omitempty"`
	CertificateVersion    int        `json:"certificateVersion,omitempty"`
	ImpersonationUser     string     `json:"impersonationUser,omitempty"`
	Status                string     `json:"status"`
	Reason                string     `json:"reason,omitempty"`
	ConsentURL            string     `json:"consentUrl,omitempty"`
	ConsentUser           string     `json:"consentUser,omitempty"`
	CreatedTime           time.Time  `json:"createdTime"`
	ModifiedTime          time.Time  `json:"modifiedTime"`
}

// Reasons an app profile is invalid.
const (
	ReasonConditionalAccess = "conditional_access_ip"
	ReasonMfaEnabled        = "consent_user_mfa_enabled"
	ReasonUserUnavailable   = "consent_user_unavailable"
)

// AppProfileWrite is the body of POST and PATCH /v1/app-profiles. On PATCH
// absent fields keep their value; tenantId and type cannot change.
type AppProfileWrite struct {
	Name          *string   `json:"name,omitempty"`
	TenantID      *string   `json:"tenantId,omitempty"`
	Type          *string   `json:"type,omitempty"`
	ConsentMethod *string   `json:"consentMethod,omitempty"`
	Functions     *[]string `json:"functions,omitempty"`
	ClientID      *string   `json:"clientId,omitempty"`
	// Certificate is PEM (certificate and key) or base64 PKCS#12; it is
	// stored encrypted and never returned.
	Certificate         *string `json:"certificate,omitempty" text:"pem"`
	CertificatePassword *string `json:"certificatePassword,omitempty"`
	ImpersonationUser   *string `json:"impersonationUser,omitempty"`
}

// PartnerAppProfile is a reseller-side app profile.
type PartnerAppProfile struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Cloud        string    `json:"cloud"`
	Status       string    `json:"status"`
	ConsentURL   string    `json:"consentUrl,omitempty"`
	ConsentUser  string    `json:"consentUser,omitempty"`
	Domain       string    `json:"domain,omitempty"`
	CreatedTime  time.Time `json:"createdTime"`
	ModifiedTime time.Time `json:"modifiedTime"`
}

// PartnerAppProfileWrite is the body of POST and PATCH
// /v1/partner-app-profiles; cloud cannot change.
type PartnerAppProfileWrite struct {
	Name  *string `json:"name,omitempty"`
	Cloud *string `json:"cloud,omitempty"`
}

// PartnerUser is a Microsoft 365 user or group added as a system user
// through a partner app profile. While any exist, the profile cannot be
// deleted.
type PartnerUser struct {
	ID                  string    `json:"id"`
	PartnerAppProfileID string    `json:"partnerAppProfileId"`
	Principal           string    `json:"principal"`
	Kind                string    `json:"kind"`
	CreatedTime         time.Time `json:"createdTime"`
}

// PartnerUserWrite is the body of POST
// /v1/partner-app-profiles/{id}/users. Principal is a user principal name,
// a mail address or an object id (ValidatePartnerPrincipal); Kind defaults
// to "user".
type PartnerUserWrite struct {
	Principal string `json:"principal"`
	Kind      string `json:"kind,omitempty"`
}

// ServiceAccount is a Microsoft 365 service account profile.
type ServiceAccount struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	TenantID    string   `json:"tenantId"`
	Services    []string `json:"services"`
	Username    string   `json:"username"`
	// Mfa marks a classic MFA profile: it authenticates with an app password
	// and needs SharePointAdminCenterURL.
	Mfa                      bool   `json:"mfa"`
	SharePointAdminCenterURL string `json:"sharePointAdminCenterUrl,omitempty"`
	UserRole                 string `json:"userRole,omitempty"`
	// SecretFingerprint changes whenever the stored password (or app
	// password) changes, so drift is visible without the secret.
	SecretFingerprint string    `json:"secretFingerprint"`
	SecretVersion     int       `json:"secretVersion"`
	Status            string    `json:"status"`
	Reason            string    `json:"reason,omitempty"`
	LastValidated     time.Time `json:"lastValidated"`
	CreatedTime       time.Time `json:"createdTime"`
	ModifiedTime      time.Time `json:"modifiedTime"`
}

// ServiceAccountWrite is the body of POST and PATCH /v1/service-accounts.
type ServiceAccountWrite struct {
	Name                     *string   `json:"name,omitempty"`
	Description              *string   `json:"description,omitempty" text:"description"`
	TenantID                 *string   `json:"tenantId,omitempty"`
	Services                 *[]string `json:"services,omitempty"`
	Username                 *string   `json:"username,omitempty"`
	Password                 *string   `json:"password,omitempty"`
	Mfa                      *bool     `json:"mfa,omitempty"`
	AppPassword              *string   `json:"appPassword,omitempty"`
	SharePointAdminCenterURL *string   `json:"sharePointAdminCenterUrl,omitempty"`
}

// Connection is a migration connection.
type Connection struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	TenantID    string `json:"tenantId"`
	GeoLocation string `json:"geoLocation,omitempty"`
	ContainerID string `json:"containerId,omitempty"`
	// AppProfiles are app profile credentials with the user they
	// impersonate.
	AppProfiles []ConnectionAppProfile `json:"appProfiles"`
	// ServiceAccountAuthentication is "", "legacy" (ServiceAccountIDs) or
	// "modern" (DelegatedAppProfileIDs).
	ServiceAccountAuthentication string    `json:"serviceAccountAuthentication,omitempty"`
	ServiceAccountIDs            []string  `json:"serviceAccountIds"`
	DelegatedAppProfileIDs       []string  `json:"delegatedAppProfileIds"`
	CreatedTime                  time.Time `json:"createdTime"`
	ModifiedTime                 time.Time `json:"modifiedTime"`
}

// ConnectionAppProfile is one app profile credential of a connection.
type ConnectionAppProfile struct {
	ID                string `json:"id"`
	ImpersonationUser string `json:"impersonationUser,omitempty"`
}

// ConnectionWrite is the body of POST and PATCH /v1/connections.
type ConnectionWrite struct {
	Name                         *string                 `json:"name,omitempty"`
	Type                         *string                 `json:"type,omitempty"`
	TenantID                     *string                 `json:"tenantId,omitempty"`
	GeoLocation                  *string                 `json:"geoLocation,omitempty"`
	ContainerID                  *string                 `json:"containerId,omitempty"`
	AppProfiles                  *[]ConnectionAppProfile `json:"appProfiles,omitempty"`
	ServiceAccountAuthentication *string                 `json:"serviceAccountAuthentication,omitempty"`
	ServiceAccountIDs            *[]string               `json:"serviceAccountIds,omitempty"`
	DelegatedAppProfileIDs       *[]string               `json:"delegatedAppProfileIds,omitempty"`
}

// Connection types. Only Microsoft 365 Groups is offered today; the list is
// the place to add Exchange, SharePoint, OneDrive and Teams.
var ConnectionTypes = []string{"microsoft_365_groups"}

// Service account authentication methods for connections.
var ServiceAccountAuthentications = []string{"legacy", "modern"}

// Container is a scanned container of a tenant, used for auto map.
type Container struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TenantID string `json:"tenantId"`
	Kind     string `json:"kind"`
}

// GeoLocation is a data location of a multi-geo Microsoft tenant.
type GeoLocation struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// List is the envelope of every list response.
type List[T any] struct {
	Data     []T    `json:"data"`
	NextLink string `json:"nextLink,omitempty"`
}

// ErrorBody is the envelope of every error response.
type ErrorBody struct {
	TraceID    string `json:"traceId"`
	StatusCode int    `json:"statusCode"`
	Error      *Error `json:"error"`
}

// Token is the OAuth2 token response of POST /connect/token.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// Scopes a client can hold.
const (
	ScopeRead      = "aos.read"
	ScopeReadWrite = "aos.readwrite"
)
