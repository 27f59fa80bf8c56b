package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

type diagList = diag.Diagnostics

var sharePointURLPattern = regexp.MustCompile(`^https://[a-z0-9-]+-admin\.sharepoint\.(com|us)/?$`)

func init() {
	resources = append(resources, newMicrosoftTenantResource, newGoogleTenantResource, newSalesforceTenantResource)
}

func newMicrosoftTenantResource() resource.Resource {
	return &consentTenantResource{kind: tenantKind{
		typeSuffix: "microsoft_tenant", platform: domain.PlatformMicrosoft, title: "Microsoft 365",
		description: "A Microsoft 365 tenant registration. Connecting creates the service's app in the tenant: a Global Administrator who is a member " +
			"of the same tenant (not a guest) grants admin consent at `consent_url`.\n\n" +
			"After connecting, the SharePoint Online admin center URL is derived from the domain and can be changed with `sharepoint_admin_center_url`. " +
			"When the service requires a newer permission set, `reconnect_recommended` turns true and `terraform plan` shows an in-place update that reconnects.",
		domainDesc:   "The tenant's original domain: `<name>.onmicrosoft.com`, or `<name>.onmicrosoft.us` for U.S. Government tenants.",
		environments: domain.AzureEnvironments, envAttr: "azure_environment",
		envDesc: "Azure environment of the tenant. When left out it follows from the domain: `us_government` for an `.onmicrosoft.us` domain " +
			"(most GCC High and DoD tenants), otherwise `commercial`. Allowed values",
		envFromDomain: azureEnvironmentFor,
		sharePoint:    true,
	}}
}

func newGoogleTenantResource() resource.Resource {
	return &consentTenantResource{kind: tenantKind{
		typeSuffix: "google_tenant", platform: domain.PlatformGoogle, title: "Google Workspace",
		description: "A Google Workspace tenant registration. The Tenant Management app must be installed from the Google Workspace Marketplace, " +
			"and the consenting account needs the admin privileges Users › Read, Groups › Read and License Management › License Read in the same tenant.",
		domainDesc: "The Google Workspace primary domain, for example `contoso.com`.",
	}}
}

func newSalesforceTenantResource() resource.Resource {
	return &consentTenantResource{kind: tenantKind{
		typeSuffix: "salesforce_tenant", platform: domain.PlatformSalesforce, title: "Salesforce",
		description: "A Salesforce org registration. Connecting creates the service's connected app: the consenting user needs the System Administrator " +
			"profile (or one with its permissions) in the same org. Where the connected app is not installed, the user also needs \"Use Any API Client\" " +
			"(API Access Control on) or \"Approve Uninstalled Connected Apps\" (API Access Control off).",
		domainDesc:   "The org's My Domain host, for example `contoso.my.salesforce.com` (sandbox: `contoso--dev.sandbox.my.salesforce.com`).",
		environments: domain.SalesforceEnvironments, envAttr: "environment",
		envDesc: "Salesforce environment (default `production`)",
	}}
}
