package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/iam"
)

// The data source builds the configuring user's policy from the service's
// action list; with the same list it must be the domain package's policy,
// byte for byte.
func TestRequiredPermissionsUserPolicyMatchesDomain(t *testing.T) {
	actions := slices.Clone(domain.AmazonConfiguringUserActions)
	slices.Sort(actions)
	got, err := requiredPermissionsUserPolicy(actions)
	if err != nil {
		t.Fatal(err)
	}
	if want := domain.AmazonConfiguringUserPolicy(); got != want {
		t.Errorf("policy\n got %s\nwant %s", got, want)
	}
}

func TestAmazonEndpoint(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://global")
	t.Setenv("AWS_ENDPOINT_URL_IAM", "http://iam-only")
	t.Setenv("AWS_ENDPOINT_URL_STS", "")
	for _, c := range []struct{ configured, service, want string }{
		{"http://configured", "IAM", "http://configured"},
		{"", "IAM", "http://iam-only"},
		{"", "STS", "http://global"},
	} {
		if got := amazonEndpoint(c.configured, c.service); got != c.want {
			t.Errorf("amazonEndpoint(%q, %s) = %q, want %q", c.configured, c.service, got, c.want)
		}
	}
}

func TestAmazonConnUsesChainWithoutSecret(t *testing.T) {
	m := &amazonTenantModel{}
	m.flatten(&domain.Tenant{ID: "t", Environment: "gov", Amazon: &domain.AmazonTenant{RoleName: "r"}})
	if c := amazonConnFrom(m, ""); c.accessKeyID != "" || c.region != "us-gov-west-1" {
		t.Errorf("without a secret: %+v", c)
	}
}

func TestAmazonRepairSentence(t *testing.T) {
	missing := iam.Drift{Kind: iam.DriftRoleMissing, Object: "Role"}.String()
	if s := amazonRepairSentence([]string{missing}, "Role"); !strings.Contains(s, "created again") {
		t.Errorf("role missing: %s", s)
	}
	detached := iam.Drift{Kind: iam.DriftPolicyDetached, Object: "P"}.String()
	if s := amazonRepairSentence([]string{detached}, "Role"); !strings.Contains(s, "AttachRolePolicy") {
		t.Errorf("detached: %s", s)
	}
}
