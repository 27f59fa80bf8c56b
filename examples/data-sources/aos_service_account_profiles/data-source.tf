# The tenant, registered in this configuration or elsewhere.
data "aos_tenant" "contoso" {
  name     = "Contoso"
  platform = "microsoft"
}

# Every service account profile of one tenant.
data "aos_service_account_profiles" "contoso" {
  tenant_id = data.aos_tenant.contoso.id
}

# Profiles whose name contains "backup", in any tenant.
data "aos_service_account_profiles" "backup" {
  search = "backup"
}

output "service_accounts" {
  description = "Username and validation status of each profile of the tenant."
  value       = { for p in data.aos_service_account_profiles.contoso.service_account_profiles : p.name => "${p.username} (${p.status})" }
}
