resource "aos_microsoft_tenant" "contoso" {
  domain = "contoso.onmicrosoft.com"
}

variable "migration_account_password" {
  description = "Password of svc.backup@contoso.onmicrosoft.com."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "aos_app_profile" "microsoft_365" {
  name      = "Microsoft 365 (all permissions)"
  tenant_id = aos_microsoft_tenant.contoso.id
  type      = "microsoft_365"
}

resource "aos_app_profile" "delegated" {
  name      = "Delegated app"
  tenant_id = aos_microsoft_tenant.contoso.id
  type      = "delegated_app"
}

resource "aos_service_account_profile" "migration" {
  name                = "Migration account"
  tenant_id           = aos_microsoft_tenant.contoso.id
  services            = ["fly"]
  username            = "svc.backup@contoso.onmicrosoft.com"
  password_wo         = var.migration_account_password
  password_wo_version = 1
}

# The containers of the tenant, for auto map.
data "aos_containers" "contoso" {
  tenant_id = aos_microsoft_tenant.contoso.id
}

# An app profile for most objects, plus a service account (legacy
# authentication) for the objects app profiles do not support. Groups are
# created in the tenant's European location.
resource "aos_migration_connection" "groups" {
  name         = "Contoso groups"
  tenant_id    = aos_microsoft_tenant.contoso.id
  geo_location = "EUR"
  container_id = one([for c in data.aos_containers.contoso.containers : c.id if c.name == "Contoso Groups (Europe)"])

  app_profile {
    id = aos_app_profile.microsoft_365.id
  }

  service_account_authentication = "legacy"
  service_account_ids            = [aos_service_account_profile.migration.id]
}

# Modern authentication: delegated app profiles instead of passwords, for
# accounts with multi-factor authentication. Several spread the load.
resource "aos_migration_connection" "groups_modern" {
  name                           = "Contoso groups (modern authentication)"
  tenant_id                      = aos_microsoft_tenant.contoso.id
  service_account_authentication = "modern"
  delegated_app_profile_ids      = [aos_app_profile.delegated.id]
}
