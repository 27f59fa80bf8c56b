package server_test

// Input the service must refuse, case by case: partner user principals,
// Amazon account aliases, names with surrounding spaces, duplicates (409
// with the existing object), an oversized token request, and hostile
// requests that must never get a 5xx. TestContractInputRefused covers the
// text of every field generically; these pin the rules of section 1 of
// issue 8 one by one, on both stores where storage is involved.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
	"github.com/aos-dev/terraform-provider-aos/internal/testmoto"
)

// count is the number of objects a list endpoint returns (one page of up
// to 100 is enough here).
func count(t *testing.T, e *env, tok, path string) int {
	t.Helper()
	r := e.do(t, http.MethodGet, path+"?top=100", tok, nil)
	var l struct {
		Data []json.RawMessage `json:"data"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &l) != nil {
		t.Fatalf("GET %s: HTTP %d %s", path, r.status, r.body)
	}
	return len(l.Data)
}

// wantRefusal checks a raw reply: the status, and the field the first
// detail names.
func wantRefusal(t *testing.T, r *reply, status int, field string) domain.ErrorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("want HTTP %d naming %q, got HTTP %d %s", status, field, r.status, truncate(r.body))
	}
	eb := r.errorBody(t)
	if field != "" && (len(eb.Error.Details) == 0 || eb.Error.Details[0].Field != field) {
		t.Fatalf("HTTP %d: want details[0].field %q, got %+v", r.status, field, eb.Error.Details)
	}
	return eb
}

// TestPartnerUserPrincipal: a partner user is a user principal name, a
// mail address or an object id, at most 254 characters; anything else is
// refused naming principal (before: control characters, NUL and 300,000
// characters were stored on SQLite and gave a 500 on PostgreSQL).
func TestPartnerUserPrincipal(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		pp := must[domain.PartnerAppProfile](t)(e.c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("principals")}))
		if err := e.c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
			t.Fatal(err)
		}
		users := "/v1/partner-app-profiles/" + pp.ID + "/users"
		for _, tc := range []struct {
			name, body string
			status     int
		}{
			{"NUL", `{"principal":"adele\u0000@contoso.onmicrosoft.com"}`, http.StatusBadRequest},
			{"control characters", `{"principal":"adele\u001b[2J@contoso.onmicrosoft.com"}`, http.StatusBadRequest},
			{"300,000 characters", `{"principal":"` + strings.Repeat("a", 300000) + `@contoso.com"}`, http.StatusBadRequest},
			{"255 characters", `{"principal":"a@` + strings.Repeat("b", 249) + `.com"}`, http.StatusUnprocessableEntity},
			{"display name", `{"principal":"Sales team","kind":"group"}`, http.StatusUnprocessableEntity},
			{"markup", `{"principal":"<img src=x>@contoso.com"}`, http.StatusUnprocessableEntity},
			{"spaces around", `{"principal":" adele@contoso.onmicrosoft.com"}`, http.StatusUnprocessableEntity},
			{"GUID without dashes", `{"principal":"1f2e3d4c5b6a49788a9b0c1d2e3f4a5b"}`, http.StatusUnprocessableEntity},
			{"blank", `{"principal":""}`, http.StatusUnprocessableEntity},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantRefusal(t, e.do(t, http.MethodPost, users, tok, tc.body), tc.status, "principal")
				if n := count(t, e, tok, users); n != 0 {
					t.Fatalf("a refused principal was stored: %d users", n)
				}
			})
		}
		for _, p := range []struct{ in, stored, kind string }{
			{adele, adele, "user"},
			{"Sales.Team+EU@contoso.com", "sales.team+eu@contoso.com", "group"},
			{"1F2E3D4C-5B6A-4978-8A9B-0C1D2E3F4A5B", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "user"},
		} {
			u, err := e.c.AddPartnerUser(ctxb, pp.ID, p.in, p.kind)
			if err != nil {
				t.Fatalf("%s: %v", p.in, err)
			}
			if u.Principal != p.stored {
				t.Errorf("%s stored as %q, want %q", p.in, u.Principal, p.stored)
			}
		}
	})
}

// TestAmazonAccountAlias: POST /v1/tenants/{id}/validate holds accountAlias
// to IAM's own rule before anything else (before: control characters,
// markup and 100,000 characters became the tenant's name, and NUL gave a
// 500 on PostgreSQL). The valid alias and the empty one are in
// TestAmazonAccountAliasWithMoto.
func TestAmazonAccountAlias(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		tn := must[domain.Tenant](t)(e.c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon}))
		arn := "arn:aws:iam::123456789012:role/" + tn.Amazon.RoleName
		for _, tc := range []struct {
			name, alias string
			status      int
		}{
			{"NUL", `"prod\u0000"`, http.StatusBadRequest},
			{"control characters", `"prod\u001b[31m"`, http.StatusBadRequest},
			{"100,000 characters", `"` + strings.Repeat("a", 100000) + `"`, http.StatusBadRequest},
			{"64 characters", `"` + strings.Repeat("a", 64) + `"`, http.StatusUnprocessableEntity},
			{"2 characters", `"ab"`, http.StatusUnprocessableEntity},
			{"markup", `"<b>prod</b>"`, http.StatusUnprocessableEntity},
			{"upper case", `"Contoso-Prod"`, http.StatusUnprocessableEntity},
			{"leading hyphen", `"-contoso"`, http.StatusUnprocessableEntity},
			{"trailing hyphen", `"contoso-"`, http.StatusUnprocessableEntity},
			{"two hyphens in a row", `"contoso--prod"`, http.StatusUnprocessableEntity},
			{"space", `"contoso prod"`, http.StatusUnprocessableEntity},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := `{"roleArn":"` + arn + `","accountAlias":` + tc.alias + `}`
				wantRefusal(t, e.do(t, http.MethodPost, "/v1/tenants/"+tn.ID+"/validate", tok, body), tc.status, "accountAlias")
				got := must[domain.Tenant](t)(e.c.GetTenant(ctxb, tn.ID))
				if got.Name != tn.Name || got.Status != domain.StatusPendingConsent || got.Amazon.AccountAlias != "" {
					t.Fatalf("a refused alias changed the tenant: name %q status %q alias %q", got.Name, got.Status, got.Amazon.AccountAlias)
				}
			})
		}
	})
}

// TestAmazonAccountAliasWithMoto: a valid alias becomes the tenant's name,
// and an account without one (empty alias) is named by its id.
func TestAmazonAccountAliasWithMoto(t *testing.T) {
	moto := testmoto.Start(t)
	moto.Reset(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testmoto.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testmoto.SecretAccessKey)
	t.Setenv("AWS_REGION", testmoto.Region)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	e := startEnv(t, aosdtest.Options{STSEndpoint: moto.URL()})
	tn := must[domain.Tenant](t)(e.c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon}))
	role, err := moto.IAM(nil).CreateRole(ctxb, &iam.CreateRoleInput{RoleName: aws.String(tn.Amazon.RoleName),
		AssumeRolePolicyDocument: aws.String(domain.AmazonTrustPolicy(tn.Amazon.ServicePrincipal, tn.Amazon.ExternalID))})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(role.Role.Arn)
	alias := strings.Repeat("a", 61) + "-b"
	got := must[domain.Tenant](t)(e.c.VerifyAmazonTenant(ctxb, tn.ID, domain.AmazonVerify{RoleARN: arn, AccountAlias: alias}))
	if got.Name != alias || got.Amazon.AccountAlias != alias || got.Status != domain.StatusConnected {
		t.Fatalf("with alias %q: name %q alias %q status %q", alias, got.Name, got.Amazon.AccountAlias, got.Status)
	}
	got = must[domain.Tenant](t)(e.c.VerifyAmazonTenant(ctxb, tn.ID, domain.AmazonVerify{RoleARN: arn}))
	if got.Name != testmoto.AccountID || got.Amazon.AccountAlias != "" || got.Status != domain.StatusConnected {
		t.Fatalf("without an alias: name %q alias %q status %q", got.Name, got.Amazon.AccountAlias, got.Status)
	}
}

// TestSpacesRefusedNotTrimmed: names (and the other identifiers) with
// leading or trailing spaces are refused naming the field, on create and
// on update, rather than trimmed into a value that differs from what the
// client sent (before: app profiles, service accounts, connections and
// partner profiles stored them trimmed, with 201).
func TestSpacesRefusedNotTrimmed(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		c := e.c
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("app"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
		sa := serviceAccount(t, c, tn.ID, "sa", svcBackup, svcBackupPw)
		conn := must[domain.Connection](t)(c.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("conn"), Type: ptr("microsoft_365_groups"),
			TenantID: &tn.ID, AppProfiles: &[]domain.ConnectionAppProfile{{ID: app.ID}}}))
		pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("partner")}))
		for _, padded := range []string{" padded", "padded ", "\u00a0padded"} {
			for _, tc := range []struct {
				kind, list, path, method string
				body                     map[string]any
				field                    string
			}{
				{"app profile", "/v1/app-profiles", "/v1/app-profiles", http.MethodPost,
					map[string]any{"name": padded, "tenantId": tn.ID, "type": domain.AppTypeMicrosoft365}, "name"},
				{"app profile", "/v1/app-profiles", "/v1/app-profiles/" + app.ID, http.MethodPatch, map[string]any{"name": padded}, "name"},
				{"custom app profile", "/v1/app-profiles", "/v1/app-profiles", http.MethodPost,
					map[string]any{"name": "custom", "tenantId": tn.ID, "type": domain.AppTypeCustomAzureApp, "clientId": padded}, "clientId"},
				{"service account", "/v1/service-accounts", "/v1/service-accounts", http.MethodPost,
					map[string]any{"name": padded, "tenantId": tn.ID, "services": []string{domain.ServiceFly}, "username": svcBackup, "password": svcBackupPw}, "name"},
				{"service account", "/v1/service-accounts", "/v1/service-accounts", http.MethodPost,
					map[string]any{"name": "user", "tenantId": tn.ID, "services": []string{domain.ServiceFly}, "username": padded + svcBackup, "password": svcBackupPw}, "username"},
				{"service account", "/v1/service-accounts", "/v1/service-accounts/" + sa.ID, http.MethodPatch, map[string]any{"name": padded}, "name"},
				{"connection", "/v1/connections", "/v1/connections", http.MethodPost,
					map[string]any{"name": padded, "type": "microsoft_365_groups", "tenantId": tn.ID, "appProfiles": []any{map[string]any{"id": app.ID}}}, "name"},
				{"connection", "/v1/connections", "/v1/connections/" + conn.ID, http.MethodPatch, map[string]any{"name": padded}, "name"},
				{"connection", "/v1/connections", "/v1/connections/" + conn.ID, http.MethodPatch, map[string]any{"geoLocation": "EUR "}, "geoLocation"},
				{"partner app profile", "/v1/partner-app-profiles", "/v1/partner-app-profiles", http.MethodPost, map[string]any{"name": padded}, "name"},
				{"partner app profile", "/v1/partner-app-profiles", "/v1/partner-app-profiles/" + pp.ID, http.MethodPatch, map[string]any{"name": padded}, "name"},
				{"tenant", "/v1/tenants", "/v1/tenants", http.MethodPost, map[string]any{"platform": "google", "domain": padded + ".com"}, "domain"},
			} {
				t.Run(tc.kind+" "+tc.method+" "+tc.field+" "+padded, func(t *testing.T) {
					before := e.do(t, http.MethodGet, tc.list, tok, nil)
					r := e.do(t, tc.method, tc.path, tok, tc.body)
					wantRefusal(t, r, http.StatusUnprocessableEntity, tc.field)
					if after := e.do(t, http.MethodGet, tc.list, tok, nil); string(after.body) != string(before.body) {
						t.Fatalf("the refused request changed %s", tc.list)
					}
				})
			}
		}
	})
}

// relatedOf checks a 409 AlreadyExists reply: it names field and, as
// related[0], the existing object (the shape the provider reads to print
// an import block).
func relatedOf(t *testing.T, r *reply, field string, want domain.Related) {
	t.Helper()
	eb := wantRefusal(t, r, http.StatusConflict, field)
	if eb.Error.Code != domain.CodeAlreadyExists {
		t.Fatalf("code %s, want %s: %s", eb.Error.Code, domain.CodeAlreadyExists, r.body)
	}
	if len(eb.Error.Related) != 1 || eb.Error.Related[0] != want {
		t.Fatalf("related = %+v, want [%+v]", eb.Error.Related, want)
	}
	if !strings.Contains(eb.Error.Message, want.ID) {
		t.Errorf("the message does not name the existing object's id: %s", eb.Error.Message)
	}
}

// TestDuplicatesConflict: a duplicate is 409 AlreadyExists for every kind,
// on create and on rename, naming the field and carrying the existing
// object in related (before: 422 for app profiles, service accounts,
// connections, partner profiles and partner users, and no id for any
// kind). An Idempotency-Key retry of the create that made the object still
// replays its 201.
func TestDuplicatesConflict(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		c := e.c
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("app"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
		pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("partner")}))
		if err := c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			kind, collection, field string
			first, second           map[string]any
			// rename is a body that gives the second object the first's
			// identity; nil when the identity cannot change.
			rename map[string]any
		}{
			{store.KindTenant, "/v1/tenants", "domain",
				map[string]any{"platform": "google", "domain": "contoso.com"}, map[string]any{"platform": "google", "domain": "fabrikam.com"}, nil},
			{store.KindAppProfile, "/v1/app-profiles", "name",
				map[string]any{"name": "Backup", "tenantId": tn.ID, "type": domain.AppTypeMicrosoft365},
				map[string]any{"name": "Other", "tenantId": tn.ID, "type": domain.AppTypeMicrosoft365}, map[string]any{"name": "BACKUP"}},
			{store.KindPartnerAppProfile, "/v1/partner-app-profiles", "name",
				map[string]any{"name": "Reseller"}, map[string]any{"name": "Other reseller"}, map[string]any{"name": "reseller"}},
			{store.KindServiceAccount, "/v1/service-accounts", "name",
				map[string]any{"name": "Backup account", "tenantId": tn.ID, "services": []string{domain.ServiceFly}, "username": svcBackup, "password": svcBackupPw},
				map[string]any{"name": "Other account", "tenantId": tn.ID, "services": []string{domain.ServiceFly}, "username": svcBackup, "password": svcBackupPw},
				map[string]any{"name": "Backup account"}},
			{store.KindConnection, "/v1/connections", "name",
				map[string]any{"name": "Groups", "type": "microsoft_365_groups", "tenantId": tn.ID, "appProfiles": []any{map[string]any{"id": app.ID}}},
				map[string]any{"name": "Other groups", "type": "microsoft_365_groups", "tenantId": tn.ID, "appProfiles": []any{map[string]any{"id": app.ID}}},
				map[string]any{"name": "groups"}},
			{store.KindPartnerUser, "/v1/partner-app-profiles/" + pp.ID + "/users", "principal",
				map[string]any{"principal": adele}, map[string]any{"principal": lee}, nil},
		} {
			t.Run(tc.kind, func(t *testing.T) {
				first := e.do(t, http.MethodPost, tc.collection, tok, tc.first, "Idempotency-Key", "dup-"+tc.kind)
				if first.status != http.StatusCreated {
					t.Fatalf("first create: HTTP %d %s", first.status, first.body)
				}
				var obj struct{ ID, Name, Principal string }
				if err := json.Unmarshal(first.body, &obj); err != nil {
					t.Fatal(err)
				}
				name := obj.Name
				if tc.kind == store.KindPartnerUser {
					name = obj.Principal
				}
				want := domain.Related{Kind: tc.kind, ID: obj.ID, Name: name}
				// The duplicate, without a key and with another key.
				relatedOf(t, e.do(t, http.MethodPost, tc.collection, tok, tc.first), tc.field, want)
				relatedOf(t, e.do(t, http.MethodPost, tc.collection, tok, tc.first, "Idempotency-Key", "dup-other-"+tc.kind), tc.field, want)
				// The retry of the first create replays it.
				again := e.do(t, http.MethodPost, tc.collection, tok, tc.first, "Idempotency-Key", "dup-"+tc.kind)
				if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
					t.Fatalf("replay of the first create: HTTP %d replayed %q %s", again.status, again.header.Get("Idempotent-Replayed"), again.body)
				}
				if tc.rename == nil {
					return
				}
				second := e.do(t, http.MethodPost, tc.collection, tok, tc.second)
				if second.status != http.StatusCreated {
					t.Fatalf("second create: HTTP %d %s", second.status, second.body)
				}
				id := jsonID(t, second.body)
				relatedOf(t, e.do(t, http.MethodPatch, tc.collection+"/"+id, tok, tc.rename), tc.field, want)
				if got := e.do(t, http.MethodGet, tc.collection+"/"+id, tok, nil); string(got.body) != string(second.body) {
					t.Errorf("the refused rename changed the object:\n%s\n%s", got.body, second.body)
				}
			})
		}
	})
}

// TestTokenRequestTooLarge: an oversized token request is a 413 that says
// so (before: 400 "the body must be application/x-www-form-urlencoded").
func TestTokenRequestTooLarge(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.in.ClientID}, "client_secret": {e.in.ClientSecret},
		"padding": {strings.Repeat("x", 70<<10)}}
	r := doForm(t, e, form.Encode())
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(r.body, &oe); err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusRequestEntityTooLarge || oe.Error != "invalid_request" || !strings.Contains(oe.Description, "larger than") {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

// TestTokenRequestNotAForm: a token request of another content type says
// the body must be a form (before: "grant_type must be client_credentials",
// since the JSON body was never read).
func TestTokenRequestNotAForm(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	body := `{"grant_type":"client_credentials","client_id":"` + e.in.ClientID + `","client_secret":"` + e.in.ClientSecret + `"}`
	r := e.do(t, http.MethodPost, "/connect/token", "", []byte(body))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"invalid_request"`) || !strings.Contains(string(r.body), "x-www-form-urlencoded") {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

func doForm(t *testing.T, e *env, body string, hdr ...string) *reply {
	t.Helper()
	return e.do(t, http.MethodPost, "/connect/token", "", []byte(body), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

// TestHostileInputNever5xx: requests an attacker would send, each answered
// with its 4xx on both stores and never a 5xx; before, several reached the
// database and failed there (NUL and bytes that are not UTF-8 in ids,
// filters, skip tokens, idempotency keys and client ids).
func TestHostileInputNever5xx(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		tn := connectTenant(t, e.c, domain.PlatformMicrosoft, contoso, contosoAdmin)
		amazon := must[domain.Tenant](t)(e.c.CreateTenant(ctxb, domain.TenantCreate{Platform: domain.PlatformAmazon}))
		b64 := base64.RawURLEncoding.EncodeToString
		deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
		for _, tc := range []struct {
			name, method, path string
			body               any
			hdr                []string
			status             int
			field              string
		}{
			{"top too large", "GET", "/v1/tenants?top=99999999999999999999999", nil, nil, 400, "top"},
			{"top negative", "GET", "/v1/tenants?top=-1", nil, nil, 400, "top"},
			{"top as a float", "GET", "/v1/tenants?top=1e2", nil, nil, 400, "top"},
			{"skip token of NUL", "GET", "/v1/tenants?skipToken=" + b64([]byte{0}), nil, nil, 400, "skipToken"},
			{"skip token of bytes that are not UTF-8", "GET", "/v1/app-profiles?skipToken=" + b64([]byte{0xff, 0xfe}), nil, nil, 400, "skipToken"},
			{"skip token of 10,000 characters", "GET", "/v1/connections?skipToken=" + strings.Repeat("A", 10000), nil, nil, 400, "skipToken"},
			{"skip token of a long id", "GET", "/v1/connections?skipToken=" + b64([]byte(strings.Repeat("a", 300))), nil, nil, 400, "skipToken"},
			{"search with NUL", "GET", "/v1/tenants?search=a%00b", nil, nil, 400, "search"},
			{"search with bytes that are not UTF-8", "GET", "/v1/partner-app-profiles?search=%C3%28", nil, nil, 400, "search"},
			{"tenant filter with NUL", "GET", "/v1/service-accounts?tenantId=%00", nil, nil, 400, "tenantId"},
			{"malformed query string", "GET", "/v1/tenants?search=%zz", nil, nil, 400, ""},
			{"id with NUL", "GET", "/v1/tenants/%00", nil, nil, 400, "id"},
			{"id with bytes that are not UTF-8", "DELETE", "/v1/connections/%FF%FE", nil, nil, 400, "id"},
			{"id of 10,000 characters", "GET", "/v1/app-profiles/" + strings.Repeat("a", 10000), nil, nil, 400, "id"},
			{"partner user id with NUL", "DELETE", "/v1/partner-app-profiles/x/users/%00", nil, nil, 400, "userId"},
			{"platform with NUL", "GET", "/v1/platforms/%00/permissions", nil, nil, 400, "platform"},
			{"dev login with NUL", "PATCH", "/dev/v1/directory/users/%00", "{}", nil, 400, "login"},
			{"number too large for an int", "POST", "/v1/tenants/" + amazon.ID + "/validate", `{"roleArn":"x","permissionsVersion":99999999999999999999}`, nil, 400, "permissionsVersion"},
			{"number beyond float64", "POST", "/v1/tenants/" + amazon.ID + "/validate", `{"roleArn":"x","permissionsVersion":1e400}`, nil, 400, "permissionsVersion"},
			{"string where a number goes", "POST", "/v1/tenants/" + amazon.ID + "/validate", `{"roleArn":"x","permissionsVersion":"1"}`, nil, 400, "permissionsVersion"},
			{"an Amazon body for a Microsoft tenant", "POST", "/v1/tenants/" + tn.ID + "/validate", `{"roleArn":"x"}`, nil, 400, "roleArn"},
			{"deeply nested JSON", "POST", "/v1/partner-app-profiles", `{"name":` + deep + `}`, nil, 400, ""},
			{"deeply nested unknown field", "POST", "/v1/partner-app-profiles", `{"x":` + deep + `}`, nil, 400, ""},
			{"a name of almost 1 MiB", "POST", "/v1/partner-app-profiles", `{"name":"` + strings.Repeat("é", 500000) + `"}`, nil, 400, "name"},
			{"a body over 1 MiB", "POST", "/v1/partner-app-profiles", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413, ""},
			{"100,000 services", "POST", "/v1/service-accounts", `{"name":"many","tenantId":"` + tn.ID + `","services":[` +
				strings.TrimSuffix(strings.Repeat(`"fly",`, 100000), ",") + `],"username":"` + svcBackup + `","password":"` + svcBackupPw + `"}`, nil, 422, "services[1]"},
			{"invalid UTF-8 outside any string", "POST", "/v1/partner-app-profiles", "{\"name\":\"a\"}\xff", nil, 400, ""},
			{"idempotency key not ASCII", "POST", "/v1/partner-app-profiles", `{"name":"key"}`, []string{"Idempotency-Key", "k\xff\xfe"}, 400, "Idempotency-Key"},
			{"idempotency key of 201 characters", "POST", "/v1/partner-app-profiles", `{"name":"key"}`, []string{"Idempotency-Key", strings.Repeat("k", 201)}, 400, "Idempotency-Key"},
			{"If-Match too large for an int", "PATCH", "/v1/tenants/" + tn.ID, `{}`, []string{"If-Match", `"99999999999999999999999"`}, 400, "If-Match"},
			{"If-Match not ASCII", "DELETE", "/v1/tenants/" + tn.ID, nil, []string{"If-Match", "\"\xff\""}, 400, "If-Match"},
			{"bearer token not ASCII", "GET", "/v1/tenants", nil, []string{"Authorization", "Bearer \xff\xfe.\xff"}, 401, ""},
			{"another content type", "POST", "/v1/partner-app-profiles", `{"name":"x"}`, []string{"Content-Type", "text/plain\xff"}, 415, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(t, tc.method, tc.path, tok, tc.body, tc.hdr...)
				if r.status >= 500 {
					t.Fatalf("HTTP %d %s", r.status, truncate(r.body))
				}
				wantRefusal(t, r, tc.status, tc.field)
			})
		}
		// The token endpoint looks the client id up in the database.
		for _, tc := range []struct {
			name, body string
			hdr        []string
			status     int
		}{
			{"client id with NUL", "grant_type=client_credentials&client_id=a%00b&client_secret=x", nil, 400},
			{"client id not UTF-8", "grant_type=client_credentials&client_id=%FF&client_secret=x", nil, 400},
			{"client id of 10,000 characters", "grant_type=client_credentials&client_secret=x&client_id=" + strings.Repeat("a", 10000), nil, 400},
			{"basic auth id with NUL", "grant_type=client_credentials", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("a\x00b:secret"))}, 400},
			{"unknown client", "grant_type=client_credentials&client_id=nobody&client_secret=x", nil, 401},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := doForm(t, e, tc.body, tc.hdr...)
				if r.status != tc.status {
					t.Fatalf("HTTP %d %s, want %d", r.status, r.body, tc.status)
				}
			})
		}
		// Nothing of the above was stored.
		if n := count(t, e, tok, "/v1/partner-app-profiles"); n != 0 {
			t.Errorf("%d partner app profiles were stored by refused requests", n)
		}
		if n := count(t, e, tok, "/v1/service-accounts"); n != 0 {
			t.Errorf("%d service accounts were stored by refused requests", n)
		}
	})
}
