package domain

import (
	"unicode"
	"unicode/utf8"
)

// Every text field of the API passes CheckText before any rule of its own
// looks at it, so that no field of any request can carry NUL, other control
// characters or bytes that are not UTF-8 into storage (PostgreSQL refuses
// NUL and invalid UTF-8 in text with an error of its own), and so that no
// value can outgrow an index: PostgreSQL refuses a btree index entry larger
// than about 2700 bytes, and the longest single-line text at its limit,
// TextMaxLength characters of four bytes each, stays well below that.

// TextMaxLength is the length limit of a text field that has no limit of its
// own. The longest such values (a domain name, a URL of the SharePoint admin
// center, a password) are far shorter.
const TextMaxLength = 256

// Limits of the text fields that need more than TextMaxLength.
const (
	// CertificateMaxLength bounds a PEM certificate and key or a base64
	// PKCS#12 file: an RSA 4096 key and a chain of a few certificates take
	// some 10 KB, so 64 KiB leaves room without inviting abuse.
	CertificateMaxLength = 64 << 10
	// AmazonRoleARNMaxLength is the limit AWS STS AssumeRole sets on RoleArn.
	AmazonRoleARNMaxLength = 2048
)

// TextKind is what a text field may hold.
type TextKind struct {
	// MaxLength is the most characters (code points) the field may have.
	MaxLength int
	// Multiline allows line breaks and tabs (descriptions, PEM text).
	Multiline bool
}

// textKinds are the kinds a field can name in its `text` struct tag; a
// field without the tag is a single line of at most TextMaxLength.
var textKinds = map[string]TextKind{
	"":            {MaxLength: TextMaxLength},
	"description": {MaxLength: DescriptionMaxLength, Multiline: true},
	"pem":         {MaxLength: CertificateMaxLength, Multiline: true},
	"arn":         {MaxLength: AmazonRoleARNMaxLength},
}

// TextKindOf returns the kind a `text` struct tag names; ok is false for a
// tag this package does not define, which is a programming error.
func TextKindOf(tag string) (TextKind, bool) {
	k, ok := textKinds[tag]
	return k, ok
}

// CheckText refuses text that no field may hold: invalid UTF-8 (which
// encoding/json turns into U+FFFD, so that character is refused as well),
// NUL and other control characters (line breaks and tabs only in multi-line
// fields; in a single line the Unicode line and paragraph separators count
// as line breaks too), and more than the kind's characters. The message
// never repeats the value: the field may be a password. The refusal is a 400
// like the other decoding errors, since the request carries text the
// service cannot take at all rather than breaking a product rule.
func CheckText(field, v string, kind TextKind) *Error {
	if !utf8.ValidString(v) {
		return BadRequest(CodeInvalidValue, field, "%s is not valid UTF-8 text", field)
	}
	n := 0
	for _, r := range v {
		n++
		switch {
		case r == utf8.RuneError:
			return BadRequest(CodeInvalidValue, field,
				"%s contains U+FFFD, the character that stands for bytes that are not valid UTF-8; send the text as valid UTF-8", field)
		case kind.Multiline && (r == '\n' || r == '\r' || r == '\t'):
		case r == 0:
			return BadRequest(CodeInvalidValue, field, "%s contains a NUL character (position %d); remove it", field, n)
		case unicode.IsControl(r) || !kind.Multiline && (r == '\u2028' || r == '\u2029'):
			return BadRequest(CodeInvalidValue, field,
				"%s contains a control character at position %d; use printable characters only", field, n)
		}
	}
	if n > kind.MaxLength {
		return BadRequest(CodeInvalidValue, field, "%s has %d characters; shorten it to at most %d", field, n, kind.MaxLength)
	}
	return nil
}
