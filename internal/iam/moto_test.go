package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

func TestMain(m *testing.M) { testmoto.Main(m) }

const (
	testTenantID   = "t-1"
	testExternalID = "ext-7f3c"
	testPrincipal  = "arn:aws:iam::111122223333:root"
)

func testSpec(version int) Spec {
	return SpecFor(testTenantID, domain.AmazonTenant{
		RoleName:         domain.DefaultAmazonRoleName,
		ExternalID:       testExternalID,
		ServicePrincipal: testPrincipal,
	}, version)
}

// newClient returns a Client for the moto server s, signed with user's key
// (any key on the server without permission checks), over rt (may be nil).
// Timeouts are short so a test that waits in vain fails fast.
func newClient(t *testing.T, s *testmoto.Server, user *testmoto.User, rt http.RoundTripper) *Client {
	t.Helper()
	cfg := Config{
		AccessKeyID:        testmoto.AccessKeyID,
		SecretAccessKey:    testmoto.SecretAccessKey,
		Region:             testmoto.Region,
		IAMEndpoint:        s.URL(),
		STSEndpoint:        s.URL(),
		HTTPClient:         testmoto.HTTPClient(rt),
		MaxBackoff:         20 * time.Millisecond,
		PropagationTimeout: 3 * time.Second,
	}
	if user != nil {
		cfg.AccessKeyID, cfg.SecretAccessKey = user.AccessKeyID, user.SecretAccessKey
	}
	c, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertNothingLeft fails the test if any role or customer managed policy
// exists, which is what a rollback or a Delete must achieve.
func assertNothingLeft(t *testing.T, admin *awsiam.Client) {
	t.Helper()
	ctx := t.Context()
	roles, err := admin.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	policies, err := admin.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, r := range roles.Roles {
		left = append(left, "role "+aws.ToString(r.RoleName))
	}
	for _, p := range policies.Policies {
		left = append(left, "policy "+aws.ToString(p.PolicyName))
	}
	if len(left) > 0 {
		t.Fatalf("IAM objects left behind: %s", strings.Join(left, ", "))
	}
}

func mustCreate(t *testing.T, c *Client, spec Spec) *State {
	t.Helper()
	st, err := c.Create(t.Context(), spec)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return st
}

func TestCreateAndRead(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	c := newClient(t, s, nil, nil)
	spec := testSpec(1)

	st := mustCreate(t, c, spec)
	if st.RoleName != spec.RoleName || st.RoleARN != "arn:aws:iam::123456789012:role/AWSTenantAdminRole" {
		t.Errorf("role = %s %s", st.RoleName, st.RoleARN)
	}
	if st.AccountID != testmoto.AccountID || st.RoleID == "" {
		t.Errorf("account = %q, role id = %q", st.AccountID, st.RoleID)
	}
	if want, _ := NormalizePolicy(spec.TrustPolicy); st.TrustPolicy != want {
		t.Errorf("trust policy\n got %s\nwant %s", st.TrustPolicy, want)
	}
	if st.Description != spec.Description || !st.OwnedBy(testTenantID) {
		t.Errorf("description %q, tags %v", st.Description, st.Tags)
	}
	if len(st.Policies) != len(spec.Policies) {
		t.Fatalf("%d policies, want %d", len(st.Policies), len(spec.Policies))
	}
	for i, p := range st.Policies {
		if p.Name != spec.Policies[i].Name || !p.Exists || !p.Attached || p.DefaultVersionID != "v1" {
			t.Errorf("policy %d = %+v", i, p)
		}
		if want, _ := NormalizePolicy(spec.Policies[i].Document); p.Document != want {
			t.Errorf("policy %s document\n got %s\nwant %s", p.Name, p.Document, want)
		}
	}
	if !slices.Equal(st.AttachedPolicyARNs, sorted(st.PolicyARNs())) {
		t.Errorf("attached %v, policies %v", st.AttachedPolicyARNs, st.PolicyARNs())
	}
	if d := DetectDrift(spec, st); len(d) != 0 {
		t.Errorf("drift right after create: %v", d)
	}
	if arns, err := PolicyARNsFor(st.RoleARN, spec.Policies); err != nil || !slices.Equal(arns, st.PolicyARNs()) {
		t.Errorf("PolicyARNsFor = %v, %v; want %v", arns, err, st.PolicyARNs())
	}

	again, err := c.Read(ctx, spec.RoleName, st.PolicyARNs())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again) != fmt.Sprint(st) {
		t.Errorf("Read differs from Create's state:\n%+v\n%+v", again, st)
	}
}

func TestCreateWhenRoleExists(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	admin := s.IAM(nil)
	const otherTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := admin.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName: aws.String(domain.DefaultAmazonRoleName), AssumeRolePolicyDocument: aws.String(otherTrust),
	}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s, nil, nil)
	_, err := c.Create(ctx, testSpec(1))
	var exists *RoleExistsError
	if !errors.As(err, &exists) {
		t.Fatalf("want RoleExistsError, got %v", err)
	}
	t.Log(err)
	if exists.RoleName != domain.DefaultAmazonRoleName || !strings.Contains(err.Error(), "terraform import") {
		t.Errorf("error does not point to import: %v", err)
	}
	// Nothing else was created and the existing role is untouched.
	policies, err := admin.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatal(err)
	}
	if len(policies.Policies) != 0 {
		t.Errorf("%d policies created", len(policies.Policies))
	}
	st, err := c.Read(ctx, domain.DefaultAmazonRoleName, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !samePolicy(st.TrustPolicy, otherTrust) || len(st.AttachedPolicyARNs) != 0 {
		t.Errorf("existing role changed: %+v", st)
	}
}

func TestCreateRollsBack(t *testing.T) {
	s := testmoto.Start(t)
	for _, step := range []string{StepCreatePolicies, StepCreateRole, StepAttachPolicies, StepWaitPropagation} {
		t.Run("after"+step, func(t *testing.T) {
			s.Reset(t)
			c := newClient(t, s, nil, nil)
			injected := errors.New("injected failure")
			c.afterStep = func(got string) error {
				if got == step {
					return injected
				}
				return nil
			}
			_, err := c.Create(t.Context(), testSpec(1))
			if !errors.Is(err, injected) {
				t.Fatalf("want the injected error, got %v", err)
			}
			assertNothingLeft(t, s.IAM(nil))
		})
	}
}

func TestCreateRollsBackWhenCanceled(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	c := newClient(t, s, nil, nil)
	ctx, cancel := context.WithCancel(t.Context())
	c.afterStep = func(step string) error {
		if step == StepCreateRole {
			// The caller gives up (Ctrl-C, a timeout) right after the
			// role exists; the rollback must still run.
			cancel()
		}
		return nil
	}
	_, err := c.Create(ctx, testSpec(1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	assertNothingLeft(t, s.IAM(nil))
}

func TestCreateRetriesThrottling(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	th := testmoto.Throttle(nil, "CreateRole", 2)
	c := newClient(t, s, nil, th)
	mustCreate(t, c, testSpec(1))
	if th.Injected() != 2 || th.Calls() != 3 {
		t.Errorf("throttled %d of %d CreateRole calls, want 2 of 3", th.Injected(), th.Calls())
	}
}

func TestAttachWaitsForPropagation(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	// AWS answers NoSuchEntity while a new policy has not propagated.
	inj := testmoto.InjectError(nil, "AttachRolePolicy", 2, "NoSuchEntity", http.StatusNotFound)
	c := newClient(t, s, nil, inj)
	st := mustCreate(t, c, testSpec(1))
	if inj.Injected() != 2 {
		t.Errorf("injected %d NoSuchEntity replies, want 2", inj.Injected())
	}
	for _, p := range st.Policies {
		if !p.Attached {
			t.Errorf("policy %s not attached", p.Name)
		}
	}
}

func TestAttachGivesUpAfterPropagationTimeout(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	inj := testmoto.InjectError(nil, "AttachRolePolicy", 1000, "NoSuchEntity", http.StatusNotFound)
	c := newClient(t, s, nil, inj)
	c.propagationTimeout = 500 * time.Millisecond
	start := time.Now()
	_, err := c.Create(t.Context(), testSpec(1))
	if err == nil || !strings.Contains(err.Error(), "propagate") {
		t.Fatalf("want a propagation timeout, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("took %s; the wait is not bounded", elapsed)
	}
	assertNothingLeft(t, s.IAM(nil))
}

func TestCreateAdoptsOrphanPolicy(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	admin := s.IAM(nil)
	spec := testSpec(2)
	// A policy left behind by a role deleted by hand, with an older
	// document.
	old := domain.AmazonPolicies(1)[0]
	if _, err := admin.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String(old.Name), PolicyDocument: aws.String(old.Document),
	}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s, nil, nil)

	// A failed create must not delete the adopted policy: it was not ours.
	c.afterStep = func(step string) error {
		if step == StepCreateRole {
			return errors.New("injected")
		}
		return nil
	}
	if _, err := c.Create(ctx, spec); err == nil {
		t.Fatal("injected failure ignored")
	}
	policies, err := admin.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatal(err)
	}
	if len(policies.Policies) != 1 || aws.ToString(policies.Policies[0].PolicyName) != old.Name {
		t.Fatalf("after rollback want only the adopted policy, got %d policies", len(policies.Policies))
	}

	c.afterStep = nil
	st := mustCreate(t, c, spec)
	if d := DetectDrift(spec, st); len(d) != 0 {
		t.Errorf("drift after adopting: %v", d)
	}
	if st.Policies[0].DefaultVersionID == "v1" {
		t.Error("the adopted policy's document was not brought up to date")
	}
}

func TestCreateRefusesPolicyAttachedElsewhere(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	admin := s.IAM(nil)
	p := domain.AmazonPolicies(1)[1]
	out, err := admin.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(p.Name), PolicyDocument: aws.String(p.Document)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("someone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("someone"), PolicyArn: out.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s, nil, nil)
	_, err = c.Create(ctx, testSpec(1))
	var exists *PolicyExistsError
	if !errors.As(err, &exists) || exists.PolicyName != p.Name {
		t.Fatalf("want PolicyExistsError for %s, got %v", p.Name, err)
	}
	// The first policy, created by this call, was rolled back; the
	// foreign one is untouched.
	policies, err := admin.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatal(err)
	}
	if len(policies.Policies) != 1 || aws.ToString(policies.Policies[0].PolicyName) != p.Name {
		t.Fatalf("want only the foreign policy left, got %d", len(policies.Policies))
	}
}

func TestCreateRefusesMalformedTrustPolicy(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	c := newClient(t, s, nil, nil)
	spec := testSpec(1)
	// moto would accept this trust policy; AWS would not.
	spec.TrustPolicy = `{"Version":"2012-10-17","Statement":[`
	if _, err := c.Create(t.Context(), spec); err == nil || !strings.Contains(err.Error(), "trust policy") {
		t.Fatalf("want a trust policy error, got %v", err)
	}
	assertNothingLeft(t, s.IAM(nil))
}

// addVersions gives the policy n more non-default versions, each with a
// document of its own.
func addVersions(t *testing.T, admin *awsiam.Client, policyARN string, n int) {
	t.Helper()
	for i := range n {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Old%d","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`, i)
		if _, err := admin.CreatePolicyVersion(t.Context(), &awsiam.CreatePolicyVersionInput{
			PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(doc),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func versionIDs(t *testing.T, admin *awsiam.Client, policyARN string) (all []string, def string) {
	t.Helper()
	out, err := admin.ListPolicyVersions(t.Context(), &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Versions {
		all = append(all, aws.ToString(v.VersionId))
		if v.IsDefaultVersion {
			def = aws.ToString(v.VersionId)
		}
	}
	slices.Sort(all)
	return all, def
}

func TestReconnectPrunesOldestVersion(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	admin := s.IAM(nil)
	c := newClient(t, s, nil, nil)
	st := mustCreate(t, c, testSpec(1))
	full := st.Policies[0].ARN
	addVersions(t, admin, full, 4) // v1 default, v2..v5 not: the IAM maximum.

	spec := testSpec(2)
	spec.TrustPolicy = domain.AmazonTrustPolicy(testPrincipal, "ext-rotated")
	spec.MaxSessionDuration = 7200
	got, err := c.Reconnect(ctx, spec)
	if err != nil {
		t.Fatalf("Reconnect: %v", err)
	}
	all, def := versionIDs(t, admin, full)
	if want := []string{"v1", "v3", "v4", "v5", "v6"}; !slices.Equal(all, want) || def != "v6" {
		t.Errorf("versions %v default %s; want %v default v6 (oldest non-default v2 pruned)", all, def, want)
	}
	all, def = versionIDs(t, admin, got.Policies[1].ARN)
	if !slices.Equal(all, []string{"v1", "v2"}) || def != "v2" {
		t.Errorf("second policy versions %v default %s", all, def)
	}
	if d := DetectDrift(spec, got); len(d) != 0 {
		t.Errorf("drift after reconnect: %v", d)
	}
	if got.MaxSessionDuration != 7200 || !strings.Contains(got.TrustPolicy, "ext-rotated") {
		t.Errorf("role not updated: max session %d, trust %s", got.MaxSessionDuration, got.TrustPolicy)
	}

	// Going back to version 1 reuses the version that holds it.
	back, err := c.Reconnect(ctx, testSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	all, def = versionIDs(t, admin, full)
	if len(all) != 5 || def != "v1" {
		t.Errorf("after going back: versions %v default %s; want v1 made default again", all, def)
	}
	if d := DetectDrift(testSpec(1), back); len(d) != 0 {
		t.Errorf("drift after going back: %v", d)
	}
}

func TestReconnectMissingRole(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	c := newClient(t, s, nil, nil)
	if _, err := c.Reconnect(t.Context(), testSpec(1)); !errors.Is(err, ErrRoleNotFound) {
		t.Fatalf("want ErrRoleNotFound, got %v", err)
	}
}

func TestDrift(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	spec := testSpec(1)

	cases := []struct {
		name   string
		change func(t *testing.T, admin *awsiam.Client, st *State)
		want   []DriftKind
	}{
		{"none", func(*testing.T, *awsiam.Client, *State) {}, nil},
		{"detached", func(t *testing.T, admin *awsiam.Client, st *State) {
			_, err := admin.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String(st.RoleName), PolicyArn: aws.String(st.Policies[1].ARN)})
			check(t, err)
		}, []DriftKind{DriftPolicyDetached}},
		{"trust policy edited", func(t *testing.T, admin *awsiam.Client, st *State) {
			_, err := admin.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{
				RoleName: aws.String(st.RoleName), PolicyDocument: aws.String(domain.AmazonTrustPolicy(testPrincipal, "someone-elses-id")),
			})
			check(t, err)
		}, []DriftKind{DriftTrustPolicy}},
		{"trust policy reformatted only", func(t *testing.T, admin *awsiam.Client, st *State) {
			// Same meaning, different text: not drift.
			var v any
			check(t, json.Unmarshal([]byte(spec.TrustPolicy), &v))
			pretty, err := json.MarshalIndent(v, "", "    ")
			check(t, err)
			_, err = admin.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{
				RoleName: aws.String(st.RoleName), PolicyDocument: aws.String(string(pretty)),
			})
			check(t, err)
		}, nil},
		{"new default policy version", func(t *testing.T, admin *awsiam.Client, st *State) {
			_, err := admin.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{
				PolicyArn: aws.String(st.Policies[0].ARN), SetAsDefault: true,
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
			})
			check(t, err)
		}, []DriftKind{DriftPolicyDocument}},
		{"policy deleted", func(t *testing.T, admin *awsiam.Client, st *State) {
			_, err := admin.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String(st.RoleName), PolicyArn: aws.String(st.Policies[0].ARN)})
			check(t, err)
			_, err = admin.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(st.Policies[0].ARN)})
			check(t, err)
		}, []DriftKind{DriftPolicyMissing}},
		{"description edited", func(t *testing.T, admin *awsiam.Client, st *State) {
			_, err := admin.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String(st.RoleName), Description: aws.String("changed")})
			check(t, err)
		}, []DriftKind{DriftRoleSettings}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset(t)
			c := newClient(t, s, nil, nil)
			st := mustCreate(t, c, spec)
			tc.change(t, s.IAM(nil), st)
			read, err := c.Read(ctx, spec.RoleName, st.PolicyARNs())
			if err != nil {
				t.Fatal(err)
			}
			var kinds []DriftKind
			for _, d := range DetectDrift(spec, read) {
				kinds = append(kinds, d.Kind)
			}
			if !slices.Equal(kinds, tc.want) {
				t.Fatalf("drift %v, want %v", DetectDrift(spec, read), tc.want)
			}
			// Reconnect repairs every drift but a missing role.
			repaired, err := c.Reconnect(ctx, spec)
			if err != nil {
				t.Fatalf("Reconnect: %v", err)
			}
			if d := DetectDrift(spec, repaired); len(d) != 0 {
				t.Fatalf("drift after Reconnect: %v", d)
			}
		})
	}

	t.Run("role deleted", func(t *testing.T) {
		s.Reset(t)
		c := newClient(t, s, nil, nil)
		st := mustCreate(t, c, spec)
		admin := s.IAM(nil)
		for _, p := range st.PolicyARNs() {
			_, err := admin.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String(st.RoleName), PolicyArn: aws.String(p)})
			check(t, err)
		}
		_, err := admin.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(st.RoleName)})
		check(t, err)
		read, err := c.Read(ctx, spec.RoleName, st.PolicyARNs())
		if !errors.Is(err, ErrRoleNotFound) || read != nil {
			t.Fatalf("want ErrRoleNotFound, got %v", err)
		}
		d := DetectDrift(spec, read)
		if len(d) != 1 || d[0].Kind != DriftRoleMissing || !strings.Contains(d[0].String(), spec.RoleName) {
			t.Fatalf("drift %v", d)
		}
		// Creating again takes over the policies the role left behind.
		again := mustCreate(t, c, spec)
		if d := DetectDrift(spec, again); len(d) != 0 {
			t.Fatalf("drift after re-creating: %v", d)
		}
	})
}

func TestDelete(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	admin := s.IAM(nil)
	c := newClient(t, s, nil, nil)
	st := mustCreate(t, c, testSpec(1))
	// Out-of-band changes Delete must cope with: extra policy versions (AWS
	// refuses DeletePolicy while they exist) and a policy attached by hand
	// (AWS refuses DeleteRole while it is attached).
	addVersions(t, admin, st.Policies[0].ARN, 3)
	extra, err := admin.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("AddedByHand"), PolicyDocument: aws.String(domain.AmazonPolicies(1)[0].Document),
	})
	check(t, err)
	_, err = admin.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(st.RoleName), PolicyArn: extra.Policy.Arn})
	check(t, err)

	if err := c.Delete(ctx, st.RoleName, testTenantID, st.PolicyARNs()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	// The hand-made policy is detached but, not being the registration's,
	// kept.
	_, err = admin.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: extra.Policy.Arn})
	check(t, err)
	assertNothingLeft(t, admin)

	// Deleting what is already gone succeeds.
	if err := c.Delete(ctx, st.RoleName, testTenantID, st.PolicyARNs()); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestValidateKeys(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	c := newClient(t, s, nil, nil)
	acct, err := c.ValidateKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if acct.ID != testmoto.AccountID || acct.Alias != "" || acct.Partition != "aws" {
		t.Errorf("account = %+v", acct)
	}
	_, err = s.IAM(nil).CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("contoso-prod")})
	check(t, err)
	if acct, err = c.ValidateKeys(ctx); err != nil || acct.Alias != "contoso-prod" {
		t.Errorf("alias = %q, %v", acct.Alias, err)
	}
}

func TestDefaultCredentialChain(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testmoto.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testmoto.SecretAccessKey)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	c, err := New(t.Context(), Config{IAMEndpoint: s.URL(), STSEndpoint: s.URL(), HTTPClient: testmoto.HTTPClient(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ValidateKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := New(t.Context(), Config{AccessKeyID: "AKIA"}); err == nil {
		t.Error("an access key without its secret was accepted")
	}
}

// The tests below run against the moto server with permission checks, with
// an IAM user holding exactly the configuring user policy of the domain
// package, so they also prove that policy is enough.

func TestLeastPrivilegeUserLifecycle(t *testing.T) {
	ctx := t.Context()
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	user := s.CreateUser(t, "configurer", domain.AmazonConfiguringUserPolicy())
	c := newClient(t, s, &user, nil)
	st := mustCreate(t, c, testSpec(1))
	if _, err := c.Read(ctx, st.RoleName, st.PolicyARNs()); err != nil {
		t.Fatalf("Read: %v", err)
	}
	addVersions(t, s.IAM(s.CreateUser(t, "admin", testmoto.AdminPolicy).Credentials()), st.Policies[0].ARN, 4)
	if _, err := c.Reconnect(ctx, testSpec(2)); err != nil {
		t.Fatalf("Reconnect: %v", err)
	}
	if err := c.Delete(ctx, st.RoleName, testTenantID, st.PolicyARNs()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

func TestUserLacksCreateRole(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	admin := s.CreateUser(t, "admin", testmoto.AdminPolicy)
	var actions []string
	for _, a := range domain.AmazonConfiguringUserActions {
		if a != "iam:CreateRole" {
			actions = append(actions, a)
		}
	}
	policy, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"},
	}})
	check(t, err)
	user := s.CreateUser(t, "no-create-role", string(policy))
	c := newClient(t, s, &user, nil)

	_, err = c.Create(t.Context(), testSpec(1))
	var denied *MissingPermissionError
	if !errors.As(err, &denied) || denied.Action != "iam:CreateRole" {
		t.Fatalf("want MissingPermissionError for iam:CreateRole, got %v", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "iam:CreateRole") {
		t.Errorf("error does not name the permission: %v", err)
	}
	// The policies made before CreateRole were rolled back.
	assertNothingLeft(t, s.IAM(admin.Credentials()))
}

func TestWrongKeys(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	admin := s.CreateUser(t, "admin", testmoto.AdminPolicy)
	for name, user := range map[string]testmoto.User{
		"unknown key":  {AccessKeyID: "AKIAIOSFODNN7NOTAKEY", SecretAccessKey: "whatever"},
		"wrong secret": {AccessKeyID: admin.AccessKeyID, SecretAccessKey: "not-the-secret"},
	} {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, s, &user, nil)
			_, err := c.ValidateKeys(t.Context())
			var invalid *InvalidCredentialsError
			t.Log(err)
			if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "access key is not valid") {
				t.Fatalf("want InvalidCredentialsError, got %v", err)
			}
			if _, err := c.Create(t.Context(), testSpec(1)); !errors.As(err, &invalid) {
				t.Fatalf("Create: want InvalidCredentialsError, got %v", err)
			}
			assertNothingLeft(t, s.IAM(admin.Credentials()))
		})
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
