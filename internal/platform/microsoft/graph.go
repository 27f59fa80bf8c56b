package microsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// Graph is a small typed Microsoft Graph v1.0 client for the calls the
// product needs. Each method cites the API page whose request and response
// it follows.
type Graph struct {
	base   string // .../v1.0
	http   *http.Client
	token  func(ctx context.Context) (string, error)
	budget time.Duration
}

func (c *Connector) graphClient(token func(ctx context.Context) (string, error)) *Graph {
	return &Graph{base: c.graph + "/v1.0", http: c.http, token: token, budget: c.cfg.ThrottleBudget}
}

// GraphWithToken returns a Graph client that uses a delegated access
// token (for example the one a consent yielded).
func (c *Connector) GraphWithToken(accessToken string) *Graph {
	return c.graphClient(func(context.Context) (string, error) { return accessToken, nil })
}

// GraphError is Graph's error envelope ("Microsoft Graph error responses
// and resource types", learn.microsoft.com/graph/errors).
type GraphError struct {
	Status     int    `json:"-"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	InnerError struct {
		Date            string `json:"date"`
		RequestID       string `json:"request-id"`
		ClientRequestID string `json:"client-request-id"`
	} `json:"innerError"`
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("microsoft graph: %d %s: %s (request %s)", e.Status, e.Code, e.Message, e.InnerError.RequestID)
}

// IsNotFound tells whether err is Graph's answer that the object does not
// exist.
func IsNotFound(err error) bool {
	var ge *GraphError
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}

// ThrottledError is returned when Graph keeps throttling beyond the budget
// or past the caller's deadline. RetryAfter is Graph's last request.
type ThrottledError struct {
	RetryAfter time.Duration
	Last       *GraphError
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("microsoft graph: throttled, retry after %s: %v", e.RetryAfter, e.Last)
}

func (e *ThrottledError) Unwrap() error { return e.Last }

// maxAttempts bounds the tries of one request whatever Retry-After says.
const maxAttempts = 6

// get sends a GET (path relative to /v1.0, or an absolute @odata.nextLink
// of the same Graph) and decodes the JSON answer into out. Throttled
// answers (429, 503) are retried after Retry-After ("Microsoft Graph
// throttling guidance", learn.microsoft.com/graph/throttling: wait the
// seconds Retry-After names, else back off exponentially), as long as the
// total wait stays within the budget and before ctx's deadline.
func (g *Graph) get(ctx context.Context, path string, header http.Header, out any) error {
	target := path
	if !strings.HasPrefix(path, "https://") && !strings.HasPrefix(path, "http://") {
		target = g.base + path
	} else if !strings.HasPrefix(path, g.base+"/") {
		return fmt.Errorf("microsoft graph: refusing to follow a link outside %s", g.base)
	}
	var waited time.Duration
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		tok, err := g.token(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		resp, err := g.http.Do(req)
		if err != nil {
			return fmt.Errorf("microsoft graph: %w", err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		_ = resp.Body.Close() // Read fully; a failing close loses nothing.
		if err != nil {
			return fmt.Errorf("microsoft graph: reading the answer: %w", err)
		}
		if resp.StatusCode/100 == 2 {
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("microsoft graph: decoding the answer of %s: %w", path, err)
			}
			return nil
		}
		ge := &GraphError{Status: resp.StatusCode}
		var env struct {
			Error *GraphError `json:"error"`
		}
		env.Error = ge
		if json.Unmarshal(body, &env) != nil || ge.Code == "" {
			ge.Code, ge.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(body))
		}
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
			return ge
		}
		wait, ok := retryAfter(resp.Header.Get("Retry-After"))
		if !ok {
			wait, backoff = backoff, backoff*2
		}
		deadline, hasDeadline := ctx.Deadline()
		if attempt >= maxAttempts || waited+wait > g.budget || (hasDeadline && time.Until(deadline) < wait) {
			return &ThrottledError{RetryAfter: wait, Last: ge}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &ThrottledError{RetryAfter: wait, Last: ge}
		case <-t.C:
		}
		waited += wait
	}
}

// retryAfter reads Retry-After: delay-seconds or an HTTP date (RFC 9110
// section 10.2.3).
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// Organization is the tenant as GET /organization describes it.
type Organization struct {
	ID              string `json:"id"`
	DisplayName     string `json:"displayName"`
	VerifiedDomains []struct {
		Name      string `json:"name"`
		IsInitial bool   `json:"isInitial"`
		IsDefault bool   `json:"isDefault"`
	} `json:"verifiedDomains"`
}

// InitialDomain is the tenant's <name>.onmicrosoft.com (or .us) domain,
// the one verified domain with isInitial set.
func (o *Organization) InitialDomain() string {
	for _, d := range o.VerifiedDomains {
		if d.IsInitial {
			return strings.ToLower(d.Name)
		}
	}
	return ""
}

// Organization reads the tenant ("Get organization",
// learn.microsoft.com/graph/api/organization-get: GET /organization
// returns a collection of the one organization).
func (g *Graph) Organization(ctx context.Context) (*Organization, error) {
	var out struct {
		Value []Organization `json:"value"`
	}
	if err := g.get(ctx, "/organization?$select=id,displayName,verifiedDomains", nil, &out); err != nil {
		return nil, err
	}
	if len(out.Value) != 1 {
		return nil, fmt.Errorf("microsoft graph: /organization returned %d organizations", len(out.Value))
	}
	return &out.Value[0], nil
}

// User is a directory user.
type User struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName"`
	Mail              string `json:"mail"`
	// UserType is Member or Guest.
	UserType       string `json:"userType"`
	AccountEnabled bool   `json:"accountEnabled"`
}

// Guest tells whether the user is an invited guest rather than a member.
func (u *User) Guest() bool { return strings.EqualFold(u.UserType, "Guest") }

// User reads a user by object id or user principal name ("Get user",
// learn.microsoft.com/graph/api/user-get). accountEnabled and userType are
// not among the default properties, so they are selected.
func (g *Graph) User(ctx context.Context, idOrUPN string) (*User, error) {
	var u User
	err := g.get(ctx, "/users/"+url.PathEscape(idOrUPN)+"?$select=id,userPrincipalName,displayName,mail,userType,accountEnabled", nil, &u)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// DirectoryRole is an activated directory role.
type DirectoryRole struct {
	ID             string `json:"id"`
	DisplayName    string `json:"displayName"`
	RoleTemplateID string `json:"roleTemplateId"`
}

// Role template ids, the same in every tenant ("Microsoft Entra built-in
// roles", learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
// Roles are matched by template id: display names are localisable.
const (
	RoleGlobalAdministrator     = "62e90394-69f5-4237-9190-012177145e10"
	RoleSharePointAdministrator = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
)

// DirectoryRoles lists the directory roles the user is a direct member
// of: GET /users/{id}/memberOf/microsoft.graph.directoryRole ("List a
// user's direct memberships", learn.microsoft.com/graph/api/user-list-memberof,
// with the OData cast to directoryRole). This reads active role membership
// with the User.Read.All / Directory.Read.All permissions the service
// already needs; the alternative, /roleManagement/directory/roleAssignments,
// needs RoleManagement.Read.Directory and also lists eligible-but-inactive
// PIM assignments' scopes, which do not let the user act now.
func (g *Graph) DirectoryRoles(ctx context.Context, userID string) ([]DirectoryRole, error) {
	var roles []DirectoryRole
	next := "/users/" + url.PathEscape(userID) + "/memberOf/microsoft.graph.directoryRole?$select=id,displayName,roleTemplateId"
	for next != "" {
		var page struct {
			Value    []DirectoryRole `json:"value"`
			NextLink string          `json:"@odata.nextLink"`
		}
		if err := g.get(ctx, next, nil, &page); err != nil {
			return nil, err
		}
		roles = append(roles, page.Value...)
		next = page.NextLink
	}
	return roles, nil
}

// HasRole tells whether roles include the role template.
func HasRole(roles []DirectoryRole, templateID string) bool {
	return slices.ContainsFunc(roles, func(r DirectoryRole) bool { return strings.EqualFold(r.RoleTemplateID, templateID) })
}

// License is one of a user's licenses with its service plans.
type License struct {
	SkuID         string `json:"skuId"`
	SkuPartNumber string `json:"skuPartNumber"`
	ServicePlans  []struct {
		ServicePlanID      string `json:"servicePlanId"`
		ServicePlanName    string `json:"servicePlanName"`
		ProvisioningStatus string `json:"provisioningStatus"`
	} `json:"servicePlans"`
}

// LicenseDetails lists the user's licenses ("List licenseDetails",
// learn.microsoft.com/graph/api/user-list-licensedetails).
func (g *Graph) LicenseDetails(ctx context.Context, userID string) ([]License, error) {
	var out struct {
		Value []License `json:"value"`
	}
	if err := g.get(ctx, "/users/"+url.PathEscape(userID)+"/licenseDetails", nil, &out); err != nil {
		return nil, err
	}
	return out.Value, nil
}

// HasExchangeOnline tells whether a provisioned Exchange Online mailbox
// plan is among the licenses: a service plan named EXCHANGE_S_* other than
// EXCHANGE_S_FOUNDATION, which comes with most SKUs and gives no mailbox
// ("Product names and service plan identifiers for licensing",
// learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
// A plan disabled in the assignment (provisioningStatus Disabled) does
// not count.
func HasExchangeOnline(licenses []License) bool {
	for _, l := range licenses {
		for _, p := range l.ServicePlans {
			if strings.HasPrefix(p.ServicePlanName, "EXCHANGE_S_") && p.ServicePlanName != "EXCHANGE_S_FOUNDATION" &&
				(p.ProvisioningStatus == "Success" || p.ProvisioningStatus == "PendingProvisioning") {
				return true
			}
		}
	}
	return false
}

// GeoLocations lists the tenant's geo locations from the root site of each
// one: GET /sites?$filter=siteCollection/root ne null&$select=webUrl,siteCollection,
// where a multi-geo tenant's root sites carry siteCollection.dataLocationCode
// ("Discover a Multi-Geo tenant configuration",
// learn.microsoft.com/sharepoint/dev/solution-guidance/multigeo-discovery;
// siteCollection resource, learn.microsoft.com/graph/api/resources/sitecollection).
// Graph v1.0 has no property of /organization that lists them. A tenant
// whose root sites name no location is single-geo: the result is empty.
// The call needs Sites.Read.All.
func (g *Graph) GeoLocations(ctx context.Context) ([]domain.GeoLocation, error) {
	var geos []domain.GeoLocation
	next := "/sites?$filter=" + url.QueryEscape("siteCollection/root ne null") + "&$select=webUrl,siteCollection"
	for next != "" {
		var page struct {
			Value []struct {
				SiteCollection struct {
					DataLocationCode string `json:"dataLocationCode"`
				} `json:"siteCollection"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := g.get(ctx, next, nil, &page); err != nil {
			return nil, err
		}
		for _, s := range page.Value {
			code := strings.ToUpper(s.SiteCollection.DataLocationCode)
			if code != "" && !slices.ContainsFunc(geos, func(x domain.GeoLocation) bool { return x.Code == code }) {
				geos = append(geos, domain.GeoLocation{Code: code, Name: geoNames[code]})
			}
		}
		next = page.NextLink
	}
	return geos, nil
}

// geoNames are the Microsoft 365 Multi-Geo locations ("Microsoft 365
// Multi-Geo availability", learn.microsoft.com/microsoft-365/enterprise/microsoft-365-multi-geo).
var geoNames = map[string]string{
	"APC": "Asia-Pacific", "ARE": "United Arab Emirates", "AUS": "Australia", "BRA": "Brazil",
	"CAN": "Canada", "CHE": "Switzerland", "DEU": "Germany", "ESP": "Spain", "EUR": "Europe",
	"FRA": "France", "GBR": "United Kingdom", "IND": "India", "ISR": "Israel", "ITA": "Italy",
	"JPN": "Japan", "KOR": "Korea", "NAM": "North America", "NOR": "Norway", "POL": "Poland",
	"QAT": "Qatar", "SWE": "Sweden", "ZAF": "South Africa",
}

// Group is a Microsoft 365 group.
type Group struct {
	ID                    string `json:"id"`
	DisplayName           string `json:"displayName"`
	PreferredDataLocation string `json:"preferredDataLocation"`
}

// UnifiedGroups lists every Microsoft 365 group of the tenant, following
// @odata.nextLink ("List groups", learn.microsoft.com/graph/api/group-list,
// $filter=groupTypes/any(c:c eq 'Unified'); "Paging Microsoft Graph data",
// learn.microsoft.com/graph/paging: follow the link as given, until a page
// has none). count is @odata.count of the first page, which $count=true
// asks for and which needs the ConsistencyLevel: eventual header
// ("Advanced query capabilities", learn.microsoft.com/graph/aad-advanced-queries).
func (g *Graph) UnifiedGroups(ctx context.Context, pageSize int) (groups []Group, count int, err error) {
	if pageSize < 1 || pageSize > 999 {
		pageSize = 999
	}
	h := http.Header{"Consistencylevel": {"eventual"}}
	next := "/groups?$filter=" + url.QueryEscape("groupTypes/any(c:c eq 'Unified')") +
		"&$count=true&$select=id,displayName,preferredDataLocation&$top=" + strconv.Itoa(pageSize)
	first := true
	for next != "" {
		var page struct {
			Count    *int    `json:"@odata.count"`
			Value    []Group `json:"value"`
			NextLink string  `json:"@odata.nextLink"`
		}
		if err := g.get(ctx, next, h, &page); err != nil {
			return nil, 0, err
		}
		if first && page.Count != nil {
			count = *page.Count
		}
		first = false
		groups = append(groups, page.Value...)
		next = page.NextLink
	}
	return groups, count, nil
}

func asThrottled(err error, te **ThrottledError) bool { return errors.As(err, te) }
