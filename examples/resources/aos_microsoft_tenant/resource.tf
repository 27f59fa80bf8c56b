# Register a Microsoft 365 tenant by its original onmicrosoft.com domain.
# Apply returns at once with status "pending_consent": a Global
# Administrator who belongs to this tenant (not a guest) opens consent_url
# and consents.
resource "aos_microsoft_tenant" "contoso" {
  domain = "contoso.onmicrosoft.com"
}

# A U.S. Government (GCC High or DoD) tenant: the .onmicrosoft.us domain
# implies azure_environment = "us_government". This one also holds apply
# until the administrator has consented, and keeps the SharePoint admin
# center URL the tenant really uses rather than the one derived from the
# domain.
resource "aos_microsoft_tenant" "contoso_gov" {
  domain                      = "contosogov.onmicrosoft.us"
  sharepoint_admin_center_url = "https://contosogov-admin.sharepoint.us"

  wait_for_consent = true
  timeouts = {
    create = "30m"
  }
}

output "contoso_consent_url" {
  description = "Open this page as a Global Administrator of contoso.onmicrosoft.com to connect the tenant."
  value       = aos_microsoft_tenant.contoso.consent_url
}
