// Package iam creates, reads, reconnects and deletes the IAM role and managed
// policies of an Amazon tenant registration in the customer's AWS account,
// with aws-sdk-go-v2. The Terraform provider's aos_amazon_tenant resource is
// its user; it holds no Terraform types.
//
// Every step is named after the IAM calls it makes, so a refused permission
// (MissingPermissionError) names the action to grant; CheckPermissions finds
// every refused action of an operation before its first write
// (MissingPermissionsError). Create refuses to take over an existing role
// (RoleExistsError, which carries the role's aos:tenant-id tag so the
// caller can recognise what an interrupted create of the same registration
// left) but adopts an orphaned policy of the same name, and rolls back what
// it made when a later step fails. Reconnect and Delete change a role only
// when its TagTenantID tag names their registration (RoleNotOwnedError
// otherwise, before any write). Read and DetectDrift compare documents after
// NormalizePolicy, so only changes IAM would treat as changes are drift.
// Waits for IAM's eventual consistency are bounded by the client's
// propagation timeout (propagationTimeout unless configured) and by the
// caller's context.
package iam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const (
	// propagationTimeout bounds every wait for IAM's eventual consistency:
	// a new policy that AttachRolePolicy cannot see yet, a new role that
	// GetRole does not return yet. Two minutes is what the AWS provider
	// uses for the same waits.
	propagationTimeout = 2 * time.Minute

	// defaultMaxAttempts is the SDK retry budget per call. IAM's request
	// rate is low (it throttles at a few requests per second per account),
	// and a registration makes a burst of calls, so the SDK default of
	// three attempts gives up too early.
	defaultMaxAttempts = 10

	// defaultMaxBackoff caps the SDK's exponential backoff between attempts.
	defaultMaxBackoff = 20 * time.Second

	// defaultRegion signs IAM and STS requests when no region is given. IAM
	// is global in the commercial partition and served from us-east-1.
	defaultRegion = "us-east-1"

	// cleanupTimeout bounds the rollback of a failed Create. It runs on a
	// context detached from the caller's, because the usual reason for a
	// failure is that the caller's context ended, and the objects made so
	// far must not be left behind for that.
	cleanupTimeout = 2 * time.Minute
)

// Config says how to reach IAM and STS and with which credentials.
type Config struct {
	// AccessKeyID and SecretAccessKey (and SessionToken for temporary
	// credentials) are the configuring IAM user's key. When both are empty
	// the default AWS credential chain is used: environment, shared files,
	// SSO, container and instance roles.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string

	// Region signs the requests and selects the partition; see
	// domain.AmazonRegion. Defaults to us-east-1.
	Region string

	// IAMEndpoint and STSEndpoint override the endpoints, for tests (moto)
	// and private endpoints. Empty means the partition's public endpoint.
	IAMEndpoint string
	STSEndpoint string

	// HTTPClient replaces the SDK's HTTP client, so tests can inject
	// RoundTrippers. Nil keeps the SDK default.
	HTTPClient aws.HTTPClient

	// MaxAttempts and MaxBackoff tune the SDK's standard retryer, which
	// retries throttling, server errors and IAM's ConcurrentModification.
	// Zero values select 10 attempts and a 20 s cap.
	MaxAttempts int
	MaxBackoff  time.Duration

	// PropagationTimeout replaces propagationTimeout, mainly so tests can
	// fail fast.
	PropagationTimeout time.Duration
}

// Client makes the IAM and STS calls of an Amazon tenant registration.
type Client struct {
	iam                *awsiam.Client
	sts                *sts.Client
	propagationTimeout time.Duration

	// afterStep, when set, runs after every step of Create succeeds; an
	// error it returns fails the step. Tests use it to inject a failure at
	// a precise point and check the rollback.
	afterStep func(step string) error
}

// New builds a Client. It does not call AWS; ValidateKeys does.
func New(ctx context.Context, c Config) (*Client, error) {
	region := c.Region
	if region == "" {
		region = defaultRegion
	}
	maxAttempts := c.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = defaultMaxAttempts
	}
	maxBackoff := c.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = defaultMaxBackoff
	}

	var cfg aws.Config
	switch {
	case c.AccessKeyID != "" && c.SecretAccessKey != "":
		cfg = aws.Config{
			Region: region,
			Credentials: aws.NewCredentialsCache(
				credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
		}
	case c.AccessKeyID != "" || c.SecretAccessKey != "":
		return nil, errors.New("AWS credentials: both the access key ID and the secret access key are " +
			"needed, or neither to use the default credential chain")
	default:
		loaded, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
		if err != nil {
			return nil, fmt.Errorf("load the default AWS configuration: %w", err)
		}
		cfg = loaded
	}
	if c.HTTPClient != nil {
		cfg.HTTPClient = c.HTTPClient
	}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = maxBackoff
			// IAM answers ConcurrentModification when two writers touch
			// the same entity; retrying is what AWS recommends.
			o.Retryables = append(o.Retryables, retry.RetryableErrorCode{
				Codes: map[string]struct{}{"ConcurrentModification": {}},
			})
		})
	}

	timeout := c.PropagationTimeout
	if timeout <= 0 {
		timeout = propagationTimeout
	}
	return &Client{
		iam: awsiam.NewFromConfig(cfg, func(o *awsiam.Options) {
			if c.IAMEndpoint != "" {
				o.BaseEndpoint = aws.String(c.IAMEndpoint)
			}
		}),
		sts: sts.NewFromConfig(cfg, func(o *sts.Options) {
			if c.STSEndpoint != "" {
				o.BaseEndpoint = aws.String(c.STSEndpoint)
			}
		}),
		propagationTimeout: timeout,
	}, nil
}

// Spec is the IAM side of an Amazon tenant as the configuration wants it.
type Spec struct {
	RoleName string
	// TrustPolicy is the role's assume-role policy; see
	// domain.AmazonTrustPolicy.
	TrustPolicy string
	// Description and MaxSessionDuration (seconds, 3600 to 43200) are left
	// to AWS's defaults when empty or zero.
	Description        string
	MaxSessionDuration int32
	// Tags are set on the role when it is created. They must include
	// TagTenantID (see OwnerTags): Reconnect and Delete change only a role
	// whose tag names the same registration.
	Tags map[string]string
	// AllowedExtraPolicyARNs are managed policies that may be attached to
	// the role besides Policies, and AllowedInlinePolicyNames inline
	// policies it may have: attached on purpose, they are neither drift
	// nor removed by Reconnect. Anything else that grants the role
	// permissions is.
	AllowedExtraPolicyARNs   []string
	AllowedInlinePolicyNames []string
	// Policies are the managed policies to create and attach; see
	// domain.AmazonPolicies.
	Policies []domain.PolicyDocument
}

// SpecFor builds the Spec of registration tenantID for a permission set
// version: the tenant's role name (or the default), the trust policy naming
// the service principal and external ID, the version's policies, and the
// tags that prove the role is the registration's (OwnerTags).
func SpecFor(tenantID string, t domain.AmazonTenant, version int) Spec {
	name := t.RoleName
	if name == "" {
		name = domain.DefaultAmazonRoleName
	}
	return Spec{
		RoleName:    name,
		TrustPolicy: domain.AmazonTrustPolicy(t.ServicePrincipal, t.ExternalID),
		Description: "Lets AvePoint Online Services manage this account; created by terraform-provider-aos.",
		Policies:    domain.AmazonPolicies(version),
		Tags:        OwnerTags(tenantID),
	}
}

// retryWhile calls fn until it succeeds, returns an error retryable rejects,
// c.propagationTimeout passes or ctx ends. The waits grow from 250 ms to
// 5 s: IAM usually converges within seconds, and polling harder only spends
// the account's request rate.
func (c *Client) retryWhile(ctx context.Context, retryable func(error) bool, fn func(context.Context) error) error {
	deadline := time.Now().Add(c.propagationTimeout)
	wait := 250 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if time.Now().Add(wait).After(deadline) {
			return fmt.Errorf("still failing after waiting %s for IAM changes to propagate: %w",
				c.propagationTimeout, err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return errors.Join(ctx.Err(), err)
		case <-timer.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}
