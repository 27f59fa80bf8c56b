data "aos_tenant" "contoso" {
  name     = "Contoso"
  platform = "microsoft"
}

# The containers the service found in the tenant when it connected.
data "aos_containers" "all" {
  tenant_id = data.aos_tenant.contoso.id
}

# Only those whose name contains "groups", for example to pick the
# container a migration connection maps Microsoft 365 Groups into.
data "aos_containers" "groups" {
  tenant_id = data.aos_tenant.contoso.id
  search    = "groups"
}

output "group_containers" {
  value = { for c in data.aos_containers.groups.containers : c.name => c.id }
}
