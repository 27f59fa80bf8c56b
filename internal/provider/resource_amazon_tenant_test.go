package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/iam"
	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

// The Amazon tenant tests run against moto (internal/testmoto), started once
// for the package by testAccStartMoto: it is the IAM and STS endpoint of the
// provider, and aosd verifies roles against its STS. moto differs from AWS
// (internal/testmoto/doc.go lists every difference, each pinned by a test
// there); these tests and the code under test guard against them as follows:
//
//   - DeletePolicy succeeds on moto while the policy is attached or has
//     non-default versions. Destroy and every rollback go through
//     internal/iam's Delete, which detaches, deletes non-default versions,
//     then policies, then the role, as AWS requires; the tests check that
//     ListRoles and ListPolicies come back empty, and the reconnect test
//     starts from five versions so the pruning really runs.
//   - CreateRole accepts a malformed trust policy on moto. The trust policy
//     is built by domain.AmazonTrustPolicy and validated by iam.Spec before
//     any call, so a wrong document cannot pass here and fail on AWS.
//   - UpdateRole resets omitted fields on moto. Reconnect sends both the
//     description and the maximum session; the drift tests check that a
//     repair leaves no drift behind.
//   - AssumeRole succeeds on moto without permission checks whatever the
//     trust policy or external ID say, so aosd's verification here proves
//     only that the call is made with the role ARN the provider created.
//     The trust policy itself is checked by reading it back from IAM
//     (testAccCheckAmazonRole) and by the drift tests.
//   - Without permission checks moto accepts any key. The wrong-key and
//     missing-permission tests use the second moto server, which checks
//     signatures and IAM permissions (testmoto.StartWithAuth), with
//     testmoto.RewriteErrors so the SDK sees AWS's error codes.
//   - moto never throttles and never lags. The throttling and failure tests
//     inject AWS errors with testmoto.Throttle and testmoto.InjectError
//     through amazonIAMConfigHook.
//   - GetPolicyVersion returns plain JSON on moto, URL-encoded JSON on AWS;
//     internal/iam decodes both before comparing documents.

const amazonAddr = "aos_amazon_tenant.test"

// testAccAmazonTransport is the RoundTripper under moto's error rewriter
// for the IAM clients the resource builds; a test sets it to inject
// errors and the cleanup puts nil (the default transport) back.
var testAccAmazonTransport http.RoundTripper

func init() {
	amazonIAMConfigHook = func(cfg *iam.Config) {
		cfg.HTTPClient = testmoto.HTTPClient(testAccAmazonTransport)
		// moto answers at once, so long backoffs and propagation waits
		// only slow the tests down.
		cfg.MaxBackoff = 50 * time.Millisecond
		cfg.PropagationTimeout = 5 * time.Second
	}
}

// testAccStartMoto starts moto for the package's acceptance tests, before
// aosd, and points the default AWS credential chain and endpoints of the
// test process at it: aosd resolves its own credentials from the chain when
// it starts, and tenants without access_key_id use the chain too. Nothing
// here can reach a real AWS account. When moto cannot start it returns no
// endpoint; the Amazon tests then skip with the reason, or fail when
// AOS_REQUIRE_MOTO=1, through testmoto.Start.
func testAccStartMoto() (stsEndpoint string, stop func()) {
	srv, err := testmoto.StartShared()
	if err != nil {
		fmt.Fprintln(os.Stderr, "moto did not start; the Amazon tenant tests will skip (or fail with AOS_REQUIRE_MOTO=1):", err)
		return "", func() {}
	}
	noFile := filepath.Join(os.TempDir(), "aos-acceptance-no-aws-config")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           testmoto.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       testmoto.SecretAccessKey,
		"AWS_REGION":                  testmoto.Region,
		"AWS_ENDPOINT_URL_IAM":        srv.URL(),
		"AWS_ENDPOINT_URL_STS":        srv.URL(),
		"AWS_CONFIG_FILE":             noFile,
		"AWS_SHARED_CREDENTIALS_FILE": noFile,
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		if err := os.Setenv(k, v); err != nil {
			fmt.Fprintln(os.Stderr, "setting", k, "for the Amazon tenant tests:", err)
		}
	}
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"} {
		if err := os.Unsetenv(k); err != nil {
			fmt.Fprintln(os.Stderr, "unsetting", k, "for the Amazon tenant tests:", err)
		}
	}
	return srv.URL(), testmoto.StopAll
}

// testAccAmazonPreCheck returns the plain moto server, emptied, after
// removing Amazon registrations an earlier failed test may have left (the
// service registers one AWS account once per organization).
func testAccAmazonPreCheck(t *testing.T) *testmoto.Server {
	t.Helper()
	testAccSkipUnlessAcc(t)
	testAccPreCheck(t)
	s := testmoto.Start(t)
	s.Reset(t)
	c := testClient(t)
	ts, err := c.ListTenants(testCtx(t), client.Filter{Platform: domain.PlatformAmazon})
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range ts {
		if err := c.DeleteTenant(testCtx(t), tn.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Fatalf("removing leftover Amazon tenant %s: %v", tn.ID, err)
		}
	}
	return s
}

// testAccSkipUnlessAcc skips a test that prepares fixtures before
// resource.Test, which would otherwise skip it only later, when TF_ACC is
// not set.
func testAccSkipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
}

// testAccAmazonUseTransport routes the resource's IAM requests through rt
// for the rest of the test.
func testAccAmazonUseTransport(t *testing.T, rt http.RoundTripper) {
	testAccAmazonTransport = rt
	t.Cleanup(func() { testAccAmazonTransport = nil })
}

// testAccAmazonTenantConfig uses the default credential chain and the
// endpoints of the environment (testAccStartMoto).
func testAccAmazonTenantConfig(roleName, extra string) string {
	return fmt.Sprintf(`
resource "aos_amazon_tenant" "test" {
  role_name = %[1]q
  %[2]s
}
`, roleName, extra)
}

// testAccAmazonTenantConfig_keys gives an access key and endpoints
// explicitly.
func testAccAmazonTenantConfig_keys(roleName, endpoint, keyID, secret string, version int) string {
	return fmt.Sprintf(`
resource "aos_amazon_tenant" "test" {
  role_name                    = %[1]q
  iam_endpoint                 = %[2]q
  sts_endpoint                 = %[2]q
  access_key_id                = %[3]q
  secret_access_key_wo         = %[4]q
  secret_access_key_wo_version = %[5]d
}
`, roleName, endpoint, keyID, secret, version)
}

func testAccAmazonRoleName() string { return acctest.RandomWithPrefix("tf-acc-role") }

func testAccAmazonPolicyARN(name string) string {
	return "arn:aws:iam::" + testmoto.AccountID + ":policy/" + name
}

func testAccAmazonPolicyARNs() []string {
	return []string{testAccAmazonPolicyARN(domain.AmazonDiscoveryPolicyName), testAccAmazonPolicyARN(domain.AmazonBackupPolicyName)}
}

func testAccAmazonCurrentVersion(t *testing.T) int {
	t.Helper()
	ps, err := testClient(t).GetPermissions(testCtx(t), domain.PlatformAmazon)
	if err != nil {
		t.Fatal(err)
	}
	return ps.Version
}

// testAccAmazonIAMObjects lists the roles and customer managed policies in
// a moto server.
func testAccAmazonIAMObjects(ctx context.Context, admin *awsiam.Client) ([]string, error) {
	roles, err := admin.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil {
		return nil, err
	}
	policies, err := admin.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range roles.Roles {
		out = append(out, "role "+aws.ToString(r.RoleName))
	}
	for _, p := range policies.Policies {
		out = append(out, "policy "+aws.ToString(p.PolicyName))
	}
	return out, nil
}

// testAccAmazonNothingLeft fails unless moto holds no role or policy and
// aosd no Amazon registration: what a failed create must leave behind.
func testAccAmazonNothingLeft(t *testing.T, admin *awsiam.Client) {
	t.Helper()
	left, err := testAccAmazonIAMObjects(testCtx(t), admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("IAM objects left behind: %s", strings.Join(left, ", "))
	}
	if err := testAccAmazonNoRegistration(t); err != nil {
		t.Error(err)
	}
}

func testAccAmazonNoRegistration(t *testing.T) error {
	ts, err := testClient(t).ListTenants(testCtx(t), client.Filter{Platform: domain.PlatformAmazon})
	if err != nil {
		return err
	}
	if len(ts) > 0 {
		return fmt.Errorf("Amazon registration left behind: %s (status %s)", ts[0].ID, ts[0].Status)
	}
	return nil
}

// testAccCheckAmazonTenantDestroy checks that destroy removed the
// registrations and the IAM objects, or, with retained, kept the latter.
func testAccCheckAmazonTenantDestroy(t *testing.T, admin *awsiam.Client, retained bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t)
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "aos_amazon_tenant" {
				continue
			}
			if _, _, err := c.GetTenant(testCtx(t), rs.Primary.ID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("Amazon tenant %s still exists (%w)", rs.Primary.ID, err)
			}
		}
		left, err := testAccAmazonIAMObjects(testCtx(t), admin)
		if err != nil {
			return err
		}
		switch {
		case retained && len(left) != 3:
			return fmt.Errorf("retain_on_destroy: want the role and its two policies kept, found %v", left)
		case !retained && len(left) > 0:
			return fmt.Errorf("IAM objects left after destroy: %s", strings.Join(left, ", "))
		}
		return nil
	}
}

// testAccCheckAmazonRole checks the role in moto: its trust policy names
// the service principal with the tenant's external ID, and both policies
// are attached with the documents of the tenant's permission version.
func testAccCheckAmazonRole(t *testing.T, admin *awsiam.Client, roleName string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[amazonAddr].Primary.Attributes
		ctx := testCtx(t)
		role, err := admin.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(roleName)})
		if err != nil {
			return err
		}
		got, err := iam.NormalizePolicy(aws.ToString(role.Role.AssumeRolePolicyDocument))
		if err != nil {
			return err
		}
		want, _ := iam.NormalizePolicy(domain.AmazonTrustPolicy(attrs["service_principal"], attrs["external_id"]))
		if got != want {
			return fmt.Errorf("trust policy\n got %s\nwant %s", got, want)
		}
		attached, err := admin.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
		if err != nil {
			return err
		}
		var arns []string
		for _, p := range attached.AttachedPolicies {
			arns = append(arns, aws.ToString(p.PolicyArn))
		}
		slices.Sort(arns)
		wantARNs := testAccAmazonPolicyARNs()
		slices.Sort(wantARNs)
		if !slices.Equal(arns, wantARNs) {
			return fmt.Errorf("attached policies %v, want %v", arns, wantARNs)
		}
		version, err := strconv.Atoi(attrs["permissions_version"])
		if err != nil {
			return fmt.Errorf("permissions_version %q: %w", attrs["permissions_version"], err)
		}
		for _, p := range domain.AmazonPolicies(version) {
			doc := testAccAmazonDefaultDocument(t, admin, testAccAmazonPolicyARN(p.Name))
			if w, _ := iam.NormalizePolicy(p.Document); doc != w {
				return fmt.Errorf("policy %s default document\n got %s\nwant %s", p.Name, doc, w)
			}
		}
		return nil
	}
}

// testAccAmazonDefaultDocument returns the normalized default document of
// a policy.
func testAccAmazonDefaultDocument(t *testing.T, admin *awsiam.Client, policyARN string) string {
	t.Helper()
	ctx := testCtx(t)
	p, err := admin.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := admin.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	doc := aws.ToString(v.PolicyVersion.Document)
	if !strings.HasPrefix(doc, "{") {
		doc, _ = url.QueryUnescape(doc)
	}
	n, err := iam.NormalizePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// expectDriftBefore checks that the resource's state before the plan (the
// refreshed state) reports a drift matching pattern in iam_drift: the
// value the plan then sets back to an empty list.
type expectDriftBefore struct {
	addr    string
	pattern *regexp.Regexp
}

func (e expectDriftBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.addr || rc.Change == nil {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		drift, _ := before["iam_drift"].([]any)
		for _, d := range drift {
			if s, ok := d.(string); ok && e.pattern.MatchString(s) {
				return
			}
		}
		resp.Error = fmt.Errorf("%s: iam_drift before the plan is %v, want an entry matching %q", e.addr, drift, e.pattern)
		return
	}
	resp.Error = fmt.Errorf("%s: no planned change", e.addr)
}

func amazonDriftBefore(pattern string) plancheck.PlanCheck {
	return expectDriftBefore{addr: amazonAddr, pattern: regexp.MustCompile(pattern)}
}

// amazonRepairPlan is what every IAM repair plans: an in-place update whose
// status is recomputed and whose iam_drift becomes empty.
func amazonRepairPlan(extra ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{
		plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectUnknownValue(amazonAddr, tfjsonpath.New("status")),
		plancheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("iam_drift"), knownvalue.ListExact([]knownvalue.Check{})),
	}, extra...)}
}

func TestAccAmazonTenant_basic(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	version := testAccAmazonCurrentVersion(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if _, err := admin.CreateAccountAlias(testCtx(t), &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("tf-acc-alias")}); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccAmazonTenantConfig(role, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("environment"), knownvalue.StringExact("commercial")),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("region"), knownvalue.StringExact("us-east-1")),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(testmoto.AccountID)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("account_alias"), knownvalue.StringExact("tf-acc-alias")),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("role_arn"),
						knownvalue.StringExact("arn:aws:iam::"+testmoto.AccountID+":role/"+role)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("external_id"), knownvalue.StringRegexp(regexp.MustCompile(`^aos-[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("policy_arns"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(testAccAmazonPolicyARNs()[0]), knownvalue.StringExact(testAccAmazonPolicyARNs()[1]),
					})),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("permissions_version"), knownvalue.Int64Exact(int64(version))),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("iam_drift"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("retain_on_destroy"), knownvalue.Bool(false)),
				},
				Check: testAccCheckAmazonRole(t, admin, role),
			},
			{
				ResourceName:            amazonAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Import with an import block: the plan after the import
				// must be empty (a no-op import).
				ResourceName:    amazonAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func TestAccAmazonTenant_update(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	roleA, roleB := testAccAmazonRoleName(), testAccAmazonRoleName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, true),
		Steps: []resource.TestStep{
			{Config: testAccAmazonTenantConfig(roleA, "")},
			{
				// Another role name is another role: replaced, and the old
				// role is removed.
				Config: testAccAmazonTenantConfig(roleB, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckAmazonRole(t, admin, roleB),
					func(*terraform.State) error {
						_, err := admin.GetRole(testCtx(t), &awsiam.GetRoleInput{RoleName: aws.String(roleA)})
						var nse *iamtypes.NoSuchEntityException
						if !errors.As(err, &nse) {
							return fmt.Errorf("old role %s: want NoSuchEntity, got %w", roleA, err)
						}
						return nil
					},
				),
			},
			{
				// retain_on_destroy is local: updated in place, and
				// destroy then keeps the IAM objects (CheckDestroy).
				Config: testAccAmazonTenantConfig(roleB, "retain_on_destroy = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("retain_on_destroy"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
				},
			},
		},
	})
}

// TestAccAmazonTenant_staticKeys covers the write-only key: it never
// reaches the state, drift is found at plan time with it (refresh cannot
// see it), and a new version reconnects with the new key.
func TestAccAmazonTenant_staticKeys(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	secret1 := "tfacc1/" + acctest.RandString(32)
	secret2 := "tfacc2/" + acctest.RandString(32)
	const keyID = "AKIAIOSFODNN7STATIC1"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				Config: testAccAmazonTenantConfig_keys(role, s.URL(), keyID, secret1, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("access_key_id"), knownvalue.StringExact(keyID)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("secret_access_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("secret_access_key_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
				},
				Check: resource.ComposeTestCheckFunc(testAccCheckNoSecretInState(secret1), testAccCheckAmazonRole(t, admin, role)),
			},
			{
				// Refresh cannot sign IAM requests without the secret; the
				// plan reads IAM with the configured key and still plans
				// the repair.
				PreConfig: func() {
					if _, err := admin.DetachRolePolicy(testCtx(t), &awsiam.DetachRolePolicyInput{
						RoleName: aws.String(role), PolicyArn: aws.String(testAccAmazonPolicyARN(domain.AmazonBackupPolicyName)),
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           testAccAmazonTenantConfig_keys(role, s.URL(), keyID, secret1, 1),
				ConfigPlanChecks: amazonRepairPlan(),
				Check:            resource.ComposeTestCheckFunc(testAccCheckNoSecretInState(secret1), testAccCheckAmazonRole(t, admin, role)),
			},
			{
				Config: testAccAmazonTenantConfig_keys(role, s.URL(), keyID, secret2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("secret_access_key_wo_version"), knownvalue.Int64Exact(2)),
				}},
				Check: testAccCheckNoSecretInState(secret1, secret2),
			},
		},
	})
}

func TestAccAmazonTenant_drift(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	config := testAccAmazonTenantConfig(role, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{Config: config},
			{
				// A policy detached outside Terraform is attached again.
				PreConfig: func() {
					if _, err := admin.DetachRolePolicy(testCtx(t), &awsiam.DetachRolePolicyInput{
						RoleName: aws.String(role), PolicyArn: aws.String(testAccAmazonPolicyARN(domain.AmazonBackupPolicyName)),
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: amazonRepairPlan(amazonDriftBefore(`IAM policy "` + domain.AmazonBackupPolicyName + `" is no longer attached`)),
				Check:            testAccCheckAmazonRole(t, admin, role),
			},
			{
				// A trust policy edited outside Terraform is put back.
				PreConfig: func() {
					if _, err := admin.UpdateAssumeRolePolicy(testCtx(t), &awsiam.UpdateAssumeRolePolicyInput{
						RoleName:       aws.String(role),
						PolicyDocument: aws.String(domain.AmazonTrustPolicy("arn:aws:iam::999999999999:root", "someone-elses-id")),
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: amazonRepairPlan(amazonDriftBefore(`trust policy of IAM role "` + role + `" was changed outside Terraform`)),
				Check:            testAccCheckAmazonRole(t, admin, role),
			},
			{
				// A policy document edited outside Terraform (a new default
				// version) is put back.
				PreConfig: func() {
					if _, err := admin.CreatePolicyVersion(testCtx(t), &awsiam.CreatePolicyVersionInput{
						PolicyArn:      aws.String(testAccAmazonPolicyARN(domain.AmazonDiscoveryPolicyName)),
						PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
						SetAsDefault:   true,
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: amazonRepairPlan(amazonDriftBefore(
					`default version of IAM policy "` + domain.AmazonDiscoveryPolicyName + `" has a different document`)),
				Check: testAccCheckAmazonRole(t, admin, role),
			},
		},
	})
}

// TestAccAmazonTenant_roleDeleted deletes the role outside Terraform, in
// the order AWS requires: the plan creates it again, in place.
func TestAccAmazonTenant_roleDeleted(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				Config: testAccAmazonTenantConfig(role, ""),
				Check: func(*terraform.State) error {
					ctx := testCtx(t)
					for _, p := range testAccAmazonPolicyARNs() {
						if _, err := admin.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(p)}); err != nil {
							return err
						}
					}
					_, err := admin.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(role)})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks: amazonRepairPlan(amazonDriftBefore(`IAM role "` + role + `" no longer exists`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
				},
				Check: testAccCheckAmazonRole(t, admin, role),
			},
		},
	})
}

// TestAccAmazonTenant_disappears removes the registration outside
// Terraform. The IAM role is still in the account, so the plan replaces
// the resource (destroy removes the role, create starts again) instead of
// only creating it, which would fail on the existing role.
func TestAccAmazonTenant_disappears(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				Config: testAccAmazonTenantConfig(role, ""),
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[amazonAddr].Primary.ID
					return testClient(t).DeleteTenant(testCtx(t), firstID)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckAmazonRole(t, admin, role),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[amazonAddr].Primary.ID; id == firstID {
							return fmt.Errorf("registration %s was not replaced", id)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccAmazonTenant_reconnectAfterBump raises the service's permission
// set while every policy already has the five versions IAM allows: the
// reconnect prunes the oldest non-default version, makes the new document
// the default and has the service verify the new version.
func TestAccAmazonTenant_reconnectAfterBump(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	version := testAccAmazonCurrentVersion(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				Config: testAccAmazonTenantConfig(role, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("permissions_version"), knownvalue.Int64Exact(int64(version))),
				},
			},
			{
				PreConfig: func() {
					ctx := testCtx(t)
					// Four more versions beside the default one: five, the
					// most IAM keeps.
					for _, p := range testAccAmazonPolicyARNs() {
						for i := range 4 {
							doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Extra%d","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`, i)
							if _, err := admin.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{
								PolicyArn: aws.String(p), PolicyDocument: aws.String(doc),
							}); err != nil {
								t.Fatal(err)
							}
						}
					}
					ps, err := testClient(t).DevBumpPermissions(ctx, domain.PlatformAmazon)
					if err != nil {
						t.Fatal(err)
					}
					if ps.Version != version+1 {
						t.Fatalf("bumped to version %d, want %d", ps.Version, version+1)
					}
				},
				Config: testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
					plancheck.ExpectUnknownValue(amazonAddr, tfjsonpath.New("permissions_version")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("permissions_version"), knownvalue.Int64Exact(int64(version+1))),
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("reconnect_recommended"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckAmazonRole(t, admin, role),
					func(*terraform.State) error {
						for _, p := range testAccAmazonPolicyARNs() {
							out, err := admin.ListPolicyVersions(testCtx(t), &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(p)})
							if err != nil {
								return err
							}
							var ids []string
							def := ""
							for _, v := range out.Versions {
								ids = append(ids, aws.ToString(v.VersionId))
								if v.IsDefaultVersion {
									def = aws.ToString(v.VersionId)
								}
							}
							slices.Sort(ids)
							// v1 was the default, v2 the oldest non-default
							// version: pruned to make room for v6.
							if want := []string{"v1", "v3", "v4", "v5", "v6"}; !slices.Equal(ids, want) || def != "v6" {
								return fmt.Errorf("policy %s: versions %v (default %s), want %v (default v6)", p, ids, def, want)
							}
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccAmazonTenant_roleExists refuses to take over a role it did not
// create: the error says to import, and nothing is registered.
func TestAccAmazonTenant_roleExists(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	const otherTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := admin.CreateRole(testCtx(t), &awsiam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(otherTrust)}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccAmazonTenantConfig(role, ""),
				ExpectError: regexp.MustCompile(`(?s)already exists.*terraform import`),
			},
		},
	})
	if err := testAccAmazonNoRegistration(t); err != nil {
		t.Error(err)
	}
	left, err := testAccAmazonIAMObjects(testCtx(t), admin)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(left, []string{"role " + role}) {
		t.Errorf("IAM objects: %v, want only the existing role", left)
	}
}

// TestAccAmazonTenant_wrongKeys uses a key the moto server with
// permission checks does not know: a clear error, and nothing anywhere.
func TestAccAmazonTenant_wrongKeys(t *testing.T) {
	testAccAmazonPreCheck(t)
	a := testmoto.StartWithAuth(t)
	a.Reset(t)
	admin := a.CreateUser(t, "admin", testmoto.AdminPolicy)
	bad := "wrong-" + acctest.RandString(24)
	for name, key := range map[string]string{"unknown key": "AKIAIOSFODNN7NOTAKEY", "wrong secret": admin.AccessKeyID} {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      testAccAmazonTenantConfig_keys(testAccAmazonRoleName(), a.URL(), key, bad, 1),
						ExpectError: regexp.MustCompile(`(?s)AWS rejected the access key.*access key is not valid`),
					},
				},
			})
			testAccAmazonNothingLeft(t, a.IAM(admin.Credentials()))
		})
	}
}

// TestAccAmazonTenant_missingCreateRole gives the IAM user every action of
// the configuring policy except iam:CreateRole, on the moto server with
// permission checks: the error names the missing permission, and the
// policies made before CreateRole and the registration are undone.
func TestAccAmazonTenant_missingCreateRole(t *testing.T) {
	testAccAmazonPreCheck(t)
	a := testmoto.StartWithAuth(t)
	a.Reset(t)
	admin := a.CreateUser(t, "admin", testmoto.AdminPolicy)
	var actions []string
	for _, act := range domain.AmazonConfiguringUserActions {
		if act != "iam:CreateRole" {
			actions = append(actions, act)
		}
	}
	policy, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	user := a.CreateUser(t, "configurer", string(policy))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccAmazonTenantConfig_keys(testAccAmazonRoleName(), a.URL(), user.AccessKeyID, user.SecretAccessKey, 1),
				ExpectError: regexp.MustCompile(`(?s)not allowed to call iam:CreateRole.*Add iam:CreateRole`),
			},
		},
	})
	testAccAmazonNothingLeft(t, a.IAM(admin.Credentials()))
}

// TestAccAmazonTenant_throttled answers the first two CreateRole calls with
// IAM's Throttling error: the SDK retries and the apply succeeds.
func TestAccAmazonTenant_throttled(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	th := testmoto.Throttle(nil, "CreateRole", 2)
	testAccAmazonUseTransport(t, th)
	role := testAccAmazonRoleName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				Config: testAccAmazonTenantConfig(role, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
				},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckAmazonRole(t, admin, role),
					func(*terraform.State) error {
						if th.Injected() != 2 || th.Calls() != 3 {
							return fmt.Errorf("CreateRole: %d throttled of %d calls, want 2 of 3", th.Injected(), th.Calls())
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccAmazonTenant_failureAfterCreateRole makes every AttachRolePolicy,
// the step after CreateRole, fail: the role, the policies and the pending
// registration are all undone.
func TestAccAmazonTenant_failureAfterCreateRole(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	inj := testmoto.InjectError(nil, "AttachRolePolicy", 1000, "UnmodifiableEntity", http.StatusBadRequest)
	testAccAmazonUseTransport(t, inj)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccAmazonTenantConfig(testAccAmazonRoleName(), ""),
				ExpectError: regexp.MustCompile(`(?s)Error creating IAM role.*UnmodifiableEntity`),
			},
		},
	})
	if inj.Injected() == 0 {
		t.Error("AttachRolePolicy was never called")
	}
	testAccAmazonNothingLeft(t, admin)
}

// TestAccAmazonTenant_invalidConfig covers what is refused before anything
// is created: plan-time validation, and credentials of another partition.
func TestAccAmazonTenant_invalidConfig(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccAmazonTenantConfig(role, `environment = "mars"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)environment.*value must be one of`),
			},
			{
				Config:      testAccAmazonTenantConfig("not a role name", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)role_name.*must be 1 to 64 letters`),
			},
			{
				Config:      testAccAmazonTenantConfig(role, `access_key_id = "AKIAIOSFODNN7EXAMPLE"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)secret_access_key_wo.*must be specified`),
			},
			{
				// Requests signed for us-east-1 reach moto's commercial
				// partition, which a gov tenant must not use.
				Config:      testAccAmazonTenantConfig(role, "environment = \"gov\"\n  region = \"us-east-1\""),
				ExpectError: regexp.MustCompile(`(?s)AWS credentials of another partition.*"aws-us-gov"`),
			},
		},
	})
	testAccAmazonNothingLeft(t, admin)
}

// TestAccAmazonTenant_rollbackFails makes the create fail after CreateRole
// and its rollback fail at DeleteRole, so the role stays in the account.
// The registration is then kept in the state, tainted, instead of being
// left untracked; the next apply replaces it, removing the role first.
func TestAccAmazonTenant_rollbackFails(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	testAccAmazonUseTransport(t, testmoto.InjectError(
		testmoto.InjectError(nil, "DeleteRole", 1000, "UnmodifiableEntity", http.StatusBadRequest),
		"AttachRolePolicy", 1000, "UnmodifiableEntity", http.StatusBadRequest))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{
			{
				Config:      testAccAmazonTenantConfig(role, ""),
				ExpectError: regexp.MustCompile(`(?s)kept in the state after the failed create.*still\s+exists\s+after\s+the\s+rollback`),
			},
			{
				PreConfig: func() {
					testAccAmazonTransport = nil
					if _, err := admin.GetRole(testCtx(t), &awsiam.GetRoleInput{RoleName: aws.String(role)}); err != nil {
						t.Fatalf("the role the failed rollback left: %v", err)
					}
					ts, err := testClient(t).ListTenants(testCtx(t), client.Filter{Platform: domain.PlatformAmazon})
					if err != nil || len(ts) != 1 || ts[0].Status != domain.StatusPendingConsent {
						t.Fatalf("want the pending registration kept, got %v, %v", ts, err)
					}
				},
				Config: testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: testAccCheckAmazonRole(t, admin, role),
			},
		},
	})
}
