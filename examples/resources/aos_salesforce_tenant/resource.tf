# A production org, registered by its My Domain host. A user with the
# System Administrator profile consents at consent_url; while the service's
# connected app is not installed in the org, that user also needs "Approve
# Uninstalled Connected Apps" (or "Use Any API Client" when API Access
# Control is on).
resource "aos_salesforce_tenant" "production" {
  domain = "contoso.my.salesforce.com"
}

# A sandbox of the same company.
resource "aos_salesforce_tenant" "sandbox" {
  domain      = "contoso--dev.sandbox.my.salesforce.com"
  environment = "sandbox"
}
