package domain

import (
	"slices"
	"strings"
)

// Service is a product service that can authenticate to Microsoft 365 with
// a service account profile.
type Service struct {
	Slug        string `json:"slug"`
	DisplayName string `json:"displayName"`
	// ServiceProviderOnly marks options offered only to service provider
	// organizations. The rule needs the organization's kind, which the
	// HTTP layer knows and this package does not.
	ServiceProviderOnly bool `json:"serviceProviderOnly,omitempty"`
}

// Service slugs.
const (
	ServiceCloudBackupM365 = "cloud_backup_m365"
	ServiceCloudGovernance = "cloud_governance"
	ServiceFly             = "fly"
	ServiceInsights        = "insights"
	ServiceEnPower         = "enpower"
	ServicePolicies        = "policies"
	ServiceMyHub           = "myhub"
	ServiceAOSCommon       = "aos_common"
)

// serviceAccountServices lists the services that accept Microsoft 365
// service account authentication, in the order the console offers them.
var serviceAccountServices = []Service{
	{Slug: ServiceCloudBackupM365, DisplayName: "Cloud Backup for Microsoft 365"},
	{Slug: ServiceCloudGovernance, DisplayName: "Cloud Governance"},
	{Slug: ServiceFly, DisplayName: "Fly"},
	{Slug: ServiceInsights, DisplayName: "Insights"},
	{Slug: ServiceEnPower, DisplayName: "EnPower"},
	{Slug: ServicePolicies, DisplayName: "Policies for Microsoft 365"},
	{Slug: ServiceMyHub, DisplayName: "MyHub"},
	{Slug: ServiceAOSCommon, DisplayName: "AvePoint Online Services common service", ServiceProviderOnly: true},
}

// ServiceAccountServices returns a copy of the services list.
func ServiceAccountServices() []Service { return slices.Clone(serviceAccountServices) }

// ServiceSlugs lists the slugs of the services that accept service account
// authentication.
func ServiceSlugs() []string {
	out := make([]string, len(serviceAccountServices))
	for i, s := range serviceAccountServices {
		out[i] = s.Slug
	}
	return out
}

// ValidateServiceAvailability checks that an organization may use each of
// the services: one that is ServiceProviderOnly needs an organization that
// is a service provider. It reports the first service refused, by its index
// in s, so the caller's error points at the entry to remove.
func ValidateServiceAvailability(field string, s []string, serviceProvider bool) *Error {
	if serviceProvider {
		return nil
	}
	for i, v := range s {
		svc, ok := serviceBySlug(v)
		if !ok || !svc.ServiceProviderOnly {
			continue
		}
		return Invalid(CodeServiceProviderOnly, indexed(field, i),
			"%q (%s) is offered to service provider organizations only, and this organization is not one: "+
				"remove it from services, or have the operator of the service mark the organization as a service provider "+
				"(aosd orgs set ORG --service-provider)",
			v, svc.DisplayName)
	}
	return nil
}

func serviceBySlug(slug string) (Service, bool) {
	for _, s := range serviceAccountServices {
		if s.Slug == slug {
			return s, true
		}
	}
	return Service{}, false
}

// ValidateServices checks the services of a service account profile: at
// least one, each known, none twice. Duplicates are refused rather than
// folded because the stored set would then differ from the configuration
// and Terraform would plan a change forever.
func ValidateServices(field string, s []string) *Error {
	if len(s) == 0 {
		return Invalid(CodeServicesRequired, field,
			"select at least one service that will use this account: %s", strings.Join(ServiceSlugs(), ", "))
	}
	known := ServiceSlugs()
	seen := make(map[string]bool, len(s))
	for i, v := range s {
		item := indexed(field, i)
		if !slices.Contains(known, v) {
			return Invalid(CodeInvalidValue, item,
				"%q is not a service that supports service account authentication; use one of: %s",
				v, strings.Join(known, ", "))
		}
		if seen[v] {
			return Invalid(CodeDuplicateValue, item, "service %q is listed twice; list each service once", v)
		}
		seen[v] = true
	}
	return nil
}
