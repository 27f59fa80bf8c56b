# Register a Google Workspace tenant by its primary domain. Install the
# Tenant Management app from the Google Workspace Marketplace first; then an
# account with Users › Read, Groups › Read and License Management ›
# License Read (or a super administrator) consents at consent_url.
resource "aos_google_tenant" "contoso" {
  domain = "contoso.com"
}

output "google_consent_url" {
  value = aos_google_tenant.contoso.consent_url
}
