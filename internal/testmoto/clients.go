package testmoto

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// AdminPolicy allows everything. Give it to the user that sets up and
// inspects fixtures on the server with permission checks.
const AdminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// User is an IAM user of a moto server with one access key.
type User struct {
	Name            string
	ARN             string
	AccessKeyID     string
	SecretAccessKey string
}

// Credentials returns the user's access key as a credentials provider.
func (u User) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(u.AccessKeyID, u.SecretAccessKey, "")
}

// DummyCredentials are accepted by the server without permission checks,
// which does not look at signatures.
func DummyCredentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")
}

// HTTPClient returns an HTTP client for the server: its transport rewrites
// moto's error wrapper (see RewriteErrors) over base, which may be nil.
func HTTPClient(base http.RoundTripper) *http.Client {
	return &http.Client{Transport: RewriteErrors(base)}
}

// IAM returns an IAM client for the server signed with creds (the dummy
// credentials when nil). It does not retry, so fixture mistakes fail fast.
func (s *Server) IAM(creds aws.CredentialsProvider) *iam.Client {
	if creds == nil {
		creds = DummyCredentials()
	}
	return iam.New(iam.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(s.url),
		Credentials:      creds,
		HTTPClient:       HTTPClient(nil),
		RetryMaxAttempts: 1,
	})
}

// STS returns an STS client for the server signed with creds (the dummy
// credentials when nil).
func (s *Server) STS(creds aws.CredentialsProvider) *sts.Client {
	if creds == nil {
		creds = DummyCredentials()
	}
	return sts.New(sts.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(s.url),
		Credentials:      creds,
		HTTPClient:       HTTPClient(nil),
		RetryMaxAttempts: 1,
	})
}

// CreateUser creates an IAM user whose only permissions are the inline
// identity policy, and an access key for it. On the server with permission
// checks, the checks are suspended while the user is made, because no user
// exists yet that could be allowed to make it.
func (s *Server) CreateUser(t testing.TB, name, policy string) User {
	t.Helper()
	ctx := t.Context()
	if s.auth {
		if err := s.setAuthCount(ctx, "inf"); err != nil {
			t.Fatalf("suspend moto permission checks: %v", err)
		}
		defer func() {
			if err := s.setAuthCount(ctx, "0"); err != nil {
				t.Fatalf("resume moto permission checks: %v", err)
			}
		}()
	}
	client := s.IAM(nil)
	out, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("create IAM user %s: %v", name, err)
	}
	if policy != "" {
		if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName:       aws.String(name),
			PolicyName:     aws.String(name + "-policy"),
			PolicyDocument: aws.String(policy),
		}); err != nil {
			t.Fatalf("put policy of IAM user %s: %v", name, err)
		}
	}
	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("create access key of IAM user %s: %v", name, err)
	}
	return User{
		Name:            name,
		ARN:             aws.ToString(out.User.Arn),
		AccessKeyID:     aws.ToString(key.AccessKey.AccessKeyId),
		SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey),
	}
}
