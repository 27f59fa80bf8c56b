package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Microsoft 365 accepts only a narrow password alphabet and length range for
// accounts that sign in with a password. The service checks a service account
// password against the same policy before it ever tries the password against
// the platform, so an unusable password is refused with a precise reason
// instead of a vague sign-in failure later.
const (
	PasswordMinLength = 8
	PasswordMaxLength = 16
	// PasswordSymbols are the only non-alphanumeric characters allowed.
	PasswordSymbols = "@#$%^&*-_!+=[]{}"
	// PasswordMinCharacterKinds is how many of the four kinds (lowercase,
	// uppercase, digit, symbol) a strong password mixes.
	PasswordMinCharacterKinds = 3
)

// passwordAlphabet is the allowed alphabet spelled out for messages, so every
// refusal that concerns a character tells the user what to use instead.
var passwordAlphabet = "A-Z, a-z, 0-9 and the symbols " + strings.Join(strings.Split(PasswordSymbols, ""), " ")

// Character kinds a password can mix.
const (
	kindLower = 1 << iota
	kindUpper
	kindDigit
	kindSymbol
)

// ValidatePassword checks pw against the Microsoft 365 password policy and
// reports every violation at once, so a user fixes the password in one round
// instead of discovering the rules one by one. Messages never quote the
// password's characters (they may be logged); they point at positions
// instead, counted from 1.
func ValidatePassword(field, pw string) *Error {
	if pw == "" {
		return Invalid(CodeRequired, field,
			"enter the account's password (%d to %d characters)", PasswordMinLength, PasswordMaxLength)
	}

	var problems []string
	if n := utf8.RuneCountInString(pw); n < PasswordMinLength {
		problems = append(problems, fmt.Sprintf(
			"the password has %d characters; use at least %d", n, PasswordMinLength))
	} else if n > PasswordMaxLength {
		problems = append(problems, fmt.Sprintf(
			"the password has %d characters; Microsoft 365 accepts at most %d", n, PasswordMaxLength))
	}

	var (
		firstUnicode, firstSpace, firstDotAt, firstOther int
		kinds                                            int
		pos                                              int
		prevDot                                          bool
	)
	for _, r := range pw {
		pos++
		switch {
		case r >= utf8.RuneSelf || r == utf8.RuneError:
			// Invalid UTF-8 decodes as RuneError; it is just as unusable as a
			// real non-ASCII character, so it gets the same advice.
			setFirst(&firstUnicode, pos)
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			setFirst(&firstSpace, pos)
		case r == '@' && prevDot:
			// The dot itself is outside the alphabet too, but a dot right
			// before the @ is a rule of its own in the policy, so it is
			// reported with its own message and not twice.
			setFirst(&firstDotAt, pos-1)
			kinds |= kindSymbol
		case r >= 'a' && r <= 'z':
			kinds |= kindLower
		case r >= 'A' && r <= 'Z':
			kinds |= kindUpper
		case r >= '0' && r <= '9':
			kinds |= kindDigit
		case strings.ContainsRune(PasswordSymbols, r):
			kinds |= kindSymbol
		case r == '.':
			// Decided when the next character is seen: a dot before an @
			// has its own message.
		default:
			setFirst(&firstOther, pos)
		}
		if prevDot && r != '@' {
			setFirst(&firstOther, pos-1)
		}
		prevDot = r == '.'
	}
	if prevDot {
		setFirst(&firstOther, pos)
	}

	if firstUnicode > 0 {
		problems = append(problems, fmt.Sprintf(
			"the password contains a Unicode (non-ASCII) character at position %d; use only %s",
			firstUnicode, passwordAlphabet))
	}
	if firstSpace > 0 {
		problems = append(problems, fmt.Sprintf(
			"the password contains a space at position %d; remove all spaces", firstSpace))
	}
	if firstDotAt > 0 {
		problems = append(problems, fmt.Sprintf(
			"the password has a dot (.) right before the @ symbol at position %d; remove the dot or move it elsewhere",
			firstDotAt))
	}
	if firstOther > 0 {
		problems = append(problems, fmt.Sprintf(
			"the password contains a character that is not allowed at position %d; use only %s",
			firstOther, passwordAlphabet))
	}
	if n := countKinds(kinds); n < PasswordMinCharacterKinds {
		problems = append(problems, fmt.Sprintf(
			"the password mixes only %d of the four character kinds; add %s so that at least %d are used",
			n, missingKinds(kinds), PasswordMinCharacterKinds))
	}

	switch len(problems) {
	case 0:
		return nil
	case 1:
		return Invalid(CodePasswordPolicyViolation, field, "%s", problems[0])
	}
	e := Invalid(CodePasswordPolicyViolation, field,
		"the password breaks %d rules of the Microsoft 365 password policy: %s",
		len(problems), strings.Join(problems, "; "))
	e.Details = e.Details[:0]
	for _, p := range problems {
		e.Details = append(e.Details, Detail{Field: field, Code: CodePasswordPolicyViolation, Message: p})
	}
	return e
}

// setFirst records pos in *first unless an earlier position is already
// there. A dot is judged only when the character after it is seen, so
// positions do not always arrive in order.
func setFirst(first *int, pos int) {
	if *first == 0 || pos < *first {
		*first = pos
	}
}

func countKinds(kinds int) int {
	n := 0
	for k := kinds; k != 0; k &= k - 1 {
		n++
	}
	return n
}

// missingKinds names the kinds a password does not use yet, in the order the
// policy lists them.
func missingKinds(kinds int) string {
	var names []string
	for _, k := range []struct {
		bit  int
		name string
	}{
		{kindLower, "lowercase letters"},
		{kindUpper, "uppercase letters"},
		{kindDigit, "digits"},
		{kindSymbol, "symbols (" + strings.Join(strings.Split(PasswordSymbols, ""), " ") + ")"},
	} {
		if kinds&k.bit == 0 {
			names = append(names, k.name)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
