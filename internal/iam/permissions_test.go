package iam

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

// userPolicy is an identity policy allowing exactly actions.
func userPolicy(t *testing.T, actions []string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"},
	}})
	check(t, err)
	return string(b)
}

func testTarget(spec Spec) Target {
	t := Target{RoleName: spec.RoleName}
	for _, p := range spec.Policies {
		t.PolicyNames = append(t.PolicyNames, p.Name)
	}
	return t
}

// TestCheckPermissionsDocumentedActionsOnly: an IAM user holding exactly the
// twelve actions of the product documentation is refused before anything
// is created, with every missing action listed. On the old code the same
// user created the policies and the role, failed at
// ListAttachedRolePolicies, and could not roll back (no DeleteRole).
func TestCheckPermissionsDocumentedActionsOnly(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	admin := s.CreateUser(t, "admin", testmoto.AdminPolicy)
	user := s.CreateUser(t, "documented", userPolicy(t, domain.AmazonDocumentedActions))
	c := newClient(t, s, &user, nil)
	spec := testSpec(1)

	_, err := c.CheckPermissions(t.Context(), domain.AmazonOperationCreate, testTarget(spec))
	var missing *MissingPermissionsError
	if !errors.As(err, &missing) {
		t.Fatalf("want MissingPermissionsError, got %v", err)
	}
	t.Log(err)
	var want []string
	for _, a := range domain.AmazonOperationActions(domain.AmazonOperationCreate) {
		if !slices.Contains(domain.AmazonDocumentedActions, a) {
			want = append(want, a)
		}
	}
	if !slices.Equal(missing.Actions, want) {
		t.Errorf("missing %v, want %v", missing.Actions, want)
	}
	for _, a := range want {
		if !strings.Contains(err.Error(), a) {
			t.Errorf("error does not name %s", a)
		}
	}
	assertNothingLeft(t, s.IAM(admin.Credentials()))
}

// TestCheckPermissionsPerOperation: a user holding exactly an operation's
// list passes that operation's check and can run it; one action fewer is
// named. It proves the lists are complete, on the server that checks
// permissions.
func TestCheckPermissionsPerOperation(t *testing.T) {
	ctx := t.Context()
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	admin := s.CreateUser(t, "admin", testmoto.AdminPolicy)
	spec := testSpec(1)
	target := testTarget(spec)
	users := map[string]testmoto.User{}
	for _, op := range domain.AmazonOperations {
		users[op] = s.CreateUser(t, "exact-"+op, userPolicy(t, domain.AmazonOperationActions(op)))
	}

	creator := newClient(t, s, ptr(users[domain.AmazonOperationCreate]), nil)
	if _, err := creator.CheckPermissions(ctx, domain.AmazonOperationCreate, target); err != nil {
		t.Fatalf("create check with the create actions: %v", err)
	}
	st := mustCreate(t, creator, spec)

	reader := newClient(t, s, ptr(users[domain.AmazonOperationRead]), nil)
	if _, err := reader.CheckPermissions(ctx, domain.AmazonOperationRead, target); err != nil {
		t.Fatalf("read check with the read actions: %v", err)
	}
	if _, err := reader.Read(ctx, spec.RoleName, st.PolicyARNs()); err != nil {
		t.Fatalf("Read with the read actions: %v", err)
	}
	if _, err := reader.CheckPermissions(ctx, domain.AmazonOperationDestroy, target); err == nil {
		t.Error("the read actions passed the destroy check")
	}

	reconnecter := newClient(t, s, ptr(users[domain.AmazonOperationReconnect]), nil)
	if _, err := reconnecter.CheckPermissions(ctx, domain.AmazonOperationReconnect, target); err != nil {
		t.Fatalf("reconnect check: %v", err)
	}
	if _, err := reconnecter.Reconnect(ctx, testSpec(2)); err != nil {
		t.Fatalf("Reconnect with the reconnect actions: %v", err)
	}

	destroyer := newClient(t, s, ptr(users[domain.AmazonOperationDestroy]), nil)
	if _, err := destroyer.CheckPermissions(ctx, domain.AmazonOperationDestroy, target); err != nil {
		t.Fatalf("destroy check: %v", err)
	}
	if err := destroyer.Delete(ctx, spec.RoleName, testTenantID, st.PolicyARNs()); err != nil {
		t.Fatalf("Delete with the destroy actions: %v", err)
	}
	assertNothingLeft(t, s.IAM(admin.Credentials()))

	// Without DeleteRole the create check names it, and nothing exists.
	actions := slices.DeleteFunc(domain.AmazonOperationActions(domain.AmazonOperationCreate), func(a string) bool { return a == "iam:DeleteRole" })
	noDelete := s.CreateUser(t, "no-delete-role", userPolicy(t, actions))
	_, err := newClient(t, s, &noDelete, nil).CheckPermissions(ctx, domain.AmazonOperationCreate, target)
	var missing *MissingPermissionsError
	if !errors.As(err, &missing) || !slices.Equal(missing.Actions, []string{"iam:DeleteRole"}) {
		t.Fatalf("want only iam:DeleteRole missing, got %v", err)
	}
	assertNothingLeft(t, s.IAM(admin.Credentials()))
}

func ptr[T any](v T) *T { return &v }

// TestForeignRoleNeverChanged: a role without this registration's tag is
// neither reconnected nor deleted, whatever the caller asks.
func TestForeignRoleNeverChanged(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	admin := s.IAM(nil)
	const customerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for name, tags := range map[string][]types.Tag{
		"untagged":            nil,
		"another tenant's":    {{Key: aws.String(TagTenantID), Value: aws.String("t-other")}},
		"same tool, no owner": {{Key: aws.String(TagManagedBy), Value: aws.String(TagManagedByValue)}},
	} {
		t.Run(name, func(t *testing.T) {
			s.Reset(t)
			_, err := admin.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(domain.DefaultAmazonRoleName),
				AssumeRolePolicyDocument: aws.String(customerTrust), Tags: tags})
			check(t, err)
			c := newClient(t, s, nil, nil)
			var notOwned *RoleNotOwnedError
			if _, err := c.Reconnect(ctx, testSpec(1)); !errors.As(err, &notOwned) {
				t.Fatalf("Reconnect: want RoleNotOwnedError, got %v", err)
			}
			t.Log(notOwned)
			if err := c.Delete(ctx, domain.DefaultAmazonRoleName, testTenantID, nil); !errors.As(err, &notOwned) {
				t.Fatalf("Delete: want RoleNotOwnedError, got %v", err)
			}
			var exists *RoleExistsError
			if _, err := c.Create(ctx, testSpec(1)); !errors.As(err, &exists) {
				t.Fatalf("Create: want RoleExistsError, got %v", err)
			}
			st, err := c.Read(ctx, domain.DefaultAmazonRoleName, nil)
			check(t, err)
			if !samePolicy(st.TrustPolicy, customerTrust) || len(st.AttachedPolicyARNs) != 0 {
				t.Errorf("the customer's role was changed: %+v", st)
			}
			policies, err := admin.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
			check(t, err)
			if len(policies.Policies) != 0 {
				t.Errorf("%d policies created", len(policies.Policies))
			}
		})
	}
}

// TestExtraPolicies: a managed policy attached and an inline policy put
// outside Terraform are drift, named, and Reconnect removes them unless the
// spec allows them.
func TestExtraPolicies(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	const everything = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	for _, allowed := range []bool{false, true} {
		name := "removed"
		if allowed {
			name = "allowed"
		}
		t.Run(name, func(t *testing.T) {
			s.Reset(t)
			admin := s.IAM(nil)
			c := newClient(t, s, nil, nil)
			spec := testSpec(1)
			st := mustCreate(t, c, spec)
			extra, err := admin.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("AddedByHand"), PolicyDocument: aws.String(everything)})
			check(t, err)
			extraARN := aws.ToString(extra.Policy.Arn)
			_, err = admin.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(st.RoleName), PolicyArn: extra.Policy.Arn})
			check(t, err)
			_, err = admin.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(st.RoleName),
				PolicyName: aws.String("star"), PolicyDocument: aws.String(everything)})
			check(t, err)
			if allowed {
				spec.AllowedExtraPolicyARNs = []string{extraARN}
				spec.AllowedInlinePolicyNames = []string{"star"}
			}

			read, err := c.Read(ctx, spec.RoleName, st.PolicyARNs())
			check(t, err)
			drift := DetectDrift(spec, read)
			if allowed {
				if len(drift) != 0 {
					t.Fatalf("allowed policies reported as drift: %v", drift)
				}
			} else {
				if len(drift) != 2 || drift[0].Kind != DriftExtraPolicy || drift[0].Object != extraARN ||
					drift[1].Kind != DriftInlinePolicy || drift[1].Object != "star" {
					t.Fatalf("drift %v, want the extra managed and inline policy", drift)
				}
				t.Log(drift[0], "; ", drift[1])
			}
			got, err := c.Reconnect(ctx, spec)
			check(t, err)
			if d := DetectDrift(spec, got); len(d) != 0 {
				t.Fatalf("drift after Reconnect: %v", d)
			}
			keptManaged := slices.Contains(got.AttachedPolicyARNs, extraARN)
			keptInline := slices.Contains(got.InlinePolicyNames, "star")
			if keptManaged != allowed || keptInline != allowed {
				t.Errorf("allowed=%v: extra managed kept %v, inline kept %v", allowed, keptManaged, keptInline)
			}
			// Delete removes the inline policy too (AWS refuses DeleteRole
			// while one exists) and only detaches the foreign managed one.
			check(t, c.Delete(ctx, st.RoleName, testTenantID, st.PolicyARNs()))
			_, err = admin.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: extra.Policy.Arn})
			check(t, err)
			assertNothingLeft(t, admin)
		})
	}
}
