package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// tenantDoc is the stored tenant: the API object plus what the service
// learned from the platform at consent, which has its own endpoints.
type tenantDoc struct {
	domain.Tenant
	Containers   []domain.Container   `json:"containers,omitempty"`
	GeoLocations []domain.GeoLocation `json:"geoLocations,omitempty"`
}

var (
	domainPattern   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$`)
	roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	roleARNPattern  = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
)

func tenantRecord(org string, t *tenantDoc) *store.Record {
	key := ""
	switch {
	case t.Platform != domain.PlatformAmazon:
		key = t.Platform + ":" + t.Domain
	case t.Amazon != nil && t.Amazon.AccountID != "":
		key = "amazon:" + t.Amazon.AccountID
	}
	return &store.Record{Org: org, Kind: store.KindTenant, ID: t.ID, Name: t.Name, Platform: t.Platform,
		UniqueKey: key, Data: mustJSON(t), Created: t.CreatedTime, Modified: t.ModifiedTime}
}

// tenantView renders a stored tenant, working out reconnectRecommended
// against the platform's current permission set.
func (s *Server) tenantView(ctx context.Context, rec *store.Record, versions map[string]int) (*domain.Tenant, error) {
	// Decoded as the API object alone: the containers and geo locations of
	// the stored document are skipped, not built, on every read.
	t, err := decodeDoc[domain.Tenant](rec)
	if err != nil {
		return nil, err
	}
	t.ModifiedTime = rec.Modified
	t.CreatedTime = rec.Created
	cur, ok := versions[t.Platform]
	if !ok {
		if cur, err = s.perms.get(ctx, s.store, t.Platform); err != nil {
			return nil, err
		}
		versions[t.Platform] = cur
	}
	t.ReconnectRecommended = t.Status == domain.StatusConnected && t.PermissionsVersion < cur
	return t, nil
}

// permissionCacheTTL bounds how stale the cached permission-set versions
// may be when a bump happens outside this process (another replica, or
// aosd permissions bump).
const permissionCacheTTL = time.Second

// permissionCache keeps the platforms' current permission-set versions for
// tenant reads, which would otherwise query them on every GET. A bump
// through this process clears it at once.
type permissionCache struct {
	mu      sync.Mutex
	version map[string]int
	read    map[string]time.Time
}

func (c *permissionCache) get(ctx context.Context, st store.Store, platform string) (int, error) {
	c.mu.Lock()
	v, ok := c.version[platform]
	fresh := ok && time.Since(c.read[platform]) < permissionCacheTTL
	c.mu.Unlock()
	if fresh {
		return v, nil
	}
	v, err := st.PermissionVersion(ctx, platform)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.version == nil {
		c.version, c.read = map[string]int{}, map[string]time.Time{}
	}
	c.version[platform], c.read[platform] = v, time.Now()
	c.mu.Unlock()
	return v, nil
}

func (c *permissionCache) forget(platform string) {
	c.mu.Lock()
	delete(c.version, platform)
	c.mu.Unlock()
}

func (s *Server) loadTenant(ctx context.Context, rd store.Reader, org, id string) (*store.Record, *tenantDoc, error) {
	rec, err := load(ctx, rd, org, store.KindTenant, id)
	if err != nil {
		return nil, nil, err
	}
	d, err := decodeDoc[tenantDoc](rec)
	return rec, d, err
}

func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) {
	platform, err := enumFilter(r, "platform", domain.Platforms)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versions := map[string]int{}
	listRecords(s, w, r, store.Query{Kind: store.KindTenant, Platform: platform}, func(rec *store.Record) (*domain.Tenant, error) {
		return s.tenantView(r.Context(), rec, versions)
	})
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, err := load(r.Context(), s.store, p.Org, store.KindTenant, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.tenantView(r.Context(), rec, map[string]int{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeObject(w, rec.Version, t)
}

// validateTenantCreate checks a registration request and fills defaults.
func validateTenantCreate(in *domain.TenantCreate) error {
	if err := domain.OneOf("platform", in.Platform, domain.Platforms); err != nil {
		return err
	}
	in.Domain = strings.ToLower(in.Domain)
	if in.Platform == domain.PlatformAmazon {
		if in.Domain != "" {
			return domain.Invalid(domain.CodeInvalidValue, "domain", "Amazon tenants have no domain: the account is learned from the role; remove domain")
		}
		if in.SharePointAdminCenterURL != "" {
			return domain.Invalid(domain.CodeInvalidValue, "sharePointAdminCenterUrl", "sharePointAdminCenterUrl applies to Microsoft tenants only")
		}
		if in.Environment == "" {
			in.Environment = domain.AmazonEnvironments[0]
		}
		if err := domain.OneOf("environment", in.Environment, domain.AmazonEnvironments); err != nil {
			return err
		}
		if in.RoleName == "" {
			in.RoleName = domain.DefaultAmazonRoleName
		}
		if !roleNamePattern.MatchString(in.RoleName) {
			return domain.Invalid(domain.CodeInvalidValue, "roleName", "roleName must be 1 to 64 letters, digits or +=,.@_- characters")
		}
		return nil
	}
	if in.RoleName != "" {
		return domain.Invalid(domain.CodeInvalidValue, "roleName", "roleName applies to Amazon tenants only")
	}
	if in.Domain == "" {
		return domain.Invalid(domain.CodeRequired, "domain", "domain is required: the %s domain of the tenant to connect", platformWord(in.Platform))
	}
	if !domainPattern.MatchString(in.Domain) {
		return domain.Invalid(domain.CodeInvalidValue, "domain", "domain %q is not a DNS name such as contoso.onmicrosoft.com", in.Domain)
	}
	switch in.Platform {
	case domain.PlatformMicrosoft:
		if in.Environment == "" {
			in.Environment = domain.DefaultAzureEnvironment(in.Domain)
		}
		if err := domain.OneOf("environment", in.Environment, domain.AzureEnvironments); err != nil {
			return err
		}
		if err := domain.CheckMicrosoftTenantDomain("domain", in.Domain, in.Environment); err != nil {
			return err
		}
		if in.SharePointAdminCenterURL != "" {
			if err := domain.ValidateSharePointAdminURL("sharePointAdminCenterUrl", in.SharePointAdminCenterURL); err != nil {
				return err
			}
		}
	case domain.PlatformGoogle:
		if in.Environment != "" {
			return domain.Invalid(domain.CodeInvalidValue, "environment", "Google Workspace tenants have no environment; remove it")
		}
	case domain.PlatformSalesforce:
		if in.Environment == "" {
			in.Environment = domain.SalesforceEnvironments[0]
		}
		if err := domain.OneOf("environment", in.Environment, domain.SalesforceEnvironments); err != nil {
			return err
		}
	}
	if in.Platform != domain.PlatformMicrosoft && in.SharePointAdminCenterURL != "" {
		return domain.Invalid(domain.CodeInvalidValue, "sharePointAdminCenterUrl", "sharePointAdminCenterUrl applies to Microsoft tenants only")
	}
	return nil
}

func platformWord(p string) string {
	switch p {
	case domain.PlatformMicrosoft:
		return "onmicrosoft.com (or onmicrosoft.us)"
	case domain.PlatformGoogle:
		return "Google Workspace primary"
	case domain.PlatformSalesforce:
		return "Salesforce My Domain"
	}
	return p
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.TenantCreate
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := validateTenantCreate(&in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Platform == domain.PlatformAmazon && s.amazon.principal == "" {
		s.fail(w, r, domain.Invalid(domain.CodeInvalidValue, "platform", "this service does not offer Amazon tenants: it was started without an AWS principal for customers' roles to trust (aosd serve --amazon-principal)"))
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		t := &tenantDoc{Tenant: domain.Tenant{
			ID: newID(), Platform: in.Platform, Domain: in.Domain, Environment: in.Environment,
			Status: domain.StatusPendingConsent, Name: in.Domain, SharePointAdminCenterURL: in.SharePointAdminCenterURL,
		}}
		t.CreatedTime, t.ModifiedTime = now(), now()
		if in.Platform == domain.PlatformAmazon {
			t.Name = in.RoleName
			t.Amazon = &domain.AmazonTenant{RoleName: in.RoleName, ExternalID: "aos-" + randomHex(16), ServicePrincipal: s.amazon.principal}
		} else {
			u, err := s.consentURL(consentTarget{Kind: consentTenant, Org: p.Org, ID: t.ID, Platform: t.Platform, Environment: t.Environment, Domain: t.Domain})
			if err != nil {
				return nil, err
			}
			t.ConsentURL = u
		}
		rec := tenantRecord(p.Org, t)
		if err := tx.Insert(ctx, rec); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return nil, alreadyExists(ctx, tx, rec, "domain", "the %s tenant %s is already registered; import it instead of registering it again", in.Platform, in.Domain)
			}
			return nil, err
		}
		if s.autoConsent() && in.Platform != domain.PlatformAmazon {
			if rec, err = s.autoConsentTenant(ctx, tx, p.Org, rec); err != nil {
				return nil, err
			}
		}
		view, err := s.tenantView(ctx, rec, map[string]int{})
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusCreated, body: view, version: rec.Version, location: location("tenants", t.ID)}, nil
	})
}

func (s *Server) patchTenant(w http.ResponseWriter, r *http.Request) {
	var in domain.TenantPatch
	s.change(w, r, store.KindTenant, &in, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		t, err := decodeDoc[tenantDoc](rec)
		if err != nil {
			return nil, nil, err
		}
		if in.SharePointAdminCenterURL != nil {
			if t.Platform != domain.PlatformMicrosoft {
				return nil, nil, domain.Invalid(domain.CodeInvalidValue, "sharePointAdminCenterUrl", "sharePointAdminCenterUrl applies to Microsoft tenants only")
			}
			u := *in.SharePointAdminCenterURL
			if u == "" {
				u = sharePointAdminURL(t.Domain)
			} else if err := domain.ValidateSharePointAdminURL("sharePointAdminCenterUrl", u); err != nil {
				return nil, nil, err
			}
			t.SharePointAdminCenterURL = u
		}
		t.ModifiedTime = now()
		nr := tenantRecord(org, t)
		if err := tx.Update(ctx, nr, expect); err != nil {
			return nil, nil, err
		}
		view, err := s.tenantView(ctx, nr, map[string]int{})
		return nr, view, err
	})
}

func (s *Server) deleteTenant(w http.ResponseWriter, r *http.Request) {
	s.deleteKind(store.KindTenant)(w, r)
}

// sharePointAdminURL derives the SharePoint Online admin center URL from the
// tenant's original domain (contoso.onmicrosoft.com →
// https://contoso-admin.sharepoint.com).
func sharePointAdminURL(tenantDomain string) string {
	prefix, rest, _ := strings.Cut(tenantDomain, ".")
	tld := "com"
	if strings.HasSuffix(rest, ".us") {
		tld = "us"
	}
	return fmt.Sprintf("https://%s-admin.sharepoint.%s", prefix, tld)
}

// reconnectTenant re-runs consent so the tenant's app gets the current
// permission set. Amazon tenants reconnect by updating their role and
// asking for verification, so for them it is the same as validate.
func (s *Server) reconnectTenant(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, t, err := s.loadTenant(r.Context(), s.store, p.Org, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t.Platform == domain.PlatformAmazon {
		s.verifyAmazon(w, r, rec)
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := decodeStrict(r, body, &struct{}{}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		rec, t, err := s.loadTenant(ctx, tx, p.Org, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		v, err := expectVersion(r, rec)
		if err != nil {
			return nil, err
		}
		u, err := s.consentURL(consentTarget{Kind: consentTenant, Org: p.Org, ID: t.ID, Platform: t.Platform, Environment: t.Environment, Domain: t.Domain})
		if err != nil {
			return nil, err
		}
		t.Status, t.ConsentURL, t.Reason = domain.StatusPendingConsent, u, ""
		t.ModifiedTime = now()
		nr := tenantRecord(p.Org, t)
		if err := tx.Update(ctx, nr, v); err != nil {
			return nil, err
		}
		if s.autoConsent() {
			if nr, err = s.autoConsentTenant(ctx, tx, p.Org, nr); err != nil {
				return nil, err
			}
		}
		view, err := s.tenantView(ctx, nr, map[string]int{})
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusOK, body: view, version: nr.Version}, nil
	})
}

func (s *Server) validateTenant(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, t, err := s.loadTenant(r.Context(), s.store, p.Org, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t.Platform == domain.PlatformAmazon {
		s.verifyAmazon(w, r, rec)
		return
	}
	// The other platforms take no body: an AmazonVerify sent for one is
	// refused field by field rather than ignored.
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := decodeStrict(r, body, &struct{}{}); err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.tenantView(r.Context(), rec, map[string]int{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeObject(w, rec.Version, view)
}

// verifyAmazon assumes the customer's role with the tenant's external id.
// The STS call happens outside any transaction: it can take seconds while
// IAM propagates, and a transaction must not be held open across it.
func (s *Server) verifyAmazon(w http.ResponseWriter, r *http.Request, rec *store.Record) {
	p := principalFrom(r.Context())
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.AmazonVerify
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := decodeDoc[tenantDoc](rec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m := roleARNPattern.FindStringSubmatch(in.RoleARN)
	if m == nil {
		s.fail(w, r, domain.Invalid(domain.CodeInvalidValue, "roleArn", "roleArn %q is not an IAM role ARN such as arn:aws:iam::123456789012:role/%s", in.RoleARN, t.Amazon.RoleName))
		return
	}
	if m[3] != t.Amazon.RoleName {
		s.fail(w, r, domain.Invalid(domain.CodeInvalidValue, "roleArn", "roleArn names role %q but this tenant was registered for role %q", m[3], t.Amazon.RoleName))
		return
	}
	// The alias becomes the tenant's name, so it is held to IAM's own rule
	// before the role is assumed.
	if err := domain.ValidateAmazonAccountAlias("accountAlias", in.AccountAlias); err != nil {
		s.fail(w, r, err)
		return
	}
	current, err := s.store.PermissionVersion(r.Context(), domain.PlatformAmazon)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if in.PermissionsVersion == 0 {
		in.PermissionsVersion = current
	}
	if in.PermissionsVersion < 1 || in.PermissionsVersion > current {
		s.fail(w, r, domain.Invalid(domain.CodeInvalidValue, "permissionsVersion", "permissionsVersion must be between 1 and the current version %d", current))
		return
	}
	if s.amazon.verifier == nil {
		s.fail(w, r, domain.Invalid(domain.CodeAmazonRoleNotAssumable, "roleArn", "this aosd has no STS endpoint configured to verify Amazon roles; start it with --sts-endpoint"))
		return
	}
	account, err := s.amazon.verifier.Verify(r.Context(), in.RoleARN, t.Amazon.ExternalID)
	if err != nil {
		s.fail(w, r, domain.Invalid(domain.CodeAmazonRoleNotAssumable, "roleArn",
			"the service could not assume role %s with the tenant's external id: %v. Check that the role's trust policy names %s with sts:ExternalId %s",
			in.RoleARN, err, t.Amazon.ServicePrincipal, t.Amazon.ExternalID))
		return
	}
	if account != m[2] {
		s.fail(w, r, domain.Invalid(domain.CodeAmazonRoleNotAssumable, "roleArn", "the assumed role belongs to account %s, not %s", account, m[2]))
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		rec, t, err := s.loadTenant(ctx, tx, p.Org, rec.ID)
		if err != nil {
			return nil, err
		}
		v, err := expectVersion(r, rec)
		if err != nil {
			return nil, err
		}
		t.Status, t.Reason = domain.StatusConnected, ""
		t.Amazon.RoleARN, t.Amazon.AccountID, t.Amazon.AccountAlias = in.RoleARN, account, in.AccountAlias
		t.Name = account
		if in.AccountAlias != "" {
			t.Name = in.AccountAlias
		}
		t.PermissionsVersion = in.PermissionsVersion
		t.ModifiedTime = now()
		nr := tenantRecord(p.Org, t)
		if err := tx.Update(ctx, nr, v); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return nil, alreadyExists(ctx, tx, nr, "roleArn", "AWS account %s is already registered as another tenant; import that tenant instead", account)
			}
			return nil, err
		}
		view, err := s.tenantView(ctx, nr, map[string]int{})
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusOK, body: view, version: nr.Version}, nil
	})
}

func (s *Server) listContainers(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	_, t, err := s.loadTenant(r.Context(), s.store, p.Org, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lp, err := parseList(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	all := slices.Clone(t.Containers)
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	out := domain.List[domain.Container]{Data: []domain.Container{}}
	for _, c := range all {
		c.TenantID = t.ID
		if c.ID <= lp.after || (search != "" && !strings.Contains(strings.ToLower(c.Name), search)) {
			continue
		}
		if len(out.Data) == lp.top {
			out.NextLink = nextLink(r, out.Data[len(out.Data)-1].ID)
			break
		}
		out.Data = append(out.Data, c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listGeoLocations(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	_, t, err := s.loadTenant(r.Context(), s.store, p.Org, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := domain.List[domain.GeoLocation]{Data: append([]domain.GeoLocation{}, t.GeoLocations...)}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getPermissions(w http.ResponseWriter, r *http.Request) {
	platform := r.PathValue("platform")
	if err := domain.OneOf("platform", platform, domain.Platforms); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.store.PermissionVersion(r.Context(), platform)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, domain.PermissionSetFor(platform, v))
}
