// Package entrasim simulates Microsoft Entra ID (the v2.0 token endpoints,
// OpenID Connect discovery and signing keys) and the part of Microsoft Graph
// v1.0 the connector in internal/platform/microsoft uses. It serves the
// Microsoft tenants of a directory file (internal/directory) over HTTPS on
// loopback, so the production connector runs unchanged against it: MSAL
// refuses authorities that are not https, and go-oidc verifies the ID tokens
// against the keys served here.
//
// Every response shape follows a Microsoft documentation page, cited beside
// the code that writes it. Where the directory cannot express a platform
// state (an expired password, a locked account) tests inject the AADSTS code
// with FailSignIn; Graph throttling is injected with Throttle.
package entrasim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as the SHA-1 thumbprint of the certificate.
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/directory"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/google/uuid"
)

// App is an app registration the simulated Entra ID knows, provisioned in
// every simulated tenant (as a multi-tenant app consented everywhere).
type App struct {
	ClientID string
	// Secret is the client secret; empty when the app uses a certificate.
	Secret string
	// Certificate authenticates client assertions (MSAL signs them with
	// the certificate's key and names it by its SHA-256 thumbprint).
	Certificate *x509.Certificate
	// Roles are the application permissions put into app-only tokens.
	Roles []string
}

// Group is a Microsoft 365 group served by GET /groups.
type Group struct {
	ID                    string
	DisplayName           string
	PreferredDataLocation string
}

// Sim is a running simulator.
type Sim struct {
	src  Source
	apps map[string]App
	srv  *httptest.Server
	key  *rsa.PrivateKey
	kid  string
	x5c  string

	mu       sync.Mutex
	codes    map[string]codeGrant
	refresh  map[string]refreshGrant
	faults   map[string]int // lower-case login -> AADSTS code of the next sign-ins
	throttle throttle
	groups   map[string][]Group // tenant id -> groups
	graphN   int                // Graph requests served, for cost measurements
}

type throttle struct {
	remaining  int
	status     int
	retryAfter string
}

// codeGrant is what an authorization code stands for.
type codeGrant struct {
	tenantID, login, clientID, redirectURI, nonce, scope string
	redeemed                                             bool
}

// refreshGrant remembers the user's state when the grant was issued, so a
// later refresh can tell what changed since (Entra revokes refresh tokens on
// a password change and asks for a new sign-in once MFA is required).
type refreshGrant struct {
	tenantID, login, clientID, scope string
	password                         string
	mfa                              bool
}

// Start starts the simulator on a loopback HTTPS listener. Close stops it.
func Start(src Source, apps ...App) (*Sim, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "entrasim token signing"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(der) //nolint:gosec // see the import.
	s := &Sim{
		src: src, apps: map[string]App{}, key: key,
		kid:     base64.RawURLEncoding.EncodeToString(sum[:]),
		x5c:     base64.StdEncoding.EncodeToString(der),
		codes:   map[string]codeGrant{},
		refresh: map[string]refreshGrant{},
		faults:  map[string]int{},
		groups:  map[string][]Group{},
	}
	for _, a := range apps {
		s.apps[a.ClientID] = a
	}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	return s, nil
}

// Close stops the server.
func (s *Sim) Close() { s.srv.Close() }

// LoginURL is the base URL standing in for https://login.microsoftonline.com.
func (s *Sim) LoginURL() string { return s.srv.URL }

// GraphURL is the base URL standing in for https://graph.microsoft.com (the
// connector appends /v1.0).
func (s *Sim) GraphURL() string { return s.srv.URL + "/graph" }

// Client returns an HTTP client that trusts the simulator's certificate.
func (s *Sim) Client() *http.Client { return s.srv.Client() }

// GraphRequests tells how many Graph requests were served so far.
func (s *Sim) GraphRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.graphN
}

// FailSignIn makes every following password, code and refresh grant of
// login fail with the AADSTS code (0 clears it). It models account states
// the directory file has no field for, such as an expired password
// (50055) or a locked account (50053).
func (s *Sim) FailSignIn(login string, aadsts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if aadsts == 0 {
		delete(s.faults, strings.ToLower(login))
		return
	}
	s.faults[strings.ToLower(login)] = aadsts
}

// Throttle makes the next n Graph requests fail with status (429 or 503)
// and the Retry-After header value retryAfter (seconds, as Graph sends it).
func (s *Sim) Throttle(n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = throttle{remaining: n, status: status, retryAfter: retryAfter}
}

// SetGroups sets the Microsoft 365 groups of the tenant with the Entra
// tenant id tenantID.
func (s *Sim) SetGroups(tenantID string, groups []Group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[tenantID] = append([]Group(nil), groups...)
}

// IssueCode returns an authorization code as the authorize endpoint hands
// it to the redirect URI after login signed in to the app clientID in the
// tenant tenantID (its id or domain). The sign-in page itself belongs to the
// dev server; this is the code it would mint.
func (s *Sim) IssueCode(tenant, login, clientID, redirectURI, nonce, scope string) (string, error) {
	f := s.src.Snapshot()
	t := findTenant(f, tenant)
	if t == nil {
		return "", &domain.Error{Code: domain.CodePlatformTenantUnknown, Message: "entrasim: no Microsoft tenant " + tenant}
	}
	code := "sim-code-" + uuid.NewString()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = codeGrant{tenantID: t.TenantID, login: strings.ToLower(login), clientID: clientID,
		redirectURI: redirectURI, nonce: nonce, scope: scope}
	return code, nil
}

// UserID is the object id the simulator gives login in the tenant with id
// tenantID: stable across restarts, as object ids are.
func UserID(tenantID, login string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(tenantID+"/"+strings.ToLower(login))).String()
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/graph/v1.0/"); ok {
		s.serveGraph(w, r, rest)
		return
	}
	s.serveLogin(w, r)
}

// findTenant finds a Microsoft tenant by Entra tenant id or domain.
func findTenant(f directory.File, idOrDomain string) *directory.TenantData {
	for i := range f.Tenants {
		t := &f.Tenants[i]
		if t.Platform == domain.PlatformMicrosoft &&
			(strings.EqualFold(t.TenantID, idOrDomain) || strings.EqualFold(t.Domain, idOrDomain)) {
			return t
		}
	}
	return nil
}

// findUser finds login's account in t (member or guest).
func findUser(t *directory.TenantData, login string) *directory.UserData {
	for i := range t.Users {
		if strings.EqualFold(t.Users[i].Login, login) {
			return &t.Users[i]
		}
	}
	return nil
}

// homeTenant finds the tenant where login is a member.
func homeTenant(f directory.File, login string) *directory.TenantData {
	for i := range f.Tenants {
		t := &f.Tenants[i]
		if t.Platform != domain.PlatformMicrosoft {
			continue
		}
		if u := findUser(t, login); u != nil && !u.External {
			return t
		}
	}
	return nil
}

func enabled(u *directory.UserData) bool { return u.Enabled == nil || *u.Enabled }

// homePassword is the password a guest signs in with: its home account's.
func homePassword(f directory.File, u *directory.UserData) (password string, mfa bool, on bool) {
	if !u.External {
		return u.Password, u.MFAEnabled, enabled(u)
	}
	if h := homeTenant(f, u.Login); h != nil {
		hu := findUser(h, u.Login)
		return hu.Password, hu.MFAEnabled, enabled(u) && enabled(hu)
	}
	return u.Password, u.MFAEnabled, enabled(u)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // The client hung up; nothing to do.
}

func thumbprintsS256(c *x509.Certificate) []string {
	sum := sha256.Sum256(c.Raw)
	return []string{base64.RawURLEncoding.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:])}
}
