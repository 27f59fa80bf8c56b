# Partner app profiles are imported by id. wait_for_consent and timeouts
# are not part of the object; they take their defaults until set in the
# configuration.
terraform import aos_partner_app_profile.example 01a2051e-4c21-7a0b-9e3d-5f6a7b8c9d0e
