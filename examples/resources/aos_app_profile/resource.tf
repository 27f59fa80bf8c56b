resource "aos_microsoft_tenant" "contoso" {
  domain = "contoso.onmicrosoft.com"
}

# The service's Microsoft 365 app with all permissions, consented by a
# Global Administrator of the tenant (admin consent is the default).
resource "aos_app_profile" "microsoft_365" {
  name      = "Microsoft 365 (all permissions)"
  tenant_id = aos_microsoft_tenant.contoso.id
  type      = "microsoft_365"

  # Hold apply until the administrator has consented at consent_url.
  wait_for_consent = true
  timeouts = {
    create = "30m"
  }
}

# The Delegated app of Cloud Backup for Microsoft 365, limited to the
# functions it should serve. Changing the functions asks for a new consent.
resource "aos_app_profile" "delegated" {
  name           = "Delegated app for Teams and Planner"
  tenant_id      = aos_microsoft_tenant.contoso.id
  type           = "delegated_app"
  consent_method = "user"
  functions = [
    "restore_teams_conversations_as_posts",
    "restore_planner_task_comments",
  ]
}

# Your own Azure app. The certificate (with its private key) is write-only:
# it is sent to the service but never stored in the state. Bump
# certificate_wo_version whenever you replace the certificate files.
resource "aos_app_profile" "custom" {
  name                   = "Custom Azure app"
  tenant_id              = aos_microsoft_tenant.contoso.id
  type                   = "custom_azure_app"
  client_id              = "5d2f7a3c-9b1e-4c6d-8a0f-2e4b6c8d0a1f"
  certificate_wo         = "${file("${path.module}/app-cert.pem")}${file("${path.module}/app-key.pem")}"
  certificate_wo_version = 1
  impersonation_user     = "adele@contoso.onmicrosoft.com"
}

# A PFX file works too: pass it base64-encoded with its password.
# certificate_wo          = filebase64("${path.module}/app.pfx")
# certificate_password_wo = var.pfx_password

output "consent_urls" {
  description = "Pages where the profiles still waiting for consent are consented."
  value = {
    delegated = aos_app_profile.delegated.consent_url
    custom    = aos_app_profile.custom.consent_url
  }
}
