# Partner app profiles are imported by id.
# wait_for_consent is not part of the object: it is false after the import,
# so a configuration that sets it to true plans a small in-place update
# that changes nothing on the service.
terraform import aos_partner_app_profile.example 01a2051e-4c21-7a0b-9e3d-5f6a7b8c9d0e
