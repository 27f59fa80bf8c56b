package domain

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field helpers shared by the HTTP layer and the rules above. Each names the
// field it refuses and says what would be accepted, because the provider
// shows these messages to the person editing the configuration.

// Limits of free-text fields.
const (
	NameMaxLength        = 128
	DescriptionMaxLength = 1000
	// UPNMaxLength is the longest userPrincipalName Microsoft Entra ID
	// accepts; its local part may have at most 64 characters.
	UPNMaxLength      = 113
	upnLocalMaxLength = 64
)

// OneOf refuses a value outside allowed.
func OneOf(field, value string, allowed []string) *Error {
	if slices.Contains(allowed, value) {
		return nil
	}
	if value == "" {
		return Invalid(CodeRequired, field, "set %s to one of: %s", field, strings.Join(allowed, ", "))
	}
	return Invalid(CodeInvalidValue, field, "%q is not a valid %s; use one of: %s",
		value, field, strings.Join(allowed, ", "))
}

// RequiredString refuses an empty or blank value.
func RequiredString(field, v string) *Error {
	if strings.TrimSpace(v) == "" {
		return Invalid(CodeRequired, field, "%s is required", field)
	}
	return nil
}

// ValidateName checks a display name: 1 to 128 characters, no control
// characters, and no leading or trailing spaces. Spaces are refused rather
// than trimmed because a silently trimmed name would differ from the
// configuration and show as a change on every Terraform plan.
func ValidateName(field, v string) *Error {
	if strings.TrimSpace(v) == "" {
		return Invalid(CodeRequired, field, "%s is required (1 to %d characters)", field, NameMaxLength)
	}
	if err := validateText(field, v, NameMaxLength, false); err != nil {
		return err
	}
	// A name of combining marks and joiners alone shows as nothing, yet
	// passes as a name distinct from every other.
	if !strings.ContainsFunc(v, func(r rune) bool {
		return unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf)
	}) {
		return Invalid(CodeRequired, field, "%s has no visible character; give it a name people can read", field)
	}
	return nil
}

// ValidateDescription checks an optional free-text description: at most
// 1000 characters, line breaks and tabs allowed, other control characters
// not.
func ValidateDescription(field, v string) *Error {
	if v == "" {
		return nil
	}
	return validateText(field, v, DescriptionMaxLength, true)
}

func validateText(field, v string, maxLen int, multiline bool) *Error {
	if !utf8.ValidString(v) {
		return Invalid(CodeInvalidValue, field, "%s is not valid UTF-8 text", field)
	}
	if n := utf8.RuneCountInString(v); n > maxLen {
		return Invalid(CodeInvalidValue, field, "%s has %d characters; shorten it to at most %d", field, n, maxLen)
	}
	if !multiline && strings.TrimSpace(v) != v {
		return Invalid(CodeInvalidValue, field, "%s starts or ends with spaces; remove them", field)
	}
	for i, r := range []rune(v) {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return Invalid(CodeInvalidValue, field,
				"%s contains a control character at position %d; use printable characters only", field, i+1)
		}
		if msg := hiddenRune(r); msg != "" {
			return Invalid(CodeInvalidValue, field, "%s contains U+%04X, %s, at position %d; remove it", field, r, msg, i+1)
		}
	}
	return nil
}

// hiddenRune says what r is when it is a character that makes displayed
// text differ from what it is, and "" otherwise. Names and descriptions are
// read by people in the console and in plans: direction controls can show
// "evil\u202Etxt.exe" as "evilexe.txt" (the "Trojan Source" trick), and
// invisible format characters make two names that look the same distinct
// ("zwsp" and "zw\u200Bsp"). Noncharacters are Unicode's own "never
// interchange" code points. Zero-width joiners and non-joiners stay
// allowed: scripts such as Persian and the emoji sequences need them, as
// emoji flags need the tag characters.
func hiddenRune(r rune) string {
	switch {
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
		return "a Unicode noncharacter"
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return "an invisible text-direction control that can make the text display in another order than it is"
	case r == 0x200C, r == 0x200D, r >= 0xE0020 && r <= 0xE007F:
		return ""
	case unicode.Is(unicode.Cf, r):
		return "an invisible formatting character"
	}
	return ""
}

// ValidateURL checks an absolute http(s) URL with a host and no embedded
// credentials. httpsOnly refuses plain http, as every URL that will carry a
// token must.
func ValidateURL(field, v string, httpsOnly bool) *Error {
	if v == "" {
		return Invalid(CodeRequired, field, "%s is required", field)
	}
	want := "an absolute http:// or https:// URL"
	if httpsOnly {
		want = "an absolute https:// URL"
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return Invalid(CodeInvalidValue, field, "%q is not %s", v, want)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && !httpsOnly:
	default:
		return Invalid(CodeInvalidValue, field, "%q must be %s", v, want)
	}
	if u.User != nil {
		return Invalid(CodeInvalidValue, field, "%q embeds credentials; remove the user:password@ part", v)
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return Invalid(CodeInvalidValue, field, "%q contains spaces; percent-encode them", v)
	}
	return nil
}

// SharePoint admin center hosts end in one of these suffixes: commercial and
// GCC tenants use sharepoint.com, GCC High and DoD sharepoint.us.
var sharePointAdminSuffixes = []string{"-admin.sharepoint.com", "-admin.sharepoint.us"}

// ValidateSharePointAdminURL checks a SharePoint Online admin center URL:
// https, a host of the form <tenant>-admin.sharepoint.com (or .us) and
// nothing after the host but an optional slash, because the service derives
// its API paths from the root.
func ValidateSharePointAdminURL(field, v string) *Error {
	const example = "https://contoso-admin.sharepoint.com"
	if e := ValidateURL(field, v, true); e != nil {
		e.Message += "; the SharePoint admin center URL looks like " + example
		e.Details[0].Message = e.Message
		return e
	}
	u, _ := url.Parse(v) // Parsed successfully above.
	host := strings.ToLower(u.Hostname())
	ok := false
	for _, s := range sharePointAdminSuffixes {
		if prefix, found := strings.CutSuffix(host, s); found && isDNSLabel(prefix) {
			ok = true
		}
	}
	if !ok || u.Port() != "" {
		return Invalid(CodeInvalidValue, field,
			"%q is not a SharePoint Online admin center URL; use https://<tenant>-admin.sharepoint.com "+
				"(or .sharepoint.us for U.S. Government tenants), for example %s", v, example)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Invalid(CodeInvalidValue, field,
			"%q has a path or query; give only the admin center root, for example %s", v, example)
	}
	return nil
}

// DefaultSharePointAdminURL derives a Microsoft tenant's SharePoint admin
// center URL from its initial domain: contoso.onmicrosoft.com gives
// https://contoso-admin.sharepoint.com. Government tenants (an onmicrosoft.us
// domain or the us_government environment) use sharepoint.us.
func DefaultSharePointAdminURL(domain, azureEnvironment string) string {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	if d == "" {
		return ""
	}
	prefix, _, _ := strings.Cut(d, ".")
	suffix := "sharepoint.com"
	if azureEnvironment == "us_government" || strings.HasSuffix(d, ".us") {
		suffix = "sharepoint.us"
	}
	return "https://" + prefix + "-admin." + suffix
}

// Microsoft 365 initial domains per Azure environment.
var microsoftDomainSuffixes = map[string]string{
	"commercial":    ".onmicrosoft.com",
	"us_government": ".onmicrosoft.us",
}

// DefaultAzureEnvironment is the Azure environment of a Microsoft tenant
// registration that names none: an onmicrosoft.us domain belongs to a U.S.
// Government tenant, anything else to a commercial one.
func DefaultAzureEnvironment(tenantDomain string) string {
	if strings.HasSuffix(tenantDomain, microsoftDomainSuffixes["us_government"]) {
		return "us_government"
	}
	return AzureEnvironments[0]
}

// MicrosoftDomainSuffix is the suffix of the initial domain of a Microsoft
// 365 tenant in the Azure environment ("" for an unknown environment).
func MicrosoftDomainSuffix(environment string) string {
	return microsoftDomainSuffixes[environment]
}

// AzureEnvironmentTitle names an Azure environment in messages.
func AzureEnvironmentTitle(environment string) string {
	if environment == "us_government" {
		return "U.S. Government"
	}
	return "commercial"
}

// CheckMicrosoftTenantDomain is the service's rule for the domain of a
// Microsoft tenant registration: the tenant is named by its original
// (initial) domain, which ends in .onmicrosoft.com in the commercial cloud
// and in .onmicrosoft.us in the U.S. Government cloud. A custom domain such
// as contoso.com does not name the tenant. environment must be one of
// AzureEnvironments (see DefaultAzureEnvironment when none is given).
func CheckMicrosoftTenantDomain(field, tenantDomain, environment string) *Error {
	want := MicrosoftDomainSuffix(environment)
	if want == "" || strings.HasSuffix(tenantDomain, want) {
		return nil
	}
	return Invalid(CodeInvalidValue, field,
		"a %s Microsoft 365 tenant is named by its original domain ending in %s; got %q",
		AzureEnvironmentTitle(environment), want, tenantDomain)
}

// ValidateUPN checks a Microsoft 365 user principal name: local@domain, the
// local part of letters, digits and ' . - _ ! # ^ ~, not ending with a dot,
// and a host name after the @.
func ValidateUPN(field, v string) *Error {
	const want = "a user principal name such as user@contoso.onmicrosoft.com"
	if v == "" {
		return Invalid(CodeRequired, field, "%s is required: %s", field, want)
	}
	if len(v) > UPNMaxLength {
		return Invalid(CodeInvalidValue, field, "%s has %d characters; a user principal name has at most %d",
			field, len(v), UPNMaxLength)
	}
	local, host, ok := strings.Cut(v, "@")
	if !ok || local == "" || host == "" || strings.Contains(host, "@") {
		return Invalid(CodeInvalidValue, field, "%q is not %s", v, want)
	}
	if len(local) > upnLocalMaxLength {
		return Invalid(CodeInvalidValue, field, "the part before @ in %q is longer than %d characters",
			v, upnLocalMaxLength)
	}
	for _, r := range local {
		if !isUPNLocalRune(r) {
			return Invalid(CodeInvalidValue, field,
				"%q contains a character not allowed before the @; use letters, digits and ' . - _ ! # ^ ~", v)
		}
	}
	if strings.HasSuffix(local, ".") || strings.HasPrefix(local, ".") {
		return Invalid(CodeInvalidValue, field, "%q has a dot at the start or right before the @; remove it", v)
	}
	if !isHostname(strings.ToLower(host)) {
		return Invalid(CodeInvalidValue, field, "%q has an invalid domain after the @; %s", v, want)
	}
	return nil
}

// ValidateGUID checks the textual form Azure uses for ids:
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex, either case.
func ValidateGUID(field, v string) *Error {
	if IsGUID(v) {
		return nil
	}
	return Invalid(CodeInvalidValue, field,
		"%q is not a GUID; copy the ID from the Azure portal, in the form 00000000-0000-0000-0000-000000000000", v)
}

// IsGUID reports whether v is a GUID in 8-4-4-4-12 hex form.
func IsGUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

// indexed names one element of a list field, in the dotted-path form the
// API's error details use.
func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

func isHostname(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !isDNSLabel(l) {
			return false
		}
	}
	return true
}

// isDNSLabel accepts a lowercase DNS label: letters, digits and inner
// hyphens, 1 to 63 characters.
func isDNSLabel(l string) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !isLowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// isUPNLocalRune accepts the characters Microsoft allows before the @ of a
// user principal name.
func isUPNLocalRune(r rune) bool {
	return r < utf8.RuneSelf && (isAlnum(byte(r)) || strings.ContainsRune("'.-_!#^~", r))
}

func isLowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// MailMaxLength is the longest mail address SMTP can carry (RFC 5321
// section 4.5.3.1.3: a path of 256 octets, less the angle brackets); the
// part before the @ has at most 64 (section 4.5.3.1.1).
const MailMaxLength = 254

// PartnerPrincipalMaxLength is the longest principal a partner user may
// have: a mail address, which also covers user principal names
// (UPNMaxLength) and object ids (36 characters).
const PartnerPrincipalMaxLength = MailMaxLength

// ValidatePartnerPrincipal checks the principal of a user or group added
// through a partner app profile. Microsoft Entra ID names one by its user
// principal name, its mail address (a mail-enabled group has one) or its
// object id, a GUID; a display name is not accepted, since Entra does not
// keep display names unique.
func ValidatePartnerPrincipal(field, v string) *Error {
	const want = "a user principal name or mail address (such as user@contoso.onmicrosoft.com) or an object id (00000000-0000-0000-0000-000000000000)"
	if v == "" {
		return Invalid(CodeRequired, field, "%s is required: %s", field, want)
	}
	if n := utf8.RuneCountInString(v); n > PartnerPrincipalMaxLength {
		return Invalid(CodeInvalidValue, field, "%s has %d characters; a principal has at most %d", field, n, PartnerPrincipalMaxLength)
	}
	if IsGUID(v) {
		return nil
	}
	if !strings.Contains(v, "@") {
		return Invalid(CodeInvalidValue, field, "%q is not %s", v, want)
	}
	return ValidateMailAddress(field, v)
}

// ValidateMailAddress checks a mail address of the form local@domain: the
// local part is a dot-atom of RFC 5322 section 3.2.3 (letters, digits and
// !#$%&'*+-/=?^_`{|}~, dots only between them) of at most 64 characters,
// the domain a host name. Quoted local parts and address literals are not
// accepted: Microsoft 365 does not use them.
func ValidateMailAddress(field, v string) *Error {
	const want = "a mail address such as user@contoso.com"
	if len(v) > MailMaxLength {
		return Invalid(CodeInvalidValue, field, "%s has %d characters; a mail address has at most %d", field, len(v), MailMaxLength)
	}
	local, host, ok := strings.Cut(v, "@")
	if !ok || local == "" || host == "" || strings.Contains(host, "@") {
		return Invalid(CodeInvalidValue, field, "%q is not %s", v, want)
	}
	if len(local) > upnLocalMaxLength {
		return Invalid(CodeInvalidValue, field, "the part before @ in %q is longer than %d characters", v, upnLocalMaxLength)
	}
	for _, atom := range strings.Split(local, ".") {
		if atom == "" {
			return Invalid(CodeInvalidValue, field, "%q has a dot at the start or end of the part before the @, or two dots in a row; remove them", v)
		}
		for _, r := range atom {
			if r >= utf8.RuneSelf || !isAlnum(byte(r)) && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r) {
				return Invalid(CodeInvalidValue, field,
					"%q contains a character not allowed before the @; use letters, digits and !#$%%&'*+-/=?^_`{|}~", v)
			}
		}
	}
	if !isHostname(strings.ToLower(host)) {
		return Invalid(CodeInvalidValue, field, "%q has an invalid domain after the @; %s", v, want)
	}
	return nil
}
