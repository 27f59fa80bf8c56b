package awsverify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/aos-dev/terraform-provider-aos/internal/awsverify"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

func TestMain(m *testing.M) { testmoto.Main(m) }

const (
	externalID = "ext-5d1e"
	roleARN    = "arn:aws:iam::123456789012:role/" + domain.DefaultAmazonRoleName
)

func createRole(t *testing.T, c *iam.Client, trust string) {
	t.Helper()
	if _, err := c.CreateRole(t.Context(), &iam.CreateRoleInput{
		RoleName:                 aws.String(domain.DefaultAmazonRoleName),
		AssumeRolePolicyDocument: aws.String(trust),
	}); err != nil {
		t.Fatal(err)
	}
}

func verifier(s *testmoto.Server, creds aws.CredentialsProvider, timeout time.Duration) *awsverify.Verifier {
	return &awsverify.Verifier{
		STSEndpoint:        s.URL(),
		Region:             testmoto.Region,
		Credentials:        creds,
		PropagationTimeout: timeout,
		HTTPClient:         testmoto.HTTPClient(nil),
	}
}

func TestVerify(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	createRole(t, s.IAM(nil), domain.AmazonTrustPolicy("arn:aws:iam::111122223333:root", externalID))
	account, err := verifier(s, testmoto.DummyCredentials(), 2*time.Second).Verify(t.Context(), roleARN, externalID)
	if err != nil {
		t.Fatal(err)
	}
	if account != testmoto.AccountID {
		t.Errorf("account = %s", account)
	}
}

func TestNew(t *testing.T) {
	s := testmoto.Start(t)
	s.Reset(t)
	createRole(t, s.IAM(nil), domain.AmazonTrustPolicy("arn:aws:iam::111122223333:root", externalID))
	// Without credentials New takes them from the default chain.
	t.Setenv("AWS_ACCESS_KEY_ID", testmoto.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testmoto.SecretAccessKey)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	v, err := awsverify.New(t.Context(), awsverify.Options{
		Endpoint: s.URL(), Region: testmoto.Region, PropagationTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), roleARN, externalID); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyRefusesBadInput(t *testing.T) {
	// Nothing listens here: these must fail before any call.
	v := &awsverify.Verifier{STSEndpoint: "http://127.0.0.1:1", Credentials: testmoto.DummyCredentials()}
	for name, tc := range map[string]struct{ arn, ext, want string }{
		"not an ARN":     {"AWSTenantAdminRole", externalID, "not an IAM role ARN"},
		"user ARN":       {"arn:aws:iam::123456789012:user/someone", externalID, "not an IAM role ARN"},
		"no external id": {roleARN, "", "no external ID"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tc.arn, tc.ext)
			var are *awsverify.AssumeRoleError
			if !errors.As(err, &are) || are.Attempts != 0 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an immediate AssumeRoleError with %q, got %v", tc.want, err)
			}
		})
	}
}

// serviceUser sets up the server with permission checks: the service's own
// IAM user, allowed to assume roles, and an admin for fixtures.
func serviceUser(t *testing.T, s *testmoto.Server) (svc testmoto.User, admin *iam.Client) {
	t.Helper()
	s.Reset(t)
	svc = s.CreateUser(t, "aos-service",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	return svc, s.IAM(s.CreateUser(t, "admin", testmoto.AdminPolicy).Credentials())
}

func TestVerifyChecksTrust(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	for name, tc := range map[string]struct {
		trust func(svc testmoto.User) string
		ok    bool
	}{
		"trusted":           {func(svc testmoto.User) string { return domain.AmazonTrustPolicy(svc.ARN, externalID) }, true},
		"wrong external id": {func(svc testmoto.User) string { return domain.AmazonTrustPolicy(svc.ARN, "someone-else") }, false},
		"other principal": {func(testmoto.User) string {
			return domain.AmazonTrustPolicy("arn:aws:iam::123456789012:user/other", externalID)
		}, false},
	} {
		t.Run(name, func(t *testing.T) {
			svc, admin := serviceUser(t, s)
			createRole(t, admin, tc.trust(svc))
			start := time.Now()
			account, err := verifier(s, svc.Credentials(), time.Second).Verify(t.Context(), roleARN, externalID)
			if tc.ok {
				if err != nil || account != testmoto.AccountID {
					t.Fatalf("account %q, err %v", account, err)
				}
				return
			}
			var are *awsverify.AssumeRoleError
			if !errors.As(err, &are) {
				t.Fatalf("want AssumeRoleError, got %v", err)
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{"could not assume IAM role " + roleARN, "access denied", "external ID", "AccessDenied"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q: %s", want, msg)
				}
			}
			if are.Attempts < 2 {
				t.Errorf("AccessDenied was not retried (%d attempts)", are.Attempts)
			}
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %s with a 1s propagation timeout", elapsed)
			}
		})
	}
}

// TestVerifyWaitsForPropagation imitates a trust policy that reaches STS
// only after a while: the role first refuses, then is fixed.
func TestVerifyWaitsForPropagation(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	svc, admin := serviceUser(t, s)
	createRole(t, admin, domain.AmazonTrustPolicy(svc.ARN, "not-yet"))
	go func() {
		time.Sleep(600 * time.Millisecond)
		_, _ = admin.UpdateAssumeRolePolicy(t.Context(), &iam.UpdateAssumeRolePolicyInput{
			RoleName:       aws.String(domain.DefaultAmazonRoleName),
			PolicyDocument: aws.String(domain.AmazonTrustPolicy(svc.ARN, externalID)),
		})
	}()
	account, err := verifier(s, svc.Credentials(), 10*time.Second).Verify(t.Context(), roleARN, externalID)
	if err != nil || account != testmoto.AccountID {
		t.Fatalf("account %q, err %v", account, err)
	}
}

func TestVerifyStopsWhenCanceled(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	svc, admin := serviceUser(t, s)
	createRole(t, admin, domain.AmazonTrustPolicy(svc.ARN, "never"))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := verifier(s, svc.Credentials(), time.Minute).Verify(ctx, roleARN, externalID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the context's error, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s after the context ended", elapsed)
	}
}

func TestVerifyServiceKeyRejected(t *testing.T) {
	s := testmoto.StartWithAuth(t)
	s.Reset(t)
	bad := credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7NOTAKEY", "nope", "")
	_, err := verifier(s, bad, 5*time.Second).Verify(t.Context(), roleARN, externalID)
	var are *awsverify.AssumeRoleError
	if !errors.As(err, &are) || are.Attempts != 1 || !strings.Contains(err.Error(), "service's own AWS credentials") {
		t.Fatalf("want one attempt blaming the service's key, got %v", err)
	}
}

// hostRecorder notes the host of every request and answers it as STS
// answers an unknown key, which is not retried, so the endpoint the SDK
// resolved is seen without a network.
type hostRecorder struct{ hosts []string }

func (h *hostRecorder) Do(r *http.Request) (*http.Response, error) {
	h.hosts = append(h.hosts, r.URL.Host)
	body := `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>recorded</Message></Error></ErrorResponse>`
	return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// TestDefaultEndpointPerPartition: without --sts-endpoint each role is
// verified at its own partition's regional STS endpoint. The old code had
// no default at all (aosd built no verifier without an endpoint), and
// would have used the configured commercial region for every partition.
func TestDefaultEndpointPerPartition(t *testing.T) {
	for _, tc := range []struct{ region, roleARN, host string }{
		{"us-east-1", "arn:aws:iam::123456789012:role/R", "sts.us-east-1.amazonaws.com"},
		{"eu-west-1", "arn:aws:iam::123456789012:role/R", "sts.eu-west-1.amazonaws.com"},
		{"", "arn:aws:iam::123456789012:role/R", "sts.us-east-1.amazonaws.com"},
		{"us-east-1", "arn:aws-us-gov:iam::123456789012:role/R", "sts.us-gov-west-1.amazonaws.com"},
		{"us-gov-east-1", "arn:aws-us-gov:iam::123456789012:role/R", "sts.us-gov-east-1.amazonaws.com"},
		{"us-east-1", "arn:aws-cn:iam::123456789012:role/R", "sts.cn-north-1.amazonaws.com.cn"},
		// The configured region is only used in its own partition.
		{"us-gov-west-1", "arn:aws:iam::123456789012:role/R", "sts.us-east-1.amazonaws.com"},
	} {
		rec := &hostRecorder{}
		v := &awsverify.Verifier{Region: tc.region, HTTPClient: rec, PropagationTimeout: time.Millisecond,
			Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", "")}
		if _, err := v.Verify(t.Context(), tc.roleARN, externalID); err == nil {
			t.Fatalf("%s: verified without a network", tc.roleARN)
		}
		if len(rec.hosts) == 0 || rec.hosts[0] != tc.host {
			t.Errorf("region %q, role %s: STS host %v, want %s", tc.region, tc.roleARN, rec.hosts, tc.host)
		}
	}
}
