# Every tenant registration of the organization.
data "aos_tenants" "all" {}

# Microsoft 365 tenants whose name contains "contoso".
data "aos_tenants" "contoso_microsoft" {
  platform = "microsoft"
  search   = "contoso"
}

output "tenants_to_reconnect" {
  description = "Connected tenants the service recommends reconnecting."
  value       = [for t in data.aos_tenants.all.tenants : t.name if t.reconnect_recommended]
}

output "tenants_waiting_for_consent" {
  value = [for t in data.aos_tenants.all.tenants : "${t.platform}: ${t.name}" if t.status == "pending_consent"]
}
