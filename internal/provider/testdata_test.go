package provider

// Users and tenants of aosd's built-in dev directory
// (internal/directory/default.json) that the acceptance tests sign in as.
const (
	devTenant          = "contoso.onmicrosoft.com" // multi-geo, with containers
	devOtherTenant     = "fabrikam.onmicrosoft.com"
	devGlobalAdmin     = "admin@contoso.onmicrosoft.com"
	devMember          = "adele@contoso.onmicrosoft.com" // licensed for Exchange Online
	devUnlicensed      = "lee@contoso.onmicrosoft.com"
	devExternalAdmin   = "megan@fabrikam.onmicrosoft.com" // guest in contoso
	devMfaAdmin        = "mfa.admin@contoso.onmicrosoft.com"
	devServiceUser     = "svc.backup@contoso.onmicrosoft.com"
	devServicePassword = "Backup#Svc2024"
	devMfaUser         = "sp.admin@contoso.onmicrosoft.com"
	devMfaAppPassword  = "mfkqzvbtwhnrpxsd"
)
