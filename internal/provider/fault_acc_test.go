package provider

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/faultproxy"
)

// The fault tests create, update and delete every resource kind through
// internal/faultproxy, with faults injected on each write: lost replies
// after the service committed (a clean close and a reset), resets before
// forwarding, 429 and 503 with Retry-After in both of its forms, and
// latency. After each step the plan must be empty, the service must hold
// exactly the object in the state, with the values written (no duplicate,
// no orphan, no lost write), every fault must have fired, and every retry
// after a 429 or 503 must have waited as long as Retry-After said.
//
// The kinds run as parallel subtests, each with its own proxy in front of
// the package's aosd, so their Retry-After waits and backoffs overlap.

// faultObject is an object of the service as a fault test counts it.
type faultObject struct {
	ID string
	// Marker is the value the test's update changes (a name, a URL, a
	// status), to tell a lost write from a kept one.
	Marker string
}

// faultCase is one resource kind in the fault tests.
type faultCase struct {
	addr string
	// create and update configure the resource; the update must be
	// planned in place, with a write to the service.
	create, update string
	// created and updated are the markers the service must hold after
	// each step.
	created, updated string
	// createWrites and updateWrites are the writes (method, path pattern)
	// each step's faults go to; deleteWrite is destroy's.
	createWrites, updateWrites [][2]string
	deleteWrite                [2]string
	// afterCreate runs after the create step (a consent, for example);
	// beforeUpdate before the update step is planned.
	afterCreate  func(s *terraform.State) error
	beforeUpdate func()
	// find lists the objects of this test in the service.
	find func(ctx context.Context, c *client.Client) ([]faultObject, error)
}

// faultPlans are the faults of one write, in the order of its attempts.
// A reply lost after commit comes in three forms: closed before its first
// byte (DropReply; on a reused connection Go's transport replays a create,
// which carries an Idempotency-Key, on its own), reset (ResetAfterCommit)
// and cut after its status line (TruncateReply, which only the provider's
// retries can deal with).
// Every kind gets a lost reply on create and on update; which Retry-After
// form and which cut each kind gets alternates (faultPlan), so that across
// the kinds every fault meets creates, updates and reconnects. Waits are
// short to keep the suite fast, but longer than the client's first backoff
// (under a second), so that a client ignoring Retry-After is caught.
var faultPlans = [][]faultproxy.Rule{
	{
		{Fault: faultproxy.Unavailable, RetryAfter: time.Second},
		{Fault: faultproxy.ResetBeforeForward},
		{Fault: faultproxy.DropReply},
		{Fault: faultproxy.Forward, Delay: 200 * time.Millisecond},
	},
	{
		{Fault: faultproxy.TooManyRequests, RetryAfter: 2 * time.Second, RetryAfterDate: true},
		{Fault: faultproxy.ResetAfterCommit},
		{Fault: faultproxy.Forward, Delay: 200 * time.Millisecond},
	},
	{
		{Fault: faultproxy.Unavailable, RetryAfter: 2 * time.Second, RetryAfterDate: true},
		{Fault: faultproxy.TruncateReply},
		{Fault: faultproxy.Forward, Delay: 200 * time.Millisecond},
	},
	{
		{Fault: faultproxy.TooManyRequests, RetryAfter: time.Second},
		{Fault: faultproxy.ResetBeforeForward},
		{Fault: faultproxy.ResetAfterCommit},
	},
}

// faultRules puts plan on each write (method, path pattern): the nth rule
// on the nth matching request.
func faultRules(plan []faultproxy.Rule, writes ...[2]string) []faultproxy.Rule {
	var out []faultproxy.Rule
	for _, w := range writes {
		for i, r := range plan {
			r.Method, r.Path, r.Nth = w[0], w[1], i+1
			out = append(out, r)
		}
	}
	return out
}

// faultDeletePlan loses the reply of a delete the service committed, after
// a reset before it arrived; the retry then finds the object gone.
var faultDeletePlan = []faultproxy.Rule{
	{Fault: faultproxy.ResetBeforeForward},
	{Fault: faultproxy.DropReply},
}

// testAccFaultProvider points the provider at the proxy; the credentials
// come from the environment (TestMain).
func testAccFaultProvider(p *faultproxy.Proxy) string {
	return fmt.Sprintf(`
provider "aos" {
  endpoint = %[1]q
}
`, p.URL())
}

// testAccCheckFaults fails when a fault of the step did not fire, when a
// lost reply hid something other than a success of the service (the test
// would then not be about a committed write), or when a retry came before
// its Retry-After.
func testAccCheckFaults(t *testing.T, p *faultproxy.Proxy) error {
	t.Helper()
	for _, e := range p.Events() {
		t.Logf("fault injected: %s", e)
	}
	if u := p.Unfired(); len(u) > 0 {
		return fmt.Errorf("faults that never fired, so this step proves nothing about them:\n  %s", strings.Join(u, "\n  "))
	}
	for _, e := range p.Events() {
		if (e.Fault == faultproxy.DropReply || e.Fault == faultproxy.TruncateReply || e.Fault == faultproxy.ResetAfterCommit) &&
			(e.Upstream < 200 || e.Upstream > 299) {
			return fmt.Errorf("the service did not commit the write whose reply was cut: %s", e)
		}
	}
	// The tolerance covers the rounding of the client's and the proxy's
	// clocks; a client that ignores Retry-After comes back a second or
	// more too early.
	if early := p.EarlyRetries(100 * time.Millisecond); len(early) > 0 {
		return fmt.Errorf("Retry-After not honoured:\n  %s", strings.Join(early, "\n  "))
	}
	return nil
}

// testAccCheckFaultObjects fails unless the service holds exactly the
// object of addr in the state, with marker want.
func testAccCheckFaultObjects(t *testing.T, fc *faultCase, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[fc.addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", fc.addr)
		}
		objs, err := fc.find(testCtx(t), testClient(t))
		if err != nil {
			return err
		}
		if len(objs) != 1 {
			return fmt.Errorf("the service holds %d objects of this test, want exactly 1 (%s): %+v", len(objs), rs.Primary.ID, objs)
		}
		if objs[0].ID != rs.Primary.ID {
			return fmt.Errorf("the service holds %s, the state %s: an orphan", objs[0].ID, rs.Primary.ID)
		}
		if objs[0].Marker != want {
			return fmt.Errorf("the service holds %q, want %q: a lost write", objs[0].Marker, want)
		}
		return nil
	}
}

// testAccFaults runs the create, update and destroy of fc through a fault
// proxy with plans createPlan and updatePlan (indexes into faultPlans).
// testAccCheckFaultNoneLeft fails when the case's kind still has objects in
// the service after destroy.
func testAccCheckFaultNoneLeft(t *testing.T, fc *faultCase) error {
	objs, err := fc.find(testCtx(t), testClient(t))
	if err != nil {
		return err
	}
	if len(objs) > 0 {
		return fmt.Errorf("left in the service after destroy: %+v", objs)
	}
	return nil
}

func testAccFaults(t *testing.T, fc *faultCase, createPlan, updatePlan int) {
	p, err := faultproxy.Start(testAOS.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	prov := testAccFaultProvider(p)
	emptyAfterApply := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return testAccCheckFaultNoneLeft(t, fc) },
		Steps: []resource.TestStep{
			{
				PreConfig:        func() { p.SetRules(faultRules(faultPlans[createPlan], fc.createWrites...)...) },
				Config:           prov + fc.create,
				ConfigPlanChecks: emptyAfterApply,
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error { return testAccCheckFaults(t, p) },
					testAccCheckFaultObjects(t, fc, fc.created),
					func(s *terraform.State) error {
						if fc.afterCreate != nil {
							return fc.afterCreate(s)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() {
					if fc.beforeUpdate != nil {
						fc.beforeUpdate()
					}
					// The refresh before the update meets latency too.
					p.SetRules(append(faultRules(faultPlans[updatePlan], fc.updateWrites...),
						faultproxy.Rule{Method: http.MethodGet, Path: "/v1/*/*", Fault: faultproxy.Forward, Delay: 50 * time.Millisecond})...)
				},
				Config: prov + fc.update,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(fc.addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error { return testAccCheckFaults(t, p) },
					testAccCheckFaultObjects(t, fc, fc.updated),
				),
			},
			{
				PreConfig: func() { p.SetRules(faultRules(faultDeletePlan, fc.deleteWrite)...) },
				Config:    prov + fc.update,
				Destroy:   true,
				Check: func(*terraform.State) error {
					if err := testAccCheckFaults(t, p); err != nil {
						return err
					}
					return testAccCheckFaultNoneLeft(t, fc)
				},
			},
		},
	})
}

// TestAccFaults_everyKind creates, updates and destroys one resource of
// every kind through the fault proxy (see the comment at the top).
func TestAccFaults_everyKind(t *testing.T) {
	contoso := testAccConnectedTenant(t, devTenant)
	cases := []struct {
		name string
		make func(t *testing.T) *faultCase
	}{
		{"microsoft_tenant", faultCaseMicrosoftTenant},
		{"google_tenant", func(t *testing.T) *faultCase {
			return faultCaseConsentTenant(t, "aos_google_tenant", googleTenantAddr, domain.PlatformGoogle, devGoogleTenant, devGoogleAdmin)
		}},
		{"salesforce_tenant", func(t *testing.T) *faultCase {
			return faultCaseConsentTenant(t, "aos_salesforce_tenant", salesforceTenantAddr, domain.PlatformSalesforce, devSalesforceTenant, devSalesforceAdmin)
		}},
		{"amazon_tenant", faultCaseAmazonTenant},
		{"app_profile", func(t *testing.T) *faultCase { return faultCaseAppProfile(contoso) }},
		{"partner_app_profile", func(*testing.T) *faultCase { return faultCasePartnerAppProfile() }},
		{"service_account_profile", func(t *testing.T) *faultCase { return faultCaseServiceAccountProfile(contoso) }},
		{"migration_connection", func(t *testing.T) *faultCase { return faultCaseMigrationConnection(t, contoso) }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testAccFaults(t, tc.make(t), i%len(faultPlans), (i+1)%len(faultPlans))
		})
	}
}

func faultCaseMicrosoftTenant(*testing.T) *faultCase {
	// fabrikam: contoso is the tenant the other kinds live in.
	const d = devOtherTenant
	url1, url2 := "https://fabrikam-admin.sharepoint.com", "https://fabrikamportal-admin.sharepoint.com"
	return &faultCase{
		addr:    microsoftTenantAddr,
		create:  testAccMicrosoftTenantConfig_sharePoint(d, url1),
		update:  testAccMicrosoftTenantConfig_sharePoint(d, url2),
		created: url1, updated: url2,
		createWrites: [][2]string{{http.MethodPost, "/v1/tenants"}},
		updateWrites: [][2]string{{http.MethodPatch, "/v1/tenants/*"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/tenants/*"},
		find: faultFindTenants(domain.PlatformMicrosoft, d, func(t domain.Tenant) string {
			return t.SharePointAdminCenterURL
		}),
	}
}

// faultCaseConsentTenant is a Google Workspace or Salesforce tenant. Their
// only in-place update with a write is the reconnect after the platform's
// permission set was raised: the test consents after create, raises the
// set, and the update reconnects (POST .../reconnect with If-Match), which
// leaves the tenant waiting for a new consent.
func faultCaseConsentTenant(t *testing.T, resourceType, addr, platform, tenantDomain, admin string) *faultCase {
	config := fmt.Sprintf(`
resource %[1]q "test" {
  domain = %[2]q
}
`, resourceType, tenantDomain)
	return &faultCase{
		addr:   addr,
		create: config, update: config,
		// Pending after create (the consent follows the check); pending
		// again after the reconnect, which a lost write would leave
		// connected with a reconnect recommended.
		created: faultConsentMarker(domain.StatusPendingConsent, false), updated: faultConsentMarker(domain.StatusPendingConsent, false),
		createWrites: [][2]string{{http.MethodPost, "/v1/tenants"}},
		updateWrites: [][2]string{{http.MethodPost, "/v1/tenants/*/reconnect"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/tenants/*"},
		afterCreate:  testAccConsentTenant(t, addr, admin),
		beforeUpdate: func() {
			if _, err := testClient(t).DevBumpPermissions(testCtx(t), platform); err != nil {
				t.Fatal(err)
			}
		},
		find: faultFindTenants(platform, tenantDomain, func(t domain.Tenant) string {
			return faultConsentMarker(t.Status, t.ReconnectRecommended)
		}),
	}
}

func faultConsentMarker(status string, reconnectRecommended bool) string {
	return fmt.Sprintf("%s, reconnect recommended %t", status, reconnectRecommended)
}

func faultFindTenants(platform, tenantDomain string, marker func(domain.Tenant) string) func(context.Context, *client.Client) ([]faultObject, error) {
	return func(ctx context.Context, c *client.Client) ([]faultObject, error) {
		ts, err := c.ListTenants(ctx, client.Filter{Platform: platform})
		if err != nil {
			return nil, err
		}
		var out []faultObject
		for _, tn := range ts {
			if tenantDomain == "" || tn.Domain == tenantDomain {
				out = append(out, faultObject{ID: tn.ID, Marker: marker(tn)})
			}
		}
		return out, nil
	}
}

// faultCaseAmazonTenant creates the role in moto; the service's part are
// the registration (POST /v1/tenants) and the verification of the role
// (POST .../validate). Naming the IAM endpoint explicitly is an in-place
// update that reconnects and verifies again with If-Match.
func faultCaseAmazonTenant(t *testing.T) *faultCase {
	s := testAccAmazonPreCheck(t)
	role := testAccAmazonRoleName()
	return &faultCase{
		addr:    amazonAddr,
		create:  testAccAmazonTenantConfig(role, ""),
		update:  testAccAmazonTenantConfig(role, fmt.Sprintf("iam_endpoint = %q", s.URL())),
		created: domain.StatusConnected, updated: domain.StatusConnected,
		createWrites: [][2]string{{http.MethodPost, "/v1/tenants"}, {http.MethodPost, "/v1/tenants/*/validate"}},
		updateWrites: [][2]string{{http.MethodPost, "/v1/tenants/*/validate"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/tenants/*"},
		find: faultFindTenants(domain.PlatformAmazon, "", func(t domain.Tenant) string {
			if t.Amazon == nil || t.Amazon.RoleName != role {
				return t.Status + " (another role)"
			}
			return t.Status
		}),
	}
}

func faultCaseAppProfile(contoso *domain.Tenant) *faultCase {
	name := acctest.RandomWithPrefix("tf-fault-app")
	return &faultCase{
		addr:    appAddr,
		create:  testAccAppProfileConfig_basic(name, contoso.ID),
		update:  testAccAppProfileConfig_basic(name+"-renamed", contoso.ID),
		created: name, updated: name + "-renamed",
		createWrites: [][2]string{{http.MethodPost, "/v1/app-profiles"}},
		updateWrites: [][2]string{{http.MethodPatch, "/v1/app-profiles/*"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/app-profiles/*"},
		find: func(ctx context.Context, c *client.Client) ([]faultObject, error) {
			as, err := c.ListAppProfiles(ctx, client.Filter{TenantID: contoso.ID, Search: name})
			return faultNamed(as, err, name, func(a domain.AppProfile) (string, string) { return a.ID, a.Name })
		},
	}
}

func faultCasePartnerAppProfile() *faultCase {
	name := acctest.RandomWithPrefix("tf-fault-partner")
	return &faultCase{
		addr:    partnerAddr,
		create:  testAccPartnerAppProfileConfig(name, ""),
		update:  testAccPartnerAppProfileConfig(name+"-renamed", ""),
		created: name, updated: name + "-renamed",
		createWrites: [][2]string{{http.MethodPost, "/v1/partner-app-profiles"}},
		updateWrites: [][2]string{{http.MethodPatch, "/v1/partner-app-profiles/*"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/partner-app-profiles/*"},
		find: func(ctx context.Context, c *client.Client) ([]faultObject, error) {
			ps, err := c.ListPartnerAppProfiles(ctx, client.Filter{Search: name})
			return faultNamed(ps, err, name, func(p domain.PartnerAppProfile) (string, string) { return p.ID, p.Name })
		},
	}
}

func faultCaseServiceAccountProfile(contoso *domain.Tenant) *faultCase {
	name := acctest.RandomWithPrefix("tf-fault-sa")
	return &faultCase{
		addr:   saAddr,
		create: testAccServiceAccountProfileConfig_password(contoso.ID, name, saPlainUser, saPlainPassword, 1, `["fly"]`, ""),
		update: testAccServiceAccountProfileConfig_password(contoso.ID, name+"-renamed", saPlainUser, saPlainPassword, 1, `["fly"]`,
			`description = "renamed through faults"`),
		created: name, updated: name + "-renamed",
		createWrites: [][2]string{{http.MethodPost, "/v1/service-accounts"}},
		updateWrites: [][2]string{{http.MethodPatch, "/v1/service-accounts/*"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/service-accounts/*"},
		find: func(ctx context.Context, c *client.Client) ([]faultObject, error) {
			ss, err := c.ListServiceAccounts(ctx, client.Filter{TenantID: contoso.ID, Search: name})
			return faultNamed(ss, err, name, func(s domain.ServiceAccount) (string, string) { return s.ID, s.Name })
		},
	}
}

func faultCaseMigrationConnection(t *testing.T, contoso *domain.Tenant) *faultCase {
	app := testAccConnectionAppProfile(t, contoso, domain.AppTypeMicrosoft365, "")
	name := acctest.RandomWithPrefix("tf-fault-conn")
	return &faultCase{
		addr:    connAddr,
		create:  testAccMigrationConnectionConfig_app(name, contoso.ID, app.ID, ""),
		update:  testAccMigrationConnectionConfig_app(name+"-renamed", contoso.ID, app.ID, ""),
		created: name, updated: name + "-renamed",
		createWrites: [][2]string{{http.MethodPost, "/v1/connections"}},
		updateWrites: [][2]string{{http.MethodPatch, "/v1/connections/*"}},
		deleteWrite:  [2]string{http.MethodDelete, "/v1/connections/*"},
		find: func(ctx context.Context, c *client.Client) ([]faultObject, error) {
			cs, err := c.ListConnections(ctx, client.Filter{TenantID: contoso.ID, Search: name})
			return faultNamed(cs, err, name, func(x domain.Connection) (string, string) { return x.ID, x.Name })
		},
	}
}

// faultNamed keeps the objects whose name starts with prefix (the test's
// own: names are random per test), whatever search matched.
func faultNamed[T any](all []T, err error, prefix string, idName func(T) (string, string)) ([]faultObject, error) {
	if err != nil {
		return nil, err
	}
	var out []faultObject
	for _, x := range all {
		if id, name := idName(x); strings.HasPrefix(name, prefix) {
			out = append(out, faultObject{ID: id, Marker: name})
		}
	}
	return out, nil
}

// importBlockPattern finds an import block in Terraform's output, which
// may indent it.
var importBlockPattern = regexp.MustCompile(`(?s)import \{\s*\n\s*to\s*=\s*(\S+)\s*\n\s*id\s*=\s*"([^"]+)"\s*\n\s*\}`)

// TestAccFaults_lostCreateReplyBeyondRetries loses the reply of a create the
// service committed, with no retries left (retry_timeout = "0s" stands for an
// outage longer than the retries): the object exists in the service and not
// in the state. The next apply must then either recognise it or fail with
// an error that names it and prints a ready import block; applied with that
// block, Terraform manages the one object. Never "choose another name",
// never a second object.
func TestAccFaults_lostCreateReplyBeyondRetries(t *testing.T) {
	cli := newTerraformCLI(t)
	p, err := faultproxy.Start(testAOS.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	partner := acctest.RandomWithPrefix("tf-fault-lost-create")
	for _, tc := range []struct {
		name, addr, collection, config string
		find                           func(ctx context.Context, c *client.Client) ([]faultObject, error)
		remove                         func(ctx context.Context, c *client.Client, id string) error
	}{
		{
			name: "partner_app_profile", addr: partnerAddr, collection: "/v1/partner-app-profiles",
			config: testAccPartnerAppProfileConfig(partner, ""),
			find: func(ctx context.Context, c *client.Client) ([]faultObject, error) {
				ps, err := c.ListPartnerAppProfiles(ctx, client.Filter{Search: partner})
				return faultNamed(ps, err, partner, func(p domain.PartnerAppProfile) (string, string) { return p.ID, p.Name })
			},
			remove: func(ctx context.Context, c *client.Client, id string) error {
				return c.DeletePartnerAppProfile(ctx, id)
			},
		},
		{
			name: "microsoft_tenant", addr: microsoftTenantAddr, collection: "/v1/tenants",
			config: testAccMicrosoftTenantConfig_basic(devOtherTenant),
			find:   faultFindTenants(domain.PlatformMicrosoft, devOtherTenant, func(domain.Tenant) string { return "" }),
			remove: func(ctx context.Context, c *client.Client, id string) error { return c.DeleteTenant(ctx, id) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "config")
			config := savedPlanConfig(cli, tc.addr+".id", fmt.Sprintf(`
provider "aos" {
  endpoint      = %q
  retry_timeout = "0s"
}
`, p.URL())+tc.config)
			writeFile(t, filepath.Join(dir, "main.tf"), config)
			cli.mustRun(dir, "init", "-input=false", "-no-color")
			// Whatever happens, nothing of this test may stay behind: an
			// orphan fails the test and is removed, so that later tests
			// of the same domain or name can run.
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				c := testClient(t)
				objs, err := tc.find(ctx, c)
				if err != nil {
					t.Error(err)
				}
				for _, o := range objs {
					t.Errorf("left in the service after destroy: %s", o.ID)
					if err := tc.remove(ctx, c, o.ID); err != nil {
						t.Errorf("removing %s: %v", o.ID, err)
					}
				}
			})
			defer func() {
				p.SetRules()
				cli.run(dir, "destroy", "-input=false", "-no-color", "-auto-approve")
			}()

			// Cut mid-reply: Go's transport would replay a reply lost
			// before its first byte on its own (see faultproxy).
			p.SetRules(faultproxy.Rule{Method: http.MethodPost, Path: tc.collection, Nth: 1, Fault: faultproxy.TruncateReply})
			out, code := cli.run(dir, "apply", "-input=false", "-no-color", "-auto-approve")
			if err := testAccCheckFaults(t, p); err != nil {
				t.Fatal(err)
			}
			if code == 0 {
				t.Fatalf("the apply whose only create lost its reply, with no retries, succeeded:\n%s", out)
			}
			objs, err := tc.find(testCtx(t), testClient(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != 1 {
				t.Fatalf("after the lost reply the service holds %d objects of this test, want the 1 it committed: %+v", len(objs), objs)
			}
			orphan := objs[0].ID

			// The next apply, nothing faulty any more.
			p.SetRules()
			out, code = cli.run(dir, "apply", "-input=false", "-no-color", "-auto-approve")
			if code != 0 {
				// The provider does not know the resource's name in the
				// configuration, so the block may say NAME for it, as
				// its text then explains; the id it must know.
				typ, _, _ := strings.Cut(tc.addr, ".")
				m := importBlockPattern.FindStringSubmatch(out)
				if m == nil || (m[1] != tc.addr && m[1] != typ+".NAME") || m[2] != orphan {
					t.Fatalf("the apply after a lost create reply failed without an import block for %s with id %s:\n%s", tc.addr, orphan, out)
				}
				block := strings.Replace(m[0], m[1], tc.addr, 1)
				writeFile(t, filepath.Join(dir, "main.tf"), config+"\n"+block+"\n")
				cli.mustRun(dir, "apply", "-input=false", "-no-color", "-auto-approve")
			}
			if got := strings.TrimSpace(cli.mustRun(dir, "output", "-raw", "id")); got != orphan {
				t.Fatalf("the state holds %s, the service's object is %s", got, orphan)
			}
			if out, code := cli.run(dir, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
				t.Fatalf("the plan after adopting %s is not empty (exit %d):\n%s", orphan, code, out)
			}
			if objs, err := tc.find(testCtx(t), testClient(t)); err != nil || len(objs) != 1 {
				t.Fatalf("the service holds %+v (%v), want only %s", objs, err, orphan)
			}
		})
	}
}
