package testmoto_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

func TestMain(m *testing.M) { testmoto.Main(m) }

const trustAny = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`

func trustFor(principal, externalID string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},`+
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":%q}}}]}`, principal, externalID)
}

const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`

func code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestStartIsSharedAndResets(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	if s2 := testmoto.Start(t); s2 != s {
		t.Fatal("Start started a second server")
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || s.Auth() {
		t.Fatalf("URL = %s, auth = %v", s.URL(), s.Auth())
	}
	s.Reset(t)
	c := s.IAM(nil)
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAny)}); err != nil {
		t.Fatal(err)
	}
	s.Reset(t)
	out, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roles) != 0 {
		t.Fatalf("Reset left %d roles", len(out.Roles))
	}
}

func TestThrottle(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	th := testmoto.Throttle(nil, "CreateRole", 2)
	c := iam.New(iam.Options{
		Region: testmoto.Region, BaseEndpoint: aws.String(s.URL()), Credentials: testmoto.DummyCredentials(),
		HTTPClient: &http.Client{Transport: th}, RetryMaxAttempts: 1,
	})
	in := &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAny)}
	for i := range 2 {
		if _, err := c.CreateRole(ctx, in); code(err) != "Throttling" {
			t.Fatalf("call %d: want Throttling, got %v", i+1, err)
		}
	}
	if _, err := c.CreateRole(ctx, in); err != nil {
		t.Fatalf("third call: %v", err)
	}
	// Other actions pass through untouched.
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
	if th.Injected() != 2 || th.Calls() != 3 {
		t.Fatalf("injected %d of %d calls, want 2 of 3", th.Injected(), th.Calls())
	}
}

func TestInjectError(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)
	s.Reset(t)
	inj := testmoto.InjectError(nil, "GetCallerIdentity", 1, "InvalidClientTokenId", http.StatusForbidden)
	c := sts.New(sts.Options{
		Region: testmoto.Region, BaseEndpoint: aws.String(s.URL()), Credentials: testmoto.DummyCredentials(),
		HTTPClient: &http.Client{Transport: inj}, RetryMaxAttempts: 1,
	})
	if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); code(err) != "InvalidClientTokenId" {
		t.Fatalf("want InvalidClientTokenId, got %v", err)
	}
	if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestRewriteErrors pins moto's error wrapper and shows the rewrite makes
// the SDK see the codes.
func TestRewriteErrors(t *testing.T) {
	ctx := t.Context()
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	u := s.CreateUser(t, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)

	raw := iam.New(iam.Options{
		Region: testmoto.Region, BaseEndpoint: aws.String(s.URL()), Credentials: u.Credentials(),
		HTTPClient: &http.Client{}, RetryMaxAttempts: 1,
	})
	in := &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAny)}
	if _, err := raw.CreateRole(ctx, in); code(err) == "AccessDenied" {
		t.Fatal("moto's AccessDenied now parses without the rewrite; drop RewriteErrors and update the package doc")
	} else if err == nil {
		t.Fatal("CreateRole without permission succeeded")
	}

	_, err := s.IAM(u.Credentials()).CreateRole(ctx, in)
	if code(err) != "AccessDenied" || !strings.Contains(err.Error(), "iam:CreateRole") {
		t.Fatalf("want AccessDenied naming iam:CreateRole, got %v", err)
	}
	wrongKey := s.IAM(credentials.NewStaticCredentialsProvider("AKIANOTAKEY000000000", "secret", ""))
	if _, err := wrongKey.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); code(err) != "InvalidClientTokenId" {
		t.Fatalf("unknown key: want InvalidClientTokenId, got %v", err)
	}
	wrongSecret := s.IAM(credentials.NewStaticCredentialsProvider(u.AccessKeyID, "not-the-secret", ""))
	if _, err := wrongSecret.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); code(err) != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: want SignatureDoesNotMatch, got %v", err)
	}
}

// TestMotoDifferences pins each difference from AWS the package doc lists.
func TestMotoDifferences(t *testing.T) {
	ctx := t.Context()
	s := testmoto.Start(t)

	t.Run("DeletePolicyWhileAttachedAndVersioned", func(t *testing.T) {
		s.Reset(t)
		c := s.IAM(nil)
		mustCreateRole(t, c, "r", trustAny)
		p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn}); err != nil {
			t.Fatalf("moto now refuses DeletePolicy while attached (%v); update the package doc", err)
		}
		att, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})
		if err != nil {
			t.Fatal(err)
		}
		if len(att.AttachedPolicies) != 1 {
			t.Fatalf("dangling attachment gone: %d attached", len(att.AttachedPolicies))
		}
		// DeleteRole does refuse while policies are attached, as on AWS.
		if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")}); code(err) != "DeleteConflict" {
			t.Fatalf("DeleteRole with attachments: %v", err)
		}
	})

	t.Run("MalformedTrustPolicyAccepted", func(t *testing.T) {
		s.Reset(t)
		c := s.IAM(nil)
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String("not json")}); err != nil {
			t.Fatalf("moto now validates trust policies on CreateRole (%v); update the package doc", err)
		}
		// UpdateAssumeRolePolicy and CreatePolicy do check the syntax.
		if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String("{")}); code(err) != "MalformedPolicyDocument" {
			t.Fatalf("UpdateAssumeRolePolicy with a malformed document: %v", err)
		}
		if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String("not json")}); code(err) != "MalformedPolicyDocument" {
			t.Fatalf("CreatePolicy with a malformed document: %v", err)
		}
	})

	t.Run("UpdateRoleResetsOmittedFields", func(t *testing.T) {
		s.Reset(t)
		c := s.IAM(nil)
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAny),
			Description: aws.String("kept on AWS"), MaxSessionDuration: aws.Int32(7200),
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("r")}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.Role.Description) != "" || aws.ToInt32(g.Role.MaxSessionDuration) != 3600 {
			t.Fatalf("moto now keeps omitted UpdateRole fields (description %q, max session %d); update the package doc",
				aws.ToString(g.Role.Description), aws.ToInt32(g.Role.MaxSessionDuration))
		}
	})

	t.Run("PolicyVersionDocumentNotEncoded", func(t *testing.T) {
		s.Reset(t)
		c := s.IAM(nil)
		p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(aws.ToString(v.PolicyVersion.Document), "{") {
			t.Fatalf("moto now URL-encodes policy versions like AWS: %s", aws.ToString(v.PolicyVersion.Document))
		}
		mustCreateRole(t, c, "r", trustAny)
		g, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(aws.ToString(g.Role.AssumeRolePolicyDocument), "%7B") {
			t.Fatalf("trust policy no longer URL-encoded: %s", aws.ToString(g.Role.AssumeRolePolicyDocument))
		}
	})

	t.Run("AssumeRoleWithoutPermissionChecks", func(t *testing.T) {
		s.Reset(t)
		c := s.IAM(nil)
		mustCreateRole(t, c, "r", trustFor("arn:aws:iam::999999999999:user/other", "ext"))
		_, err := s.STS(nil).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s"), ExternalId: aws.String("wrong"),
		})
		if err != nil {
			t.Fatalf("moto without permission checks now evaluates trust policies (%v); update the package doc", err)
		}
	})

	a := testmoto.StartWithAuth(t)
	t.Run("AssumeRoleWithPermissionChecks", func(t *testing.T) {
		a.Reset(t)
		admin := a.CreateUser(t, "admin", testmoto.AdminPolicy)
		svc := a.CreateUser(t, "svc", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
		c := a.IAM(admin.Credentials())
		mustCreateRole(t, c, "byuser", trustFor(svc.ARN, "ext"))
		mustCreateRole(t, c, "byroot", trustFor("arn:aws:iam::123456789012:root", "ext"))
		st := a.STS(svc.Credentials())
		assume := func(role string, ext *string) error {
			_, err := st.AssumeRole(ctx, &sts.AssumeRoleInput{
				RoleArn: aws.String("arn:aws:iam::123456789012:role/" + role), RoleSessionName: aws.String("s"), ExternalId: ext,
			})
			return err
		}
		if err := assume("byuser", aws.String("ext")); err != nil {
			t.Fatalf("right external id: %v", err)
		}
		if err := assume("byuser", aws.String("wrong")); code(err) != "AccessDenied" {
			t.Fatalf("wrong external id: want AccessDenied, got %v", err)
		}
		if err := assume("byuser", nil); err != nil {
			t.Fatalf("moto now requires the external id (%v); update the package doc", err)
		}
		if err := assume("doesnotexist", aws.String("ext")); err != nil {
			t.Fatalf("moto now refuses roles that do not exist (%v); update the package doc", err)
		}
		if err := assume("byroot", aws.String("ext")); code(err) != "AccessDenied" {
			t.Fatalf("moto now lets a root principal admit the account's users (%v); update the package doc", err)
		}
	})
}

func mustCreateRole(t *testing.T, c *iam.Client, name, trust string) *iam.CreateRoleOutput {
	t.Helper()
	out, err := c.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("create role %s: %v", name, err)
	}
	return out
}

// TestAuthorizationBeforeLookup pins what iam.CheckPermissions relies on:
// like AWS, the server with permission checks authorizes a call before it
// looks up the entity it names, so a call on a name that does not exist is
// AccessDenied without the permission and NoSuchEntity with it.
func TestAuthorizationBeforeLookup(t *testing.T) {
	ctx := t.Context()
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	allowed := s.CreateUser(t, "deleter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:DeleteRole","iam:DeletePolicy"],"Resource":"*"}]}`)
	denied := s.CreateUser(t, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	for _, tc := range []struct {
		user testmoto.User
		want string
	}{{allowed, "NoSuchEntity"}, {denied, "AccessDenied"}} {
		c := s.IAM(tc.user.Credentials())
		_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("does-not-exist-4f1c")})
		if got := code(err); got != tc.want {
			t.Errorf("%s: DeleteRole of a missing role: %s (%v), want %s", tc.user.Name, got, err, tc.want)
		}
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testmoto.AccountID + ":policy/does-not-exist-4f1c")})
		if got := code(err); got != tc.want {
			t.Errorf("%s: DeletePolicy of a missing policy: %s (%v), want %s", tc.user.Name, got, err, tc.want)
		}
	}
}
