package domain

import "strings"

// Limits of an AWS account alias, as IAM's CreateAccountAlias sets them
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccountAlias.html):
// "Length Constraints: Minimum length of 3. Maximum length of 63.", pattern
// ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$.
const (
	AmazonAccountAliasMinLength = 3
	AmazonAccountAliasMaxLength = 63
)

// ValidateAmazonAccountAlias checks an AWS account alias with IAM's own
// rule (see the limits above): 3 to 63 lowercase letters, digits and
// hyphens, neither starting nor ending with a hyphen, and no two hyphens in
// a row. An alias IAM would not create cannot belong to the account, and the
// service shows it as the tenant's name, so anything else is refused. The
// empty alias is an account without one and is accepted.
func ValidateAmazonAccountAlias(field, v string) *Error {
	if v == "" {
		return nil
	}
	const rule = "an AWS account alias is 3 to 63 lowercase letters, digits and hyphens, does not start or end with a hyphen and has no two hyphens in a row"
	if len(v) < AmazonAccountAliasMinLength || len(v) > AmazonAccountAliasMaxLength {
		return Invalid(CodeInvalidValue, field, "%s has %d characters; %s", field, len(v), rule)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isLowerAlnum(c) && c != '-' {
			return Invalid(CodeInvalidValue, field, "%s contains a character other than a lowercase letter, digit or hyphen at position %d; %s", field, i+1, rule)
		}
	}
	if v[0] == '-' || v[len(v)-1] == '-' || strings.Contains(v, "--") {
		return Invalid(CodeInvalidValue, field, "%s %q has a hyphen at its start or end or two in a row; %s", field, v, rule)
	}
	return nil
}
