# The partner app of a reseller, for a customer on Microsoft's commercial
# cloud. A Global Administrator of the customer's tenant authorizes it at
# consent_url; after that, the customer's users and groups can be added to
# the console with single sign-on.
resource "aos_partner_app_profile" "fabrikam" {
  name = "Fabrikam partner app"
}

# A customer on Microsoft 365 U.S. Government (login URLs ending in .us).
# Apply waits until the administrator has authorized the app.
resource "aos_partner_app_profile" "fabrikam_gov" {
  name             = "Fabrikam partner app (GCC High)"
  cloud            = "us_government"
  wait_for_consent = true
  timeouts = {
    create = "30m"
  }
}

output "partner_consent_url" {
  description = "Send this page to the customer's Global Administrator."
  value       = aos_partner_app_profile.fabrikam.consent_url
}
