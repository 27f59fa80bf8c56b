package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidatePassword walks the rows of the Microsoft 365 password table
// that can be checked when a password is entered. The expiry rows (expiry on
// by default, 90 days, notice 14 days before) are tenant settings, not rules
// about the password's text, so they have no case here.
func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		code string // "" when the password is accepted
		// want are fragments every one of which must appear in the message.
		want []string
	}{
		// Characters allowed: letters, digits and each listed symbol.
		{name: "letters digits symbol", pw: "Contoso#2024"},
		{name: "symbol at", pw: "Abcdef1@"},
		{name: "symbol hash", pw: "Abcdef1#"},
		{name: "symbol dollar", pw: "Abcdef1$"},
		{name: "symbol percent", pw: "Abcdef1%"},
		{name: "symbol caret", pw: "Abcdef1^"},
		{name: "symbol ampersand", pw: "Abcdef1&"},
		{name: "symbol star", pw: "Abcdef1*"},
		{name: "symbol minus", pw: "Abcdef1-"},
		{name: "symbol underscore", pw: "Abcdef1_"},
		{name: "symbol bang", pw: "Abcdef1!"},
		{name: "symbol plus", pw: "Abcdef1+"},
		{name: "symbol equals", pw: "Abcdef1="},
		{name: "symbol brackets", pw: "Abcdef1[]"},
		{name: "symbol braces", pw: "Abcdef1{}"},

		// Characters not allowed: Unicode, spaces, other ASCII symbols.
		{name: "unicode letter", pw: "Contoso#2024é", code: CodePasswordPolicyViolation,
			want: []string{"Unicode", "position 13", "A-Z, a-z, 0-9"}},
		{name: "unicode only symbol", pw: "Contoso€2024", code: CodePasswordPolicyViolation,
			want: []string{"Unicode", "position 8"}},
		{name: "invalid utf8", pw: "Contoso#20\xff4", code: CodePasswordPolicyViolation,
			want: []string{"Unicode", "position 11"}},
		{name: "space", pw: "Contoso 2024#", code: CodePasswordPolicyViolation,
			want: []string{"space", "position 8"}},
		{name: "tab", pw: "Contoso\t2024#", code: CodePasswordPolicyViolation,
			want: []string{"space"}},
		{name: "tilde not listed", pw: "Contoso~2024", code: CodePasswordPolicyViolation,
			want: []string{"not allowed", "position 8", "@ # $ % ^ & * - _ ! + = [ ] { }"}},
		{name: "quote not listed", pw: `Contoso"2024`, code: CodePasswordPolicyViolation,
			want: []string{"not allowed"}},
		{name: "dot elsewhere", pw: "Contoso.2024#", code: CodePasswordPolicyViolation,
			want: []string{"not allowed", "position 8"}},
		{name: "trailing dot", pw: "Contoso#2024.", code: CodePasswordPolicyViolation,
			want: []string{"not allowed", "position 13"}},

		// Strong passwords only: no dot immediately before the @ symbol. It
		// has its own message and is not reported twice.
		{name: "dot before at", pw: "Contoso.@2024", code: CodePasswordPolicyViolation,
			want: []string{"dot (.) right before the @", "position 8"}},

		// Length: 8 to 16.
		{name: "seven chars", pw: "Abc#123", code: CodePasswordPolicyViolation,
			want: []string{"7 characters", "at least 8"}},
		{name: "eight chars", pw: "Abc#1234"},
		{name: "sixteen chars", pw: "Abcdefgh#1234567"},
		{name: "seventeen chars", pw: "Abcdefgh#12345678", code: CodePasswordPolicyViolation,
			want: []string{"17 characters", "at most 16"}},
		{name: "long unicode counts characters", pw: "Abcdefgh#123456ü", code: CodePasswordPolicyViolation,
			want: []string{"Unicode"}},

		// Strong passwords only: three of lowercase, uppercase, digits,
		// symbols.
		{name: "lower upper digit", pw: "Contoso2024"},
		{name: "lower upper symbol", pw: "Contoso#Admin"},
		{name: "lower digit symbol", pw: "contoso#2024"},
		{name: "upper digit symbol", pw: "CONTOSO#2024"},
		{name: "only lower", pw: "contosoadmin", code: CodePasswordPolicyViolation,
			want: []string{"only 1 of the four", "uppercase letters, digits or symbols"}},
		{name: "lower and upper", pw: "ContosoAdmin", code: CodePasswordPolicyViolation,
			want: []string{"only 2 of the four", "digits or symbols"}},
		{name: "digits and symbols", pw: "2024#2025!", code: CodePasswordPolicyViolation,
			want: []string{"only 2 of the four", "lowercase letters or uppercase letters"}},

		// Several problems at once are all reported.
		{name: "short and weak and spaced", pw: "ab cd", code: CodePasswordPolicyViolation,
			want: []string{"breaks 3 rules", "5 characters", "space", "only 1 of the four"}},

		// Nothing entered.
		{name: "empty", pw: "", code: CodeRequired, want: []string{"enter the account's password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePassword("password", tt.pw)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ValidatePassword(%q) = %v, want accepted", tt.pw, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidatePassword(%q) accepted, want %s", tt.pw, tt.code)
			}
			if err.Code != tt.code || err.Status != 422 {
				t.Fatalf("ValidatePassword(%q) = %s/%d, want %s/422", tt.pw, err.Code, err.Status, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Message, w) {
					t.Errorf("message %q lacks %q", err.Message, w)
				}
			}
			if len(err.Details) == 0 {
				t.Fatal("no details")
			}
			for _, d := range err.Details {
				if d.Field != "password" || d.Code != tt.code {
					t.Errorf("detail %+v, want field password and code %s", d, tt.code)
				}
			}
			// The message must not echo the password back: it may be
			// logged by clients.
			if len(tt.pw) >= 5 && strings.Contains(err.Message, tt.pw) {
				t.Errorf("message %q quotes the password", err.Message)
			}
		})
	}
}

func TestValidatePasswordDotBeforeAtReportedOnce(t *testing.T) {
	err := ValidatePassword("password", "Contoso.@2024")
	if err == nil || len(err.Details) != 1 {
		t.Fatalf("got %v, want exactly one problem", err)
	}
}

// FuzzValidatePassword checks that the validator never panics and that any
// password it accepts satisfies every rule, re-checked here independently of
// the implementation.
func FuzzValidatePassword(f *testing.F) {
	for _, s := range []string{
		"Contoso#2024", "Abc#1234", "Abcdefgh#1234567", "a.@B1", "Contoso.@2024",
		"", " ", "ÄÖÜäöü12", "\xff\xfe", "[]{}aA1", "Pass word1!", "........",
		"AAAAaaaa", "12345678", "!!!!!!!!aA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		err := ValidatePassword("pw", pw)
		if err != nil {
			if err.Code != CodePasswordPolicyViolation && err.Code != CodeRequired {
				t.Fatalf("unexpected code %s", err.Code)
			}
			if len(err.Details) == 0 || err.Message == "" {
				t.Fatalf("refusal without explanation: %+v", err)
			}
			return
		}
		if !utf8.ValidString(pw) {
			t.Fatalf("accepted invalid UTF-8 %q", pw)
		}
		if len(pw) < 8 || len(pw) > 16 {
			t.Fatalf("accepted length %d: %q", len(pw), pw)
		}
		if strings.Contains(pw, ".@") {
			t.Fatalf("accepted dot before at: %q", pw)
		}
		var lower, upper, digit, symbol bool
		for i := 0; i < len(pw); i++ {
			c := pw[i]
			switch {
			case 'a' <= c && c <= 'z':
				lower = true
			case 'A' <= c && c <= 'Z':
				upper = true
			case '0' <= c && c <= '9':
				digit = true
			case strings.IndexByte("@#$%^&*-_!+=[]{}", c) >= 0:
				symbol = true
			default:
				t.Fatalf("accepted character %q in %q", c, pw)
			}
		}
		n := 0
		for _, b := range []bool{lower, upper, digit, symbol} {
			if b {
				n++
			}
		}
		if n < 3 {
			t.Fatalf("accepted %q with only %d character kinds", pw, n)
		}
	})
}
