package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// The JSON names each decoding target accepts, written out by hand so the
// fuzz target does not check decodeStrict against its own reflection.
var (
	tenantCreateNames = []string{"platform", "domain", "environment", "roleName", "sharePointAdminCenterUrl"}
	connectionNames   = []string{"name", "type", "tenantId", "geoLocation", "containerId", "appProfiles",
		"serviceAccountAuthentication", "serviceAccountIds", "delegatedAppProfileIds"}
	connectionAppNames = []string{"id", "impersonationUser"}
	partnerNames       = []string{"name", "cloud"}
)

// allKnown reports whether every key of the decoded body is a name the
// target accepts, exactly (case included).
func allKnown(doc any, names []string, nested map[string][]string) bool {
	obj, ok := doc.(map[string]any)
	if !ok {
		return true
	}
	for k, v := range obj {
		if !slices.Contains(names, k) {
			return false
		}
		inner, ok := nested[k]
		if !ok {
			continue
		}
		items, _ := v.([]any)
		for _, it := range items {
			if !allKnown(it, inner, nil) {
				return false
			}
		}
	}
	return true
}

// FuzzDecodeStrict: request decoding never panics, refuses with a 4xx in
// the API's error shape, and never accepts a field the object does not
// have; an unknown field is refused as UnknownField naming it.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{
		`{}`, ``, `null`, `[]`, `"x"`, `7`, `{"platform":"microsoft","domain":"contoso.onmicrosoft.com"}`,
		`{"Platform":"microsoft"}`, `{"PLATFORM":1}`, `{"a\"b":1}`, `{"platform":5}`, `{"platform":"x"} {}`,
		`{"appProfiles":[{"id":"x","impersonationUser":"u"}]}`, `{"appProfiles":[{"ID":"x"}]}`, `{"appProfiles":[{"id":"x","zz":1}]}`,
		`{"serviceAccountIds":["a",null]}`, `{"name":"\u00e9","cloud":"global"}`, `{"name":"x","name":"y"}`, `{"\ud800":1}`,
		`{"platform":"microsoft"`, `{"domain":{"a":[1,2,{"b":null}]}}`, "{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(s), "extra")
	}
	f.Add([]byte(`{}`), "Name")
	f.Add([]byte(`{}`), `quo"te`)
	f.Add([]byte(`{}`), "")
	f.Add([]byte(`{}`), "\xff")

	req := httptest.NewRequestWithContext(f.Context(), http.MethodPost, "/v1/x", nil)
	req.Header.Set("Content-Type", "application/json")
	targets := []struct {
		name   string
		new    func() any
		names  []string
		nested map[string][]string
	}{
		{"TenantCreate", func() any { return &domain.TenantCreate{} }, tenantCreateNames, nil},
		{"ConnectionWrite", func() any { return &domain.ConnectionWrite{} }, connectionNames, map[string][]string{"appProfiles": connectionAppNames}},
		{"PartnerAppProfileWrite", func() any { return &domain.PartnerAppProfileWrite{} }, partnerNames, nil},
		{"empty action body", func() any { return &struct{}{} }, nil, nil},
	}
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		var doc any
		validJSON := json.Unmarshal(body, &doc) == nil
		for _, tg := range targets {
			err := decodeStrict(req, body, tg.new())
			if err == nil {
				if validJSON && !allKnown(doc, tg.names, tg.nested) {
					t.Fatalf("%s accepted a field it does not have: %q", tg.name, body)
				}
				continue
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Status != http.StatusBadRequest {
				t.Fatalf("%s: %q: refusal is not a 400 domain error: %#v", tg.name, body, err)
			}
			if !slices.Contains([]string{domain.CodeBadRequest, domain.CodeUnknownField, domain.CodeInvalidValue}, de.Code) || de.Message == "" {
				t.Fatalf("%s: %q: unexpected refusal %s %q", tg.name, body, de.Code, de.Message)
			}
			if validJSON && de.Code == domain.CodeBadRequest && len(strings.TrimSpace(string(body))) > 0 {
				// Valid JSON is refused for its content only: a field or
				// type problem, or a second value after the first.
				if _, isObj := doc.(map[string]any); isObj {
					t.Fatalf("%s: valid JSON object %q refused as malformed: %s", tg.name, body, de.Message)
				}
			}
			if de.Code == domain.CodeUnknownField && len(de.Details) != 1 {
				t.Fatalf("%s: UnknownField without the field: %+v", tg.name, de.Details)
			}
		}

		// A valid object with one unknown key is refused naming that key
		// exactly as sent (after JSON's own UTF-8 repair).
		kb, _ := json.Marshal(key)
		var sent string
		_ = json.Unmarshal(kb, &sent)
		if slices.Contains(partnerNames, sent) {
			return
		}
		withKey := []byte(`{"name":"profile",` + string(kb) + `:1}`)
		err := decodeStrict(req, withKey, &domain.PartnerAppProfileWrite{})
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.CodeUnknownField || len(de.Details) != 1 || de.Details[0].Field != sent {
			t.Fatalf("unknown key %q in %s: got %#v", sent, withKey, err)
		}
	})
}
