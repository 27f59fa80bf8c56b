resource "aos_microsoft_tenant" "contoso" {
  domain = "contoso.onmicrosoft.com"
}

# Passwords come from variables, never from the configuration text. Being
# ephemeral, they stay out of plan files too; the write-only arguments keep
# them out of the state.
variable "backup_account_password" {
  description = "Password of svc.backup@contoso.onmicrosoft.com."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "sharepoint_admin_app_password" {
  description = "App password of sp.admin@contoso.onmicrosoft.com, an account with multi-factor authentication."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# An ordinary profile: the service checks the password against the
# Microsoft 365 password table and signs in once to validate it.
resource "aos_service_account_profile" "backup" {
  name        = "Backup service account"
  description = "Used by Cloud Backup and Fly"
  tenant_id   = aos_microsoft_tenant.contoso.id
  services    = ["cloud_backup_m365", "fly"]
  username    = "svc.backup@contoso.onmicrosoft.com"

  password_wo = var.backup_account_password
  # Raise after changing the password, so that it is sent again.
  password_wo_version = 1
}

# A classic MFA profile: an administrator account with multi-factor
# authentication signs in with an app password.
resource "aos_service_account_profile" "sharepoint_admin" {
  name                        = "SharePoint admin (MFA)"
  tenant_id                   = aos_microsoft_tenant.contoso.id
  services                    = ["cloud_governance"]
  username                    = "sp.admin@contoso.onmicrosoft.com"
  mfa_enabled                 = true
  app_password_wo             = var.sharepoint_admin_app_password
  app_password_wo_version     = 1
  sharepoint_admin_center_url = "https://contoso-admin.sharepoint.com"
}

output "backup_account_role" {
  description = "Role the validation test found for the backup account."
  value       = aos_service_account_profile.backup.user_role
}
