# App profiles are imported by id. Write-only arguments (certificate_wo,
# certificate_password_wo) and certificate_wo_version are not imported:
# keep them in the configuration; the first apply then sends the
# certificate again, which keeps the consent when it is unchanged.
# wait_for_consent is not part of the object: it is false after the import,
# so a configuration that sets it to true plans a small in-place update
# that changes nothing on the service.
terraform import aos_app_profile.example 01a2051e-38df-7ee6-a3f4-aa254a796fd5
