package api_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aos-dev/terraform-provider-aos/api"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := api.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSpecLoadsAndValidates(t *testing.T) {
	if len(api.Spec()) == 0 {
		t.Fatal("Spec() is empty")
	}
	doc := load(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Spec returns a copy.
	s := api.Spec()
	s[0] = 'X'
	if api.Spec()[0] == 'X' {
		t.Error("Spec() returns the embedded slice itself")
	}
}

type route struct {
	method, path string
	auth         bool // bearer token required
	dev          bool // exists only under aosd dev
}

// routes is the route table of /tmp/routes.md (the lead's decision). The
// document must describe exactly these operations.
var routes = []route{
	{"POST", "/connect/token", false, false},
	{"GET", "/healthz", false, false},

	{"GET", "/v1/tenants", true, false},
	{"POST", "/v1/tenants", true, false},
	{"GET", "/v1/tenants/{id}", true, false},
	{"PATCH", "/v1/tenants/{id}", true, false},
	{"DELETE", "/v1/tenants/{id}", true, false},
	{"POST", "/v1/tenants/{id}/reconnect", true, false},
	{"POST", "/v1/tenants/{id}/validate", true, false},
	{"GET", "/v1/tenants/{id}/containers", true, false},
	{"GET", "/v1/tenants/{id}/geo-locations", true, false},
	{"GET", "/v1/platforms/{platform}/permissions", true, false},

	{"GET", "/v1/app-profiles", true, false},
	{"POST", "/v1/app-profiles", true, false},
	{"GET", "/v1/app-profiles/{id}", true, false},
	{"PATCH", "/v1/app-profiles/{id}", true, false},
	{"DELETE", "/v1/app-profiles/{id}", true, false},
	{"POST", "/v1/app-profiles/{id}/reauthorize", true, false},

	{"GET", "/v1/partner-app-profiles", true, false},
	{"POST", "/v1/partner-app-profiles", true, false},
	{"GET", "/v1/partner-app-profiles/{id}", true, false},
	{"PATCH", "/v1/partner-app-profiles/{id}", true, false},
	{"DELETE", "/v1/partner-app-profiles/{id}", true, false},
	{"POST", "/v1/partner-app-profiles/{id}/reauthorize", true, false},
	{"GET", "/v1/partner-app-profiles/{id}/users", true, false},
	{"POST", "/v1/partner-app-profiles/{id}/users", true, false},
	{"DELETE", "/v1/partner-app-profiles/{id}/users/{userId}", true, false},

	{"GET", "/v1/service-accounts", true, false},
	{"POST", "/v1/service-accounts", true, false},
	{"GET", "/v1/service-accounts/{id}", true, false},
	{"PATCH", "/v1/service-accounts/{id}", true, false},
	{"DELETE", "/v1/service-accounts/{id}", true, false},
	{"POST", "/v1/service-accounts/{id}/validate", true, false},

	{"GET", "/v1/connections", true, false},
	{"POST", "/v1/connections", true, false},
	{"GET", "/v1/connections/{id}", true, false},
	{"PATCH", "/v1/connections/{id}", true, false},
	{"DELETE", "/v1/connections/{id}", true, false},

	{"GET", "/dev/consent", false, true},
	{"POST", "/dev/consent", false, true},
	{"POST", "/dev/v1/consent", true, true},
	{"PATCH", "/dev/v1/directory/users/{login}", true, true},
	{"PATCH", "/dev/v1/directory/tenants/{domain}", true, true},
	{"POST", "/dev/v1/expire-authorization", true, true},
	{"POST", "/dev/v1/platforms/{platform}/permissions/bump", true, true},

	{"GET", "/consent/callback/{platform}", false, false},
}

func TestEveryRouteIsDocumented(t *testing.T) {
	doc := load(t)
	want := map[string]route{}
	for _, r := range routes {
		key := r.method + " " + r.path
		want[key] = r
		item := doc.Paths.Find(r.path)
		if item == nil || doc.Paths.Value(r.path) == nil {
			t.Errorf("%s: path missing from openapi.yaml", key)
			continue
		}
		op := item.GetOperation(r.method)
		if op == nil {
			t.Errorf("%s: operation missing from openapi.yaml", key)
			continue
		}
		checkOperation(t, key, r, op)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if _, ok := want[method+" "+path]; !ok {
				t.Errorf("%s %s: documented but not in the route table", method, path)
			}
		}
	}
}

func checkOperation(t *testing.T, key string, r route, op *openapi3.Operation) {
	t.Helper()
	if op.OperationID == "" || op.Summary == "" {
		t.Errorf("%s: needs an operationId and a summary", key)
	}
	if slices.Contains(op.Tags, "dev") != r.dev {
		t.Errorf("%s: tagged dev = %v, want %v", key, !r.dev, r.dev)
	}
	if r.dev && !strings.Contains(op.Description, "aosd dev") {
		t.Errorf("%s: a dev route's description must say it exists only under `aosd dev`", key)
	}
	if op.Security == nil {
		t.Errorf("%s: security must be explicit on every operation", key)
		return
	}
	sec := *op.Security
	if !r.auth {
		if len(sec) != 0 {
			t.Errorf("%s: needs no token, but security = %v", key, sec)
		}
		return
	}
	scope := "aos.readwrite"
	if r.method == http.MethodGet {
		scope = "aos.read"
	}
	var hasOAuth, hasBearer bool
	for _, req := range sec {
		if s, ok := req["oauth2"]; ok {
			hasOAuth = true
			if !slices.Equal(s, []string{scope}) {
				t.Errorf("%s: oauth2 scopes = %v, want [%s]", key, s, scope)
			}
		}
		if _, ok := req["bearer"]; ok {
			hasBearer = true
		}
	}
	if !hasOAuth || !hasBearer {
		t.Errorf("%s: security must offer oauth2 [%s] and bearer, got %v", key, scope, sec)
	}
	for code, ref := range op.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		if _, ok := ref.Value.Headers["X-Trace-Id"]; !ok {
			t.Errorf("%s: response %s lacks the X-Trace-Id header", key, code)
		}
		if code == "201" {
			if _, ok := ref.Value.Headers["Location"]; !ok {
				t.Errorf("%s: 201 lacks the Location header", key)
			}
		}
		if code == "429" {
			if _, ok := ref.Value.Headers["Retry-After"]; !ok {
				t.Errorf("%s: 429 lacks the Retry-After header", key)
			}
		}
	}
	if !strings.HasPrefix(r.path, "/v1/") {
		return
	}
	for _, code := range []string{"400", "401", "403", "429", "500"} {
		if op.Responses.Value(code) == nil {
			t.Errorf("%s: response %s is not documented", key, code)
		}
	}
	if r.method == http.MethodPost && op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
		t.Errorf("%s: POST must accept Idempotency-Key", key)
	}
	verb := r.path[strings.LastIndex(r.path, "/")+1:]
	action := r.method == http.MethodPost && (verb == "reconnect" || verb == "validate" || verb == "reauthorize")
	if r.method == http.MethodPatch || r.method == http.MethodDelete || action {
		if op.Parameters.GetByInAndName("header", "If-Match") == nil {
			t.Errorf("%s: must accept If-Match", key)
		}
		if op.Responses.Value("412") == nil {
			t.Errorf("%s: 412 is not documented", key)
		}
	}
}

// domainStringConsts returns the string constants of package domain whose
// names start with prefix, parsed from the source so that a new constant
// needs no change here.
func domainStringConsts(t *testing.T, prefix string) map[string]string {
	t.Helper()
	dir := filepath.Join("..", "internal", "domain")
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok {
					t.Fatalf("%s: a const declaration holds a %T, not an *ast.ValueSpec", fset.Position(spec.Pos()), spec)
				}
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[name.Name] = v
				}
			}
		}
	}
	return out
}

func enumOf(t *testing.T, doc *openapi3.T, schema string) []string {
	t.Helper()
	ref := doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		t.Fatalf("schema %s missing", schema)
	}
	var out []string
	for _, v := range ref.Value.Enum {
		sv, ok := v.(string)
		if !ok {
			t.Fatalf("schema %s: enum value %v is a %T, not a string", schema, v, v)
		}
		out = append(out, sv)
	}
	return out
}

func TestErrorCodesMatchDomain(t *testing.T) {
	doc := load(t)
	codes := domainStringConsts(t, "Code")
	if len(codes) < 40 {
		t.Fatalf("found only %d Code constants in internal/domain; is the parser looking at the right place?", len(codes))
	}
	enum := enumOf(t, doc, "ErrorCode")
	inDomain := map[string]bool{}
	for name, code := range codes {
		inDomain[code] = true
		if !slices.Contains(enum, code) {
			t.Errorf("domain.%s = %q is missing from the ErrorCode enum of openapi.yaml", name, code)
		}
	}
	for _, code := range enum {
		if !inDomain[code] {
			t.Errorf("ErrorCode %q in openapi.yaml is not a constant of internal/domain", code)
		}
	}
}

// schemaTypes pairs each component schema with the Go type the server
// encodes or decodes for it.
var schemaTypes = map[string]reflect.Type{
	"Tenant":                 reflect.TypeFor[domain.Tenant](),
	"AmazonTenant":           reflect.TypeFor[domain.AmazonTenant](),
	"TenantCreate":           reflect.TypeFor[domain.TenantCreate](),
	"TenantPatch":            reflect.TypeFor[domain.TenantPatch](),
	"AmazonVerify":           reflect.TypeFor[domain.AmazonVerify](),
	"PermissionSet":          reflect.TypeFor[domain.PermissionSet](),
	"PolicyDocument":         reflect.TypeFor[domain.PolicyDocument](),
	"AppProfile":             reflect.TypeFor[domain.AppProfile](),
	"AppProfileWrite":        reflect.TypeFor[domain.AppProfileWrite](),
	"PartnerAppProfile":      reflect.TypeFor[domain.PartnerAppProfile](),
	"PartnerAppProfileWrite": reflect.TypeFor[domain.PartnerAppProfileWrite](),
	"PartnerUser":            reflect.TypeFor[domain.PartnerUser](),
	"PartnerUserWrite":       reflect.TypeFor[domain.PartnerUserWrite](),
	"ServiceAccount":         reflect.TypeFor[domain.ServiceAccount](),
	"ServiceAccountWrite":    reflect.TypeFor[domain.ServiceAccountWrite](),
	"Connection":             reflect.TypeFor[domain.Connection](),
	"ConnectionAppProfile":   reflect.TypeFor[domain.ConnectionAppProfile](),
	"ConnectionWrite":        reflect.TypeFor[domain.ConnectionWrite](),
	"Container":              reflect.TypeFor[domain.Container](),
	"GeoLocation":            reflect.TypeFor[domain.GeoLocation](),
	"ErrorBody":              reflect.TypeFor[domain.ErrorBody](),
	"Error":                  reflect.TypeFor[domain.Error](),
	"Detail":                 reflect.TypeFor[domain.Detail](),
	"Related":                reflect.TypeFor[domain.Related](),
	"Token":                  reflect.TypeFor[domain.Token](),
	"TenantList":             reflect.TypeFor[domain.List[domain.Tenant]](),
	"AppProfileList":         reflect.TypeFor[domain.List[domain.AppProfile]](),
	"PartnerAppProfileList":  reflect.TypeFor[domain.List[domain.PartnerAppProfile]](),
	"PartnerUserList":        reflect.TypeFor[domain.List[domain.PartnerUser]](),
	"ServiceAccountList":     reflect.TypeFor[domain.List[domain.ServiceAccount]](),
	"ConnectionList":         reflect.TypeFor[domain.List[domain.Connection]](),
	"ContainerList":          reflect.TypeFor[domain.List[domain.Container]](),
	"GeoLocationList":        reflect.TypeFor[domain.List[domain.GeoLocation]](),
}

// requestBodies are schemas the server decodes strictly.
var requestBodies = []string{
	"TenantCreate", "TenantPatch", "AmazonVerify", "AppProfileWrite", "PartnerAppProfileWrite",
	"PartnerUserWrite", "ServiceAccountWrite", "ConnectionWrite", "ConnectionAppProfile",
	"DevConsent", "DevDirectoryUserPatch", "DevDirectoryTenantPatch", "DevExpireAuthorization",
}

// TestSchemasMatchDomain checks every documented object against its Go
// type: the same JSON fields, a field is required exactly when it has no
// omitempty, and the JSON types agree. A field added to internal/domain
// without a spec entry fails here.
func TestSchemasMatchDomain(t *testing.T) {
	doc := load(t)
	for name, typ := range schemaTypes {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("schema %s (for %s) missing from openapi.yaml", name, typ)
			continue
		}
		compareStruct(t, name, typ, ref.Value)
	}
	for _, name := range requestBodies {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("request schema %s missing", name)
			continue
		}
		ap := ref.Value.AdditionalProperties
		if ap.Has == nil || *ap.Has {
			t.Errorf("request schema %s must set additionalProperties: false (the server refuses unknown fields)", name)
		}
	}
	for _, secret := range []struct{ schema, prop string }{
		{"AppProfileWrite", "certificate"}, {"AppProfileWrite", "certificatePassword"},
		{"ServiceAccountWrite", "password"}, {"ServiceAccountWrite", "appPassword"},
		{"DevDirectoryUserPatch", "password"}, {"DevConsentForm", "password"},
		{"TokenRequest", "client_secret"},
	} {
		p := doc.Components.Schemas[secret.schema].Value.Properties[secret.prop]
		if p == nil || p.Value == nil || !p.Value.WriteOnly {
			t.Errorf("%s.%s must be writeOnly", secret.schema, secret.prop)
		}
	}
}

func compareStruct(t *testing.T, where string, typ reflect.Type, s *openapi3.Schema) {
	t.Helper()
	if typ.Kind() != reflect.Struct {
		t.Fatalf("%s: %s is not a struct", where, typ)
	}
	if s.Description == "" {
		t.Errorf("%s: needs a description", where)
	}
	fields := map[string]bool{}
	var required []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		jname, opts, _ := strings.Cut(tag, ",")
		if jname == "" {
			jname = f.Name
		}
		fields[jname] = true
		if !strings.Contains(opts, "omitempty") {
			required = append(required, jname)
		}
		p := s.Properties[jname]
		if p == nil || p.Value == nil {
			t.Errorf("%s.%s (Go field %s.%s) is missing from openapi.yaml", where, jname, typ.Name(), f.Name)
			continue
		}
		if !strings.HasSuffix(where, "List") && p.Value.Description == "" && p.Ref == "" {
			t.Errorf("%s.%s needs a description", where, jname)
		}
		compareType(t, where+"."+jname, f.Type, p.Value)
	}
	for prop := range s.Properties {
		if !fields[prop] {
			t.Errorf("%s.%s is documented but %s has no such JSON field", where, prop, typ)
		}
	}
	sort.Strings(required)
	got := slices.Clone(s.Required)
	sort.Strings(got)
	if !slices.Equal(got, required) {
		t.Errorf("%s: required = %v, want %v (the fields without omitempty)", where, got, required)
	}
}

var timeType = reflect.TypeFor[time.Time]()

func compareType(t *testing.T, where string, typ reflect.Type, s *openapi3.Schema) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	want := ""
	switch {
	case typ == timeType:
		want = openapi3.TypeString
		if s.Format != "date-time" {
			t.Errorf("%s: a time needs format date-time", where)
		}
	case typ.Kind() == reflect.String:
		want = openapi3.TypeString
	case typ.Kind() == reflect.Bool:
		want = openapi3.TypeBoolean
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		want = openapi3.TypeInteger
	case typ.Kind() == reflect.Slice:
		want = openapi3.TypeArray
		if s.Items == nil || s.Items.Value == nil {
			t.Errorf("%s: array without items", where)
			return
		}
		compareType(t, where+"[]", typ.Elem(), s.Items.Value)
	case typ.Kind() == reflect.Struct:
		want = openapi3.TypeObject
	default:
		t.Errorf("%s: no JSON mapping for Go type %s", where, typ)
		return
	}
	if !s.Type.Is(want) {
		t.Errorf("%s: type %v, want %s (Go %s)", where, s.Type, want, typ)
	}
}

func TestEnumsMatchDomain(t *testing.T) {
	doc := load(t)
	envs := append([]string{""}, domain.AzureEnvironments...)
	for _, list := range [][]string{domain.SalesforceEnvironments, domain.AmazonEnvironments} {
		for _, e := range list {
			if !slices.Contains(envs, e) {
				envs = append(envs, e)
			}
		}
	}
	for schema, want := range map[string][]string{
		"Platform":                     domain.Platforms,
		"Environment":                  envs,
		"PartnerCloud":                 domain.PartnerClouds,
		"ConnectionType":               domain.ConnectionTypes,
		"ServiceAccountAuthentication": domain.ServiceAccountAuthentications,
		"AppProfileType":               domain.AppTypeSlugs(),
		"PermissionKind":               domain.PermissionKinds,
		"ConsentMethod":                domain.ConsentMethods,
		"DelegatedAppFunction":         domain.DelegatedAppFunctions,
		"ServiceAccountService":        domain.ServiceSlugs(),
		"TenantStatus":                 {domain.StatusPendingConsent, domain.StatusConnected, domain.StatusInvalid},
		"AppProfileStatus":             {domain.StatusPendingConsent, domain.StatusActive, domain.StatusAuthorizationExpired, domain.StatusInvalid},
		"PartnerAppProfileStatus":      {domain.StatusPendingConsent, domain.StatusActive, domain.StatusAuthorizationExpired},
		"ServiceAccountStatus":         {domain.StatusValid, domain.StatusInvalid},
		"AppProfileReason":             {domain.ReasonConditionalAccess, domain.ReasonMfaEnabled, domain.ReasonUserUnavailable},
	} {
		got := enumOf(t, doc, schema)
		if !slices.Equal(got, want) {
			t.Errorf("%s enum = %q, want %q (from internal/domain, same order)", schema, got, want)
		}
	}
}

// --- exchanges ---------------------------------------------------------------

func newValidator(t *testing.T) *api.Validator {
	t.Helper()
	v, err := api.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type exchange struct {
	method, target string
	reqHeader      http.Header
	reqBody        string
	status         int
	respHeader     http.Header
	respBody       string
}

func (x exchange) validate(ctx context.Context, v *api.Validator) error {
	var body io.Reader
	if x.reqBody != "" {
		body = strings.NewReader(x.reqBody)
	}
	req := httptest.NewRequestWithContext(ctx, x.method, x.target, body)
	for k, vs := range x.reqHeader {
		req.Header[k] = vs
	}
	resp := &http.Response{StatusCode: x.status, Header: x.respHeader, Request: req}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	var rb []byte
	if x.reqBody != "" {
		rb = []byte(x.reqBody)
	}
	return v.ValidateExchange(req, rb, resp, []byte(x.respBody))
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const tenantJSON = `{"id":"t1","name":"contoso","platform":"microsoft","domain":"contoso.onmicrosoft.com",
"environment":"commercial","status":"pending_consent","consentUrl":"https://aos.example/dev/consent?state=x",
"multiGeo":false,"permissionsVersion":1,"reconnectRecommended":false,
"createdTime":"2025-01-02T03:04:05Z","modifiedTime":"2025-01-02T03:04:05Z"}`

var (
	authJSON   = hdr("Authorization", "Bearer abc", "Content-Type", "application/json")
	okHeaders  = hdr("Content-Type", "application/json", "X-Trace-Id", "t-1", "ETag", `"1"`)
	created    = hdr("Content-Type", "application/json", "X-Trace-Id", "t-1", "ETag", `"1"`, "Location", "/v1/tenants/t1")
	errHeaders = hdr("Content-Type", "application/json", "X-Trace-Id", "t-1")
)

func errorJSON(status int, code string) string {
	return `{"traceId":"t-1","statusCode":` + strconv.Itoa(status) + `,"error":{"code":"` + code + `","message":"m"}}`
}

func TestValidExchangesPass(t *testing.T) {
	v := newValidator(t)
	for name, x := range map[string]exchange{
		"create tenant": {
			method: "POST", target: "/v1/tenants", reqHeader: hdr("Authorization", "Bearer abc", "Content-Type", "application/json", "Idempotency-Key", "k1"),
			reqBody: `{"platform":"microsoft","domain":"contoso.onmicrosoft.com"}`,
			status:  201, respHeader: created, respBody: tenantJSON,
		},
		"list tenants": {
			method: "GET", target: "/v1/tenants?platform=microsoft&top=10&search=con", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 200, respHeader: hdr("Content-Type", "application/json", "X-Trace-Id", "t-1"),
			respBody: `{"data":[` + tenantJSON + `],"nextLink":"/v1/tenants?top=10&skipToken=abc"}`,
		},
		"delete blocked": {
			method: "DELETE", target: "/v1/tenants/t1", reqHeader: hdr("Authorization", "Bearer abc", "If-Match", `"1"`),
			status: 409, respHeader: errHeaders,
			respBody: `{"traceId":"t-1","statusCode":409,"error":{"code":"TenantHasRelatedData","message":"m",
				"related":[{"kind":"app_profile","id":"a1","name":"backup"}]}}`,
		},
		"delete": {
			method: "DELETE", target: "/v1/connections/c1", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 204, respHeader: hdr("X-Trace-Id", "t-1"),
		},
		"validate without body": {
			method: "POST", target: "/v1/tenants/t1/validate", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 200, respHeader: okHeaders, respBody: tenantJSON,
		},
		"rate limited": {
			method: "GET", target: "/v1/connections", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 429, respHeader: hdr("Content-Type", "application/json", "X-Trace-Id", "t-1", "Retry-After", "2"),
			respBody: errorJSON(429, "RateLimited"),
		},
		"token": {
			method: "POST", target: "/connect/token", reqHeader: hdr("Content-Type", "application/x-www-form-urlencoded"),
			reqBody: "grant_type=client_credentials&client_id=c&client_secret=s&scope=aos.read",
			status:  200, respHeader: hdr("Content-Type", "application/json", "X-Trace-Id", "t-1"),
			respBody: `{"access_token":"x","token_type":"Bearer","expires_in":3600,"scope":"aos.read"}`,
		},
		"empty filters": {
			method: "GET", target: "/v1/tenants?platform=&search=&top=&skipToken=", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 200, respHeader: hdr("Content-Type", "application/json", "X-Trace-Id", "t-1"), respBody: `{"data":[]}`,
		},
		"healthz": {
			method: "GET", target: "/healthz", status: 200,
			respHeader: hdr("Content-Type", "application/json", "X-Trace-Id", "t-1"), respBody: `{"status":"ok"}`,
		},
		// A request that breaks the document is fine when the server refuses it.
		"unknown field refused": {
			method: "POST", target: "/v1/tenants", reqHeader: authJSON, reqBody: `{"platform":"google","colour":"red"}`,
			status: 400, respHeader: errHeaders, respBody: errorJSON(400, "UnknownField"),
		},
		"no token refused": {
			method: "GET", target: "/v1/tenants/t1", status: 401, respHeader: errHeaders, respBody: errorJSON(401, "Unauthorized"),
		},
		"top out of range refused": {
			method: "GET", target: "/v1/tenants?top=500", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 400, respHeader: errHeaders, respBody: errorJSON(400, "InvalidValue"),
		},
		"unknown route": {
			method: "GET", target: "/v1/nothing", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 404, respHeader: errHeaders, respBody: errorJSON(404, "NotFound"),
		},
		"dev consent page": {
			method: "GET", target: "/dev/consent?state=abc", status: 200,
			respHeader: hdr("Content-Type", "text/html; charset=utf-8", "X-Trace-Id", "t-1"), respBody: "<html></html>",
		},
		"dev consent": {
			method: "POST", target: "/dev/v1/consent", reqHeader: authJSON, reqBody: `{"objectId":"t1","login":"admin@contoso.onmicrosoft.com"}`,
			status: 200, respHeader: okHeaders, respBody: strings.Replace(tenantJSON, "pending_consent", "connected", 1),
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := x.validate(t.Context(), v); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInvalidExchangesFail(t *testing.T) {
	v := newValidator(t)
	get := func(status int, h http.Header, body string) exchange {
		return exchange{method: "GET", target: "/v1/tenants/t1", reqHeader: hdr("Authorization", "Bearer abc"),
			status: status, respHeader: h, respBody: body}
	}
	for name, c := range map[string]struct {
		x    exchange
		want string
	}{
		"missing required field": {get(200, okHeaders, strings.Replace(tenantJSON, `"platform":"microsoft",`, "", 1)), "platform"},
		"wrong enum":             {get(200, okHeaders, strings.Replace(tenantJSON, `"pending_consent"`, `"pending"`, 1)), "status"},
		"wrong type":             {get(200, okHeaders, strings.Replace(tenantJSON, `"multiGeo":false`, `"multiGeo":"no"`, 1)), "multiGeo"},
		"missing ETag":           {get(200, hdr("Content-Type", "application/json", "X-Trace-Id", "t"), tenantJSON), "ETag"},
		"malformed ETag":         {get(200, hdr("Content-Type", "application/json", "X-Trace-Id", "t", "ETag", "1"), tenantJSON), "ETag"},
		"missing trace id":       {get(200, hdr("Content-Type", "application/json", "ETag", `"1"`), tenantJSON), "X-Trace-Id"},
		"undocumented status":    {get(418, errHeaders, errorJSON(418, "BadRequest")), "status"},
		"unknown error code":     {get(404, errHeaders, errorJSON(404, "Nope")), "code"},
		"error not ErrorBody":    {get(404, errHeaders, `{"message":"not found"}`), "traceId"},
		"429 without Retry-After": {
			get(429, errHeaders, errorJSON(429, "RateLimited")), "Retry-After",
		},
		"201 without Location": {exchange{
			method: "POST", target: "/v1/tenants", reqHeader: authJSON, reqBody: `{"platform":"microsoft"}`,
			status: 201, respHeader: okHeaders, respBody: tenantJSON,
		}, "Location"},
		"invalid request accepted": {exchange{
			method: "POST", target: "/v1/tenants", reqHeader: authJSON, reqBody: `{"platform":"microsoft","colour":"red"}`,
			status: 201, respHeader: created, respBody: tenantJSON,
		}, "accepted a request"},
		"request without token accepted": {get(200, okHeaders, tenantJSON), ""},
		"unknown route answered": {exchange{
			method: "GET", target: "/v1/nothing", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 200, respHeader: okHeaders, respBody: `{}`,
		}, "no operation"},
		"unknown route bad error": {exchange{
			method: "GET", target: "/v1/nothing", reqHeader: hdr("Authorization", "Bearer abc"),
			status: 404, respHeader: errHeaders, respBody: `{"error":"nope"}`,
		}, "ErrorBody"},
	} {
		t.Run(name, func(t *testing.T) {
			x := c.x
			if name == "request without token accepted" {
				x.reqHeader = nil
			}
			err := x.validate(t.Context(), v)
			if err == nil {
				t.Fatal("validation passed; want an error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestTransport(t *testing.T) {
	v := newValidator(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Trace-Id", "t-1")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/tenants":
			if !bytes.Contains(b, []byte(`"platform"`)) {
				t.Errorf("server got body %q", b)
			}
			w.Header().Set("ETag", `"1"`)
			w.Header().Set("Location", "/v1/tenants/t1")
			w.WriteHeader(201)
			_, _ = io.WriteString(w, tenantJSON)
		default: // a broken answer: no ETag, wrong status value
			w.WriteHeader(200)
			_, _ = io.WriteString(w, strings.Replace(tenantJSON, `"pending_consent"`, `"weird"`, 1))
		}
	}))
	defer srv.Close()

	var mu sync.Mutex
	var errs []error
	client := &http.Client{Transport: v.Transport(nil, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	})}

	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/v1/tenants", strings.NewReader(`{"platform":"microsoft","domain":"contoso.onmicrosoft.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer abc")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 201 || !bytes.Equal(body, []byte(tenantJSON)) {
		t.Errorf("caller got %d %q; the transport must pass the response through", resp.StatusCode, body)
	}
	if len(errs) != 0 {
		t.Fatalf("valid exchange reported: %v", errs)
	}

	req, err = http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/v1/tenants/t1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer abc")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(errs) != 1 {
		t.Fatalf("broken exchange: got %d reports, want 1: %v", len(errs), errs)
	}
	if !strings.Contains(errs[0].Error(), "GET /v1/tenants/t1 -> 200") {
		t.Errorf("report %q does not name the exchange", errs[0])
	}
}

// TestRequestTextLimits: every string a request body carries has a limit
// in the document (maxLength, or an enum), no looser than the one the
// server applies when it decodes the body (domain.CheckText with the Go
// field's text kind), and x-aos-multiline exactly where the server takes
// line breaks. A client that keeps to the document is then never refused
// for length by the generic check, and the contract-driven input test
// (internal/server) sends each field one character more than its
// maxLength.
func TestRequestTextLimits(t *testing.T) {
	doc := load(t)
	checked := 0
	for _, name := range requestBodies {
		typ, ok := schemaTypes[name]
		if !ok {
			// The dev bodies are decoded into unexported structs without
			// text tags: they take the default kind.
			typ = nil
		}
		s := doc.Components.Schemas[name].Value
		for _, prop := range slices.Sorted(maps.Keys(s.Properties)) {
			checked += checkTextLimit(t, name+"."+prop, fieldKind(t, typ, prop), s.Properties[prop].Value)
		}
	}
	if checked < 40 {
		t.Fatalf("checked %d string properties; the walk over the request schemas is broken", checked)
	}
}

// fieldKind is the text kind the server applies to the JSON field prop of
// typ (the default kind when typ is nil).
func fieldKind(t *testing.T, typ reflect.Type, prop string) domain.TextKind {
	t.Helper()
	tag := ""
	if typ != nil {
		for f := range typ.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == prop {
				tag = f.Tag.Get("text")
			}
		}
	}
	k, ok := domain.TextKindOf(tag)
	if !ok {
		t.Fatalf("%s.%s: unknown text kind %q", typ, prop, tag)
	}
	return k
}

func checkTextLimit(t *testing.T, where string, kind domain.TextKind, s *openapi3.Schema) int {
	t.Helper()
	if s.Type.Is(openapi3.TypeArray) {
		return checkTextLimit(t, where+"[]", kind, s.Items.Value)
	}
	if !s.Type.Is(openapi3.TypeString) {
		return 0
	}
	multiline, _ := s.Extensions["x-aos-multiline"].(bool)
	if multiline != kind.Multiline {
		t.Errorf("%s: x-aos-multiline is %v, but the server's text kind has Multiline %v", where, multiline, kind.Multiline)
	}
	switch {
	case s.MaxLength != nil && int(*s.MaxLength) > kind.MaxLength:
		t.Errorf("%s: maxLength %d is more than the %d characters the server takes", where, *s.MaxLength, kind.MaxLength)
	case s.MaxLength == nil && len(s.Enum) == 0:
		t.Errorf("%s: a string without maxLength or enum; give it a maxLength of at most %d", where, kind.MaxLength)
	}
	return 1
}
