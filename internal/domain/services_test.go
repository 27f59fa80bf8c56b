package domain

import "testing"

func TestValidateServices(t *testing.T) {
	tests := []struct {
		name  string
		in    []string
		code  string
		field string
		want  string
	}{
		{name: "one", in: []string{"cloud_backup_m365"}},
		{name: "all", in: ServiceSlugs()},
		{name: "none", in: nil, code: CodeServicesRequired, field: "services", want: "at least one"},
		{name: "empty list", in: []string{}, code: CodeServicesRequired, field: "services", want: "fly"},
		{name: "unknown", in: []string{"fly", "exchange"}, code: CodeInvalidValue, field: "services[1]", want: "cloud_governance"},
		{name: "case matters", in: []string{"Fly"}, code: CodeInvalidValue, field: "services[0]"},
		{name: "duplicate", in: []string{"fly", "insights", "fly"}, code: CodeDuplicateValue, field: "services[2]", want: "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateServices("services", tt.in), tt.code, tt.field, tt.want)
		})
	}
}

func TestValidateServiceAvailability(t *testing.T) {
	tests := []struct {
		name     string
		in       []string
		provider bool
		code     string
		field    string
	}{
		{name: "ordinary services, ordinary org", in: []string{ServiceFly, ServiceInsights}},
		{name: "provider-only service, provider org", in: []string{ServiceFly, ServiceAOSCommon}, provider: true},
		{name: "provider-only service, ordinary org", in: []string{ServiceFly, ServiceInsights, ServiceAOSCommon},
			code: CodeServiceProviderOnly, field: "services[2]"},
		{name: "alone", in: []string{ServiceAOSCommon}, code: CodeServiceProviderOnly, field: "services[0]"},
		// Unknown slugs are ValidateServices' to refuse.
		{name: "unknown slug passes", in: []string{"exchange"}},
		{name: "none", in: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateServiceAvailability("services", tt.in, tt.provider), tt.code, tt.field, "service provider")
		})
	}
}

func TestServiceCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range ServiceAccountServices() {
		if s.Slug == "" || s.DisplayName == "" || seen[s.Slug] {
			t.Errorf("bad or repeated service %+v", s)
		}
		seen[s.Slug] = true
	}
	for _, want := range []string{ServiceCloudBackupM365, ServiceCloudGovernance, ServiceFly, ServiceInsights,
		ServiceEnPower, ServicePolicies, ServiceMyHub, ServiceAOSCommon} {
		if !seen[want] {
			t.Errorf("service %s missing", want)
		}
	}
}
