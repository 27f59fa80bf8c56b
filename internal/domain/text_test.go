package domain

import (
	"net/http"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	line, _ := TextKindOf("")
	desc, _ := TextKindOf("description")
	pem, _ := TextKindOf("pem")
	if _, ok := TextKindOf("nonsense"); ok {
		t.Fatal("an unknown text kind was accepted")
	}
	if line.MaxLength != TextMaxLength || line.Multiline || !desc.Multiline || desc.MaxLength != DescriptionMaxLength || pem.MaxLength != CertificateMaxLength {
		t.Fatalf("kinds: %+v %+v %+v", line, desc, pem)
	}
	tests := []struct {
		name string
		in   string
		kind TextKind
		want string // part of the message; "" means accepted
	}{
		{"plain", "Contoso backup", line, ""},
		{"unicode", "Ünïcödé ✓ 日本", line, ""},
		{"at the limit in four-byte characters", strings.Repeat("😀", TextMaxLength), line, ""},
		{"one over the limit", strings.Repeat("a", TextMaxLength+1), line, "at most 256"},
		{"NUL", "a\x00b", line, "NUL character (position 2)"},
		{"NUL in multi-line text", "a\nb\x00", desc, "NUL"},
		{"escape", "a\x1b[31m", line, "control character at position 2"},
		{"DEL", "a\x7f", line, "control character"},
		{"C1 control", "a\u0085", line, "control character"},
		{"line break in a single line", "a\nb", line, "control character"},
		{"line separator in a single line", "a\u2028b", line, "control character"},
		{"line breaks in a description", "a\r\n\tb\u2028", desc, ""},
		{"invalid UTF-8", "a\xffb", line, "not valid UTF-8"},
		{"replacement character", "a\ufffdb", desc, "U+FFFD"},
		{"long PEM", strings.Repeat("QUJD\n", 10000), pem, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText("field", tt.in, tt.kind)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %q", tt.want)
			}
			if err.Status != http.StatusBadRequest || err.Code != CodeInvalidValue || len(err.Details) != 1 || err.Details[0].Field != "field" || !strings.Contains(err.Message, tt.want) {
				t.Fatalf("got %d %s %q %+v, want 400 InvalidValue naming field with %q", err.Status, err.Code, err.Message, err.Details, tt.want)
			}
			if strings.Contains(err.Message, tt.in) {
				t.Errorf("the message repeats the value: %q", err.Message)
			}
		})
	}
}

func TestValidatePartnerPrincipal(t *testing.T) {
	tests := []struct {
		in, code, want string
	}{
		{in: "adele@contoso.onmicrosoft.com"},
		{in: "Sales.Team+eu@contoso.com"},
		{in: "o'brien@contoso.com"},
		{in: "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"},
		{in: "1F2E3D4C-5B6A-4978-8A9B-0C1D2E3F4A5B"},
		{in: "", code: CodeRequired, want: "required"},
		{in: "Sales team", code: CodeInvalidValue, want: "object id"},
		{in: "1f2e3d4c5b6a49788a9b0c1d2e3f4a5b", code: CodeInvalidValue, want: "object id"},
		{in: "a@b@contoso.com", code: CodeInvalidValue, want: "not a mail address"},
		{in: "@contoso.com", code: CodeInvalidValue, want: "not a mail address"},
		{in: "user@", code: CodeInvalidValue, want: "not a mail address"},
		{in: ".user@contoso.com", code: CodeInvalidValue, want: "dot"},
		{in: "us..er@contoso.com", code: CodeInvalidValue, want: "dot"},
		{in: "us er@contoso.com", code: CodeInvalidValue, want: "character not allowed"},
		{in: "<b>x</b>@contoso.com", code: CodeInvalidValue, want: "character not allowed"},
		{in: "üser@contoso.com", code: CodeInvalidValue, want: "character not allowed"},
		{in: "user@contoso", code: CodeInvalidValue, want: "invalid domain"},
		{in: "user@contoso..com", code: CodeInvalidValue, want: "invalid domain"},
		{in: strings.Repeat("a", 65) + "@contoso.com", code: CodeInvalidValue, want: "longer than 64"},
		{in: "a@" + strings.Repeat("b", 250) + ".com", code: CodeInvalidValue, want: "at most 254"},
		{in: strings.Repeat("x", 300000), code: CodeInvalidValue, want: "at most 254"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 40)], func(t *testing.T) {
			field := ""
			if tt.code != "" {
				field = "principal"
			}
			checkErr(t, ValidatePartnerPrincipal("principal", tt.in), tt.code, field, tt.want)
		})
	}
}

func TestValidateAmazonAccountAlias(t *testing.T) {
	for _, ok := range []string{"", "abc", "my-company-prod", "a1-b2-c3", "123", strings.Repeat("a", 63)} {
		if err := ValidateAmazonAccountAlias("accountAlias", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ab", "2 characters"},
		{strings.Repeat("a", 64), "64 characters"},
		{strings.Repeat("a", 100000), "100000 characters"},
		{"-abc", "hyphen"},
		{"abc-", "hyphen"},
		{"ab--cd", "two in a row"},
		{"MyCompany", "position 1"},
		{"my_company", "position 3"},
		{"my company", "position 3"},
		{"<script>", "position 1"},
		{"ab\x00c", "position 3"},
		{"ab\u00e9c", "position 3"},
	} {
		checkErr(t, ValidateAmazonAccountAlias("accountAlias", tc.in), CodeInvalidValue, "accountAlias", tc.want)
	}
}
