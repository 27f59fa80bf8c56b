package server

import (
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// TenantRecordForTest builds the stored record of t exactly as the server
// does, so benchmarks can seed thousands of tenants straight through the
// store (the dev directory has only a few platform tenants, and a platform
// tenant is registered once per organization).
func TenantRecordForTest(org string, t domain.Tenant) *store.Record {
	return tenantRecord(org, &tenantDoc{Tenant: t})
}
