# The tenant, registered in this configuration or elsewhere.
data "aos_tenant" "contoso" {
  name     = "Contoso"
  platform = "microsoft"
}

# Microsoft 365 Groups connections of one tenant whose name contains "groups".
data "aos_migration_connections" "contoso_groups" {
  tenant_id = data.aos_tenant.contoso.id
  type      = "microsoft_365_groups"
  search    = "groups"
}

output "connections_with_legacy_authentication" {
  description = "Connections that sign in with service account passwords."
  value = [
    for c in data.aos_migration_connections.contoso_groups.migration_connections : c.name
    if c.service_account_authentication == "legacy"
  ]
}
