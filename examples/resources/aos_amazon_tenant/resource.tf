# Connect an AWS account with the default AWS credential chain (for example
# AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO or an instance
# role). The same credentials then serve every operation: refresh reads the
# role and policies to show drift, and destroy removes them.
resource "aos_amazon_tenant" "production" {
  role_name = "AWSTenantAdminRole"
}

# A policy attached to the role outside Terraform is drift: the plan names
# it and apply detaches it. List the ones you attach on purpose.
resource "aos_amazon_tenant" "audited" {
  role_name                   = "AOSAuditedTenantRole"
  allowed_extra_policy_arns   = ["arn:aws:iam::aws:policy/SecurityAudit"]
  allowed_inline_policy_names = ["deny-outside-eu"]
}

# Connect with the access key of a dedicated IAM user instead. The secret is
# write-only: Terraform never stores it. Bump secret_access_key_wo_version
# whenever the secret changes. Destroy cannot see write-only values, so it
# uses the default credential chain (export the same key then), unless
# retain_on_destroy keeps the IAM objects.
variable "aws_secret_access_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "aos_amazon_tenant" "gov" {
  environment                  = "gov"
  role_name                    = "AOSTenantRole"
  access_key_id                = "AKIAIOSFODNN7EXAMPLE"
  secret_access_key_wo         = var.aws_secret_access_key
  secret_access_key_wo_version = 1

  timeouts = {
    create = "15m"
  }
}

output "production_role_arn" {
  description = "The role the service assumes, with the external ID its trust policy requires."
  value       = "${aos_amazon_tenant.production.role_arn} (external ID ${aos_amazon_tenant.production.external_id})"
}
