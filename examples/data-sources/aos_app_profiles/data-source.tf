# The tenant, registered in this configuration or elsewhere.
data "aos_tenant" "contoso" {
  name     = "Contoso"
  platform = "microsoft"
}

# Every app profile of one tenant.
data "aos_app_profiles" "contoso" {
  tenant_id = data.aos_tenant.contoso.id
}

# Delegated app profiles whose name contains "backup".
data "aos_app_profiles" "delegated_backup" {
  tenant_id = data.aos_tenant.contoso.id
  type      = "delegated_app"
  search    = "backup"
}

output "profiles_needing_attention" {
  description = "App profiles that must be consented or re-authorized."
  value = [
    for p in data.aos_app_profiles.contoso.app_profiles : "${p.name}: ${p.status} ${p.reason}"
    if p.status != "active"
  ]
}
