// Package awsverify proves that the registration service can use a
// customer's Amazon tenant role: it assumes the role with the tenant's
// external ID (STS AssumeRole) and asks STS who it now is
// (GetCallerIdentity), which also tells the account the role lives in.
//
// A role created seconds ago is often not assumable yet, because IAM
// changes reach STS with a delay; Verify retries refusals that can be that
// delay, with backoff, within a bounded propagation timeout.
//
// Without an endpoint override, each role is verified at the regional STS
// endpoint of its own partition (the role ARN names it): the configured
// region's for the commercial partition (sts.REGION.amazonaws.com), and
// the home region of the Amazon environment (domain.AmazonRegion) for the
// others, sts.us-gov-west-1.amazonaws.com and
// sts.cn-north-1.amazonaws.com.cn, unless the configured region is in that
// partition. Those are the endpoints AWS lists in "AWS STS Regions and
// endpoints" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html)
// and "AWS Security Token Service endpoints and quotas"
// (https://docs.aws.amazon.com/general/latest/gr/sts.html); partitions other
// than the commercial one have no global endpoint ("Customers in partitions
// other than commercial must use Regional endpoints",
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-sts-regionalized-endpoints.html).
// The SDK derives the host from the region, so the region is all Verify
// chooses. A service verifies roles of a partition with credentials of
// that partition; one set of default credentials serves one partition.
package awsverify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const (
	// DefaultPropagationTimeout is how long Verify keeps retrying a refused
	// AssumeRole when no timeout is configured. New roles and trust policy
	// changes normally reach STS within seconds; a minute covers the slow
	// cases while still answering the caller's HTTP request.
	DefaultPropagationTimeout = time.Minute

	// SessionName names the verification session in the customer's
	// CloudTrail, so they can see what assumed their role.
	SessionName = "aos-verify"

	// sessionSeconds is the shortest session STS grants; the credentials
	// are used for one call.
	sessionSeconds = 900

	firstBackoff = 250 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// Verifier assumes customers' tenant roles. The zero value uses the default
// AWS credential chain and the public STS endpoint of us-east-1.
type Verifier struct {
	// STSEndpoint overrides the STS endpoint for every partition (moto in
	// tests, a VPC endpoint in production). Empty means the public
	// regional endpoint of each role's partition (see the package doc).
	STSEndpoint string
	// Region signs the requests and picks the regional STS endpoint of its
	// partition (us-east-1 when empty); roles of other partitions use
	// their partition's home region.
	Region string
	// Credentials are the service's own: the principal that customers'
	// trust policies name. Nil means the default AWS credential chain.
	Credentials aws.CredentialsProvider
	// PropagationTimeout bounds the retries of one Verify; zero means
	// DefaultPropagationTimeout.
	PropagationTimeout time.Duration
	// HTTPClient replaces the SDK's HTTP client; nil keeps the default.
	HTTPClient aws.HTTPClient
}

// Options configure New.
type Options struct {
	// Endpoint is the STS endpoint override; see Verifier.STSEndpoint.
	Endpoint           string
	Region             string
	Credentials        aws.CredentialsProvider
	PropagationTimeout time.Duration
	HTTPClient         aws.HTTPClient
}

// New returns a Verifier. When o.Credentials is nil it resolves the default
// credential chain now, so that a configuration error shows at start-up
// rather than at the first registration. No AWS call is made.
func New(ctx context.Context, o Options) (*Verifier, error) {
	v := &Verifier{
		STSEndpoint:        o.Endpoint,
		Region:             o.Region,
		Credentials:        o.Credentials,
		PropagationTimeout: o.PropagationTimeout,
		HTTPClient:         o.HTTPClient,
	}
	if v.Credentials == nil {
		creds, err := defaultCredentials(ctx, v.region())
		if err != nil {
			return nil, err
		}
		v.Credentials = creds
	}
	return v, nil
}

func defaultCredentials(ctx context.Context, region string) (aws.CredentialsProvider, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("load the service's AWS credentials from the default chain: %w", err)
	}
	return cfg.Credentials, nil
}

func (v *Verifier) region() string {
	if v.Region == "" {
		return "us-east-1"
	}
	return v.Region
}

// regionFor is the region whose STS endpoint verifies roles of partition:
// the configured region when it is in that partition, otherwise the home
// region of the Amazon environment of that partition.
func (v *Verifier) regionFor(partition string) string {
	region := v.region()
	for _, env := range domain.AmazonEnvironments {
		if domain.AmazonPartition(env) != partition {
			continue
		}
		if regionPartition(region) == partition {
			return region
		}
		return domain.AmazonRegion(env)
	}
	return region
}

// regionPartition is the partition of a region by its name: us-gov-*
// regions are GovCloud (US), cn-* regions China, the rest commercial.
func regionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return domain.AmazonPartition("gov")
	case strings.HasPrefix(region, "cn-"):
		return domain.AmazonPartition("china")
	default:
		return domain.AmazonPartition("commercial")
	}
}

func (v *Verifier) timeout() time.Duration {
	if v.PropagationTimeout <= 0 {
		return DefaultPropagationTimeout
	}
	return v.PropagationTimeout
}

// AssumeRoleError says why a role could not be assumed.
type AssumeRoleError struct {
	RoleARN string
	// Reason is a sentence for the customer: what is most likely wrong.
	Reason string
	// Attempts is how many times AssumeRole was tried.
	Attempts int
	Err      error
}

func (e *AssumeRoleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "could not assume IAM role %s", e.RoleARN)
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (tried %d times)", e.Attempts)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *AssumeRoleError) Unwrap() error { return e.Err }

// Verify assumes roleARN with externalID and returns the id of the account
// the role belongs to. Access refusals are retried with backoff for up to
// the propagation timeout, since a new role or trust policy takes a while to
// reach STS; other errors are returned at once. Every error is an
// *AssumeRoleError.
func (v *Verifier) Verify(ctx context.Context, roleARN, externalID string) (string, error) {
	parsed, err := arn.Parse(roleARN)
	if err != nil || parsed.Service != "iam" || !strings.HasPrefix(parsed.Resource, "role/") {
		return "", &AssumeRoleError{RoleARN: roleARN, Reason: "this is not an IAM role ARN " +
			"(arn:PARTITION:iam::ACCOUNT:role/NAME)", Err: err}
	}
	// AWS refuses AssumeRole without the external ID the trust policy's
	// condition requires, but emulators may not; refusing here keeps a
	// registration without an external ID from ever passing verification.
	if externalID == "" {
		return "", &AssumeRoleError{RoleARN: roleARN, Reason: "the tenant has no external ID to present"}
	}
	creds := v.Credentials
	if creds == nil {
		if creds, err = defaultCredentials(ctx, v.region()); err != nil {
			return "", &AssumeRoleError{RoleARN: roleARN, Reason: "the service has no AWS credentials", Err: err}
		}
	}
	client := sts.New(sts.Options{
		Region:      v.regionFor(parsed.Partition),
		Credentials: creds,
		HTTPClient:  v.HTTPClient,
		// The SDK's standard retryer absorbs throttling and 5xx replies;
		// the loop below only handles refusals caused by propagation.
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 5 }),
		BaseEndpoint: func() *string {
			if v.STSEndpoint == "" {
				return nil
			}
			return aws.String(v.STSEndpoint)
		}(),
	})

	deadline := time.Now().Add(v.timeout())
	wait := firstBackoff
	for attempt := 1; ; attempt++ {
		account, err := v.attempt(ctx, client, roleARN, externalID)
		if err == nil {
			if account != parsed.AccountID {
				return "", &AssumeRoleError{RoleARN: roleARN, Attempts: attempt,
					Reason: fmt.Sprintf("STS reports account %s for the assumed role, not %s", account, parsed.AccountID)}
			}
			return account, nil
		}
		reason, retryable := explain(err)
		if !retryable || time.Now().Add(wait).After(deadline) {
			if retryable {
				reason += fmt.Sprintf("; still refused after retrying for %s", v.timeout())
			}
			return "", &AssumeRoleError{RoleARN: roleARN, Reason: reason, Attempts: attempt, Err: err}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return "", &AssumeRoleError{RoleARN: roleARN, Reason: reason + "; gave up waiting",
				Attempts: attempt, Err: errors.Join(ctx.Err(), err)}
		case <-timer.C:
		}
		wait = min(2*wait, maxBackoff)
	}
}

// attempt assumes the role once and asks STS for the assumed identity.
func (v *Verifier) attempt(ctx context.Context, client *sts.Client, roleARN, externalID string) (string, error) {
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(roleARN),
		RoleSessionName: aws.String(SessionName),
		ExternalId:      aws.String(externalID),
		DurationSeconds: aws.Int32(sessionSeconds),
	})
	if err != nil {
		return "", err
	}
	c := out.Credentials
	assumed := credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.Credentials = assumed
	})
	if err != nil {
		return "", fmt.Errorf("identify the assumed role session: %w", err)
	}
	return aws.ToString(id.Account), nil
}

// explain maps an STS error to a reason for the customer and whether it may
// be IAM propagation, and so worth retrying.
func explain(err error) (reason string, retryable bool) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return "STS could not be reached", false
	}
	switch apiErr.ErrorCode() {
	case "AccessDenied", "AccessDeniedException":
		return "access denied: the role does not exist, its trust policy does not allow the service's " +
			"principal to call sts:AssumeRole, or its sts:ExternalId condition does not match the tenant's external ID", true
	case "NoSuchEntity":
		return "the role does not exist", true
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException":
		// Session credentials STS has just issued can be unknown to it for a
		// moment, so a rejection on GetCallerIdentity is retried. On
		// AssumeRole it is the service's own key, which waiting won't fix.
		var op *smithy.OperationError
		if errors.As(err, &op) && op.OperationName == "GetCallerIdentity" {
			return "STS did not accept the credentials of the assumed role session yet", true
		}
		return "STS rejected the service's own AWS credentials", false
	case "ExpiredToken", "ExpiredTokenException":
		return "the service's AWS credentials have expired", false
	case "RegionDisabledException":
		return "STS is not activated in this region of the account", false
	case "MalformedPolicyDocument", "PackedPolicyTooLarge", "ValidationError":
		return "STS refused the request", false
	}
	return "STS refused the request", false
}
