package domain

import (
	"strings"
	"testing"
)

func TestOneOf(t *testing.T) {
	checkErr(t, OneOf("environment", "sandbox", SalesforceEnvironments), "", "", "")
	checkErr(t, OneOf("environment", "", SalesforceEnvironments), CodeRequired, "environment", "production, sandbox")
	checkErr(t, OneOf("environment", "dev", SalesforceEnvironments), CodeInvalidValue, "environment", "production, sandbox")
}

func TestRequiredString(t *testing.T) {
	checkErr(t, RequiredString("tenantId", "x"), "", "", "")
	checkErr(t, RequiredString("tenantId", ""), CodeRequired, "tenantId", "required")
	checkErr(t, RequiredString("tenantId", " \t"), CodeRequired, "tenantId", "required")
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		in, code, want string
	}{
		{in: "Contoso backup"},
		{in: "Ünïcödé name ✓"},
		{in: strings.Repeat("é", 128)},
		{in: "", code: CodeRequired, want: "1 to 128"},
		{in: "   ", code: CodeRequired},
		{in: strings.Repeat("a", 129), code: CodeInvalidValue, want: "129 characters"},
		{in: " padded", code: CodeInvalidValue, want: "spaces"},
		{in: "padded ", code: CodeInvalidValue, want: "spaces"},
		{in: "line\nbreak", code: CodeInvalidValue, want: "control character at position 5"},
		{in: "bell\x07", code: CodeInvalidValue, want: "control"},
		{in: "bad\xffutf8", code: CodeInvalidValue, want: "UTF-8"},
		// Text that displays differently from what it is.
		{in: "evil\u202etxt.exe", code: CodeInvalidValue, want: "U+202E, an invisible text-direction control that can make the text display in another order than it is, at position 5"},
		{in: "isolate\u2067x", code: CodeInvalidValue, want: "U+2067"},
		{in: "mark\u200fx", code: CodeInvalidValue, want: "U+200F"},
		{in: "zw\u200bsp", code: CodeInvalidValue, want: "U+200B, an invisible formatting character, at position 3"},
		{in: "\ufeffbom", code: CodeInvalidValue, want: "U+FEFF"},
		{in: "soft\u00adhyphen", code: CodeInvalidValue, want: "U+00AD"},
		{in: "non\ufffechar", code: CodeInvalidValue, want: "U+FFFE, a Unicode noncharacter"},
		{in: "non\ufdd0char", code: CodeInvalidValue, want: "noncharacter"},
		{in: "plane\U0010ffff", code: CodeInvalidValue, want: "noncharacter"},
		{in: "\u200d", code: CodeRequired, want: "no visible character"},
		{in: "\u0301\u0301", code: CodeRequired, want: "no visible character"},
		// Joiners that scripts and emoji need stay allowed.
		{in: "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"},
		{in: "family \U0001f468\u200d\U0001f469\u200d\U0001f467"},
		{in: "flag \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"},
		{in: "e\u0301clair"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			field := ""
			if tt.code != "" {
				field = "name"
			}
			checkErr(t, ValidateName("name", tt.in), tt.code, field, tt.want)
		})
	}
}

func TestValidateDescription(t *testing.T) {
	checkErr(t, ValidateDescription("description", ""), "", "", "")
	checkErr(t, ValidateDescription("description", "two\nlines\twith tab "), "", "", "")
	checkErr(t, ValidateDescription("description", strings.Repeat("x", 1001)), CodeInvalidValue, "description", "1000")
	checkErr(t, ValidateDescription("description", "nul\x00"), CodeInvalidValue, "description", "control")
	checkErr(t, ValidateDescription("description", "line one\nreads \u202ebackwards"), CodeInvalidValue, "description", "U+202E")
}

func TestValidateURL(t *testing.T) {
	tests := []struct {
		in    string
		https bool
		code  string
		want  string
	}{
		{in: "https://aos.example.com/callback"},
		{in: "http://127.0.0.1:8080"},
		{in: "http://127.0.0.1:8080", https: true, code: CodeInvalidValue, want: "https://"},
		{in: "", code: CodeRequired},
		{in: "aos.example.com", code: CodeInvalidValue, want: "absolute"},
		{in: "ftp://aos.example.com", code: CodeInvalidValue},
		{in: "javascript:alert(1)", code: CodeInvalidValue},
		{in: "https://user:pw@aos.example.com", code: CodeInvalidValue, want: "credentials"},
		{in: "https://aos.example.com/a b", code: CodeInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			field := ""
			if tt.code != "" {
				field = "url"
			}
			checkErr(t, ValidateURL("url", tt.in, tt.https), tt.code, field, tt.want)
		})
	}
}

func TestValidateSharePointAdminURL(t *testing.T) {
	tests := []struct{ in, code, want string }{
		{in: "https://contoso-admin.sharepoint.com"},
		{in: "https://contoso-admin.sharepoint.com/"},
		{in: "https://Contoso-Admin.SharePoint.com"},
		{in: "https://contosogov-admin.sharepoint.us"},
		{in: "http://contoso-admin.sharepoint.com", code: CodeInvalidValue, want: "https://contoso-admin.sharepoint.com"},
		{in: "https://contoso.sharepoint.com", code: CodeInvalidValue, want: "-admin.sharepoint.com"},
		{in: "https://-admin.sharepoint.com", code: CodeInvalidValue},
		{in: "https://contoso-admin.sharepoint.com.evil.example", code: CodeInvalidValue},
		{in: "https://contoso-admin.sharepoint.com:8443", code: CodeInvalidValue},
		{in: "https://contoso-admin.sharepoint.com/_layouts/15/online/AdminHome.aspx", code: CodeInvalidValue, want: "path"},
		{in: "https://contoso-admin.sharepoint.com/?a=b", code: CodeInvalidValue, want: "path or query"},
		{in: "", code: CodeRequired},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			field := ""
			if tt.code != "" {
				field = "sharePointAdminCenterUrl"
			}
			checkErr(t, ValidateSharePointAdminURL("sharePointAdminCenterUrl", tt.in), tt.code, field, tt.want)
		})
	}
}

func TestDefaultSharePointAdminURL(t *testing.T) {
	tests := []struct{ domain, env, want string }{
		{"contoso.onmicrosoft.com", "commercial", "https://contoso-admin.sharepoint.com"},
		{"Contoso.OnMicrosoft.com", "", "https://contoso-admin.sharepoint.com"},
		{"contosogov.onmicrosoft.us", "us_government", "https://contosogov-admin.sharepoint.us"},
		{"contosogov.onmicrosoft.us", "", "https://contosogov-admin.sharepoint.us"},
		{"", "commercial", ""},
	}
	for _, tt := range tests {
		if got := DefaultSharePointAdminURL(tt.domain, tt.env); got != tt.want {
			t.Errorf("DefaultSharePointAdminURL(%q, %q) = %q, want %q", tt.domain, tt.env, got, tt.want)
		}
		if tt.want != "" {
			if e := ValidateSharePointAdminURL("u", DefaultSharePointAdminURL(tt.domain, tt.env)); e != nil {
				t.Errorf("derived URL refused: %v", e)
			}
		}
	}
}

// TestCheckMicrosoftTenantDomain covers the rule the service applies to a
// Microsoft tenant registration, which the provider applies at plan time.
func TestCheckMicrosoftTenantDomain(t *testing.T) {
	tests := []struct{ domain, env, want string }{
		{domain: "contoso.onmicrosoft.com", env: "commercial"},
		{domain: "contosogov.onmicrosoft.us", env: "us_government"},
		{domain: "contoso.com", env: "commercial", want: `a commercial Microsoft 365 tenant is named by its original domain ending in .onmicrosoft.com; got "contoso.com"`},
		{domain: "contoso.onmicrosoft.com", env: "us_government", want: `a U.S. Government Microsoft 365 tenant is named by its original domain ending in .onmicrosoft.us`},
		{domain: "contosogov.onmicrosoft.us", env: "commercial", want: "ending in .onmicrosoft.com"},
		{domain: "contoso.com", env: "china"}, // the environment is checked on its own
	}
	for _, tt := range tests {
		e := CheckMicrosoftTenantDomain("domain", tt.domain, tt.env)
		code, field := "", ""
		if tt.want != "" {
			code, field = CodeInvalidValue, "domain"
		}
		checkErr(t, e, code, field, tt.want)
	}
	for d, want := range map[string]string{"contoso.onmicrosoft.com": "commercial", "contoso.com": "commercial", "contosogov.onmicrosoft.us": "us_government"} {
		if got := DefaultAzureEnvironment(d); got != want {
			t.Errorf("DefaultAzureEnvironment(%q) = %q, want %q", d, got, want)
		}
	}
}

func TestValidateUPN(t *testing.T) {
	tests := []struct{ in, code, want string }{
		{in: "adele@contoso.onmicrosoft.com"},
		{in: "O'Brien.Pat-1_x!#^~@contoso.com"},
		{in: "ADELE@Contoso.OnMicrosoft.com"},
		{in: "", code: CodeRequired},
		{in: "adele", code: CodeInvalidValue, want: "user principal name"},
		{in: "@contoso.com", code: CodeInvalidValue},
		{in: "a@b@contoso.com", code: CodeInvalidValue},
		{in: "adele.@contoso.com", code: CodeInvalidValue, want: "dot"},
		{in: ".adele@contoso.com", code: CodeInvalidValue, want: "dot"},
		{in: "adele smith@contoso.com", code: CodeInvalidValue, want: "not allowed"},
		{in: "adèle@contoso.com", code: CodeInvalidValue, want: "not allowed"},
		{in: "adele@contoso", code: CodeInvalidValue, want: "domain"},
		{in: strings.Repeat("a", 65) + "@contoso.com", code: CodeInvalidValue, want: "64"},
		{in: strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + ".com", code: CodeInvalidValue, want: "113"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			field := ""
			if tt.code != "" {
				field = "username"
			}
			checkErr(t, ValidateUPN("username", tt.in), tt.code, field, tt.want)
		})
	}
}

func TestValidateGUID(t *testing.T) {
	for _, ok := range []string{"8f5c1c2e-4b7a-4d0e-9a53-1d2f3e4a5b6c", "8F5C1C2E-4B7A-4D0E-9A53-1D2F3E4A5B6C"} {
		checkErr(t, ValidateGUID("clientId", ok), "", "", "")
	}
	for _, bad := range []string{"", "8f5c1c2e4b7a4d0e9a531d2f3e4a5b6c", "{8f5c1c2e-4b7a-4d0e-9a53-1d2f3e4a5b6c}",
		"8f5c1c2e-4b7a-4d0e-9a53-1d2f3e4a5b6g", "8f5c1c2e-4b7a-4d0e-9a531-d2f3e4a5b6c"} {
		checkErr(t, ValidateGUID("clientId", bad), CodeInvalidValue, "clientId", "GUID")
	}
}
