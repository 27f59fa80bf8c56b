package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
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

// The tests in this file cover least privilege (the permission check
// before the first write), ownership by the role's tag, a create that an
// earlier apply left half-made, and policies added to the role outside
// Terraform.

func testAccAmazonUserPolicy(t *testing.T, actions []string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAccAmazonTenant_documentedActionsOnly gives the IAM user exactly the
// twelve actions of the product documentation, on the moto server that
// checks permissions. The old code created both policies and the role,
// failed at ListAttachedRolePolicies and could not roll back (no
// DeleteRole): the role and policies stayed. Now the apply is refused
// before any write, naming every missing action, and nothing exists
// anywhere; a user with create's minimum set then connects.
func TestAccAmazonTenant_documentedActionsOnly(t *testing.T) {
	testAccAmazonPreCheck(t)
	a := testmoto.StartWithAuth(t)
	a.Reset(t)
	admin := a.CreateUser(t, "admin", testmoto.AdminPolicy)
	documented := a.CreateUser(t, "documented", testAccAmazonUserPolicy(t, domain.AmazonDocumentedActions))
	var missing []string
	for _, act := range domain.AmazonOperationActions(domain.AmazonOperationCreate) {
		if !slices.Contains(domain.AmazonDocumentedActions, act) {
			missing = append(missing, act)
		}
	}
	role := testAccAmazonRoleName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccAmazonTenantConfig_keys(role, a.URL(), documented.AccessKeyID, documented.SecretAccessKey, 1),
			ExpectError: regexp.MustCompile(`(?s)not allowed to call\s+` +
				strings.ReplaceAll(regexp.QuoteMeta(strings.Join(missing, ", ")), " ", `\s+`) + `,\s+which\s+create\s+needs.*nothing\s+was\s+changed`),
		}},
	})
	testAccAmazonNothingLeft(t, a.IAM(admin.Credentials()))

	// The minimum set of create is enough to connect, and (as the default
	// credential chain, which destroy uses) to destroy.
	minimal := a.CreateUser(t, "minimal", testAccAmazonUserPolicy(t, domain.AmazonOperationActions(domain.AmazonOperationCreate)))
	t.Setenv("AWS_ACCESS_KEY_ID", minimal.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", minimal.SecretAccessKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, a.IAM(admin.Credentials()), false),
		Steps: []resource.TestStep{{
			Config: testAccAmazonTenantConfig_keys(role, a.URL(), minimal.AccessKeyID, minimal.SecretAccessKey, 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
			},
			Check: testAccCheckAmazonRole(t, a.IAM(admin.Credentials()), role),
		}},
	})
}

// TestAccAmazonTenant_halfMadeCreate leaves what an interrupted create
// leaves (a pending registration, and its role and policies tagged with
// the registration's id, never verified) and applies: the old code failed
// with "already exists"; now the apply finishes that registration.
func TestAccAmazonTenant_halfMadeCreate(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	tn, _ := testAccAmazonHalfMadeCreate(t, s, role)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, admin, false),
		Steps: []resource.TestStep{{
			Config: testAccAmazonTenantConfig(role, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("id"), knownvalue.StringExact(tn.ID)),
				statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("status"), knownvalue.StringExact(domain.StatusConnected)),
			},
			Check: testAccCheckAmazonRole(t, admin, role),
		}},
	})
}

// TestAccAmazonTenant_connectedRoleNotTakenOver: a role tagged for a
// registration that is connected is in use; create refuses it and prints
// the import block.
func TestAccAmazonTenant_connectedRoleNotTakenOver(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	ctx := testCtx(t)
	tn, st := testAccAmazonHalfMadeCreate(t, s, role)
	if _, _, err := testClient(t).VerifyAmazonTenant(ctx, tn.ID, domain.AmazonVerify{RoleARN: st.RoleARN}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccAmazonTenantConfig(role, ""),
			ExpectError: regexp.MustCompile(`(?s)belongs\s+to\s+Amazon\s+tenant\s+` + tn.ID + `.*connected.*id\s+=\s+"` + tn.ID + `"`),
		}},
	})
	left, err := testAccAmazonIAMObjects(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 3 {
		t.Errorf("the connected tenant's IAM objects changed: %v", left)
	}
	if err := testClient(t).DeleteTenant(ctx, tn.ID); err != nil {
		t.Fatal(err)
	}
}

const testAccCustomerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// testAccCheckCustomerRoleUntouched checks that the customer's role still
// has its own trust policy and no policy of the registration.
func testAccCheckCustomerRoleUntouched(t *testing.T, admin *awsiam.Client, role string) error {
	t.Helper()
	ctx := testCtx(t)
	got, err := admin.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		return fmt.Errorf("the customer's role: %w", err)
	}
	trust, err := iam.NormalizePolicy(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if err != nil {
		return err
	}
	if want, _ := iam.NormalizePolicy(testAccCustomerTrust); trust != want {
		return fmt.Errorf("the customer's trust policy was overwritten: %s", trust)
	}
	left, err := testAccAmazonIAMObjects(ctx, admin)
	if err != nil {
		return err
	}
	if !slices.Equal(left, []string{"role " + role}) {
		return fmt.Errorf("IAM objects %v, want only the customer's role", left)
	}
	return nil
}

// TestAccAmazonTenant_foreignRoleNeverTouched: a registration whose role
// name is a role the customer made (no aos:tenant-id tag) is brought into
// the state, as the old code's "not owned" registration kept after a
// failed create was, and untainting it made the next apply reconnect (the
// old code overwrote the customer's trust policy then). Now every apply is
// refused before any write, and destroy removes only the registration.
func TestAccAmazonTenant_foreignRoleNeverTouched(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	ctx := testCtx(t)
	if _, err := admin.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(testAccCustomerTrust)}); err != nil {
		t.Fatal(err)
	}
	tn, _, err := testClient(t).CreateTenant(ctx, domain.TenantCreate{Platform: domain.PlatformAmazon, RoleName: role})
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
import {
  to = aos_amazon_tenant.test
  id = %[1]q
}
%[2]s`, tn.ID, testAccAmazonTenantConfig(role, ""))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := testAccAmazonNoRegistration(t); err != nil {
				return err
			}
			return testAccCheckCustomerRoleUntouched(t, admin, role)
		},
		Steps: []resource.TestStep{
			{
				// The registration is pending, so the plan reconnects it;
				// the apply reads the tag and refuses.
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)was\s+not\s+created\s+by\s+this\s+registration.*has\s+no\s+aos:tenant-id\s+tag`),
			},
			{
				PreConfig: func() {
					if err := testAccCheckCustomerRoleUntouched(t, admin, role); err != nil {
						t.Fatal(err)
					}
				},
				Config:      testAccAmazonTenantConfig(role, ""),
				ExpectError: regexp.MustCompile(`(?s)was\s+not\s+created\s+by\s+this\s+registration`),
			},
		},
	})
}

// TestAccAmazonTenant_extraPolicies attaches a managed policy and puts an
// inline policy allowing everything on the role through the AWS API. The
// old code planned nothing and kept both. Now the plan is an update naming
// both, the apply removes them, and the next plan is empty; with both
// listed in the allowed attributes they are left alone.
func TestAccAmazonTenant_extraPolicies(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	const everything = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	extraARN := testAccAmazonPolicyARN("AddedByHand")
	addExtras := func() {
		ctx := testCtx(t)
		if _, err := admin.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(extraARN)}); err != nil {
			if _, err := admin.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("AddedByHand"), PolicyDocument: aws.String(everything)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := admin.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(extraARN)}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("star"),
			PolicyDocument: aws.String(everything)}); err != nil {
			t.Fatal(err)
		}
	}
	extras := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			ctx := testCtx(t)
			attached, err := admin.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
			if err != nil {
				return err
			}
			inline, err := admin.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String(role)})
			if err != nil {
				return err
			}
			hasManaged := slices.ContainsFunc(attached.AttachedPolicies, func(p iamtypes.AttachedPolicy) bool { return aws.ToString(p.PolicyArn) == extraARN })
			hasInline := slices.Contains(inline.PolicyNames, "star")
			if hasManaged != want || hasInline != want {
				return fmt.Errorf("extra managed policy attached %v, inline policy present %v; want %v", hasManaged, hasInline, want)
			}
			return nil
		}
	}
	allowed := fmt.Sprintf("allowed_extra_policy_arns = [%q]\n  allowed_inline_policy_names = [\"star\"]", extraARN)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(st *terraform.State) error {
			// Destroy detaches the hand-made managed policy but keeps it.
			if _, err := admin.DeletePolicy(testCtx(t), &awsiam.DeletePolicyInput{PolicyArn: aws.String(extraARN)}); err != nil {
				return fmt.Errorf("the hand-made policy: %w", err)
			}
			return testAccCheckAmazonTenantDestroy(t, admin, false)(st)
		},
		Steps: []resource.TestStep{
			{Config: testAccAmazonTenantConfig(role, "")},
			{
				PreConfig: addExtras,
				Config:    testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks: amazonRepairPlan(
					amazonDriftBefore(`^IAM policy "`+regexp.QuoteMeta(extraARN)+`" was attached to the role outside Terraform`),
					amazonDriftBefore(`^inline policy "star" was added to the role outside Terraform`),
				),
				Check: resource.ComposeTestCheckFunc(extras(false), testAccCheckAmazonRole(t, admin, role)),
			},
			{
				// Attached on purpose and said so: no drift, kept.
				PreConfig: addExtras,
				Config:    testAccAmazonTenantConfig(role, allowed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("iam_drift"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(amazonAddr, tfjsonpath.New("iam_drift"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: extras(true),
			},
			{
				// No longer allowed: drift again, removed.
				Config:           testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks: amazonRepairPlan(),
				Check:            extras(false),
			},
		},
	})
}

// TestAccAmazonTenant_connectedForeignRole imports a connected
// registration whose role the customer made (no aos:tenant-id tag): the
// plan reports the drift it finds but plans no repair, a newer permission
// set does not plan a reconnect either, and destroy removes only the
// registration. On the old code the bump planned a reconnect that
// overwrote the role's trust policy and policies, and destroy deleted the
// role.
func TestAccAmazonTenant_connectedForeignRole(t *testing.T) {
	s := testAccAmazonPreCheck(t)
	admin := s.IAM(nil)
	role := testAccAmazonRoleName()
	ctx := testCtx(t)
	out, err := admin.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(testAccCustomerTrust)})
	if err != nil {
		t.Fatal(err)
	}
	tn, _, err := testClient(t).CreateTenant(ctx, domain.TenantCreate{Platform: domain.PlatformAmazon, RoleName: role})
	if err != nil {
		t.Fatal(err)
	}
	// moto's AssumeRole succeeds for any role: the registration connects.
	if _, _, err := testClient(t).VerifyAmazonTenant(ctx, tn.ID, domain.AmazonVerify{RoleARN: aws.ToString(out.Role.Arn)}); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
import {
  to = aos_amazon_tenant.test
  id = %[1]q
}
%[2]s`, tn.ID, testAccAmazonTenantConfig(role, ""))
	noop := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionNoop)}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := testAccAmazonNoRegistration(t); err != nil {
				return err
			}
			return testAccCheckCustomerRoleUntouched(t, admin, role)
		},
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(amazonAddr, plancheck.ResourceActionNoop)}},
			},
			{
				PreConfig: func() {
					if _, err := testClient(t).DevBumpPermissions(testCtx(t), domain.PlatformAmazon); err != nil {
						t.Fatal(err)
					}
				},
				Config:             testAccAmazonTenantConfig(role, ""),
				ConfigPlanChecks:   noop,
				ExpectNonEmptyPlan: false,
				Check: func(*terraform.State) error {
					return testAccCheckCustomerRoleUntouched(t, admin, role)
				},
			},
		},
	})
}

// TestAccAmazonTenant_destroyChecksPermissions: destroy with credentials
// that may only read is refused before the registration is removed, naming
// what is missing; with the destroy actions it removes everything.
func TestAccAmazonTenant_destroyChecksPermissions(t *testing.T) {
	testAccAmazonPreCheck(t)
	a := testmoto.StartWithAuth(t)
	a.Reset(t)
	admin := a.CreateUser(t, "admin", testmoto.AdminPolicy)
	creator := a.CreateUser(t, "creator", testAccAmazonUserPolicy(t, domain.AmazonOperationActions(domain.AmazonOperationCreate)))
	reader := a.CreateUser(t, "reader", testAccAmazonUserPolicy(t, domain.AmazonOperationActions(domain.AmazonOperationRead)))
	destroyer := a.CreateUser(t, "destroyer", testAccAmazonUserPolicy(t, domain.AmazonOperationActions(domain.AmazonOperationDestroy)))
	role := testAccAmazonRoleName()
	config := testAccAmazonTenantConfig_keys(role, a.URL(), creator.AccessKeyID, creator.SecretAccessKey, 1)
	useChain := func(u testmoto.User) {
		t.Setenv("AWS_ACCESS_KEY_ID", u.AccessKeyID)
		t.Setenv("AWS_SECRET_ACCESS_KEY", u.SecretAccessKey)
	}
	useChain(reader)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAmazonTenantDestroy(t, a.IAM(admin.Credentials()), false),
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:      config,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)not\s+allowed\s+to\s+call\s+iam:DeletePolicy,.*which\s+destroy\s+needs`),
			},
			{
				PreConfig: func() {
					ts, err := testClient(t).ListTenants(testCtx(t), client.Filter{Platform: domain.PlatformAmazon})
					if err != nil || len(ts) != 1 {
						t.Fatalf("the refused destroy removed the registration: %v, %v", ts, err)
					}
					useChain(destroyer)
				},
				Config:  config,
				Destroy: true,
			},
		},
	})
}

// testAccAmazonHalfMadeCreate leaves what a create interrupted after its IAM
// work leaves: a pending registration for role, and the role and policies
// made for it with the provider's own IAM code (so tagged with its id), not
// yet verified by the service.
func testAccAmazonHalfMadeCreate(t *testing.T, s *testmoto.Server, role string) (*domain.Tenant, *iam.State) {
	t.Helper()
	ctx := testCtx(t)
	tn, _, err := testClient(t).CreateTenant(ctx, domain.TenantCreate{Platform: domain.PlatformAmazon, RoleName: role})
	if err != nil {
		t.Fatal(err)
	}
	c, err := iam.New(ctx, iam.Config{AccessKeyID: testmoto.AccessKeyID, SecretAccessKey: testmoto.SecretAccessKey,
		IAMEndpoint: s.URL(), STSEndpoint: s.URL(), HTTPClient: testmoto.HTTPClient(nil)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Create(ctx, iam.SpecFor(tn.ID, *tn.Amazon, testAccAmazonCurrentVersion(t)))
	if err != nil {
		t.Fatal(err)
	}
	return tn, st
}
