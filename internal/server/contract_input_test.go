package server_test

// The input the service must refuse, driven by api/openapi.yaml: every
// writable string of every JSON request body, every path parameter and
// every query parameter of the API gets text no field may hold, and must be
// refused with a 4xx that names it, with nothing stored. The document, not
// this file, lists what is sent, so a field or operation added to the API
// is covered without a change here (an operation without a valid body below
// fails the test).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/apitest"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// textField is one writable string of a request body, by its JSON path
// ("appProfiles[0].impersonationUser"; list items as element 0).
type textField struct {
	path      string
	maxLength int // 0: none in the document (an enum)
	multiline bool
}

// textFields lists the writable strings of a request schema.
func textFields(s *openapi3.Schema, path string) []textField {
	switch {
	case s.ReadOnly:
		return nil
	case s.Type.Is(openapi3.TypeString):
		f := textField{path: path}
		if s.MaxLength != nil {
			f.maxLength = int(*s.MaxLength)
		}
		f.multiline, _ = s.Extensions["x-aos-multiline"].(bool)
		return []textField{f}
	case s.Type.Is(openapi3.TypeArray):
		return textFields(s.Items.Value, path+"[0]")
	case s.Type.Is(openapi3.TypeObject):
		var out []textField
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := name
			if path != "" {
				p = path + "." + name
			}
			out = append(out, textFields(s.Properties[name].Value, p)...)
		}
		return out
	}
	return nil
}

// badText is one kind of text no field may hold, as the JSON literal sent.
type badText struct {
	name string
	json func(f textField) string
	// singleLine cases are sent to single-line fields only.
	singleLine bool
}

var badTexts = []badText{
	{name: "NUL", json: func(textField) string { return `"ab\u0000cd"` }},
	{name: "escape", json: func(textField) string { return `"ab\u001b[31mcd"` }},
	{name: "bell", json: func(textField) string { return `"ab\u0007"` }},
	{name: "DEL", json: func(textField) string { return "\"ab\x7fcd\"" }},
	{name: "C1 control", json: func(textField) string { return `"ab\u0085cd"` }},
	{name: "line break", json: func(textField) string { return `"ab\ncd"` }, singleLine: true},
	{name: "invalid UTF-8", json: func(textField) string { return "\"ab\xff\xfecd\"" }},
	{name: "lone surrogate", json: func(textField) string { return `"ab\ud800cd"` }},
	{name: "over maxLength", json: func(f textField) string {
		n := f.maxLength
		if n == 0 {
			n = domain.TextMaxLength
		}
		return `"` + strings.Repeat("a", n+1) + `"`
	}},
}

// base is a valid request of an operation: sending it as it is succeeds
// (when sane is set; some cannot succeed in this test, such as an Amazon
// role verification without STS), so a refusal of it with one bad field is
// that field's.
type base struct {
	path string
	body map[string]any
	sane bool
	// undo removes what the valid request created (creates only).
	undo func(t *testing.T, r *reply)
}

// contractFixture is the data the valid requests refer to.
type contractFixture struct {
	e                            *env
	tok                          string
	tenant, amazon               string
	custom, pfxApp, delegated    string
	sa, mfaSA, conn, modernConn  string
	partner                      string
	certPEM, pfx                 string
	clientID, pfxPassword, leePw string
	// lists are the list endpoints whose answers snapshot compares.
	lists []string
}

func newContractFixture(t *testing.T, e *env) *contractFixture {
	t.Helper()
	c := e.c
	f := &contractFixture{e: e, tok: e.token(t, e.in.ClientID, e.in.ClientSecret, ""),
		clientID: "6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7", pfxPassword: "pfx-pass", leePw: "Lee#Contract24"}
	cert := validCert(t, "contract custom app")
	f.certPEM, f.pfx = cert.bundle(), cert.pfx(t, f.pfxPassword)
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	f.tenant = tn.ID
	f.amazon = must[domain.Tenant](t)(c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon})).ID
	f.custom = appProfile(t, c, domain.AppProfileWrite{Name: ptr("custom fixture"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
		ConsentMethod: ptr("admin"), ClientID: ptr(f.clientID), Certificate: ptr(f.certPEM), ImpersonationUser: ptr(adele)}, contosoAdmin).ID
	f.pfxApp = appProfile(t, c, domain.AppProfileWrite{Name: ptr("pfx fixture"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
		ClientID: ptr(f.clientID), Certificate: ptr(f.pfx), CertificatePassword: ptr(f.pfxPassword)}, contosoAdmin).ID
	f.delegated = appProfile(t, c, domain.AppProfileWrite{Name: ptr("delegated fixture"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp),
		Functions: &[]string{"protect_power_bi"}}, contosoAdmin).ID
	f.sa = serviceAccount(t, c, tn.ID, "sa fixture", svcBackup, svcBackupPw).ID
	f.mfaSA = must[domain.ServiceAccount](t)(c.CreateServiceAccount(ctxb, domain.ServiceAccountWrite{Name: ptr("mfa fixture"), TenantID: &tn.ID,
		Services: &[]string{domain.ServiceFly}, Username: ptr(spAdmin), Mfa: ptr(true), AppPassword: ptr(spAdminAppPw), SharePointAdminCenterURL: ptr(spAdminURL)})).ID
	f.conn = must[domain.Connection](t)(c.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("conn fixture"), Type: ptr("microsoft_365_groups"), TenantID: &tn.ID,
		AppProfiles: &[]domain.ConnectionAppProfile{{ID: f.custom}}, ServiceAccountAuthentication: ptr("legacy"), ServiceAccountIDs: &[]string{f.sa}})).ID
	f.modernConn = must[domain.Connection](t)(c.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("modern fixture"), Type: ptr("microsoft_365_groups"), TenantID: &tn.ID,
		AppProfiles: &[]domain.ConnectionAppProfile{{ID: f.custom}}, ServiceAccountAuthentication: ptr("modern"), DelegatedAppProfileIDs: &[]string{f.delegated}})).ID
	pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("partner fixture")}))
	if err := c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
		t.Fatal(err)
	}
	f.partner = pp.ID
	if _, err := c.AddPartnerUser(ctxb, pp.ID, adele, "user"); err != nil {
		t.Fatal(err)
	}
	f.lists = []string{"/v1/tenants", "/v1/app-profiles", "/v1/partner-app-profiles", "/v1/service-accounts", "/v1/connections",
		"/v1/partner-app-profiles/" + pp.ID + "/users"}
	return f
}

// snapshot is everything the API lists, byte for byte: a refused request
// must leave it as it was.
func (f *contractFixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range f.lists {
		r := f.e.do(t, http.MethodGet, p+"?top=100", f.tok, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d %s", p, r.status, r.body)
		}
		b.WriteString(p + "\n")
		b.Write(r.body)
		b.WriteString("\n")
	}
	return b.String()
}

// deleteCreated undoes a create by DELETE on its Location.
func (f *contractFixture) deleteCreated(t *testing.T, r *reply) {
	t.Helper()
	loc := r.header.Get("Location")
	if loc == "" {
		t.Fatalf("created without a Location: %s", r.body)
	}
	if d := f.e.do(t, http.MethodDelete, loc, f.tok, nil); d.status != http.StatusNoContent {
		t.Fatalf("DELETE %s: HTTP %d %s", loc, d.status, d.body)
	}
}

// bases are the valid requests per operationId; a field is tried in the
// first base that has it.
func (f *contractFixture) bases() map[string][]base {
	undo := f.deleteCreated
	conn := func(name, auth string) map[string]any {
		m := map[string]any{"name": name, "type": "microsoft_365_groups", "tenantId": f.tenant,
			"appProfiles": []any{map[string]any{"id": f.custom, "impersonationUser": adele}}, "serviceAccountAuthentication": auth}
		if auth == "legacy" {
			m["geoLocation"], m["containerId"], m["serviceAccountIds"] = "EUR", "ctr-contoso-groups-eur", []any{f.sa}
		} else {
			m["delegatedAppProfileIds"] = []any{f.delegated}
		}
		return m
	}
	custom := func(name string) map[string]any {
		return map[string]any{"name": name, "tenantId": f.tenant, "type": domain.AppTypeCustomAzureApp, "consentMethod": "admin",
			"clientId": f.clientID, "certificate": f.certPEM, "impersonationUser": adele}
	}
	pfx := func(name string) map[string]any {
		return map[string]any{"name": name, "tenantId": f.tenant, "type": domain.AppTypeCustomAzureApp, "clientId": f.clientID,
			"certificate": f.pfx, "certificatePassword": f.pfxPassword}
	}
	delegated := func(name string) map[string]any {
		return map[string]any{"name": name, "tenantId": f.tenant, "type": domain.AppTypeDelegatedApp, "functions": []any{"protect_power_bi"}}
	}
	sa := func(name string) map[string]any {
		return map[string]any{"name": name, "description": "two\nlines", "tenantId": f.tenant, "services": []any{domain.ServiceFly},
			"username": svcBackup, "password": svcBackupPw}
	}
	mfa := func(name string) map[string]any {
		return map[string]any{"name": name, "tenantId": f.tenant, "services": []any{domain.ServiceFly}, "username": spAdmin,
			"mfa": true, "appPassword": spAdminAppPw, "sharePointAdminCenterUrl": spAdminURL}
	}
	return map[string][]base{
		"createTenant": {
			{path: "/v1/tenants", sane: true, undo: undo, body: map[string]any{"platform": "microsoft", "domain": fabrikam, "environment": "commercial",
				"sharePointAdminCenterUrl": "https://fabrikam-admin.sharepoint.com"}},
			{path: "/v1/tenants", sane: true, undo: undo, body: map[string]any{"platform": "amazon", "environment": "commercial", "roleName": "AosContractRole"}},
		},
		"updateTenant": {{path: "/v1/tenants/" + f.tenant, sane: true, body: map[string]any{"sharePointAdminCenterUrl": spAdminURL}}},
		// No STS endpoint here: the valid request is refused as not
		// assumable, after every field was checked.
		"validateTenant": {{path: "/v1/tenants/" + f.amazon + "/validate", body: map[string]any{
			"roleArn": "arn:aws:iam::123456789012:role/AWSTenantAdminRole", "accountAlias": "contoso-prod", "permissionsVersion": 1}}},
		"createAppProfile": {
			{path: "/v1/app-profiles", sane: true, undo: undo, body: custom("contract custom")},
			{path: "/v1/app-profiles", sane: true, undo: undo, body: pfx("contract pfx")},
			{path: "/v1/app-profiles", sane: true, undo: undo, body: delegated("contract delegated")},
		},
		"updateAppProfile": {
			{path: "/v1/app-profiles/" + f.custom, sane: true, body: custom("custom fixture")},
			{path: "/v1/app-profiles/" + f.pfxApp, sane: true, body: pfx("pfx fixture")},
			{path: "/v1/app-profiles/" + f.delegated, sane: true, body: delegated("delegated fixture")},
		},
		"createPartnerAppProfile": {{path: "/v1/partner-app-profiles", sane: true, undo: undo, body: map[string]any{"name": "contract partner", "cloud": "global"}}},
		"updatePartnerAppProfile": {{path: "/v1/partner-app-profiles/" + f.partner, sane: true, body: map[string]any{"name": "partner fixture", "cloud": "global"}}},
		"addPartnerUser": {{path: "/v1/partner-app-profiles/" + f.partner + "/users", sane: true, undo: undo,
			body: map[string]any{"principal": "lee@contoso.onmicrosoft.com", "kind": "user"}}},
		"createServiceAccount": {
			{path: "/v1/service-accounts", sane: true, undo: undo, body: sa("contract sa")},
			{path: "/v1/service-accounts", sane: true, undo: undo, body: mfa("contract mfa")},
		},
		"updateServiceAccount": {
			{path: "/v1/service-accounts/" + f.sa, sane: true, body: sa("sa fixture")},
			{path: "/v1/service-accounts/" + f.mfaSA, sane: true, body: mfa("mfa fixture")},
		},
		"createConnection": {
			{path: "/v1/connections", sane: true, undo: undo, body: conn("contract conn", "legacy")},
			{path: "/v1/connections", sane: true, undo: undo, body: conn("contract modern", "modern")},
		},
		"updateConnection": {
			{path: "/v1/connections/" + f.conn, sane: true, body: conn("conn fixture", "legacy")},
			{path: "/v1/connections/" + f.modernConn, sane: true, body: conn("modern fixture", "modern")},
		},
		// The dev operations would consent or expire a fixture; their
		// valid requests are not sent.
		"devConsent":               {{path: "/dev/v1/consent", body: map[string]any{"objectId": f.amazon, "login": contosoAdmin}}},
		"devUpdateDirectoryUser":   {{path: "/dev/v1/directory/users/" + url.PathEscape(lee), sane: true, body: map[string]any{"password": f.leePw}}},
		"devUpdateDirectoryTenant": {{path: "/dev/v1/directory/tenants/" + fabrikam, sane: true, body: map[string]any{"legacyAuthBlocked": false}}},
		"devExpireAuthorization":   {{path: "/dev/v1/expire-authorization", body: map[string]any{"objectId": f.delegated}}},
	}
}

// hasPath reports whether body holds a value at a field path.
func hasPath(body any, path string) bool {
	cur := body
	for _, seg := range pathSegments(path) {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg.key]
			if !ok {
				return false
			}
			cur = next
		default:
			return false
		}
		for range seg.indexes {
			arr, ok := cur.([]any)
			if !ok || len(arr) == 0 {
				return false
			}
			cur = arr[0]
		}
	}
	return true
}

// setPath replaces the value at a field path (element 0 of lists) that
// hasPath found.
func setPath(t *testing.T, body map[string]any, path string, value any) {
	t.Helper()
	segs := pathSegments(path)
	cur := any(body)
	for i, seg := range segs {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("%s: %v is not an object", path, cur)
		}
		last := i == len(segs)-1
		if len(seg.indexes) == 0 {
			if last {
				m[seg.key] = value
				return
			}
			cur = m[seg.key]
			continue
		}
		arr, ok := m[seg.key].([]any)
		if !ok || len(arr) == 0 {
			t.Fatalf("%s: %v is not a list with an element", path, m[seg.key])
		}
		if last {
			arr[0] = value
			return
		}
		cur = arr[0]
	}
}

type pathSegment struct {
	key     string
	indexes []int
}

var indexPattern = regexp.MustCompile(`\[(\d+)\]`)

func pathSegments(path string) []pathSegment {
	var out []pathSegment
	for _, part := range strings.Split(path, ".") {
		key, _, _ := strings.Cut(part, "[")
		seg := pathSegment{key: key}
		for _, m := range indexPattern.FindAllStringSubmatch(part, -1) {
			n, _ := strconv.Atoi(m[1])
			seg.indexes = append(seg.indexes, n)
		}
		out = append(out, seg)
	}
	return out
}

// cloneBody deep-copies a JSON body.
func cloneBody(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// namesField reports whether an error reply names field in its details.
func namesField(r *reply, field string) bool {
	var eb domain.ErrorBody
	if json.Unmarshal(r.body, &eb) != nil || eb.Error == nil {
		return false
	}
	return slices.ContainsFunc(eb.Error.Details, func(d domain.Detail) bool { return d.Field == field })
}

// docOperation is one operation of the document.
type docOperation struct {
	id, method, path string
	op               *openapi3.Operation
	params           openapi3.Parameters
}

func documentOperations(t *testing.T) []docOperation {
	t.Helper()
	doc := apitest.Validator(t).Doc()
	var out []docOperation
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			params := slices.Clone(item.Parameters)
			params = append(params, op.Parameters...)
			out = append(out, docOperation{id: op.OperationID, method: method, path: path, op: op, params: params})
		}
	}
	slices.SortFunc(out, func(a, b docOperation) int { return strings.Compare(a.id, b.id) })
	return out
}

// TestContractInputRefused is the contract-driven input test.
func TestContractInputRefused(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		f := newContractFixture(t, e)
		bases := f.bases()
		ops, fields, cases := 0, 0, 0
		for _, op := range documentOperations(t) {
			if op.op.RequestBody == nil || op.op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			schema := op.op.RequestBody.Value.Content.Get("application/json").Schema.Value
			tf := textFields(schema, "")
			if len(tf) == 0 {
				continue
			}
			bs, ok := bases[op.id]
			if !ok {
				t.Errorf("%s: no valid request for this operation; add one to contractFixture.bases", op.id)
				continue
			}
			ops++
			for _, b := range bs {
				if !b.sane {
					continue
				}
				r := e.do(t, op.method, b.path, f.tok, b.body)
				if r.status >= 300 {
					t.Fatalf("%s: the valid request %s %s was refused: HTTP %d %s", op.id, op.method, b.path, r.status, r.body)
				}
				if b.undo != nil {
					b.undo(t, r)
				}
			}
			before := f.snapshot(t)
			for _, field := range tf {
				i := slices.IndexFunc(bs, func(b base) bool { return hasPath(b.body, field.path) })
				if i < 0 {
					t.Errorf("%s: no valid request has %s; add it to one in contractFixture.bases", op.id, field.path)
					continue
				}
				fields++
				for _, bad := range badTexts {
					if bad.singleLine && field.multiline {
						continue
					}
					cases++
					body := cloneBody(t, bs[i].body)
					const mark = "@@bad-value@@"
					setPath(t, body, field.path, mark)
					raw, err := json.Marshal(body)
					if err != nil {
						t.Fatal(err)
					}
					raw = bytes.Replace(raw, []byte(`"`+mark+`"`), []byte(bad.json(field)), 1)
					r := e.do(t, op.method, bs[i].path, f.tok, raw)
					if r.status < 400 || r.status >= 500 || !namesField(r, field.path) {
						t.Errorf("%s %s, %s: want a 4xx naming %s, got HTTP %d %s", op.id, field.path, bad.name, field.path, r.status, truncate(r.body))
					}
					if after := f.snapshot(t); after != before {
						t.Errorf("%s %s, %s: the refused request changed what is stored", op.id, field.path, bad.name)
						before = after
					}
				}
			}
		}
		params, paramCases := checkParameters(t, f)
		t.Logf("sent %d cases to %d writable string fields of %d operations, and %d cases to %d path and query parameters",
			cases, fields, ops, paramCases, params)
		if ops < 12 || fields < 60 {
			t.Errorf("only %d operations and %d fields were found in api/openapi.yaml; the walk is broken", ops, fields)
		}
	})
}

// checkParameters sends every path parameter of every operation, and every
// string query parameter of the operations under /v1 and /dev/v1, text no
// parameter may hold: a 400 naming the parameter, nothing stored.
func checkParameters(t *testing.T, f *contractFixture) (params, cases int) {
	t.Helper()
	before := f.snapshot(t)
	values := []struct{ name, raw string }{
		{"NUL", "ab%00cd"}, {"escape", "ab%1Bcd"}, {"invalid UTF-8", "ab%FFcd"}, {"DEL", "ab%7F"},
	}
	for _, op := range documentOperations(t) {
		for _, p := range op.params {
			pv := p.Value
			if pv.Schema == nil || !pv.Schema.Value.Type.Is(openapi3.TypeString) {
				continue
			}
			if pv.In != openapi3.ParameterInPath && (pv.In != openapi3.ParameterInQuery ||
				!strings.HasPrefix(op.path, "/v1/") && !strings.HasPrefix(op.path, "/dev/v1/")) {
				continue
			}
			params++
			long := domain.TextMaxLength
			if pv.Schema.Value.MaxLength != nil {
				long = int(*pv.Schema.Value.MaxLength)
			}
			sends := append(slices.Clone(values), struct{ name, raw string }{"over maxLength", strings.Repeat("a", long+1)})
			for _, v := range sends {
				cases++
				target := op.path
				for _, other := range op.params {
					if other.Value.In != openapi3.ParameterInPath {
						continue
					}
					val := "x"
					if other.Value.Name == "platform" {
						val = domain.PlatformMicrosoft
					}
					if other.Value.Name == pv.Name {
						val = v.raw
					}
					target = strings.Replace(target, "{"+other.Value.Name+"}", val, 1)
				}
				if pv.In == openapi3.ParameterInQuery {
					target += "?" + pv.Name + "=" + v.raw
				}
				var body any
				if op.method == http.MethodPost || op.method == http.MethodPatch {
					body = "{}"
				}
				r := f.e.do(t, op.method, target, f.tok, body)
				if r.status != http.StatusBadRequest || !namesField(r, pv.Name) {
					t.Errorf("%s %s (%s), %s: want 400 naming %s, got HTTP %d %s", op.id, pv.Name, pv.In, v.name, pv.Name, r.status, truncate(r.body))
				}
			}
		}
	}
	if after := f.snapshot(t); after != before {
		t.Errorf("refused parameters changed what is stored")
	}
	return params, cases
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%s... (%d bytes)", b[:300], len(b))
	}
	return string(b)
}

// allFields lists the property paths of a request schema, of any type
// (list items as element 0).
func allFields(s *openapi3.Schema, path string) []string {
	var out []string
	if path != "" {
		out = append(out, path)
	}
	switch {
	case s.Type.Is(openapi3.TypeArray):
		out = append(out, allFields(s.Items.Value, path+"[0]")...)
	case s.Type.Is(openapi3.TypeObject):
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := name
			if path != "" {
				p = path + "." + name
			}
			out = append(out, allFields(s.Properties[name].Value, p)...)
		}
	}
	return out
}

// hostileValues are JSON values of every type that a field of any type
// gets in TestContractHostileValuesNever5xx.
var hostileValues = []string{
	`99999999999999999999999`, `-9223372036854775809`, `1e400`, `-1`, `0.5`, `true`, `null`, `""`, `[]`, `{}`,
	`[null]`, `[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]`, strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000),
	`"` + strings.Repeat("\\u0000", 1000) + `"`, `["` + strings.Repeat("x", 5000) + `"]`, `{"id":"\u0000","x":1}`,
}

// TestContractHostileValuesNever5xx sends every field of every JSON
// request body of api/openapi.yaml values of every JSON type (numbers too
// large for any integer, nesting, nulls, NUL-filled strings, ...), on both
// stores: whatever the outcome, it is never a 5xx.
func TestContractHostileValuesNever5xx(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		f := newContractFixture(t, e)
		bases := f.bases()
		sent := 0
		for _, op := range documentOperations(t) {
			if op.op.RequestBody == nil || op.op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			bs := bases[op.id]
			if len(bs) == 0 {
				continue
			}
			schema := op.op.RequestBody.Value.Content.Get("application/json").Schema.Value
			for _, field := range allFields(schema, "") {
				i := slices.IndexFunc(bs, func(b base) bool { return hasPath(b.body, field) })
				if i < 0 {
					continue
				}
				for _, v := range hostileValues {
					body := cloneBody(t, bs[i].body)
					const mark = "@@hostile-value@@"
					setPath(t, body, field, mark)
					raw, err := json.Marshal(body)
					if err != nil {
						t.Fatal(err)
					}
					raw = bytes.Replace(raw, []byte(`"`+mark+`"`), []byte(v), 1)
					sent++
					if r := e.do(t, op.method, bs[i].path, f.tok, raw); r.status >= 500 {
						t.Errorf("%s %s = %s: HTTP %d %s", op.id, field, truncate([]byte(v)), r.status, truncate(r.body))
					}
				}
			}
		}
		t.Logf("sent %d hostile values; none answered with a 5xx", sent)
	})
}
