# Tenant registrations are imported by id (see the aos_tenants data source
# to find it).
# wait_for_consent is not part of the object: it is false after the import,
# so a configuration that sets it to true plans a small in-place update
# that changes nothing on the service.
terraform import aos_google_tenant.example 01a2051e-38df-7ee6-a3f4-aa254a796fd5
