package microsoft

import "github.com/aos-dev/terraform-provider-aos/internal/domain"

// Cloud is a Microsoft cloud: its sign-in authority host and Graph
// endpoint ("National cloud deployments", learn.microsoft.com/graph/deployments:
// global service login.microsoftonline.com and graph.microsoft.com; U.S.
// Government L4 (GCC High) login.microsoftonline.us and graph.microsoft.us).
type Cloud struct {
	// Environment is the API's name (domain.AzureEnvironments).
	Environment string
	// LoginURL is the authority host, without a tenant.
	LoginURL string
	// GraphURL is the Graph endpoint, without a version.
	GraphURL string
}

// The clouds a Microsoft tenant can be in.
var (
	Commercial   = Cloud{Environment: "commercial", LoginURL: "https://login.microsoftonline.com", GraphURL: "https://graph.microsoft.com"}
	USGovernment = Cloud{Environment: "us_government", LoginURL: "https://login.microsoftonline.us", GraphURL: "https://graph.microsoft.us"}
)

// CloudFor returns the cloud of an Azure environment, ok false for an
// unknown one.
func CloudFor(environment string) (Cloud, bool) {
	switch environment {
	case "", Commercial.Environment:
		return Commercial, true
	case USGovernment.Environment:
		return USGovernment, true
	}
	return Cloud{}, false
}

// GraphScope is the scope of tokens for this cloud's Graph: its resource
// with /.default. It names the real cloud even when the base URLs point at
// a simulator, which stands in for that cloud.
func (c Cloud) GraphScope() string { return c.GraphURL + "/.default" }

// SharePointAdminURL is the tenant's SharePoint admin center URL, from its
// initial domain (https://<prefix>-admin.sharepoint.com, .us in the U.S.
// Government cloud).
func (c Cloud) SharePointAdminURL(initialDomain string) string {
	return domain.DefaultSharePointAdminURL(initialDomain, c.Environment)
}
