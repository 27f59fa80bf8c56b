package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/apitest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

func TestMain(m *testing.M) { testmoto.Main(m) }

var ctxb = context.Background()

func ptr[T any](v T) *T { return &v }

// counting records every request that reaches the server (after the
// oauth2 layer, so token requests and API calls alike).
type counting struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []*http.Request
	// lose, when set, drops the answer of the first request it matches
	// (the server did the work; the client sees a 503).
	lose func(*http.Request) bool
	// afterLoss, when set, runs once after an answer was dropped, before
	// the client sees the 503 (another writer acting in between).
	afterLoss func()
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req.Clone(req.Context()))
	lose := c.lose != nil && c.lose(req)
	if lose {
		c.lose = nil
	}
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(req)
	if err != nil || !lose {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	c.mu.Lock()
	after := c.afterLoss
	c.afterLoss = nil
	c.mu.Unlock()
	if after != nil {
		after()
	}
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Retry-After": {"0"}}, Body: http.NoBody, Request: req}, nil
}

func (c *counting) matching(method, pathPrefix string) []*http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*http.Request
	for _, r := range c.reqs {
		if r.Method == method && strings.HasPrefix(r.URL.Path, pathPrefix) {
			out = append(out, r)
		}
	}
	return out
}

// start runs aosd and a client on it through a counting transport; tweak
// adjusts the client's configuration.
func start(t *testing.T, o aosdtest.Options, tweak ...func(*client.Config)) (*counting, *client.Client) {
	t.Helper()
	in, err := aosdtest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		t.Fatalf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	cnt := &counting{next: apitest.Transport(t, dt.Clone())}
	cfg := client.Config{Endpoint: in.Endpoint, ClientID: in.ClientID, ClientSecret: in.ClientSecret, Transport: cnt,
		RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 100 * time.Millisecond, UserAgent: "client-test/1"}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cnt, c
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]client.Config{
		"no endpoint":      {ClientID: "a", ClientSecret: "b"},
		"not http":         {Endpoint: "ftp://aos.example.com", ClientID: "a", ClientSecret: "b"},
		"no host":          {Endpoint: "https://", ClientID: "a", ClientSecret: "b"},
		"no secret":        {Endpoint: "https://aos.example.com", ClientID: "a"},
		"negative retries": {Endpoint: "https://aos.example.com", ClientID: "a", ClientSecret: "b", MaxRetries: ptr(-1)},
		"negative budget":  {Endpoint: "https://aos.example.com", ClientID: "a", ClientSecret: "b", RetryTimeout: ptr(-time.Second)},
	} {
		if _, err := client.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLostResponseIsRetriedWithTheSameKey: when the answer to a create is
// lost, the retry carries the same Idempotency-Key, so the service returns
// the object it made instead of making a second.
func TestLostResponseIsRetriedWithTheSameKey(t *testing.T) {
	cnt, c := start(t, aosdtest.Options{})
	cnt.lose = func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/v1/partner-app-profiles"
	}
	pp, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("retried")})
	if err != nil {
		t.Fatal(err)
	}
	posts := cnt.matching(http.MethodPost, "/v1/partner-app-profiles")
	if len(posts) != 2 {
		t.Fatalf("%d POSTs, want the lost one and its retry", len(posts))
	}
	k0, k1 := posts[0].Header.Get("Idempotency-Key"), posts[1].Header.Get("Idempotency-Key")
	if k0 == "" || k0 != k1 {
		t.Fatalf("Idempotency-Keys %q and %q: a retry must reuse the key", k0, k1)
	}
	if ua := posts[0].Header.Get("User-Agent"); ua != "client-test/1" {
		t.Errorf("User-Agent %q", ua)
	}
	list, err := c.ListPartnerAppProfiles(ctxb, client.Filter{Search: "retried"})
	if err != nil || len(list) != 1 || list[0].ID != pp.ID {
		t.Fatalf("after the retry: %+v %v; want exactly the one profile", list, err)
	}
	// Separate calls get separate keys.
	if _, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("second")}); err != nil {
		t.Fatal(err)
	}
	posts = cnt.matching(http.MethodPost, "/v1/partner-app-profiles")
	if posts[2].Header.Get("Idempotency-Key") == k0 {
		t.Error("a new create reused the previous key")
	}
}

// TestZeroRetries: max_retries = 0 (deprecated) and retry_timeout = 0s
// both mean one attempt and no retry.
func TestZeroRetries(t *testing.T) {
	for name, tweak := range map[string]func(*client.Config){
		"max retries 0":   func(cfg *client.Config) { cfg.MaxRetries = ptr(0) },
		"retry timeout 0": func(cfg *client.Config) { cfg.RetryTimeout = ptr(time.Duration(0)) },
	} {
		t.Run(name, func(t *testing.T) {
			cnt, c := start(t, aosdtest.Options{}, tweak)
			cnt.lose = func(r *http.Request) bool {
				return r.Method == http.MethodPost && r.URL.Path == "/v1/partner-app-profiles"
			}
			_, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("no retry")})
			if err == nil {
				t.Fatal("a lost answer with no retries allowed succeeded")
			}
			if !strings.Contains(err.Error(), "gave up after 1 attempt over") {
				t.Errorf("error %q does not count the attempt", err)
			}
			if n := len(cnt.matching(http.MethodPost, "/v1/partner-app-profiles")); n != 1 {
				t.Fatalf("%d POSTs with no retries, want 1", n)
			}
		})
	}
}

// TestErrors: API refusals become *APIError with the code, field, trace id
// and related objects; 404 and 412 match the sentinels.
func TestErrors(t *testing.T) {
	cnt, c := start(t, aosdtest.Options{})
	_, _, err := c.GetTenant(ctxb, "missing")
	var ae *client.APIError
	if !errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrPreconditionFailed) || !errors.As(err, &ae) || ae.Code != domain.CodeNotFound || ae.TraceID == "" {
		t.Fatalf("missing tenant: %#v", err)
	}
	_, _, err = c.CreateTenant(ctxb, domain.TenantCreate{Platform: "microsoft", Domain: "contoso.com"})
	if !errors.As(err, &ae) || ae.StatusCode != 422 || ae.Field() != "domain" || !strings.Contains(err.Error(), "InvalidValue") {
		t.Fatalf("invalid domain: %v", err)
	}
	// A 4xx is not retried.
	if n := len(cnt.matching(http.MethodPost, "/v1/tenants")); n != 1 {
		t.Errorf("a 422 was sent %d times", n)
	}
	pp, resp, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("with users")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DevConsent(ctxb, pp.ID, "admin@contoso.onmicrosoft.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddPartnerUser(ctxb, pp.ID, "adele@contoso.onmicrosoft.com", "user"); err != nil {
		t.Fatal(err)
	}
	err = c.DeletePartnerAppProfile(ctxb, pp.ID)
	if !errors.As(err, &ae) || ae.StatusCode != 409 || len(ae.Related) != 1 || !strings.Contains(err.Error(), `partner user "adele@contoso.onmicrosoft.com"`) {
		t.Fatalf("delete with users: %v", err)
	}
	_, _, err = c.UpdatePartnerAppProfile(ctxb, pp.ID, domain.PartnerAppProfileWrite{Name: ptr("x")}, client.IfMatch(resp.ETag))
	if !errors.Is(err, client.ErrPreconditionFailed) {
		t.Fatalf("stale ETag: %v", err)
	}
}

// TestBadCredentials: a refused token is reported at once, without
// retries, as refused credentials naming the arguments and variables to fix.
func TestBadCredentials(t *testing.T) {
	in, err := aosdtest.Start(aosdtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	for name, cred := range map[string][2]string{"wrong secret": {in.ClientID, "wrong"}, "unknown client": {"aos-unknown", in.ClientSecret}} {
		t.Run(name, func(t *testing.T) {
			cnt := &counting{next: apitest.Transport(t, nil)}
			c, err := client.New(client.Config{Endpoint: in.Endpoint, ClientID: cred[0], ClientSecret: cred[1], Transport: cnt,
				RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListTenants(ctxb, client.Filter{})
			var ce *client.CredentialsError
			if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized {
				t.Fatalf("%s: %v, want a *client.CredentialsError", name, err)
			}
			for _, want := range []string{"refused the client credentials", "client_secret", "AOS_CLIENT_SECRET", "client_id", "AOS_CLIENT_ID"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %q does not say %q", name, err, want)
				}
			}
			if strings.Contains(err.Error(), "wrong") && cred[1] == "wrong" {
				t.Errorf("the error repeats the secret: %v", err)
			}
			if n := len(cnt.matching(http.MethodPost, "/connect/token")); n != 1 {
				t.Errorf("the refused token was requested %d times", n)
			}
			if n := len(cnt.matching(http.MethodGet, "/v1/")); n != 0 {
				t.Errorf("%d API calls without a token", n)
			}
		})
	}
}

// TestListFollowsNextLink: lists are fetched page by page to the end, with
// the filters kept on every page.
func TestListFollowsNextLink(t *testing.T) {
	cnt, c := start(t, aosdtest.Options{})
	var want []string
	for i := range 7 {
		pp, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr(fmt.Sprintf("paged %d", i))})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, pp.ID)
	}
	if _, _, err := c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("other")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ListPartnerAppProfiles(ctxb, client.Filter{Search: "PAGED", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d profiles, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i] {
			t.Fatalf("profile %d is %s, want %s (creation order)", i, got[i].ID, want[i])
		}
	}
	pages := cnt.matching(http.MethodGet, "/v1/partner-app-profiles")
	if len(pages) != 4 {
		t.Fatalf("%d page requests, want 4", len(pages))
	}
	for _, p := range pages {
		if q := p.URL.Query(); q.Get("search") != "PAGED" || q.Get("top") != "2" {
			t.Errorf("page request lost the filters: %s", p.URL.RawQuery)
		}
	}
}

// TestVerifyAmazonTenantWithMoto: the full Amazon verification, with moto
// as STS: the service assumes the role and connects the tenant to the
// role's account.
func TestVerifyAmazonTenantWithMoto(t *testing.T) {
	moto := testmoto.Start(t)
	moto.Reset(t)
	// aosd takes its own AWS credentials from the default chain.
	t.Setenv("AWS_ACCESS_KEY_ID", testmoto.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testmoto.SecretAccessKey)
	t.Setenv("AWS_REGION", testmoto.Region)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	_, c := start(t, aosdtest.Options{STSEndpoint: moto.URL()})

	tn, _, err := c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon})
	if err != nil {
		t.Fatal(err)
	}
	role, err := moto.IAM(nil).CreateRole(ctxb, &iam.CreateRoleInput{RoleName: aws.String(tn.Amazon.RoleName),
		AssumeRolePolicyDocument: aws.String(domain.AmazonTrustPolicy(tn.Amazon.ServicePrincipal, tn.Amazon.ExternalID))})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(role.Role.Arn)
	got, _, err := c.VerifyAmazonTenant(ctxb, tn.ID, domain.AmazonVerify{RoleARN: arn, AccountAlias: "contoso-prod"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusConnected || got.Amazon.AccountID != testmoto.AccountID || got.Amazon.RoleARN != arn ||
		got.Name != "contoso-prod" || got.PermissionsVersion != 1 || got.ReconnectRecommended {
		t.Fatalf("verified tenant: %+v %+v", got, got.Amazon)
	}
	// The same AWS account cannot be registered twice.
	other, _, err := c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.VerifyAmazonTenant(ctxb, other.ID, domain.AmazonVerify{RoleARN: arn})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusConflict || ae.Code != domain.CodeAlreadyExists {
		t.Fatalf("second registration of the account: %v", err)
	}
	// A permission bump asks for a reconnect, which for Amazon is a new
	// verification with the current policy version.
	if _, err := c.DevBumpPermissions(ctxb, domain.PlatformAmazon); err != nil {
		t.Fatal(err)
	}
	if g, _, _ := c.GetTenant(ctxb, tn.ID); g == nil || !g.ReconnectRecommended {
		t.Fatalf("after the bump: %+v", g)
	}
	got, _, err = c.VerifyAmazonTenant(ctxb, tn.ID, domain.AmazonVerify{RoleARN: arn, PermissionsVersion: 2})
	if err != nil || got.ReconnectRecommended || got.PermissionsVersion != 2 {
		t.Fatalf("after re-verifying: %+v %v", got, err)
	}
}
