package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Provider-level tests of section 2 (errors and retries) and 3 (lost
// replies) of issue 8: what the user reads.

func testAccProviderConfig(args string) string {
	return fmt.Sprintf(`
provider "aos" {
%s
}

data "aos_tenants" "all" {}
`, args)
}

// TestAccProvider_wrongSecret: a wrong client secret says the credentials
// were refused and names the arguments and variables, instead of "check that
// the endpoint is reachable".
func TestAccProvider_wrongSecret(t *testing.T) {
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccProviderConfig(`  client_secret = "not-the-secret"`),
			ExpectError: credErrorPattern(`refused the provider's client credentials. Check client_secret \(or AOS_CLIENT_SECRET\) and client_id \(or AOS_CLIENT_ID\)`),
		}},
	})
}

// TestAccProvider_endpointNotAOS: an endpoint whose token URL answers 404
// is reported as not looking like an aosd, naming endpoint.
func TestAccProvider_endpointNotAOS(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccProviderConfig(fmt.Sprintf(`  endpoint = %q`, srv.URL)),
			ExpectError: credErrorPattern(`endpoint does not look like an aosd registration API. Set endpoint \(or AOS_ENDPOINT\)`),
		}},
	})
}

// TestAccProvider_endpointOfAStaticFileServer: a token URL answering 501,
// as python3 -m http.server does to a POST, is not an aosd and is not
// retried for retry_timeout.
func TestAccProvider_endpointOfAStaticFileServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = fmt.Fprint(w, "<html><body><p>Error code: 501</p><p>Message: Unsupported method ('POST').</p></body></html>")
	}))
	t.Cleanup(srv.Close)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccProviderConfig(fmt.Sprintf("  endpoint = %q\n  retry_timeout = \"40s\"", srv.URL)),
			ExpectError: credErrorPattern(`endpoint does not look like an aosd registration API.*answered HTTP 501`),
		}},
	})
}

// TestAccProvider_httpEndpointOfAnHTTPSServer: an http:// endpoint of a
// server that takes only HTTPS says to change the scheme.
func TestAccProvider_httpEndpointOfAnHTTPSServer(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccProviderConfig(fmt.Sprintf("  endpoint = %q", strings.Replace(srv.URL, "https://", "http://", 1))),
			ExpectError: credErrorPattern(`endpoint has the wrong scheme: the service there takes only HTTPS. Change endpoint \(or AOS_ENDPOINT\) to begin with https://`),
		}},
	})
}

// TestAccProvider_httpsEndpointAnsweringHTTP: an https endpoint that
// answers plain HTTP fails at once (it was retried five times, about 30 s)
// and points at the endpoint's scheme.
func TestAccProvider_httpsEndpointAnsweringHTTP(t *testing.T) {
	testAccPreCheck(t)
	u, err := url.Parse(testAOS.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccProviderConfig(fmt.Sprintf(`  endpoint = "https://%s"`, u.Host)),
			ExpectError: credErrorPattern(`retrying would not help. Check endpoint \(AOS_ENDPOINT\): its scheme .*server gave HTTP response to HTTPS client`),
		}},
	})
}

// TestAccProvider_invalidRetryTimeout: retry_timeout must be a duration.
func TestAccProvider_invalidRetryTimeout(t *testing.T) {
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccProviderConfig(`  retry_timeout = "soon"`),
			ExpectError: credErrorPattern(`retry_timeout \(or AOS_RETRY_TIMEOUT\) must be a Go duration`),
		}},
	})
}

// TestAccProvider_waitsForAServiceThatComesBack: the service is unreachable
// (connection refused) for 12 seconds, longer than the old four retries
// lasted, and the refresh waits it out within retry_timeout.
func TestAccProvider_waitsForAServiceThatComesBack(t *testing.T) {
	testAccPreCheck(t)
	l, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	target, err := url.Parse(testAOS.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &http.Server{Handler: httputil.NewSingleHostReverseProxy(target), ReadHeaderTimeout: 10 * time.Second}
	t.Cleanup(func() { _ = proxy.Close() })
	var started atomic.Bool
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			PreConfig: func() {
				time.AfterFunc(12*time.Second, func() {
					l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", addr)
					if err != nil {
						t.Errorf("listening on %s again: %v", addr, err)
						return
					}
					started.Store(true)
					go func() { _ = proxy.Serve(l) }()
				})
			},
			Config: testAccProviderConfig(fmt.Sprintf(`  endpoint = "http://%s"
  retry_timeout = "1m"`, addr)),
			Check: func(*terraform.State) error {
				if !started.Load() {
					return errors.New("the data source was read before the service came back")
				}
				return nil
			},
		}},
	})
}

// TestAccProvider_retriesGiveUpSayingHowLong: a service that stays away
// ends in an error that counts the attempts and their time and says to
// raise retry_timeout.
func TestAccProvider_retriesGiveUpSayingHowLong(t *testing.T) {
	srv := restartingService(t)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: testAccProviderConfig(fmt.Sprintf(`  endpoint = %q
  retry_timeout = "3s"`, srv.URL)),
			ExpectError: regexp.MustCompile(`(?s)raise\s+retry_timeout.*gave\s+up\s+after\s+\d+\s+attempts\s+over\s+3(\.\d)?s\s+\(retry_timeout\s+of\s+3s\s+spent\).*restarting`),
		}},
	})
}

// TestAccProvider_resourceTimeoutBoundsRetries: a create's timeouts bound
// its requests' retries too, not only the wait for consent, so a
// retry_timeout longer than the resource's timeout ends when the timeout
// does, saying which to raise.
func TestAccProvider_resourceTimeoutBoundsRetries(t *testing.T) {
	srv := restartingService(t)
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: fmt.Sprintf(`
provider "aos" {
  endpoint      = %q
  retry_timeout = "40s"
}

resource "aos_google_tenant" "slow" {
  domain   = "timeout.example.com"
  timeouts = {
    create = "3s"
  }
}
`, srv.URL),
			ExpectError: credErrorPattern(`operation's timeout ran out while the provider was retrying; raise the resource's timeouts.*POST /v1/tenants: gave up after \d+ attempts over [0-9.]+s \(the operation's time limit ran out\)`),
		}},
	})
}

// TestClientLogLinesMaskedAndTagged: the provider's log lines of a request
// carry the request's own context (its fields), durations read as
// durations, and neither the client secret nor the token appears, also
// when the secret is refused.
func TestClientLogLinesMaskedAndTagged(t *testing.T) {
	const secret, token = "s3cr3t-client-value", "tok-9f8e7d6c5b4a"
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/connect/token" {
			_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, token)
			return
		}
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, `{"traceId":"x","statusCode":503,"error":{"code":"Unavailable","message":"secret %s leaked"}}`, secret)
			return
		}
		_, _ = fmt.Fprint(w, `{"data":[]}`)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{Endpoint: srv.URL, ClientID: "aos-test", ClientSecret: secret, Logger: clientLogger(secret),
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	ctx = tflog.SetField(ctx, "tf_rpc", "ReadDataSource")
	if _, err := c.ListTenants(ctx, client.Filter{}); err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	lines := strings.Count(logs, "\n")
	if lines < 3 || strings.Count(logs, `"tf_rpc":"ReadDataSource"`) != lines {
		t.Fatalf("want every line (two attempts and a retry) tagged with the request's context:\n%s", logs)
	}
	if !regexp.MustCompile(`"wait":"\d+(\.\d+)?(ms|s)"`).MatchString(logs) || !regexp.MustCompile(`"duration":"\d+(\.\d+)?(ms|s|µs)"`).MatchString(logs) {
		t.Fatalf("durations are not readable:\n%s", logs)
	}
	for _, s := range []string{secret, token} {
		if strings.Contains(logs, s) {
			t.Fatalf("the log holds %q:\n%s", s, logs)
		}
	}
}

// TestWaitForConsentCancelled: Ctrl-C during a consent wait is reported as
// cancelled, and the wait's own timeout still as a timeout.
func TestWaitForConsentCancelled(t *testing.T) {
	saved := consentPollInterval
	consentPollInterval = 10 * time.Millisecond
	t.Cleanup(func() { consentPollInterval = saved })
	pending := func(context.Context) (consentState, error) {
		return consentState{Status: domain.StatusPendingConsent, ConsentURL: "https://consent.example/x"}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err := waitForConsent(ctx, "tenant contoso", time.Hour, pending)
	var ce *errConsentCancelled
	if !errors.As(err, &ce) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	var diags diag.Diagnostics
	addWaitError(&diags, "waiting for consent of tenant contoso", "aos_microsoft_tenant", true, err)
	if len(diags) != 1 || diags[0].Summary() != "Cancelled waiting for consent of tenant contoso" ||
		!strings.Contains(diags[0].Detail(), "was cancelled after") || strings.Contains(diags[0].Detail(), "raise the create timeout") ||
		!strings.Contains(diags[0].Detail(), "https://consent.example/x") {
		t.Fatalf("cancelled wait reported as %q: %q", diags[0].Summary(), diags[0].Detail())
	}

	err = waitForConsent(context.Background(), "tenant contoso", 50*time.Millisecond, pending)
	var te *errConsentTimeout
	if !errors.As(err, &te) {
		t.Fatalf("timed-out wait: %v", err)
	}
}

// testAlreadyExistsServer answers every create with a 409 AlreadyExists
// shaped as aosd answers duplicates: the existing object in related and the
// colliding field in details.
func testAlreadyExistsServer(t *testing.T, related string) *client.Client {
	t.Helper()
	srv := fixedAnswerService(t, http.StatusConflict, fmt.Sprintf(`{"traceId":"x","statusCode":409,"error":{"code":"AlreadyExists","message":"a partner app profile named \"Contoso\" already exists",
"details":[{"field":"name","code":"AlreadyExists","message":"name is taken"}],"related":[%s]}}`, related))
	c, err := client.New(client.Config{Endpoint: srv.URL, ClientID: "a", ClientSecret: "b"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAddCreateErrorAlreadyExists: a duplicate on create names the existing
// object and prints an import block with its id, on the colliding argument.
func TestAddCreateErrorAlreadyExists(t *testing.T) {
	c := testAlreadyExistsServer(t, `{"kind":"partner_app_profile","id":"0190-abcd","name":"Contoso"}`)
	_, _, err := c.CreatePartnerAppProfile(context.Background(), domain.PartnerAppProfileWrite{Name: ptr("Contoso")})
	var diags diag.Diagnostics
	addCreateError(&diags, "creating partner app profile Contoso", "aos_partner_app_profile", err, nil)
	if len(diags) != 1 {
		t.Fatalf("%d diagnostics", len(diags))
	}
	d := diags[0].Detail()
	for _, want := range []string{`partner app profile "Contoso" with id 0190-abcd`, "(the same name)",
		"import {\n    to = aos_partner_app_profile.NAME\n    id = \"0190-abcd\"\n  }", "NAME replaced by this resource's name", "AlreadyExists"} {
		if !strings.Contains(d, want) {
			t.Errorf("detail lacks %q:\n%s", want, d)
		}
	}
	if wp, ok := diags[0].(diag.DiagnosticWithPath); !ok || wp.Path().String() != "name" {
		t.Errorf("not attached to name: %#v", diags[0])
	}

	// A service that does not name the object still gets the block, with
	// a placeholder and how to find the id.
	c = testAlreadyExistsServer(t, ``)
	_, _, err = c.CreatePartnerAppProfile(context.Background(), domain.PartnerAppProfileWrite{Name: ptr("Contoso")})
	diags = nil
	addCreateError(&diags, "creating partner app profile Contoso", "aos_partner_app_profile", err, nil)
	if d := diags[0].Detail(); !strings.Contains(d, `id = "<id>"`) || !strings.Contains(d, "did not name the existing object") {
		t.Errorf("detail without related:\n%s", d)
	}
}

// TestAccMicrosoftTenant_alreadyRegistered: registering a tenant that the
// service already holds (as after a create whose answer was lost) names it
// and prints the import block with its id.
//
// It depends on aosd naming the existing object in error.related of its
// 409 (issue 8, section 1); until then the id is missing from the message.
func TestAccMicrosoftTenant_alreadyRegistered(t *testing.T) {
	c := testClient(t)
	tn, _, err := c.CreateTenant(testCtx(t), domain.TenantCreate{Platform: domain.PlatformMicrosoft, Domain: devTenant})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testAccRemoveTenant(t, tn.ID) })
	tfresource.Test(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:      testAccMicrosoftTenantConfig_basic(devTenant),
			ExpectError: regexp.MustCompile(`import\s+\{\s+to\s+=\s+aos_microsoft_tenant\.NAME\s+id\s+=\s+"` + regexp.QuoteMeta(tn.ID) + `"\s+\}`),
		}},
	})
}

// testAccLosingProxy is a proxy in front of the test aosd that forwards
// every request and, for the first request of each write method (POST,
// PATCH, DELETE) under /v1, throws the service's answer away and answers
// 502: the service did the work, the provider never hears of it.
func testAccLosingProxy(t *testing.T) (endpoint string, lost func() []string) {
	t.Helper()
	target, err := url.Parse(testAOS.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	done := map[string]bool{}
	var dropped []string
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		if r.Method == http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v1/") {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if done[r.Method] {
			return nil
		}
		done[r.Method] = true
		dropped = append(dropped, fmt.Sprintf("%s %s -> %d", r.Method, r.URL.Path, resp.StatusCode))
		return errors.New("answer dropped by the test")
	}
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(dropped)
	}
}

// TestAccPartnerAppProfile_lostReplies: a create, an update and a delete
// whose answers are lost after the service acted all succeed, with one
// object, the intended values and an empty plan. The update used to fail
// with "the object changed since Terraform planned this change".
func TestAccPartnerAppProfile_lostReplies(t *testing.T) {
	testAccPreCheck(t)
	endpoint, lost := testAccLosingProxy(t)
	name := acctest.RandomWithPrefix("tf-lost")
	config := func(n string) string {
		return fmt.Sprintf(`
provider "aos" {
  endpoint = %q
}
`, endpoint) + testAccPartnerAppProfileConfig(n, "")
	}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if got := lost(); len(got) != 3 {
				return fmt.Errorf("dropped answers %v, want one each of POST, PATCH and DELETE", got)
			}
			return testAccCheckPartnerAppProfileDestroy(t)(s)
		},
		Steps: []tfresource.TestStep{
			{
				Config: config(name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				},
			},
			{
				Config: config(name + "-renamed"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					list, err := testClient(t).ListPartnerAppProfiles(testCtx(t), client.Filter{Search: name})
					if err != nil {
						return err
					}
					if len(list) != 1 || list[0].Name != name+"-renamed" || list[0].ID != partnerID(s) {
						return fmt.Errorf("profiles named %s: %+v; want exactly the renamed one in state", name, list)
					}
					return nil
				},
			},
		},
	})
}

// restartingService hands out tokens but answers every API call 503, as an
// aosd behind a load balancer does while it restarts.
func restartingService(t *testing.T) *httptest.Server {
	t.Helper()
	return fixedAnswerService(t, http.StatusServiceUnavailable,
		`{"traceId":"x","statusCode":503,"error":{"code":"Unavailable","message":"restarting"}}`)
}

// fixedAnswerService hands out tokens and answers every API call with
// status and body.
func fixedAnswerService(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/connect/token" {
			_, _ = fmt.Fprint(w, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
			return
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}
