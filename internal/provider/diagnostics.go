package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
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
	var cancelErr *errConsentCancelled
	switch {
	case errors.As(err, &timeoutErr):
		// Not a failure of the service: nobody has consented yet. The
		// message carries the URL to open.
		diags.AddError(summary, timeoutErr.Error())
		return
	case errors.As(err, &cancelErr):
		diags.AddError("Cancelled "+action, cancelErr.Error())
		return
	}
	var credErr *client.CredentialsError
	var notAOS *client.NotAOSError
	var schemeErr *client.SchemeError
	switch {
	case errors.As(err, &credErr):
		diags.AddError(summary, "The service refused the provider's client credentials. Check client_secret (or AOS_CLIENT_SECRET) and client_id "+
			"(or AOS_CLIENT_ID) in the provider configuration: the secret must be the one issued with the client id (aosd dev prints both; "+
			"aosd clients create issues new ones).\n\n"+err.Error())
		return
	case errors.As(err, &schemeErr):
		diags.AddError(summary, "The provider's endpoint has the wrong scheme: the service there takes only HTTPS. Change endpoint (or AOS_ENDPOINT) "+
			"to begin with https:// instead of http://.\n\n"+err.Error())
		return
	case errors.As(err, &notAOS):
		diags.AddError(summary, "The provider's endpoint does not look like an aosd registration API. Set endpoint (or AOS_ENDPOINT) to the API's "+
			"base URL, such as https://aos.example.com or the URL aosd dev prints, without a path.\n\n"+err.Error())
		return
	}
	// A request that was retried says how many attempts it made over how
	// long; keep that in the detail, ahead of the service's answer.
	var retryErr *client.RetryError
	retried := errors.As(err, &retryErr)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		detail := apiErr.Error()
		if retried {
			detail = retryErr.Error()
		}
		switch apiErr.StatusCode {
		case 401:
			detail = "The service did not accept the provider's credentials; check client_id and client_secret (AOS_CLIENT_ID, AOS_CLIENT_SECRET).\n\n" + detail
		case 403:
			detail = "The client lacks permission; changes need a client with scope aos.readwrite.\n\n" + detail
		case 412:
			// Writes carry the ETag of the object as the plan read it, so
			// this means the object changed since the plan (for example in
			// the console before a saved plan was applied). A retry of
			// Terraform's own write that met its own earlier attempt never
			// gets here: the client recognises it (client.alreadyApplied).
			detail = "The object changed since Terraform planned this change, so applying the plan would overwrite that change. Run terraform plan again and review the differences before applying.\n\n" + detail
		default:
			if retried {
				detail = retryHint(retryErr) + detail
			}
		}
		if p, ok := attributePath(apiErr.Field(), overrides); ok && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 {
			diags.AddAttributeError(p, summary, detail)
			return
		}
		diags.AddError(summary, detail)
		return
	}
	if errors.Is(err, context.Canceled) {
		diags.AddError("Cancelled "+action, "Terraform cancelled the operation (Ctrl-C, or Terraform stopping) before the service answered. "+
			"A write may or may not have been applied; the next terraform plan shows which.\n\n"+err.Error())
		return
	}
	if retried {
		diags.AddError(summary, retryHint(retryErr)+err.Error())
		return
	}
	// A failure to reach the service that the client did not retry: the
	// cause is in the endpoint or the TLS set-up, not in the service.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		diags.AddError(summary, fmt.Sprintf("The request did not complete, and retrying would not help. Check endpoint (AOS_ENDPOINT): its scheme (http or https), "+
			"host name and port, and, for https, that the service's certificate is trusted.\n\n%v", err))
		return
	}
	diags.AddError(summary, err.Error())
}

// retryHint says what to do about a request that was retried until it
// stopped.
func retryHint(e *client.RetryError) string {
	switch {
	case errors.Is(e.Ctx, context.Canceled):
		return "Terraform cancelled the operation while the provider was retrying.\n\n"
	case errors.Is(e.Ctx, context.DeadlineExceeded):
		return "The operation's timeout ran out while the provider was retrying; raise the resource's timeouts if the service needs longer to come back.\n\n"
	}
	return "The service did not answer successfully while the provider retried. Check that the endpoint is reachable and the service is running; " +
		"to wait longer for a restart, raise retry_timeout (AOS_RETRY_TIMEOUT) in the provider configuration.\n\n"
}

// addCreateError reports a failed create of a resource of resourceType
// (such as aos_partner_app_profile). Every resource's Create reports its
// errors through it, so a duplicate reads the same everywhere.
//
// A 409 AlreadyExists names the existing object (error.related) and the
// field that collides (error.details). The usual way to meet it is a create
// whose answer was lost, followed by an outage longer than the retries: the
// object exists in the service but not in the Terraform state. So besides
// naming the object, the message prints an import block that adopts it. The
// framework does not tell a provider the resource's address, so the block
// carries the type and a placeholder for the name.
//
// The provider does not adopt the object by itself, although it could match
// it by name. Nothing in the service ties the object to this Terraform
// state: the create's Idempotency-Key died with the apply that sent it, and
// a key derived from the configuration would be shared by every state with
// the same configuration (a copied workspace, a second team using the same
// name). Adopting on a match would let two states manage one object, each
// overwriting the other and one destroying it under the other, without a
// word. An import is the user saying this object is theirs.
func addCreateError(diags *diag.Diagnostics, action, resourceType string, err error, overrides map[string]string) {
	if !isAlreadyExists(err) {
		addError(diags, action, err, overrides)
		return
	}
	var apiErr *client.APIError
	errors.As(err, &apiErr)
	var b strings.Builder
	id := "<id>"
	if len(apiErr.Related) > 0 {
		r := apiErr.Related[0]
		id = r.ID
		fmt.Fprintf(&b, "The service already holds %s %q with id %s", strings.ReplaceAll(r.Kind, "_", " "), r.Name, r.ID)
	} else {
		b.WriteString("The service already holds an object with this identity")
	}
	if f := apiErr.Field(); f != "" {
		if p, ok := attributePath(f, overrides); ok {
			fmt.Fprintf(&b, " (the same %s)", p)
		}
	}
	b.WriteString(", which is not in this Terraform state.\n\n")
	b.WriteString("If it is the object an earlier terraform apply created (for example one whose answer was lost in an outage), adopt it instead of creating another: " +
		"add this block to your configuration, with NAME replaced by this resource's name, and run terraform apply:\n\n")
	fmt.Fprintf(&b, "  import {\n    to = %s.NAME\n    id = %q\n  }\n\n", resourceType, id)
	if id == "<id>" {
		b.WriteString("The service did not name the existing object; find its id in the console or with a data source, and put it in the block.\n\n")
	}
	b.WriteString("If it is another object, choose a different value for the colliding argument.\n\n")
	b.WriteString(apiErr.Error())
	summary := "Error " + action
	if p, ok := attributePath(apiErr.Field(), overrides); ok {
		diags.AddAttributeError(p, summary, b.String())
		return
	}
	diags.AddError(summary, b.String())
}

// isAlreadyExists reports a 409 AlreadyExists: an object with the same
// identity (name, domain, account) exists.
func isAlreadyExists(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == 409 && apiErr.Code == domain.CodeAlreadyExists
}
