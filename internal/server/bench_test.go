package server_test

// Benchmarks over real HTTP (loopback) against aosd on SQLite and on
// PostgreSQL. Run them with:
//
//	AOS_REQUIRE_POSTGRES=1 go test ./internal/server -run '^$' -bench . -benchtime 3s
//
// Figures and targets are in BENCHMARKS.md.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/server"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

// benchEnv is an aosd for a benchmark: no logging, no contract validation
// (it would measure the validator), a keep-alive HTTP client and a token.
type benchEnv struct {
	in    *aosdtest.Instance
	hc    *http.Client
	token string
}

// backend names a store and starts aosd on it; the benchmark's cleanup
// stops it.
type backend struct {
	name  string
	start func(b *testing.B) *benchEnv
}

var backends = []backend{
	{"sqlite", func(b *testing.B) *benchEnv { return startBench(b, aosdtest.Options{}) }},
	{"postgres", func(b *testing.B) *benchEnv { return startBench(b, aosdtest.Options{Database: testpg.URL(b)}) }},
}

func startBench(b *testing.B, o aosdtest.Options) *benchEnv {
	b.Helper()
	in, err := aosdtest.Start(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close() })
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		b.Fatalf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	tr := dt.Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 256
	e := &benchEnv{in: in, hc: &http.Client{Transport: tr, Timeout: time.Minute}}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {in.ClientID}, "client_secret": {in.ClientSecret}}
	req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, in.Endpoint+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok domain.Token
	if err := jsonDecode(resp.Body, &tok); err != nil {
		b.Fatal(err)
	}
	e.token = tok.AccessToken
	return e
}

// call sends one request and returns the status and body.
func (e *benchEnv) call(method, path, body string, hdr ...string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.in.Endpoint+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// reportRate adds requests per second (over the whole run, all goroutines).
func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "req/s")
	}
}

// BenchmarkGetTenant: GET /v1/tenants/{id} from parallel clients.
func BenchmarkGetTenant(b *testing.B) {
	for _, be := range backends {
		e := be.start(b)
		status, body, err := e.call(http.MethodPost, "/v1/tenants", `{"platform":"microsoft","domain":"contoso.onmicrosoft.com"}`)
		if err != nil || status != http.StatusCreated {
			b.Fatalf("create tenant: %d %s %v", status, body, err)
		}
		id := jsonID(b, body)
		if status, body, err := e.call(http.MethodPost, "/dev/v1/consent", `{"objectId":"`+id+`","login":"admin@contoso.onmicrosoft.com"}`); err != nil || status != 200 {
			b.Fatalf("consent: %d %s %v", status, body, err)
		}
		b.Run(be.name, func(b *testing.B) {
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					status, body, err := e.call(http.MethodGet, "/v1/tenants/"+id, "")
					if err != nil || status != http.StatusOK {
						b.Errorf("GET: %d %s %v", status, body, err)
						return
					}
				}
			})
			reportRate(b)
		})
	}
}

// BenchmarkCreatePartnerProfile: POST /v1/partner-app-profiles (each with
// its own Idempotency-Key, as the provider sends) from parallel clients.
func BenchmarkCreatePartnerProfile(b *testing.B) {
	var seq atomic.Int64
	for _, be := range backends {
		e := be.start(b)
		b.Run(be.name, func(b *testing.B) {
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := strconv.FormatInt(seq.Add(1), 10)
					status, body, err := e.call(http.MethodPost, "/v1/partner-app-profiles", `{"name":"bench `+n+`"}`, "Idempotency-Key", "bench-"+n)
					if err != nil || status != http.StatusCreated {
						b.Errorf("POST: %d %s %v", status, body, err)
						return
					}
				}
			})
			reportRate(b)
		})
	}
}

// seedTenants stores n tenants of org straight through the store, built
// as the server builds them. Every second name holds "contoso"; every
// 100th holds "northwind".
func seedTenants(b *testing.B, st store.Store, org string, n int) {
	b.Helper()
	platforms := domain.Platforms
	start := time.Now().UTC().Add(-time.Hour)
	err := st.Tx(context.Background(), func(tx store.Tx) error {
		for i := range n {
			p := platforms[i%len(platforms)]
			word := "fabrikam"
			switch {
			case i%100 == 0:
				word = "northwind"
			case i%2 == 0:
				word = "contoso"
			}
			ts := start.Add(time.Duration(i) * time.Millisecond).Truncate(time.Millisecond)
			t := domain.Tenant{ID: uuid.Must(uuid.NewV7()).String(), Platform: p, Status: domain.StatusConnected,
				PermissionsVersion: 1, CreatedTime: ts, ModifiedTime: ts}
			switch p {
			case domain.PlatformAmazon:
				acct := fmt.Sprintf("%012d", i)
				t.Name, t.Environment = fmt.Sprintf("%s-%05d", word, i), "commercial"
				t.Amazon = &domain.AmazonTenant{RoleName: domain.DefaultAmazonRoleName, ExternalID: "aos-" + acct,
					ServicePrincipal: server.DefaultAmazonPrincipal, AccountID: acct, RoleARN: "arn:aws:iam::" + acct + ":role/AWSTenantAdminRole"}
			case domain.PlatformMicrosoft:
				t.Domain = fmt.Sprintf("%s%05d.onmicrosoft.com", word, i)
				t.Name, t.Environment = fmt.Sprintf("%s %05d", strings.ToUpper(word[:1])+word[1:], i), "commercial"
				t.SharePointAdminCenterURL = fmt.Sprintf("https://%s%05d-admin.sharepoint.com", word, i)
			default:
				t.Domain = fmt.Sprintf("%s%05d.example.com", word, i)
				t.Name = fmt.Sprintf("%s workspace %05d", word, i)
			}
			if err := tx.Insert(context.Background(), server.TenantRecordForTest(org, t)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListTenantsFiltered: one page of 100 from 10,000 tenants,
// filtered by platform and searched by name, following nextLink to the
// end and starting over. "common" matches half the names, "rare" 1%.
func BenchmarkListTenantsFiltered(b *testing.B) {
	const tenants = 10_000
	for _, be := range backends {
		e := be.start(b)
		seedTenants(b, e.in.App.Store, "test", tenants)
		for _, q := range []struct{ name, search string }{{"common", "contoso"}, {"rare", "northwind"}} {
			first := "/v1/tenants?platform=microsoft&top=100&search=" + q.search
			b.Run(be.name+"/"+q.name, func(b *testing.B) {
				next, pages, rows := first, 0, 0
				for b.Loop() {
					status, body, err := e.call(http.MethodGet, next, "")
					if err != nil || status != http.StatusOK {
						b.Fatalf("GET %s: %d %s %v", next, status, body, err)
					}
					var page domain.List[domain.Tenant]
					if err := jsonDecode(strings.NewReader(string(body)), &page); err != nil {
						b.Fatal(err)
					}
					for _, t := range page.Data {
						if t.Platform != domain.PlatformMicrosoft || !strings.Contains(strings.ToLower(t.Name), q.search) {
							b.Fatalf("page holds %s %q", t.Platform, t.Name)
						}
					}
					pages++
					rows += len(page.Data)
					next = page.NextLink
					if next == "" {
						next = first
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(pages), "ms/page")
				b.ReportMetric(float64(rows)/float64(pages), "rows/page")
			})
		}
	}
}
