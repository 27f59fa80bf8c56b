package domain

import (
	"slices"
	"strings"
	"testing"
)

func TestAppTypeCatalogue(t *testing.T) {
	want := []string{
		"microsoft_365", "cloud_backup_m365", "delegated_app", "custom_azure_app", "custom_azure_app_delegated",
		"insights_m365", "insights_power_platform", "enpower_m365", "enpower_power_platform", "enpower_teams_calling",
		"fly_power_platform", "fly_delegated_app", "cloud_backup_azure", "cloud_backup_iaas_delegated_app",
		"cloud_backup_azure_devops", "cloud_governance_power_platform", "cloud_governance_delegated_app", "myhub",
		"tygraph_suite", "tygraph_viva_engage", "cloud_backup_express", "viva_engage", "dms_online",
		"portal_manager", "portal_manager_room",
	}
	if got := AppTypeSlugs(); !slices.Equal(got, want) {
		t.Fatalf("slugs\n got %v\nwant %v", got, want)
	}

	// Only the two "All permissions" apps and the plain custom app need an
	// administrator; every type of the user-consent table allows users.
	adminOnly := []string{"microsoft_365", "cloud_backup_m365", "custom_azure_app"}
	for _, at := range AppTypes() {
		if got, want := at.UserConsentAllowed, !slices.Contains(adminOnly, at.Slug); got != want {
			t.Errorf("%s: UserConsentAllowed = %v, want %v", at.Slug, got, want)
		}
		wantKind := PermissionKindApplication
		switch {
		case at.Slug == "custom_azure_app_delegated", strings.Contains(at.Slug, "power_platform"):
			wantKind = PermissionKindHybrid
		case strings.Contains(at.Slug, "delegated"):
			wantKind = PermissionKindDelegated
		}
		if at.PermissionKind != wantKind {
			t.Errorf("%s: PermissionKind = %s, want %s", at.Slug, at.PermissionKind, wantKind)
		}
		if got, want := at.Custom, strings.HasPrefix(at.Slug, "custom_"); got != want {
			t.Errorf("%s: Custom = %v, want %v", at.Slug, got, want)
		}
		if at.DisplayName == "" || len(at.Services) == 0 {
			t.Errorf("%s: missing display name or services", at.Slug)
		}
	}

	if _, ok := AppTypeBySlug("nope"); ok {
		t.Error("unknown slug found")
	}
	a, _ := AppTypeBySlug("viva_engage")
	a.Services[0] = "changed"
	if b, _ := AppTypeBySlug("viva_engage"); b.Services[0] == "changed" {
		t.Error("AppTypeBySlug shares the catalogue's slice")
	}
}

func TestValidateAppProfile(t *testing.T) {
	const guid = "8f5c1c2e-4b7a-4d0e-9a53-1d2f3e4a5b6c"
	base := func(typ string) AppProfileSpec {
		return AppProfileSpec{Name: "Backup app", TenantID: "t1", Type: typ, ConsentMethod: ConsentMethodAdmin}
	}
	custom := func(typ string) AppProfileSpec {
		s := base(typ)
		s.ClientID, s.HasCertificate = guid, true
		return s
	}
	with := func(s AppProfileSpec, f func(*AppProfileSpec)) AppProfileSpec { f(&s); return s }

	tests := []struct {
		name  string
		spec  AppProfileSpec
		code  string
		field string
		want  string
	}{
		{name: "application type admin", spec: base("microsoft_365")},
		{name: "default consent method", spec: with(base("cloud_backup_m365"), func(s *AppProfileSpec) { s.ConsentMethod = "" })},
		{name: "user consent allowed", spec: with(base("myhub"), func(s *AppProfileSpec) { s.ConsentMethod = "user" })},
		{name: "user consent custom delegated", spec: with(custom("custom_azure_app_delegated"), func(s *AppProfileSpec) { s.ConsentMethod = "user" })},
		{name: "delegated functions", spec: with(base("delegated_app"), func(s *AppProfileSpec) {
			s.Functions = []string{"protect_power_bi", "restore_planner_task_comments"}
		})},
		{name: "delegated all four functions", spec: with(base("delegated_app"), func(s *AppProfileSpec) { s.Functions = DelegatedAppFunctions })},
		{name: "custom app", spec: custom("custom_azure_app")},
		{name: "custom app impersonation", spec: with(custom("custom_azure_app"), func(s *AppProfileSpec) { s.ImpersonationUser = "adele@contoso.onmicrosoft.com" })},

		{name: "name missing", spec: with(base("myhub"), func(s *AppProfileSpec) { s.Name = " " }), code: CodeRequired, field: "name"},
		{name: "tenant missing", spec: with(base("myhub"), func(s *AppProfileSpec) { s.TenantID = "" }), code: CodeRequired, field: "tenantId"},
		{name: "type missing", spec: base(""), code: CodeRequired, field: "type", want: "microsoft_365"},
		{name: "type unknown", spec: base("sharepoint"), code: CodeInvalidValue, field: "type", want: "portal_manager_room"},
		{name: "consent method unknown", spec: with(base("myhub"), func(s *AppProfileSpec) { s.ConsentMethod = "tenant" }), code: CodeInvalidValue, field: "consentMethod", want: "admin, user"},
		{name: "user consent microsoft_365", spec: with(base("microsoft_365"), func(s *AppProfileSpec) { s.ConsentMethod = "user" }),
			code: CodeUserConsentNotAllowed, field: "consentMethod", want: `set consentMethod to "admin"`},
		{name: "user consent cloud_backup_m365", spec: with(base("cloud_backup_m365"), func(s *AppProfileSpec) { s.ConsentMethod = "user" }),
			code: CodeUserConsentNotAllowed, field: "consentMethod", want: "custom_azure_app_delegated"},
		{name: "user consent custom app", spec: with(custom("custom_azure_app"), func(s *AppProfileSpec) { s.ConsentMethod = "user" }),
			code: CodeUserConsentNotAllowed, field: "consentMethod"},
		{name: "functions on other type", spec: with(base("fly_delegated_app"), func(s *AppProfileSpec) { s.Functions = []string{"protect_power_bi"} }),
			code: CodeFunctionsNotAllowed, field: "functions", want: "delegated_app"},
		{name: "function unknown", spec: with(base("delegated_app"), func(s *AppProfileSpec) { s.Functions = []string{"protect_power_bi", "protect_exchange"} }),
			code: CodeInvalidValue, field: "functions[1]", want: "restore_teams_conversations_as_posts"},
		{name: "function twice", spec: with(base("delegated_app"), func(s *AppProfileSpec) { s.Functions = []string{"protect_power_bi", "protect_power_bi"} }),
			code: CodeDuplicateValue, field: "functions[1]"},
		{name: "custom without client id", spec: with(custom("custom_azure_app"), func(s *AppProfileSpec) { s.ClientID = "" }),
			code: CodeRequired, field: "clientId", want: "Application (client) ID"},
		{name: "custom client id not guid", spec: with(custom("custom_azure_app"), func(s *AppProfileSpec) { s.ClientID = "my-app" }),
			code: CodeInvalidValue, field: "clientId", want: "GUID"},
		{name: "custom without certificate", spec: with(custom("custom_azure_app_delegated"), func(s *AppProfileSpec) { s.HasCertificate = false }),
			code: CodeRequired, field: "certificate"},
		{name: "custom bad impersonation user", spec: with(custom("custom_azure_app"), func(s *AppProfileSpec) { s.ImpersonationUser = "adele" }),
			code: CodeInvalidValue, field: "impersonationUser"},
		{name: "client id on service app", spec: with(base("myhub"), func(s *AppProfileSpec) { s.ClientID = guid }),
			code: CodeFieldNotAllowed, field: "clientId", want: "custom_azure_app"},
		{name: "certificate on service app", spec: with(base("microsoft_365"), func(s *AppProfileSpec) { s.HasCertificate = true }),
			code: CodeFieldNotAllowed, field: "certificate"},
		{name: "certificate password on service app", spec: with(base("microsoft_365"), func(s *AppProfileSpec) { s.HasCertificatePassword = true }),
			code: CodeFieldNotAllowed, field: "certificatePassword"},
		{name: "impersonation on service app", spec: with(base("delegated_app"), func(s *AppProfileSpec) { s.ImpersonationUser = "a@b.com" }),
			code: CodeFieldNotAllowed, field: "impersonationUser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateAppProfile(tt.spec), tt.code, tt.field, tt.want)
		})
	}
}

func TestValidateAppProfileCreateAndPatch(t *testing.T) {
	s := func(v string) *string { return &v }
	fns := func(v ...string) *[]string { return &v }

	create := &AppProfileWrite{Name: s("Delegated"), TenantID: s("t1"), Type: s("delegated_app"),
		Functions: fns("protect_power_bi")}
	if e := ValidateAppProfileCreate(create); e != nil {
		t.Fatalf("create refused: %v", e)
	}
	if spec := AppProfileSpecFromWrite(create); spec.ConsentMethod != ConsentMethodAdmin {
		t.Errorf("default consent method %q, want admin", spec.ConsentMethod)
	}

	stored := &AppProfile{ID: "p1", Name: "Custom", TenantID: "t1", Type: "custom_azure_app",
		ConsentMethod: "admin", ClientID: "8f5c1c2e-4b7a-4d0e-9a53-1d2f3e4a5b6c", CertificateThumbprint: "AA"}

	tests := []struct {
		name  string
		patch *AppProfileWrite
		code  string
		field string
	}{
		{name: "rename", patch: &AppProfileWrite{Name: s("Renamed")}},
		{name: "same tenant and type", patch: &AppProfileWrite{TenantID: s("t1"), Type: s("custom_azure_app")}},
		{name: "new certificate", patch: &AppProfileWrite{Certificate: s("pem...")}},
		{name: "tenant change", patch: &AppProfileWrite{TenantID: s("t2")}, code: CodeInvalidValue, field: "tenantId"},
		{name: "type change", patch: &AppProfileWrite{Type: s("microsoft_365")}, code: CodeInvalidValue, field: "type"},
		{name: "clear client id", patch: &AppProfileWrite{ClientID: s("")}, code: CodeRequired, field: "clientId"},
		{name: "clear certificate", patch: &AppProfileWrite{Certificate: s("")}, code: CodeRequired, field: "certificate"},
		{name: "user consent via patch", patch: &AppProfileWrite{ConsentMethod: s("user")}, code: CodeUserConsentNotAllowed, field: "consentMethod"},
		{name: "functions via patch", patch: &AppProfileWrite{Functions: fns("protect_power_bi")}, code: CodeFunctionsNotAllowed, field: "functions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateAppProfilePatch(stored, true, tt.patch), tt.code, tt.field, "")
		})
	}
}

func TestNeedsReauthorization(t *testing.T) {
	s := func(v string) *string { return &v }
	stored := &AppProfile{Type: "delegated_app", ConsentMethod: "admin", ClientID: "c1",
		CertificateThumbprint: "AA", Functions: []string{"protect_power_bi", "restore_planner_task_comments"}}
	tests := []struct {
		name  string
		patch *AppProfileWrite
		cert  *CertificateInfo
		want  bool
	}{
		{name: "rename", patch: &AppProfileWrite{Name: s("x")}},
		{name: "same functions reordered", patch: &AppProfileWrite{Functions: &[]string{"restore_planner_task_comments", "protect_power_bi"}}},
		{name: "same certificate again", patch: &AppProfileWrite{Certificate: s("pem")}, cert: &CertificateInfo{Thumbprint: "AA"}},
		{name: "same consent method", patch: &AppProfileWrite{ConsentMethod: s("admin")}},
		{name: "other functions", patch: &AppProfileWrite{Functions: &[]string{"protect_power_bi"}}, want: true},
		{name: "other certificate", patch: &AppProfileWrite{Certificate: s("pem")}, cert: &CertificateInfo{Thumbprint: "BB"}, want: true},
		{name: "other client id", patch: &AppProfileWrite{ClientID: s("c2")}, want: true},
		{name: "other consent method", patch: &AppProfileWrite{ConsentMethod: s("user")}, want: true},
	}
	for _, tt := range tests {
		if got := NeedsReauthorization(stored, tt.patch, tt.cert); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// checkErr asserts that e is nil when code is empty, and otherwise that it
// carries code, names field and mentions want.
func checkErr(t *testing.T, e *Error, code, field, want string) {
	t.Helper()
	if code == "" {
		if e != nil {
			t.Fatalf("refused: %v", e)
		}
		return
	}
	if e == nil {
		t.Fatalf("accepted, want %s on %s", code, field)
	}
	if e.Code != code || e.Status != 422 {
		t.Fatalf("got %s/%d (%s), want %s/422", e.Code, e.Status, e.Message, code)
	}
	if len(e.Details) != 1 || e.Details[0].Field != field || e.Details[0].Code != code {
		t.Fatalf("details %+v, want one on %s", e.Details, field)
	}
	if !strings.Contains(e.Message, want) {
		t.Fatalf("message %q lacks %q", e.Message, want)
	}
}
