package aosd_test

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
)

// stsRecorder notes the host of every STS request and answers as STS
// answers an unknown key (not retried), so no request leaves the machine.
type stsRecorder struct {
	mu    sync.Mutex
	hosts []string
}

func (s *stsRecorder) Do(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.hosts = append(s.hosts, r.URL.Host)
	s.mu.Unlock()
	body := `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>recorded</Message></Error></ErrorResponse>`
	return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func startProductionAmazon(t *testing.T, principal string, rec *stsRecorder) (base, tok string, a *api) {
	t.Helper()
	key, err := secrets.ParseKey(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	// The verifier signs with the service's credentials from the default
	// chain; these never reach AWS, the recorder answers.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	app, err := aosd.Start(ctxb, aosd.Options{Database: "sqlite:" + filepath.Join(t.TempDir(), "aosd.db"), Key: key, Listen: "127.0.0.1:0",
		PublicURL: "https://aos.example.com", Consent: &consent.Config{PublicBaseURL: "https://aos.example.com", MicrosoftClientID: "m",
			MicrosoftPartnerClientID: "m"}, AmazonPrincipal: principal, AWSHTTPClient: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close(ctxb) })
	id, secret, err := aosd.CreateClient(ctxb, app.Store, "prod", "test", []string{domain.ScopeReadWrite})
	if err != nil {
		t.Fatal(err)
	}
	a = newAPI(t)
	return app.URL, a.token(t, app.URL, id, secret), a
}

// TestProductionAmazonDefaults: in production, roles are verified at AWS's
// STS endpoint of each tenant's partition without any --sts-endpoint (the
// old code built no verifier, so every verification failed with "no STS
// endpoint configured"), and registrations trust the configured principal.
func TestProductionAmazonDefaults(t *testing.T) {
	const principal = "arn:aws:iam::111122223333:role/aos-service"
	rec := &stsRecorder{}
	base, tok, a := startProductionAmazon(t, principal, rec)
	for _, tc := range []struct{ env, partition, host string }{
		{"commercial", "aws", "sts.us-east-1.amazonaws.com"},
		{"gov", "aws-us-gov", "sts.us-gov-west-1.amazonaws.com"},
		{"china", "aws-cn", "sts.cn-north-1.amazonaws.com.cn"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			role := "AOSRole-" + tc.env
			r := a.do(t, base, http.MethodPost, "/v1/tenants", tok, `{"platform":"amazon","environment":"`+tc.env+`","roleName":"`+role+`"}`)
			if r.status != http.StatusCreated {
				t.Fatalf("register: HTTP %d %s", r.status, r.body)
			}
			var tn domain.Tenant
			if err := json.Unmarshal(r.body, &tn); err != nil || tn.Amazon == nil || tn.Amazon.ServicePrincipal != principal {
				t.Fatalf("registration trusts %+v, want %s (%v)", tn.Amazon, principal, err)
			}
			rec.mu.Lock()
			rec.hosts = nil
			rec.mu.Unlock()
			arn := "arn:" + tc.partition + ":iam::444455556666:role/" + role
			r = a.do(t, base, http.MethodPost, "/v1/tenants/"+tn.ID+"/validate", tok, `{"roleArn":"`+arn+`"}`)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "rejected the service's own AWS credentials") {
				t.Fatalf("verify: HTTP %d %s; want the recorder's refusal", r.status, r.body)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.hosts) == 0 || rec.hosts[0] != tc.host {
				t.Errorf("STS hosts %v, want %s", rec.hosts, tc.host)
			}
		})
	}
}

// TestProductionWithoutPrincipalOffersNoAmazon: without a principal the
// service refuses Amazon registrations, naming the platform, instead of
// handing out the example account 123456789012 as the principal to trust.
func TestProductionWithoutPrincipalOffersNoAmazon(t *testing.T) {
	rec := &stsRecorder{}
	base, tok, a := startProductionAmazon(t, "", rec)
	r := a.do(t, base, http.MethodPost, "/v1/tenants", tok, `{"platform":"amazon"}`)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"platform"`) ||
		!strings.Contains(string(r.body), "--amazon-principal") || strings.Contains(string(r.body), "123456789012") {
		t.Fatalf("HTTP %d %s; want 422 on platform naming --amazon-principal", r.status, r.body)
	}
	r = a.do(t, base, http.MethodGet, "/v1/tenants?platform=amazon", tok, "")
	if r.status != http.StatusOK || strings.Contains(string(r.body), `"amazon"`) {
		t.Errorf("an Amazon tenant was stored: HTTP %d %s", r.status, r.body)
	}
}
