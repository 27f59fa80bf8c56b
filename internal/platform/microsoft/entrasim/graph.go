package entrasim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/directory"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Directory role template ids, the same in every tenant ("Microsoft Entra
// built-in roles",
// learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
const (
	RoleTemplateGlobalAdministrator     = "62e90394-69f5-4237-9190-012177145e10"
	RoleTemplateSharePointAdministrator = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
)

var roleTemplates = map[string]struct{ id, name string }{
	directory.RoleGlobalAdministrator:     {RoleTemplateGlobalAdministrator, "Global Administrator"},
	directory.RoleSharePointAdministrator: {RoleTemplateSharePointAdministrator, "SharePoint Administrator"},
}

// Service plans by license of the directory file ("Product names and
// service plan identifiers for licensing",
// learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
// EXCHANGE_S_FOUNDATION is in nearly every SKU and gives no mailbox; the
// simulator adds it to every licensed user so that a connector taking any
// EXCHANGE_S_* plan for Exchange Online is caught.
var servicePlans = map[string]struct{ id, name string }{
	directory.LicenseExchangeOnline:   {"efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"},
	directory.LicenseSharePointOnline: {"5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"},
	directory.LicenseTeams:            {"57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"},
}

const exchangeFoundationPlan = "113feb6c-3fe4-4440-bddc-54d774bf0318"

// graphError writes Graph's error envelope ("Microsoft Graph error
// responses and resource types", learn.microsoft.com/graph/errors):
// {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
func graphError(w http.ResponseWriter, r *http.Request, status int, code, format string, args ...any) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": fmt.Sprintf(format, args...),
		"innerError": map[string]any{
			"date": time.Now().UTC().Format(time.RFC3339), "request-id": uuid.NewString(),
			"client-request-id": r.Header.Get("client-request-id"),
		},
	}})
}

// graphCaller is who a Graph request's bearer token speaks for.
type graphCaller struct {
	tenant *directory.TenantData
	roles  []string // application permissions of app-only tokens
	app    bool
}

func (s *Sim) serveGraph(w http.ResponseWriter, r *http.Request, path string) {
	s.mu.Lock()
	s.graphN++
	th := s.throttle
	if s.throttle.remaining > 0 {
		s.throttle.remaining--
	}
	s.mu.Unlock()
	if th.remaining > 0 {
		// Throttled answers carry Retry-After in seconds ("Microsoft Graph
		// throttling guidance", learn.microsoft.com/graph/throttling).
		w.Header().Set("Retry-After", th.retryAfter)
		code := "TooManyRequests"
		if th.status == http.StatusServiceUnavailable {
			code = "serviceNotAvailable"
		}
		graphError(w, r, th.status, code, "Too many requests. Retry after %s seconds.", th.retryAfter)
		return
	}
	f := s.src.Snapshot()
	c, ok := s.graphAuth(w, r, f)
	if !ok {
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "organization":
		if s.allowed(w, r, c, "Organization.Read.All", "Directory.Read.All") {
			s.organization(w, c.tenant)
		}
	case len(parts) >= 2 && parts[0] == "users":
		if !s.allowed(w, r, c, "User.Read.All", "Directory.Read.All") {
			return
		}
		u := graphUser(c.tenant, parts[1])
		if u == nil {
			graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound",
				"Resource '%s' does not exist or one of its queried reference-property objects are not present.", parts[1])
			return
		}
		switch {
		case len(parts) == 2:
			s.user(w, r, c.tenant, u)
		case len(parts) == 4 && parts[2] == "memberOf" && parts[3] == "microsoft.graph.directoryRole":
			s.directoryRoles(w, c.tenant, u)
		case len(parts) == 3 && parts[2] == "licenseDetails":
			s.licenseDetails(w, c.tenant, u)
		default:
			graphError(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '%s'.", parts[len(parts)-1])
		}
	case len(parts) == 1 && parts[0] == "sites":
		if s.allowed(w, r, c, "Sites.Read.All") {
			s.sites(w, r, c.tenant)
		}
	case len(parts) == 1 && parts[0] == "groups":
		if s.allowed(w, r, c, "Group.Read.All", "Directory.Read.All") {
			s.listGroups(w, r, c.tenant)
		}
	default:
		graphError(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '%s'.", parts[0])
	}
}

// graphAuth verifies the bearer token: signed by the simulator, not
// expired, for Graph, of a known tenant.
func (s *Sim) graphAuth(w http.ResponseWriter, r *http.Request, f directory.File) (graphCaller, bool) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return graphCaller{}, false
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &s.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired())
	if err != nil {
		graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience or signature.")
		return graphCaller{}, false
	}
	aud, _ := claims["aud"].(string)
	if aud != "https://graph.microsoft.com" && aud != "https://graph.microsoft.us" {
		graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
		return graphCaller{}, false
	}
	tid, _ := claims["tid"].(string)
	t := findTenant(f, tid)
	if t == nil {
		graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "The tenant of the token does not exist.")
		return graphCaller{}, false
	}
	c := graphCaller{tenant: t, app: claims["idtyp"] == "app"}
	if roles, ok := claims["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				c.roles = append(c.roles, s)
			}
		}
	}
	return c, true
}

// allowed checks that an app-only token holds one of the application
// permissions the call needs (each API page's "Permissions" table);
// delegated tokens are judged by the signed-in user's own access, which the
// simulator grants.
func (s *Sim) allowed(w http.ResponseWriter, r *http.Request, c graphCaller, roles ...string) bool {
	if !c.app || slices.ContainsFunc(roles, func(x string) bool { return slices.Contains(c.roles, x) }) {
		return true
	}
	graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	return false
}

// organization serves GET /organization: a collection of one organization
// with id, displayName and verifiedDomains (each with name, isInitial,
// isDefault, type, capabilities) — "organization resource type",
// learn.microsoft.com/graph/api/resources/organization and
// verifiedDomain, learn.microsoft.com/graph/api/resources/verifieddomain.
func (s *Sim) organization(w http.ResponseWriter, t *directory.TenantData) {
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": s.GraphURL() + "/v1.0/$metadata#organization",
		"value": []map[string]any{{
			"id": t.TenantID, "displayName": t.DisplayName, "tenantType": "AAD",
			"verifiedDomains": []map[string]any{{
				"name": t.Domain, "isInitial": true, "isDefault": true, "type": "Managed",
				"capabilities": "Email, OfficeCommunicationsOnline",
			}},
		}},
	})
}

// guestUPN is the user principal name Entra gives an invited guest:
// the address with @ replaced by _, then #EXT#@ and the inviting tenant's
// initial domain ("Properties of a Microsoft Entra B2B collaboration user",
// learn.microsoft.com/entra/external-id/user-properties).
func guestUPN(login, tenantDomain string) string {
	return strings.ReplaceAll(login, "@", "_") + "#EXT#@" + tenantDomain
}

// graphUser finds a user of t by object id or user principal name. Guests
// are found by their #EXT# name, not by their home address, as in Entra.
func graphUser(t *directory.TenantData, key string) *directory.UserData {
	key, _ = url.PathUnescape(key)
	for i := range t.Users {
		u := &t.Users[i]
		upn := u.Login
		if u.External {
			upn = guestUPN(u.Login, t.Domain)
		}
		if strings.EqualFold(key, upn) || strings.EqualFold(key, UserID(t.TenantID, u.Login)) {
			return u
		}
	}
	return nil
}

// user serves GET /users/{id | userPrincipalName} ("Get user",
// learn.microsoft.com/graph/api/user-get). Without $select Graph returns a
// default set of properties that lacks accountEnabled and userType; with
// $select, exactly the selected ones.
func (s *Sim) user(w http.ResponseWriter, r *http.Request, t *directory.TenantData, u *directory.UserData) {
	upn, userType := u.Login, "Member"
	if u.External {
		upn, userType = guestUPN(u.Login, t.Domain), "Guest"
	}
	all := map[string]any{
		"id": UserID(t.TenantID, u.Login), "userPrincipalName": upn, "displayName": u.DisplayName,
		"mail": u.Login, "userType": userType, "accountEnabled": enabled(u),
		"businessPhones": []string{}, "givenName": nil, "surname": nil, "jobTitle": nil,
	}
	out := map[string]any{"@odata.context": s.GraphURL() + "/v1.0/$metadata#users/$entity"}
	sel := r.URL.Query().Get("$select")
	if sel == "" {
		for _, k := range []string{"id", "userPrincipalName", "displayName", "mail", "businessPhones", "givenName", "surname", "jobTitle"} {
			out[k] = all[k]
		}
	} else {
		for _, k := range strings.Split(sel, ",") {
			if v, ok := all[strings.TrimSpace(k)]; ok {
				out[strings.TrimSpace(k)] = v
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// directoryRoles serves GET /users/{id}/memberOf/microsoft.graph.directoryRole,
// the activated directory roles the user is a direct member of ("List a
// user's direct memberships", learn.microsoft.com/graph/api/user-list-memberof,
// cast to directoryRole, learn.microsoft.com/graph/api/resources/directoryrole).
func (s *Sim) directoryRoles(w http.ResponseWriter, t *directory.TenantData, u *directory.UserData) {
	roles := []map[string]any{}
	for _, r := range u.Roles {
		if rt, ok := roleTemplates[r]; ok {
			roles = append(roles, map[string]any{
				"@odata.type": "#microsoft.graph.directoryRole",
				"id":          uuid.NewSHA1(uuid.NameSpaceURL, []byte(t.TenantID+"/role/"+rt.id)).String(),
				"displayName": rt.name, "roleTemplateId": rt.id,
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": s.GraphURL() + "/v1.0/$metadata#directoryObjects/microsoft.graph.directoryRole",
		"value":          roles,
	})
}

// licenseDetails serves GET /users/{id}/licenseDetails ("List
// licenseDetails", learn.microsoft.com/graph/api/user-list-licensedetails;
// servicePlanInfo, learn.microsoft.com/graph/api/resources/serviceplaninfo).
func (s *Sim) licenseDetails(w http.ResponseWriter, t *directory.TenantData, u *directory.UserData) {
	value := []map[string]any{}
	if len(u.Licenses) > 0 {
		plans := []map[string]any{{"servicePlanId": exchangeFoundationPlan, "servicePlanName": "EXCHANGE_S_FOUNDATION",
			"provisioningStatus": "Success", "appliesTo": "Company"}}
		for _, l := range u.Licenses {
			if p, ok := servicePlans[l]; ok {
				plans = append(plans, map[string]any{"servicePlanId": p.id, "servicePlanName": p.name,
					"provisioningStatus": "Success", "appliesTo": "User"})
			}
		}
		value = append(value, map[string]any{
			"id":    UserID(t.TenantID, u.Login) + "-sku",
			"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "skuPartNumber": "ENTERPRISEPACK",
			"servicePlans": plans,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": s.GraphURL() + "/v1.0/$metadata#users('" + UserID(t.TenantID, u.Login) + "')/licenseDetails",
		"value":          value,
	})
}

// sites serves GET /sites?$filter=siteCollection/root ne null, which lists
// the root site of every geo location; on a multi-geo tenant each carries
// siteCollection.dataLocationCode ("Discover a Multi-Geo tenant
// configuration", learn.microsoft.com/sharepoint/dev/solution-guidance/multigeo-discovery;
// siteCollection, learn.microsoft.com/graph/api/resources/sitecollection).
func (s *Sim) sites(w http.ResponseWriter, r *http.Request, t *directory.TenantData) {
	if r.URL.Query().Get("$filter") != "siteCollection/root ne null" {
		graphError(w, r, http.StatusBadRequest, "invalidRequest", "The simulator lists root sites only: $filter=siteCollection/root ne null.")
		return
	}
	prefix, _, _ := strings.Cut(t.Domain, ".")
	suffix := "sharepoint.com"
	if t.Environment == "us_government" {
		suffix = "sharepoint.us"
	}
	site := func(host, geo string) map[string]any {
		sc := map[string]any{"hostname": host, "root": map[string]any{}}
		if geo != "" {
			sc["dataLocationCode"] = geo
		}
		return map[string]any{"id": host + "," + uuid.NewSHA1(uuid.NameSpaceURL, []byte(host)).String(),
			"webUrl": "https://" + host, "siteCollection": sc}
	}
	value := []map[string]any{}
	if !t.MultiGeo {
		value = append(value, site(prefix+"."+suffix, ""))
	}
	for i, g := range t.GeoLocations {
		host := prefix + "." + suffix
		if i > 0 {
			// Satellite geos have their own host: <prefix><GEO>.sharepoint.com.
			host = prefix + strings.ToLower(g.Code) + "." + suffix
		}
		value = append(value, site(host, g.Code))
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": s.GraphURL() + "/v1.0/$metadata#sites", "value": value})
}

// listGroups serves GET /groups with $filter=groupTypes/any(c:c eq
// 'Unified'), $select, $top, $count and paging: a page holds $top groups
// (100 by default, at most 999) and @odata.nextLink, an absolute URL with a
// $skiptoken, while more remain ("List groups",
// learn.microsoft.com/graph/api/group-list; "Paging Microsoft Graph data",
// learn.microsoft.com/graph/paging; $count needs the ConsistencyLevel:
// eventual header, "Advanced query capabilities on Microsoft Entra ID
// objects", learn.microsoft.com/graph/aad-advanced-queries).
func (s *Sim) listGroups(w http.ResponseWriter, r *http.Request, t *directory.TenantData) {
	q := r.URL.Query()
	count := q.Get("$count") == "true"
	if count && r.Header.Get("ConsistencyLevel") != "eventual" {
		graphError(w, r, http.StatusBadRequest, "Request_BadRequest",
			"$count is not supported on this resource without the ConsistencyLevel:eventual header.")
		return
	}
	if f := q.Get("$filter"); f != "" && f != "groupTypes/any(c:c eq 'Unified')" {
		graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported query: %s.", f)
		return
	}
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v)
			return
		}
		top = n
	}
	skip := 0
	if v := q.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "sim"))
		if err != nil || n < 0 {
			graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The $skiptoken is not valid.")
			return
		}
		skip = n
	}
	s.mu.Lock()
	all := append([]Group(nil), s.groups[t.TenantID]...)
	s.mu.Unlock()
	end := min(skip+top, len(all))
	value := []map[string]any{}
	for _, g := range all[min(skip, len(all)):end] {
		value = append(value, map[string]any{"id": g.ID, "displayName": g.DisplayName,
			"groupTypes": []string{"Unified"}, "preferredDataLocation": nilIfEmpty(g.PreferredDataLocation)})
	}
	out := map[string]any{"@odata.context": s.GraphURL() + "/v1.0/$metadata#groups", "value": value}
	if count {
		out["@odata.count"] = len(all)
	}
	if end < len(all) {
		next := *r.URL
		nq := next.Query()
		nq.Set("$skiptoken", "sim"+strconv.Itoa(end))
		next.RawQuery = nq.Encode()
		out["@odata.nextLink"] = s.srv.URL + next.Path + "?" + next.RawQuery
	}
	writeJSON(w, http.StatusOK, out)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
