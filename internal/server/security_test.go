package server_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", to read the file as an attacker would

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/apitest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/server"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// TestClientSecretsStoredHashed: the clients table holds a hash, never the
// secret; a wrong secret and an unknown id get the same refusal.
func TestClientSecretsStoredHashed(t *testing.T) {
	e := startEnv(t, aosdtest.Options{Dir: t.TempDir()})
	id, secret := e.in.ClientID, e.in.ClientSecret
	c, err := e.in.App.Store.GetClient(ctxb, id)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(c.SecretHash, []byte(secret)) || !bytes.Equal(c.SecretHash, server.HashClientSecret(secret)) {
		t.Fatalf("stored secret_hash %x is not the hash of the secret", c.SecretHash)
	}
	// Read the table directly: no column of any row holds the secret.
	db, err := sql.Open("sqlite", filepath.Join(e.in.Dir, "aosd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("closing the database: %v", err)
		}
	})
	rows, err := db.QueryContext(ctxb, "SELECT id, org, name, secret_hash, scopes FROM clients")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var cid, org, name, scopes string
		var hash []byte
		if err := rows.Scan(&cid, &org, &name, &hash, &scopes); err != nil {
			t.Fatal(err)
		}
		n++
		for _, col := range [][]byte{[]byte(cid), []byte(org), []byte(name), hash, []byte(scopes), []byte(hex.EncodeToString(hash))} {
			if bytes.Contains(col, []byte(secret)) {
				t.Errorf("client %s: a column holds the secret", cid)
			}
		}
	}
	if err := rows.Err(); err != nil || n == 0 {
		t.Fatalf("clients table: %d rows, %v", n, err)
	}
	// The token works with the secret only.
	e.token(t, id, secret, "")
	wrong := e.do(t, http.MethodPost, "/connect/token", "", "grant_type=client_credentials&client_id="+id+"&client_secret=x", "Content-Type", "application/x-www-form-urlencoded")
	unknown := e.do(t, http.MethodPost, "/connect/token", "", "grant_type=client_credentials&client_id=aos-nobody&client_secret="+secret, "Content-Type", "application/x-www-form-urlencoded")
	if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized || !bytes.Equal(wrong.body, unknown.body) {
		t.Errorf("wrong secret: %d %s; unknown id: %d %s", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	// A forged or altered token is refused.
	tok := e.token(t, id, secret, "")
	for _, bad := range []string{tok + "x", "x" + tok, strings.Replace(tok, ".", "x.", 1), "abc"} {
		r := e.do(t, http.MethodGet, "/v1/tenants", bad, nil)
		if r.status != http.StatusUnauthorized || r.errorBody(t).Error.Code != domain.CodeUnauthorized {
			t.Errorf("altered token: HTTP %d %s", r.status, r.body)
		}
	}
	if r := e.do(t, http.MethodGet, "/v1/tenants", "", nil); r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: HTTP %d, WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
	}
}

// fixture is one object of every kind, owned by the instance's client.
type fixture struct {
	tenant, app, partner, partnerUser, sa, conn, pendingApp string
}

func makeFixture(t *testing.T, c *client.Client) fixture {
	t.Helper()
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("fixture app"), TenantID: &tn.ID, Type: ptr(domain.AppTypeMicrosoft365)}, contosoAdmin)
	pending := appProfile(t, c, domain.AppProfileWrite{Name: ptr("fixture pending"), TenantID: &tn.ID, Type: ptr(domain.AppTypeDelegatedApp)}, "")
	pp := must[domain.PartnerAppProfile](t)(c.CreatePartnerAppProfile(ctxb, domain.PartnerAppProfileWrite{Name: ptr("fixture partner")}))
	if err := c.DevConsent(ctxb, pp.ID, contosoAdmin); err != nil {
		t.Fatal(err)
	}
	pu, err := c.AddPartnerUser(ctxb, pp.ID, adele, "user")
	if err != nil {
		t.Fatal(err)
	}
	sa := serviceAccount(t, c, tn.ID, "fixture account", svcBackup, svcBackupPw)
	conn := must[domain.Connection](t)(c.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("fixture connection"), Type: ptr("microsoft_365_groups"),
		TenantID: &tn.ID, AppProfiles: &[]domain.ConnectionAppProfile{{ID: app.ID}}}))
	return fixture{tenant: tn.ID, app: app.ID, partner: pp.ID, partnerUser: pu.ID, sa: sa.ID, conn: conn.ID, pendingApp: pending.ID}
}

// operation is one documented route with its path filled in.
type operation struct {
	method, template, path string
}

// operations lists every documented operation under the given prefixes,
// with the fixture's ids in place of the path parameters.
func operations(t *testing.T, f fixture, prefixes ...string) []operation {
	t.Helper()
	doc := apitest.Validator(t).Doc()
	collection := map[string]string{"tenants": f.tenant, "app-profiles": f.app, "partner-app-profiles": f.partner,
		"service-accounts": f.sa, "connections": f.conn}
	var ops []operation
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(tmpl, p) }) {
			continue
		}
		parts := strings.Split(tmpl, "/")
		for i, p := range parts {
			switch p {
			case "{id}":
				id, ok := collection[parts[i-1]]
				if !ok {
					t.Fatalf("no fixture for %s", tmpl)
				}
				parts[i] = id
			case "{userId}":
				parts[i] = f.partnerUser
			case "{platform}":
				parts[i] = domain.PlatformMicrosoft
			case "{login}":
				parts[i] = adele
			case "{domain}":
				parts[i] = contoso
			default:
				if strings.HasPrefix(p, "{") {
					t.Fatalf("unknown path parameter in %s", tmpl)
				}
			}
		}
		for method := range doc.Paths.Value(tmpl).Operations() {
			ops = append(ops, operation{method: method, template: tmpl, path: strings.Join(parts, "/")})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.template+a.method, b.template+b.method) })
	if len(ops) < 20 {
		t.Fatalf("only %d operations found", len(ops))
	}
	return ops
}

// TestScopesEnforced: an aos.read client gets 403 on every write route of
// the document and 200 on every read.
func TestScopesEnforced(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	f := makeFixture(t, e.c)
	rid, rsecret, err := e.in.NewClient("test", domain.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	read := e.token(t, rid, rsecret, "")
	before := e.do(t, http.MethodGet, "/v1/tenants/"+f.tenant, read, nil)
	writes, reads := 0, 0
	for _, op := range operations(t, f, "/v1/", "/dev/v1/") {
		r := e.do(t, op.method, op.path, read, "{}")
		if op.method == http.MethodGet {
			reads++
			if r.status != http.StatusOK {
				t.Errorf("%s %s with aos.read: HTTP %d %s", op.method, op.template, r.status, r.body)
			}
			continue
		}
		writes++
		if r.status != http.StatusForbidden || r.errorBody(t).Error.Code != domain.CodeForbidden {
			t.Errorf("%s %s with aos.read: HTTP %d %s, want 403 Forbidden", op.method, op.template, r.status, r.body)
		}
	}
	if writes < 15 || reads < 10 {
		t.Fatalf("checked %d writes and %d reads", writes, reads)
	}
	// Nothing changed.
	after := e.do(t, http.MethodGet, "/v1/tenants/"+f.tenant, read, nil)
	if after.status != http.StatusOK || after.header.Get("ETag") != before.header.Get("ETag") {
		t.Errorf("the tenant changed under a read-only client: ETag %s -> %s", before.header.Get("ETag"), after.header.Get("ETag"))
	}
	// A read client cannot ask for more; a readwrite client may ask for less.
	form := "grant_type=client_credentials&client_id=" + rid + "&client_secret=" + rsecret + "&scope=aos.readwrite"
	if r := e.do(t, http.MethodPost, "/connect/token", "", form, "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "invalid_scope") {
		t.Errorf("read client asking for aos.readwrite: HTTP %d %s", r.status, r.body)
	}
	narrowed := e.token(t, e.in.ClientID, e.in.ClientSecret, domain.ScopeRead)
	if r := e.do(t, http.MethodDelete, "/v1/connections/"+f.conn, narrowed, nil); r.status != http.StatusForbidden {
		t.Errorf("readwrite client with an aos.read token deleted: HTTP %d", r.status)
	}
	if r := e.do(t, http.MethodGet, "/v1/connections/"+f.conn, narrowed, nil); r.status != http.StatusOK {
		t.Errorf("aos.read token read: HTTP %d", r.status)
	}
}

// TestOrganizationsIsolated: a client of organization B cannot see or touch
// organization A's objects: 404 on every route that names one, and lists
// never show them.
func TestOrganizationsIsolated(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		a := makeFixture(t, e.c)
		bid, bsecret, err := e.in.NewClient("org-b", domain.ScopeReadWrite)
		if err != nil {
			t.Fatal(err)
		}
		cb := e.newClient(t, bid, bsecret)
		btok := e.token(t, bid, bsecret, "")
		atok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		etags := map[string]string{}
		for _, p := range []string{"/v1/tenants/" + a.tenant, "/v1/app-profiles/" + a.app, "/v1/partner-app-profiles/" + a.partner,
			"/v1/service-accounts/" + a.sa, "/v1/connections/" + a.conn} {
			etags[p] = e.do(t, http.MethodGet, p, atok, nil).header.Get("ETag")
		}

		checked := 0
		for _, op := range operations(t, a, "/v1/") {
			if !strings.Contains(op.template, "{") || strings.HasPrefix(op.template, "/v1/platforms/") {
				continue // collections are checked below; permission sets are global
			}
			body := any("{}")
			if op.method == http.MethodPost && strings.HasSuffix(op.template, "/users") {
				body = map[string]string{"principal": "x@contoso.onmicrosoft.com", "kind": "user"}
			}
			if op.method == http.MethodGet || op.method == http.MethodDelete {
				body = nil
			}
			r := e.do(t, op.method, op.path, btok, body)
			checked++
			if r.status != http.StatusNotFound || r.errorBody(t).Error.Code != domain.CodeNotFound {
				t.Errorf("org B %s %s: HTTP %d %s, want 404", op.method, op.template, r.status, r.body)
			}
			if strings.Contains(string(r.body), "fixture") {
				t.Errorf("org B %s %s: the answer names A's object: %s", op.method, op.template, r.body)
			}
		}
		if checked < 20 {
			t.Fatalf("checked only %d operations", checked)
		}
		// The dev API is scoped too.
		for _, id := range []string{a.pendingApp, a.app, a.partner} {
			if r := e.do(t, http.MethodPost, "/dev/v1/consent", btok, map[string]string{"objectId": id, "login": contosoAdmin}); r.status != http.StatusNotFound {
				t.Errorf("org B consenting A's %s: HTTP %d %s", id, r.status, r.body)
			}
			if r := e.do(t, http.MethodPost, "/dev/v1/expire-authorization", btok, map[string]string{"objectId": id}); r.status != http.StatusNotFound {
				t.Errorf("org B expiring A's %s: HTTP %d %s", id, r.status, r.body)
			}
		}
		// A's objects are untouched.
		for p, tag := range etags {
			if r := e.do(t, http.MethodGet, p, atok, nil); r.status != http.StatusOK || r.header.Get("ETag") != tag {
				t.Errorf("%s after org B's attempts: HTTP %d, ETag %s -> %s", p, r.status, tag, r.header.Get("ETag"))
			}
		}

		// B registers the same platform tenant in its own organization and
		// builds its own objects; lists never show A's.
		b := makeFixture(t, cb)
		aIDs := []string{a.tenant, a.app, a.partner, a.partnerUser, a.sa, a.conn, a.pendingApp}
		lists := map[string]func() ([]string, error){
			"tenants": func() ([]string, error) { return ids(cb.ListTenants(ctxb, client.Filter{})) },
			"tenants of A's tenant platform and name": func() ([]string, error) {
				return ids(cb.ListTenants(ctxb, client.Filter{Platform: domain.PlatformMicrosoft, Search: "contoso"}))
			},
			"app profiles":                   func() ([]string, error) { return ids(cb.ListAppProfiles(ctxb, client.Filter{})) },
			"app profiles of A's tenant":     func() ([]string, error) { return ids(cb.ListAppProfiles(ctxb, client.Filter{TenantID: a.tenant})) },
			"partner app profiles":           func() ([]string, error) { return ids(cb.ListPartnerAppProfiles(ctxb, client.Filter{})) },
			"service accounts":               func() ([]string, error) { return ids(cb.ListServiceAccounts(ctxb, client.Filter{})) },
			"service accounts of A's tenant": func() ([]string, error) { return ids(cb.ListServiceAccounts(ctxb, client.Filter{TenantID: a.tenant})) },
			"connections":                    func() ([]string, error) { return ids(cb.ListConnections(ctxb, client.Filter{})) },
			"connections of A's tenant":      func() ([]string, error) { return ids(cb.ListConnections(ctxb, client.Filter{TenantID: a.tenant})) },
		}
		for name, list := range lists {
			got, err := list()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, id := range got {
				if slices.Contains(aIDs, id) {
					t.Errorf("org B's list of %s shows A's %s", name, id)
				}
			}
		}
		if got, _ := ids(cb.ListTenants(ctxb, client.Filter{})); !slices.Equal(got, []string{b.tenant}) {
			t.Errorf("org B's tenants = %v, want only %s", got, b.tenant)
		}
		// References across organizations do not resolve.
		_, _, err = cb.CreateAppProfile(ctxb, domain.AppProfileWrite{Name: ptr("x"), TenantID: &a.tenant, Type: ptr(domain.AppTypeMicrosoft365)})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeNotFound, "tenantId")
		_, _, err = cb.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("x"), Type: ptr("microsoft_365_groups"), TenantID: &b.tenant,
			AppProfiles: &[]domain.ConnectionAppProfile{{ID: a.app}}})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeNotFound, "appProfiles[0].id")
		_, _, err = cb.CreateConnection(ctxb, domain.ConnectionWrite{Name: ptr("y"), Type: ptr("microsoft_365_groups"), TenantID: &b.tenant,
			ServiceAccountAuthentication: ptr("legacy"), ServiceAccountIDs: &[]string{a.sa}})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeNotFound, "serviceAccountIds[0]")
		// A's partner user cannot be removed through B's profile either.
		if r := e.do(t, http.MethodDelete, "/v1/partner-app-profiles/"+b.partner+"/users/"+a.partnerUser, btok, nil); r.status != http.StatusNotFound {
			t.Errorf("org B removing A's partner user through its own profile: HTTP %d", r.status)
		}
	})
}

func ids[T any](list []T, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, v := range list {
		b, _ := json.Marshal(v)
		var x struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(b, &x)
		out = append(out, x.ID)
	}
	return out, nil
}

// TestSecretsNeverStoredReturnedOrLogged: passwords, app passwords,
// certificates and their passwords are encrypted at rest (the SQLite file
// and its WAL never hold them), never come back from the API and never
// reach the logs.
func TestSecretsNeverStoredReturnedOrLogged(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, aosdtest.Options{Dir: dir})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)

	// A password nobody else uses, set on the platform and then stored.
	password := "Qz7#" + randomToken(t, 6)
	if err := c.DevSetUser(ctxb, svcBackup, client.DevUserChange{Password: &password}); err != nil {
		t.Fatal(err)
	}
	sa := serviceAccount(t, c, tn.ID, "secret account", svcBackup, password)
	// A refused password must not be echoed either.
	refused := "Wq8#" + randomToken(t, 6)
	_, _, err := c.UpdateServiceAccount(ctxb, sa.ID, domain.ServiceAccountWrite{Password: &refused})
	wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeWrongPassword, "password")
	mfa := must[domain.ServiceAccount](t)(c.CreateServiceAccount(ctxb, domain.ServiceAccountWrite{Name: ptr("secret mfa"), TenantID: &tn.ID,
		Services: &[]string{domain.ServiceFly}, Username: ptr(spAdmin), Mfa: ptr(true), AppPassword: ptr(spAdminAppPw), SharePointAdminCenterURL: ptr(spAdminURL)}))

	pemCert := validCert(t, "secret pem")
	app := appProfile(t, c, domain.AppProfileWrite{Name: ptr("secret pem"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
		ClientID: ptr("6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"), Certificate: ptr(pemCert.bundle())}, contosoAdmin)
	pfxCert := validCert(t, "secret pfx")
	pfxPassword := "Pfx#" + randomToken(t, 8)
	pfxB64 := pfxCert.pfx(t, pfxPassword)
	_ = appProfile(t, c, domain.AppProfileWrite{Name: ptr("secret pfx"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureAppDelegated),
		ClientID: ptr("6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"), Certificate: &pfxB64, CertificatePassword: &pfxPassword}, contosoAdmin)
	// Read everything back, lists included.
	_ = must[domain.ServiceAccount](t)(c.GetServiceAccount(ctxb, sa.ID))
	_ = must[domain.ServiceAccount](t)(c.GetServiceAccount(ctxb, mfa.ID))
	_ = must[domain.AppProfile](t)(c.GetAppProfile(ctxb, app.ID))
	if _, err := c.ListServiceAccounts(ctxb, client.Filter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAppProfiles(ctxb, client.Filter{}); err != nil {
		t.Fatal(err)
	}

	needles := map[string]string{
		"service account password": password, "refused password": refused, "app password": spAdminAppPw,
		"PFX password": pfxPassword, "PFX file": pfxB64[len(pfxB64)/2 : len(pfxB64)/2+64],
		"client secret": e.in.ClientSecret,
	}
	for i, n := range pemCert.keyNeedles(t) {
		needles["PEM key form "+strconv.Itoa(i)] = n
	}
	for i, n := range pfxCert.keyNeedles(t)[2:] {
		needles["PFX key scalar "+strconv.Itoa(i)] = n
	}

	// The sealed secret opens with the instance's key: it is stored, only
	// encrypted.
	rec, err := e.in.App.Store.Get(ctxb, "test", store.KindServiceAccount, sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(e.in.Key)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := box.Open(rec.Secret, []byte(rec.ID))
	if err != nil || !bytes.Contains(plain, []byte(password)) {
		t.Fatalf("the sealed secret does not open to the password: %v", err)
	}
	if bytes.Contains(rec.Data, []byte(password)) || bytes.Contains(rec.Secret, []byte(password)) {
		t.Fatal("the record holds the password in clear")
	}

	grepFiles := func(stage string) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, "aosd.db*"))
		if len(files) == 0 {
			t.Fatalf("%s: no database files in %s", stage, dir)
		}
		sawWAL := false
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sawWAL = sawWAL || strings.HasSuffix(f, "-wal") && len(b) > 0
			for what, n := range needles {
				if bytes.Contains(b, []byte(n)) {
					t.Errorf("%s: %s holds the %s", stage, filepath.Base(f), what)
				}
			}
		}
		if stage == "running" && !sawWAL {
			t.Errorf("no WAL content to check: %v", files)
		}
	}
	grepFiles("running")
	for what, n := range needles {
		if e.rec.contains(n) {
			t.Errorf("an API response holds the %s", what)
		}
		if strings.Contains(e.logs.String(), n) {
			t.Errorf("the log holds the %s", what)
		}
	}
	if e.rec.count() < 15 || !strings.Contains(e.logs.String(), `"msg":"request"`) {
		t.Fatalf("recorded %d responses; log:\n%s", e.rec.count(), e.logs.String())
	}
	// After shutdown (WAL checkpointed into the main file) too.
	if err := e.close(); err != nil {
		t.Fatal(err)
	}
	grepFiles("closed")
}

func randomToken(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n] + "Ab"
}

// TestRequestDecoding: bodies are capped and decoded strictly, naming the
// offending field.
func TestRequestDecoding(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
	tn := connectTenant(t, e.c, domain.PlatformMicrosoft, contoso, contosoAdmin)

	big := `{"platform":"microsoft","domain":"` + strings.Repeat("a", 2<<20) + `"}`
	r := e.do(t, http.MethodPost, "/v1/tenants", tok, big)
	if r.status != http.StatusRequestEntityTooLarge || r.errorBody(t).Error.Code != domain.CodeTooLarge {
		t.Fatalf("2 MiB body: HTTP %d %s", r.status, r.body)
	}
	r = e.do(t, http.MethodPatch, "/v1/tenants/"+tn.ID, tok, `{"sharePointAdminCenterUrl":"`+strings.Repeat("a", 2<<20)+`"}`)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB PATCH body: HTTP %d", r.status)
	}

	cases := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"unknown field", "POST", "/v1/tenants", `{"platform":"microsoft","domian":"contoso.onmicrosoft.com"}`, 400, domain.CodeUnknownField, "domian"},
		{"unknown field on patch", "PATCH", "/v1/tenants/" + tn.ID, `{"sharePointAdminCenterUrl":"https://contoso-admin.sharepoint.com","name":"x"}`, 400, domain.CodeUnknownField, "name"},
		{"unknown nested field", "POST", "/v1/connections", `{"name":"c","type":"microsoft_365_groups","tenantId":"` + tn.ID + `","appProfiles":[{"id":"x","user":"y"}]}`, 400, domain.CodeUnknownField, "user"},
		{"field in the wrong case", "POST", "/v1/tenants", `{"Platform":"google","domain":"contoso.com"}`, 400, domain.CodeUnknownField, "Platform"},
		{"field with a quote", "POST", "/v1/partner-app-profiles", `{"name":"n","a\"b":1}`, 400, domain.CodeUnknownField, `a"b`},
		{"read-only field", "POST", "/v1/partner-app-profiles", `{"name":"n","status":"active"}`, 400, domain.CodeUnknownField, "status"},
		{"unknown field on an action", "POST", "/v1/tenants/" + tn.ID + "/reconnect", `{"force":true}`, 400, domain.CodeUnknownField, "force"},
		{"wrong type", "POST", "/v1/tenants", `{"platform":5}`, 400, domain.CodeInvalidValue, "platform"},
		{"not JSON", "POST", "/v1/tenants", `{"platform":`, 400, domain.CodeBadRequest, ""},
		{"two objects", "POST", "/v1/tenants", `{"platform":"google","domain":"contoso.com"} {}`, 400, domain.CodeBadRequest, ""},
		{"array", "POST", "/v1/tenants", `[]`, 400, domain.CodeInvalidValue, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, tc.method, tc.path, tok, tc.body)
			eb := r.errorBody(t)
			if r.status != tc.status || eb.Error.Code != tc.code || eb.StatusCode != tc.status {
				t.Fatalf("HTTP %d %s, want %d %s: %s", r.status, eb.Error.Code, tc.status, tc.code, r.body)
			}
			if tc.field != "" && (len(eb.Error.Details) == 0 || eb.Error.Details[0].Field != tc.field) {
				t.Fatalf("details = %+v, want field %q", eb.Error.Details, tc.field)
			}
		})
	}
	t.Run("content type", func(t *testing.T) {
		r := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"n"}`, "Content-Type", "text/plain")
		if r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("text/plain: HTTP %d %s", r.status, r.body)
		}
		// The document lists application/json only.
		r = e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"merge"}`, "Content-Type", "application/merge-patch+json")
		if r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("application/merge-patch+json: HTTP %d %s", r.status, r.body)
		}
		r = e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"charset"}`, "Content-Type", "application/json; charset=utf-8")
		if r.status != http.StatusCreated {
			t.Fatalf("application/json with charset: HTTP %d %s", r.status, r.body)
		}
	})
}

// TestRateLimit: per client, 429 with Retry-After, other clients unaffected.
func TestRateLimit(t *testing.T) {
	e := startEnv(t, aosdtest.Options{RateLimit: 2})
	tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
	oid, osecret, err := e.in.NewClient("test", domain.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	other := e.token(t, oid, osecret, "")
	var limited *reply
	okCount := 0
	for range 10 {
		r := e.do(t, http.MethodGet, "/v1/tenants", tok, nil)
		switch r.status {
		case http.StatusOK:
			okCount++
		case http.StatusTooManyRequests:
			limited = r
		default:
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	}
	if limited == nil || okCount == 0 || okCount > 4 {
		t.Fatalf("10 quick requests at 2/s: %d answered 200, 429 seen: %v", okCount, limited != nil)
	}
	eb := limited.errorBody(t)
	secs, err := strconv.Atoi(limited.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 2 || eb.Error.Code != domain.CodeRateLimited || eb.StatusCode != 429 {
		t.Fatalf("429: Retry-After %q, body %s", limited.header.Get("Retry-After"), limited.body)
	}
	if r := e.do(t, http.MethodGet, "/v1/tenants", other, nil); r.status != http.StatusOK {
		t.Errorf("another client is limited too: HTTP %d", r.status)
	}
	time.Sleep(time.Duration(secs) * time.Second)
	if r := e.do(t, http.MethodGet, "/v1/tenants", tok, nil); r.status != http.StatusOK {
		t.Errorf("after Retry-After: HTTP %d", r.status)
	}
	// The typed client waits out Retry-After on its own.
	c, err := client.New(client.Config{Endpoint: e.in.Endpoint, ClientID: e.in.ClientID, ClientSecret: e.in.ClientSecret, Transport: e.rec})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := c.ListTenants(ctxb, client.Filter{}); err != nil {
			t.Fatalf("typed client under the limit: %v", err)
		}
	}
}

// TestAccessLogTraceID: one access log line per request with the trace id,
// the caller's X-Trace-Id echoed when well formed.
func TestAccessLogTraceID(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
	const mine = "trace-0123456789abcdef"
	r := e.do(t, http.MethodGet, "/v1/tenants/no-such-id", tok, nil, "X-Trace-Id", mine)
	if r.status != http.StatusNotFound || r.header.Get("X-Trace-Id") != mine || r.errorBody(t).TraceID != mine {
		t.Fatalf("HTTP %d, X-Trace-Id %q, body %s", r.status, r.header.Get("X-Trace-Id"), r.body)
	}
	r2 := e.do(t, http.MethodGet, "/v1/tenants", tok, nil, "X-Trace-Id", "bad trace id!")
	generated := r2.header.Get("X-Trace-Id")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(generated) {
		t.Fatalf("a malformed X-Trace-Id was not replaced: %q", generated)
	}
	r3 := e.do(t, http.MethodGet, "/healthz", "", nil)
	if r3.status != http.StatusOK || r3.header.Get("X-Trace-Id") == "" {
		t.Fatalf("healthz: HTTP %d, X-Trace-Id %q", r3.status, r3.header.Get("X-Trace-Id"))
	}

	type line struct {
		Msg, TraceID, Method, Path, Client string
		Status                             int
	}
	var lines []line
	sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
	for sc.Scan() {
		var l struct {
			Msg     string `json:"msg"`
			TraceID string `json:"traceId"`
			Method  string `json:"method"`
			Path    string `json:"path"`
			Client  string `json:"client"`
			Status  int    `json:"status"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		lines = append(lines, line{l.Msg, l.TraceID, l.Method, l.Path, l.Client, l.Status})
	}
	want := []line{
		{"request", mine, "GET", "/v1/tenants/no-such-id", e.in.ClientID, 404},
		{"request", generated, "GET", "/v1/tenants", e.in.ClientID, 200},
		{"request", r3.header.Get("X-Trace-Id"), "GET", "/healthz", "", 200},
	}
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("no access log line %+v in\n%s", w, e.logs.String())
		}
	}
	for _, l := range lines {
		if l.Msg == "request" && l.TraceID == "" {
			t.Errorf("access log line without a trace id: %+v", l)
		}
	}
	if strings.Contains(e.logs.String(), tok) || strings.Contains(e.logs.String(), e.in.ClientSecret) {
		t.Error("the log holds the bearer token or the client secret")
	}
}
