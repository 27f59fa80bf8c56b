package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

// fieldNames maps API field names that do not follow the plain
// camelCase → snake_case rule onto the attribute a user writes.
var fieldNames = map[string]string{
	"password":                 "password_wo",
	"appPassword":              "app_password_wo",
	"certificate":              "certificate_wo",
	"certificatePassword":      "certificate_password_wo",
	"sharePointAdminCenterUrl": "sharepoint_admin_center_url",
	"serviceAccountIds":        "service_account_ids",
	"delegatedAppProfileIds":   "delegated_app_profile_ids",
	"appProfiles":              "app_profile",
	"mfa":                      "mfa_enabled",
}

var indexPattern = regexp.MustCompile(`^([A-Za-z]+)\[(\d+)\]$`)

// attributePath turns an API field ("appProfiles[1].impersonationUser")
// into the attribute path of the configuration, so the error points at the
// line that caused it.
func attributePath(field string, overrides map[string]string) (path.Path, bool) {
	if field == "" {
		return path.Empty(), false
	}
	var p path.Path
	for i, part := range strings.Split(field, ".") {
		name, idx := part, -1
		if m := indexPattern.FindStringSubmatch(part); m != nil {
			name = m[1]
			idx, _ = strconv.Atoi(m[2])
		}
		attr := snake(name)
		if o, ok := overrides[name]; ok {
			attr = o
		} else if o, ok := fieldNames[name]; ok {
			attr = o
		}
		if i == 0 {
			p = path.Root(attr)
		} else {
			p = p.AtName(attr)
		}
		if idx >= 0 {
			p = p.AtListIndex(idx)
		}
	}
	return p, true
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// addError reports a failed call. The summary names the action and the
// object; the detail says what to do and ends with the service's words. A
// refusal that names a field is attached to that attribute.
func addError(diags *diag.Diagnostics, action string, err error, overrides map[string]string) {
	summary := "Error " + action
	var timeoutErr *errConsentTimeout
	if errors.As(err, &timeoutErr) {
		// Not a failure of the service: nobody has consented yet. The
		// message carries the URL to open.
		diags.AddError(summary, timeoutErr.Error())
		return
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		detail := apiErr.Error()
		switch apiErr.StatusCode {
		case 401:
			detail = "The service did not accept the provider's credentials; check client_id and client_secret (AOS_CLIENT_ID, AOS_CLIENT_SECRET).\n\n" + detail
		case 403:
			detail = "The client lacks permission; changes need a client with scope aos.readwrite.\n\n" + detail
		case 412:
			// Writes carry the ETag of the object as the plan read it, so
			// this means the object changed since the plan (for example in
			// the console before a saved plan was applied).
			detail = "The object changed since Terraform planned this change, so applying the plan would overwrite that change. Run terraform plan again and review the differences before applying.\n\n" + detail
		}
		if p, ok := attributePath(apiErr.Field(), overrides); ok && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 {
			diags.AddAttributeError(p, summary, detail)
			return
		}
		diags.AddError(summary, detail)
		return
	}
	diags.AddError(summary, fmt.Sprintf("The request did not complete; check that the endpoint is reachable and retry.\n\n%v", err))
}
