# Tenant registrations are imported by id (see the aos_tenants data source
# to find it). wait_for_consent is not part of the registration: it is set
# to false on import.
terraform import aos_microsoft_tenant.example 01a2051e-38df-7ee6-a3f4-aa254a796fd5
