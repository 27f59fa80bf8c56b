# Service account profiles are imported by id. Passwords are never returned
# and the *_wo_version arguments are not imported: keep both in the
# configuration. The first apply after the import sends the configured
# password once; the service keeps its secret_version when it is unchanged.
terraform import aos_service_account_profile.example 01a2051e-38df-7ee6-a3f4-aa254a796fd5
