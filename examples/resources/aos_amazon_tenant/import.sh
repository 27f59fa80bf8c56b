# Amazon tenants are imported by registration id (see the aos_tenants data
# source with platform = "amazon"). The role and policies are found from the
# registration; the plan after the import reads them with the credentials
# of the configuration. Arguments the registration does not hold
# (access_key_id, endpoints) are recorded by the first apply after the
# import, which also checks the key against the account.
terraform import aos_amazon_tenant.production 01a2051e-38df-7ee6-a3f4-aa254a796fd5
