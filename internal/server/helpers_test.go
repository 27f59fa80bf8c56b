package server_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/apitest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testcert"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

func TestMain(m *testing.M) { testpg.Main(m) }

// Users and tenants of the built-in dev directory
// (internal/directory/default.json and README.md).
const (
	contoso      = "contoso.onmicrosoft.com" // multi-geo NAM/EUR/APC
	fabrikam     = "fabrikam.onmicrosoft.com"
	northwind    = "northwind.onmicrosoft.com" // conditional access, legacy auth blocked
	contosoGov   = "contosogov.onmicrosoft.us"
	contosoAdmin = "admin@contoso.onmicrosoft.com"
	adele        = "adele@contoso.onmicrosoft.com" // member, Exchange Online licence
	lee          = "lee@contoso.onmicrosoft.com"   // member, no licence
	delegateUser = "delegate@contoso.onmicrosoft.com"
	meganGuest   = "megan@fabrikam.onmicrosoft.com" // guest in contoso, Global Admin role
	fabrikamAdm  = "admin@fabrikam.onmicrosoft.com"
	northwindAdm = "admin@northwind.onmicrosoft.com"
	svcBackup    = "svc.backup@contoso.onmicrosoft.com"
	svcBackupPw  = "Backup#Svc2024"
	spAdmin      = "sp.admin@contoso.onmicrosoft.com" // SharePoint admin, MFA, app password below
	spAdminAppPw = "mfkqzvbtwhnrpxsd"
	spAdminURL   = "https://contoso-admin.sharepoint.com"
)

func ptr[T any](v T) *T { return &v }

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// recorder keeps every exchange's request and response bodies, so tests
// can prove a secret never came back from the API.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	resp [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	b, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if rerr != nil {
		return nil, rerr
	}
	var hdr bytes.Buffer
	_ = resp.Header.Write(&hdr)
	r.mu.Lock()
	r.resp = append(r.resp, append(hdr.Bytes(), b...))
	r.mu.Unlock()
	return resp, nil
}

// contains reports whether any recorded response (headers or body) holds s.
func (r *recorder) contains(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.resp {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.resp)
}

// env is one aosd started for a test function, with a typed client whose
// every exchange (token included) is validated against api/openapi.yaml.
type env struct {
	in   *aosdtest.Instance
	c    *client.Client
	logs *syncBuffer
	rec  *recorder
	raw  *http.Client
	// close stops aosd (once; the test's cleanup calls it too).
	close func() error
}

func startEnv(t testing.TB, o aosdtest.Options) *env {
	t.Helper()
	logs := &syncBuffer{}
	if o.Log == nil {
		o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	in, err := aosdtest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{in: in, logs: logs}
	e.close = sync.OnceValue(in.Close)
	t.Cleanup(func() {
		if err := e.close(); err != nil {
			t.Errorf("closing aosd: %v", err)
		}
	})
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		t.Fatalf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	e.rec = &recorder{next: apitest.Transport(t, dt.Clone())}
	e.c = e.newClient(t, in.ClientID, in.ClientSecret)
	e.raw = &http.Client{Transport: e.rec, Timeout: 30 * time.Second}
	return e
}

// newClient is a typed client for credentials of this instance, over the
// validating (and recording) transport.
func (e *env) newClient(t testing.TB, id, secret string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: e.in.Endpoint, ClientID: id, ClientSecret: secret,
		MaxRetries: ptr(1), RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond, Transport: e.rec})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// token fetches a bearer token for the credentials (scope "" means all of
// the client's scopes).
func (e *env) token(t testing.TB, id, secret, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.in.Endpoint+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok domain.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token: HTTP %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// reply is a raw HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *reply) errorBody(t testing.TB) domain.ErrorBody {
	t.Helper()
	var eb domain.ErrorBody
	if err := json.Unmarshal(r.body, &eb); err != nil || eb.Error == nil {
		t.Fatalf("HTTP %d: not an error body: %s", r.status, r.body)
	}
	return eb
}

// do sends one raw request through the validating transport. body is JSON
// encoded unless it is a []byte or string.
func (e *env) do(t testing.TB, method, path, token string, body any, hdr ...string) *reply {
	t.Helper()
	return doRaw(t, e.raw, e.in.Endpoint, method, path, token, body, hdr...)
}

func doRaw(t testing.TB, hc *http.Client, endpoint, method, path, token string, body any, hdr ...string) *reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, endpoint+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// wantErr checks err is the API's refusal with status, code and (when not
// empty) the field of the first detail.
func wantErr(t testing.TB, err error, status int, code, field string) {
	t.Helper()
	// The checks are the point; the refusal itself is not needed here.
	_ = wantAPIError(t, err, status, code, field)
}

// wantAPIError is wantErr for a test that goes on to inspect the refusal.
func wantAPIError(t testing.TB, err error, status int, code, field string) *client.APIError {
	t.Helper()
	var ae *client.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want HTTP %d %s (%s), got %v", status, code, field, err)
	}
	if ae.StatusCode != status || ae.Code != code {
		t.Fatalf("want HTTP %d %s, got HTTP %d %s: %s (details %+v)", status, code, ae.StatusCode, ae.Code, ae.Message, ae.Details)
	}
	if field != "" && ae.Field() != field {
		t.Fatalf("%s: want details[0].field %q, got %q (details %+v)", code, field, ae.Field(), ae.Details)
	}
	if ae.TraceID == "" {
		t.Errorf("%s: the error carries no trace id", code)
	}
	return ae
}

// must unwraps a typed client call: must[domain.Tenant](t)(c.GetTenant(...)).
func must[T any](t testing.TB) func(v *T, _ *client.Response, err error) *T {
	return func(v *T, _ *client.Response, err error) *T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// connectTenant registers a tenant and consents it as login.
func connectTenant(t testing.TB, c *client.Client, platform, tenantDomain, login string) *domain.Tenant {
	t.Helper()
	ctx := context.Background()
	tn, _, err := c.CreateTenant(ctx, domain.TenantCreate{Platform: platform, Domain: tenantDomain})
	if err != nil {
		t.Fatalf("create %s tenant %s: %v", platform, tenantDomain, err)
	}
	if err := c.DevConsent(ctx, tn.ID, login); err != nil {
		t.Fatalf("consent %s as %s: %v", tenantDomain, login, err)
	}
	tn, _, err = c.GetTenant(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tn.Status != domain.StatusConnected {
		t.Fatalf("tenant %s is %s after consent", tenantDomain, tn.Status)
	}
	return tn
}

// appProfile creates an app profile and, when login is set, consents it.
func appProfile(t testing.TB, c *client.Client, in domain.AppProfileWrite, login string) *domain.AppProfile {
	t.Helper()
	ctx := context.Background()
	a, _, err := c.CreateAppProfile(ctx, in)
	if err != nil {
		t.Fatalf("create app profile %s: %v", deref(in.Name), err)
	}
	if login == "" {
		return a
	}
	if err := c.DevConsent(ctx, a.ID, login); err != nil {
		t.Fatalf("consent app profile %s as %s: %v", a.Name, login, err)
	}
	a, _, err = c.GetAppProfile(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func deref[T any](p *T) T {
	var zero T
	if p != nil {
		return *p
	}
	return zero
}

func serviceAccount(t testing.TB, c *client.Client, tenantID, name, user, password string) *domain.ServiceAccount {
	t.Helper()
	sa, _, err := c.CreateServiceAccount(context.Background(), domain.ServiceAccountWrite{Name: &name, TenantID: &tenantID,
		Services: &[]string{domain.ServiceCloudBackupM365}, Username: &user, Password: &password})
	if err != nil {
		t.Fatalf("create service account %s: %v", name, err)
	}
	return sa
}

// testCert is a self-signed RSA certificate and its key as PEM. Microsoft
// Entra accepts only RSA keys (2048 bits or more) as an app's certificate
// credentials, so that is what the service accepts for custom app profiles.
type testCert struct {
	certPEM, keyPEM string
	cert            *x509.Certificate
	key             *rsa.PrivateKey
}

func (c testCert) bundle() string { return c.certPEM + c.keyPEM }

func (c testCert) thumbprint() string { return testcert.Thumbprint(c.cert) }

// pfx is the certificate and key as a base64 PFX protected by password.
func (c testCert) pfx(t testing.TB, password string) string {
	t.Helper()
	return testcert.PFX(t, c.cert, c.key, password)
}

// newCert makes a certificate with the next key of testcert's pool in turn,
// so that certificates made one after the other hold different keys (a test
// of a key that belongs to another certificate relies on it).
func newCert(t testing.TB, cn string, notBefore, notAfter time.Time) testCert {
	t.Helper()
	key := testcert.NextRSAKey()
	cert := testcert.New(t, key, cn, notBefore, notAfter)
	return testCert{certPEM: testcert.CertPEM(cert), keyPEM: testcert.KeyPEM(t, key), cert: cert, key: key}
}

func validCert(t testing.TB, cn string) testCert {
	return newCert(t, cn, time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour))
}

// keyNeedles are forms in which the private key would show up if it were
// stored or logged: the PEM text, a base64 line that holds only key
// material (the first line starts with a fixed ASN.1 header), and the raw
// private exponent and first prime.
func (c testCert) keyNeedles(t testing.TB) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(c.keyPEM), "\n")
	return []string{c.keyPEM, lines[2], string(c.key.D.Bytes()), string(c.key.Primes[0].Bytes())}
}

var ctxb = context.Background()

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

func jsonID(t testing.TB, body []byte) string {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &o); err != nil || o.ID == "" {
		t.Fatalf("no id in %s", body)
	}
	return o.ID
}

// onBackends runs f as subtests on SQLite and on PostgreSQL, for the rules
// the database enforces (references, unique keys, versions, idempotency).
func onBackends(t *testing.T, f func(t *testing.T, o aosdtest.Options)) {
	t.Run("sqlite", func(t *testing.T) { f(t, aosdtest.Options{}) })
	t.Run("postgres", func(t *testing.T) { f(t, aosdtest.Options{Database: testpg.URL(t)}) })
}
