# A tenant registered elsewhere, found by its exact display name (the
# domain until it is connected). platform settles names used on several
# platforms.
data "aos_tenant" "contoso" {
  name     = "Contoso"
  platform = "microsoft"
}

# Or by id.
data "aos_tenant" "by_id" {
  id = "01a2051e-38df-7ee6-a3f4-aa254a796fd5"
}

resource "aos_app_profile" "microsoft_365" {
  name      = "Microsoft 365 (all permissions)"
  tenant_id = data.aos_tenant.contoso.id
  type      = "microsoft_365"
}
