package domain

// The permission sets a tenant registration asks for, per platform. The
// service versions each set (the version lives in storage and is raised with
// `aosd permissions bump`); a tenant connected with an older version is
// marked reconnectRecommended.

var microsoftGraphPermissions = []string{
	"Directory.Read.All",
	"Domain.Read.All",
	"Group.Read.All",
	"GroupMember.Read.All",
	"Organization.Read.All",
	"User.Read.All",
	"Sites.FullControl.All",
	"Application.ReadWrite.OwnedBy",
}

var googleScopes = []string{
	"https://www.googleapis.com/auth/admin.directory.user.readonly",
	"https://www.googleapis.com/auth/admin.directory.group.readonly",
	"https://www.googleapis.com/auth/apps.licensing",
}

var salesforceScopes = []string{"api", "refresh_token", "id"}

// PartnerGraphPermissions are the delegated Graph permissions a partner app
// profile's app is consented with.
var PartnerGraphPermissions = []string{
	"Group.Read.All",
	"Organization.Read.All",
	"User.Read.All",
	"Directory.Read.All",
	"GroupMember.Read.All",
	"Domain.Read.All",
	"User.Read",
}

// PermissionSetFor describes what a registration on platform needs at
// version.
func PermissionSetFor(platform string, version int) PermissionSet {
	ps := PermissionSet{Platform: platform, Version: version}
	switch platform {
	case PlatformMicrosoft:
		ps.AdminRequirement = "a Global Administrator who is a member (not a guest) of the tenant being connected grants admin consent"
		ps.Permissions = microsoftGraphPermissions
	case PlatformGoogle:
		ps.AdminRequirement = "the Tenant Management app is installed from the Google Workspace Marketplace, and the consenting account has the admin privileges Users > Read, Groups > Read and License Management > License Read"
		ps.Permissions = googleScopes
	case PlatformSalesforce:
		ps.AdminRequirement = "the consenting user has the System Administrator profile (or a profile with its permissions); for an uninstalled connected app also Use Any API Client (API Access Control on) or Approve Uninstalled Connected Apps (API Access Control off)"
		ps.Permissions = salesforceScopes
	case PlatformAmazon:
		ps.AdminRequirement = "an IAM user whose access key may run the listed IAM actions creates the role and policies"
		ps.Policies = AmazonPolicies(version)
		ps.ConfiguringUserActions = AmazonConfiguringUserActions
		for _, p := range ps.Policies {
			ps.Permissions = append(ps.Permissions, p.Name)
		}
	}
	return ps
}
