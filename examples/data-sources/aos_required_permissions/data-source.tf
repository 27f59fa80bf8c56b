# What connecting an AWS account requires: the least-privilege policy of the
# IAM user whose key aos_amazon_tenant uses, and the policies the tenant
# role receives.
data "aos_required_permissions" "amazon" {
  platform = "amazon"
}

output "configuring_user_policy" {
  value = data.aos_required_permissions.amazon.configuring_user_policy_json
}

# The minimum of each operation, for example a read-only identity for a
# pipeline that only plans: operation_actions["read"]. The twelve actions the
# product documentation lists are in documented_actions; they are not enough
# to create (nor to roll back a failed create).
output "actions_per_operation" {
  value = data.aos_required_permissions.amazon.operation_actions
}

output "role_policy_names" {
  value = [for p in data.aos_required_permissions.amazon.role_policies : p.name]
}

# For Microsoft 365: who must consent and the Graph permissions granted.
data "aos_required_permissions" "microsoft" {
  platform = "microsoft"
}

output "microsoft_consent" {
  value = "${data.aos_required_permissions.microsoft.admin_requirement}: ${join(", ", data.aos_required_permissions.microsoft.permissions)}"
}
