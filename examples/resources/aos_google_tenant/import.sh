# Tenant registrations are imported by id.
terraform import aos_google_tenant.example 01a2051e-38df-7ee6-a3f4-aa254a796fd5
