package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// NormalizePolicy returns a policy document in a canonical form, so that
// two documents IAM treats as the same compare equal as strings.
//
// IAM returns documents URL-encoded and not necessarily as they were sent,
// so NormalizePolicy URL-decodes them (a document that already starts with
// "{" is taken as plain JSON), drops insignificant whitespace and orders
// object keys. IAM gives "x" and ["x"] the same meaning and ignores the
// order of Action, Resource, principal and condition value lists, so lists
// of strings are sorted and de-duplicated, and every one-element list is
// unwrapped. Statement order is kept: lists of objects are not reordered.
func NormalizePolicy(doc string) (string, error) {
	decoded, err := decodeDocument(doc)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(strings.NewReader(decoded))
	// Numbers stay as written instead of passing through float64.
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	if dec.More() {
		return "", fmt.Errorf("policy document has trailing data after the JSON object")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Policies hold ARNs and conditions with "&", "<" and ">"; HTML escaping
	// would only make them harder to read in plan output.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(canonical(v)); err != nil {
		return "", fmt.Errorf("encode policy document: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// decodeDocument URL-decodes a document as IAM's Get* calls return it.
func decodeDocument(doc string) (string, error) {
	trimmed := strings.TrimSpace(doc)
	if strings.HasPrefix(trimmed, "{") {
		return trimmed, nil
	}
	// QueryUnescape, as the AWS provider does: IAM encodes "+" as %2B, so a
	// raw "+" can only be an encoded space.
	decoded, err := url.QueryUnescape(trimmed)
	if err != nil {
		return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
	}
	return decoded, nil
}

// canonical rewrites a decoded JSON value into its canonical form (see
// NormalizePolicy). Maps need no work: encoding/json sorts their keys.
func canonical(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = canonical(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = canonical(e)
		}
		if strs, ok := allStrings(t); ok {
			slices.Sort(strs)
			strs = slices.Compact(strs)
			if len(strs) == 1 {
				return strs[0]
			}
			out := make([]any, len(strs))
			for i, s := range strs {
				out[i] = s
			}
			return out
		}
		if len(t) == 1 {
			return t[0]
		}
		return t
	default:
		return v
	}
}

func allStrings(list []any) ([]string, bool) {
	if len(list) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// samePolicy reports whether two documents are equal after normalization.
// A document that does not parse equals nothing, so it is always replaced.
func samePolicy(a, b string) bool {
	na, errA := NormalizePolicy(a)
	nb, errB := NormalizePolicy(b)
	return errA == nil && errB == nil && na == nb
}
