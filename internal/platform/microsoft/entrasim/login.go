package entrasim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/directory"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// AADSTS codes the simulator answers with. The numbers and meanings are from
// "Microsoft Entra authentication and authorization error codes",
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
// (and, for 50173, learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts50173-grant-expired-revoked).
const (
	codeUserNotFound      = 50034   // UserAccountNotFound
	codeAccountLocked     = 50053   // IdsLocked: locked, or sign-in blocked after too many attempts
	codePasswordExpired   = 50055   // InvalidPasswordExpiredPassword
	codeUserDisabled      = 50057   // UserDisabled
	codeMFARequired       = 50076   // UserStrongAuthClientAuthNRequired
	codeWrongPassword     = 50126   // InvalidUserNameOrPassword
	codeGrantRevoked      = 50173   // FreshTokenNeeded: grant revoked, e.g. by a password change
	codeBlockedByCA       = 53003   // BlockedByConditionalAccess
	codeInvalidGrant      = 70000   // InvalidGrant
	codeCodeRedeemed      = 54005   // OAuth2 authorization code was already redeemed
	codeTenantNotFound    = 90002   // InvalidTenantName
	codeAppNotFound       = 700016  // UnauthorizedClient_DoesNotMatchRequest: app not found in the tenant
	codeBadClientSecret   = 7000215 // InvalidClientSecretProvidedException
	codeNoClientSecret    = 7000218 // request body must contain client_assertion or client_secret
	codeBadAssertion      = 700027  // client assertion failed signature validation
	codeUnsupportedGrant  = 70003   // UnsupportedGrantType
	codeConsentRequired   = 65001   // DelegationDoesNotExist: no consent for the app
	codeMFAEnrollRequired = 50079   // UserStrongAuthEnrollmentRequired
	codeGrantInactive     = 700082  // ExpiredOrRevokedGrantInactiveToken
	codeGrantExpired      = 70008   // ExpiredOrRevokedGrant
)

// oauthErrors gives, for each code, the OAuth 2.0 error string Entra sends
// with it, its HTTP status and its text.
var oauthErrors = map[int]struct {
	err    string
	status int
	text   string
}{
	codeUserNotFound:      {"invalid_grant", 400, "User account '%s' does not exist in tenant '%s' and cannot access the application."},
	codeAccountLocked:     {"invalid_grant", 400, "The account %s is locked because the user tried to sign in too many times with an incorrect user ID or password (tenant %s)."},
	codePasswordExpired:   {"invalid_grant", 400, "The password of %s in %s is expired. The user's password must be changed."},
	codeUserDisabled:      {"invalid_grant", 400, "The account %s in %s is disabled."},
	codeMFARequired:       {"invalid_grant", 400, "Due to a configuration change made by your administrator, or because you moved to a new location, %s must use multi-factor authentication to access tenant %s."},
	codeMFAEnrollRequired: {"invalid_grant", 400, "%s must enroll in multi-factor authentication before accessing tenant %s."},
	codeWrongPassword:     {"invalid_grant", 400, "Error validating credentials due to invalid username or password (%s, tenant %s)."},
	codeGrantRevoked:      {"invalid_grant", 400, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user %s might have changed or reset their password (tenant %s)."},
	codeBlockedByCA:       {"invalid_grant", 400, "Access has been blocked by Conditional Access policies of tenant %[2]s for %[1]s. The access policy does not allow token issuance."},
	codeGrantInactive:     {"invalid_grant", 400, "The refresh token has expired due to inactivity (user %s, tenant %s). The token was issued long ago and was inactive for too long."},
	codeGrantExpired:      {"invalid_grant", 400, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access (user %s, tenant %s)."},
	codeConsentRequired:   {"invalid_grant", 400, "The user or administrator has not consented to use the application %s in tenant %s. Send an interactive authorization request for this user and resource."},
	codeInvalidGrant:      {"invalid_grant", 400, "The provided authorization grant (%s) is invalid or malformed (tenant %s)."},
	codeCodeRedeemed:      {"invalid_grant", 400, "OAuth2 Authorization code %s was already redeemed, please retry with a new valid code (tenant %s)."},
	codeTenantNotFound:    {"invalid_request", 400, "Tenant '%[2]s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud (%[1]s)."},
	codeAppNotFound:       {"unauthorized_client", 400, "Application with identifier '%s' was not found in the directory '%s'."},
	codeBadClientSecret:   {"invalid_client", 401, "Invalid client secret provided for app '%s' (tenant %s)."},
	codeNoClientSecret:    {"invalid_client", 401, "The request body must contain the following parameter: 'client_assertion' or 'client_secret' (app %s, tenant %s)."},
	codeBadAssertion:      {"invalid_client", 401, "Client assertion failed signature validation (app %s, tenant %s)."},
	codeUnsupportedGrant:  {"unsupported_grant_type", 400, "The provided grant type %s is not supported (tenant %s)."},
}

// oauthError writes the token endpoint's error response. Shape: "Microsoft
// identity platform and OAuth 2.0 authorization code flow", section "Error
// response" (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#error-response-1),
// and the sample on the AADSTS error codes page: error, error_description
// starting with "AADSTSnnnn:" and ending in trace and correlation ids and a
// timestamp, error_codes, timestamp, trace_id, correlation_id, error_uri.
func (s *Sim) oauthError(w http.ResponseWriter, code int, subject, tenant string) {
	e, ok := oauthErrors[code]
	if !ok {
		e.err, e.status, e.text = "invalid_grant", 400, "Sign-in of %s in %s failed."
	}
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	trace, corr := uuid.NewString(), uuid.NewString()
	desc := fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
		code, fmt.Sprintf(e.text, subject, tenant), trace, corr, now)
	body := map[string]any{
		"error": e.err, "error_description": desc, "error_codes": []int{code},
		"timestamp": now, "trace_id": trace, "correlation_id": corr,
		"error_uri": s.LoginURL() + "/error?code=" + fmt.Sprint(code),
	}
	// Entra adds a suberror to interaction_required-style answers that a
	// user can fix by signing in again ("Handling error codes in your
	// application" on the AADSTS page).
	switch code {
	case codeMFARequired, codeMFAEnrollRequired:
		body["suberror"] = "basic_action"
	case codeBlockedByCA:
		body["suberror"] = "message_only"
	}
	writeJSON(w, e.status, body)
}

func (s *Sim) serveLogin(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 3 && strings.EqualFold(parts[0], "common") && strings.EqualFold(parts[1], "userrealm"):
		s.userRealm(w, parts[2])
	case len(parts) == 4 && parts[1] == "v2.0" && parts[2] == ".well-known" && parts[3] == "openid-configuration":
		s.discovery(w, parts[0])
	case len(parts) == 4 && parts[1] == "discovery" && parts[2] == "v2.0" && parts[3] == "keys":
		s.keys(w)
	case len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token" && r.Method == http.MethodPost:
		s.token(w, r, parts[0])
	default:
		http.NotFound(w, r)
	}
}

// userRealm answers MSAL's home realm discovery before a username/password
// sign-in. Every simulated tenant is managed (cloud-only), so MSAL goes on
// with the password grant; the shape is what MSAL Go decodes
// (apps/internal/oauth/ops/authority.UserRealm), as login.microsoftonline.com
// serves it at /common/UserRealm/{user}?api-version=1.0.
func (s *Sim) userRealm(w http.ResponseWriter, user string) {
	_, dom, _ := strings.Cut(user, "@")
	writeJSON(w, http.StatusOK, map[string]any{
		"ver": "1.0", "account_type": "Managed", "domain_name": dom,
		"cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline",
	})
}

// issuer is the v2.0 issuer of a tenant: {instance}/{tenant id}/v2.0
// ("Microsoft identity platform ID tokens", claim iss,
// learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
func (s *Sim) issuer(tenantID string) string { return s.LoginURL() + "/" + tenantID + "/v2.0" }

// discovery serves the OpenID Connect metadata document ("OpenID Connect on
// the Microsoft identity platform", section "Find your app's OpenID
// configuration document URI",
// learn.microsoft.com/entra/identity-platform/v2-protocols-oidc). For the
// multi-tenant aliases organizations and common the issuer carries the
// {tenantid} placeholder, as Entra's does.
func (s *Sim) discovery(w http.ResponseWriter, tenant string) {
	tid := "{tenantid}"
	if tenant != "organizations" && tenant != "common" {
		t := findTenant(s.src.Snapshot(), tenant)
		if t == nil {
			s.oauthError(w, codeTenantNotFound, s.LoginURL(), tenant)
			return
		}
		tid = t.TenantID
	}
	base := s.LoginURL() + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.issuer(tid),
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nonce", "name", "preferred_username", "oid", "tid", "ver"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
	})
}

// keys serves the signing keys as a JWK set, each with kid, x5t and x5c
// ("Signing key rollover in the Microsoft identity platform",
// learn.microsoft.com/entra/identity-platform/signing-key-rollover).
func (s *Sim) keys(w http.ResponseWriter) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "kid": s.kid, "x5t": s.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c": []string{s.x5c},
	}}})
}

// token is the v2.0 token endpoint: client credentials, resource owner
// password, authorization code and refresh token grants
// (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow,
// v2-oauth-ropc, v2-oauth2-auth-code-flow).
func (s *Sim) token(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := r.ParseForm(); err != nil {
		s.oauthError(w, codeInvalidGrant, "form", tenant)
		return
	}
	f := s.src.Snapshot()
	grant := r.PostForm.Get("grant_type")
	clientID := r.PostForm.Get("client_id")
	var t *directory.TenantData
	if tenant == "organizations" || tenant == "common" {
		if grant == "password" {
			t = homeTenant(f, r.PostForm.Get("username"))
		}
	} else {
		t = findTenant(f, tenant)
	}
	if t == nil && grant != "authorization_code" && grant != "refresh_token" {
		if grant == "password" && (tenant == "organizations" || tenant == "common") {
			s.oauthError(w, codeUserNotFound, r.PostForm.Get("username"), tenant)
			return
		}
		s.oauthError(w, codeTenantNotFound, s.LoginURL(), tenant)
		return
	}
	app, known := s.apps[clientID]
	if !known {
		s.oauthError(w, codeAppNotFound, clientID, tenant)
		return
	}
	switch grant {
	case "client_credentials":
		if !s.authenticateClient(w, r, app, t.TenantID) {
			return
		}
		s.issue(w, tokenSet{tenantID: t.TenantID, clientID: clientID, scope: r.PostForm.Get("scope"), roles: app.Roles})
	case "password":
		s.passwordGrant(w, r, t, clientID)
	case "authorization_code":
		if !s.authenticateClient(w, r, app, tenant) {
			return
		}
		s.codeGrant(w, r, f, tenant, clientID)
	case "refresh_token":
		if !s.authenticateClient(w, r, app, tenant) {
			return
		}
		s.refreshGrant(w, r, f, tenant, clientID)
	default:
		s.oauthError(w, codeUnsupportedGrant, grant, tenant)
	}
}

// authenticateClient checks a confidential client's secret or client
// assertion ("Microsoft identity platform application authentication
// certificate credentials",
// learn.microsoft.com/entra/identity-platform/certificate-credentials).
func (s *Sim) authenticateClient(w http.ResponseWriter, r *http.Request, app App, tenant string) bool {
	secret := r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && u == app.ClientID {
		secret = p
	}
	assertion := r.PostForm.Get("client_assertion")
	switch {
	case assertion != "":
		if app.Certificate == nil || !s.assertionValid(assertion, app) {
			s.oauthError(w, codeBadAssertion, app.ClientID, tenant)
			return false
		}
	case secret != "":
		if app.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.Secret)) != 1 {
			s.oauthError(w, codeBadClientSecret, app.ClientID, tenant)
			return false
		}
	default:
		s.oauthError(w, codeNoClientSecret, app.ClientID, tenant)
		return false
	}
	return true
}

// assertionValid verifies a client assertion: signed with the app's
// certificate key (PS256 with x5t#S256, or RS256 with x5t), issued by and
// about the app, addressed to a token endpoint of this simulator, not
// expired.
func (s *Sim) assertionValid(assertion string, app App) bool {
	tok, err := jwt.Parse(assertion, func(tok *jwt.Token) (any, error) {
		s256, _ := tok.Header["x5t#S256"].(string)
		// MSAL Go writes the thumbprint in standard base64; RFC 7515
		// says base64url. Both name the same certificate.
		if s256 != "" && !slices.Contains(thumbprintsS256(app.Certificate), s256) {
			return nil, fmt.Errorf("unknown certificate %s", s256)
		}
		return app.Certificate.PublicKey, nil
	}, jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithExpirationRequired(), jwt.WithIssuer(app.ClientID), jwt.WithSubject(app.ClientID))
	if err != nil || !tok.Valid {
		return false
	}
	aud, err := tok.Claims.GetAudience()
	return err == nil && len(aud) == 1 && strings.HasPrefix(aud[0], s.LoginURL()+"/")
}

// passwordGrant is the resource owner password credentials sign-in
// (learn.microsoft.com/entra/identity-platform/v2-oauth-ropc). Entra checks
// the account, then the password, then what is required on top of a
// correct password (MFA, conditional access).
//
// One liberty, stated here: an MFA user's app password is accepted in place
// of the password, with no MFA required. Entra accepts app passwords only
// on legacy (basic authentication) protocols, which is what classic MFA
// service account profiles are for; the simulator serves that check over
// the same endpoint so the connector has one sign-in path to test.
func (s *Sim) passwordGrant(w http.ResponseWriter, r *http.Request, t *directory.TenantData, clientID string) {
	login := strings.ToLower(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	if code := s.fault(login); code != 0 {
		s.oauthError(w, code, login, t.Domain)
		return
	}
	u := findUser(t, login)
	if u == nil || u.External {
		// ROPC does not sign in guests ("personal accounts invited to a
		// Microsoft Entra tenant can't use ROPC", v2-oauth-ropc page);
		// the user is not found in the tenant.
		s.oauthError(w, codeUserNotFound, login, t.Domain)
		return
	}
	if !enabled(u) {
		s.oauthError(w, codeUserDisabled, login, t.Domain)
		return
	}
	appPassword := u.MFAEnabled && u.AppPassword != "" && subtle.ConstantTimeCompare([]byte(u.AppPassword), []byte(password)) == 1
	if !appPassword {
		if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
			s.oauthError(w, codeWrongPassword, login, t.Domain)
			return
		}
		if u.MFAEnabled {
			s.oauthError(w, codeMFARequired, login, t.Domain)
			return
		}
		if t.LegacyAuthBlocked {
			s.oauthError(w, codeBlockedByCA, login, t.Domain)
			return
		}
	}
	s.issue(w, tokenSet{tenantID: t.TenantID, clientID: clientID, scope: r.PostForm.Get("scope"),
		user: u, refresh: &refreshGrant{tenantID: t.TenantID, login: login, clientID: clientID,
			scope: r.PostForm.Get("scope"), password: u.Password, mfa: u.MFAEnabled}})
}

func (s *Sim) fault(login string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults[strings.ToLower(login)]
}

// codeGrant redeems an authorization code. A code is good for one
// redemption, by the app it was issued to, with the redirect URI it was
// issued for.
func (s *Sim) codeGrant(w http.ResponseWriter, r *http.Request, f directory.File, tenant, clientID string) {
	code := r.PostForm.Get("code")
	s.mu.Lock()
	g, ok := s.codes[code]
	redeemed := g.redeemed
	if ok {
		g.redeemed = true
		s.codes[code] = g
	}
	s.mu.Unlock()
	switch {
	case !ok || g.clientID != clientID || g.redirectURI != r.PostForm.Get("redirect_uri"):
		s.oauthError(w, codeInvalidGrant, "authorization code", tenant)
		return
	case redeemed:
		s.oauthError(w, codeCodeRedeemed, "code", tenant)
		return
	}
	s.userGrant(w, f, findTenant(f, g.tenantID), g.login, clientID, r.PostForm.Get("scope"), g.nonce)
}

// refreshGrant redeems a refresh token. Entra revokes a refresh token when
// the user's password changes (AADSTS50173), refuses disabled or removed
// accounts, asks for MFA once it is required (AADSTS50076) and applies
// conditional access on every issuance (AADSTS53003) — refresh tokens page,
// learn.microsoft.com/entra/identity-platform/refresh-tokens#token-revocation.
func (s *Sim) refreshGrant(w http.ResponseWriter, r *http.Request, f directory.File, tenant, clientID string) {
	s.mu.Lock()
	g, ok := s.refresh[r.PostForm.Get("refresh_token")]
	s.mu.Unlock()
	if !ok || g.clientID != clientID {
		s.oauthError(w, codeInvalidGrant, "refresh token", tenant)
		return
	}
	t := findTenant(f, g.tenantID)
	if t == nil {
		s.oauthError(w, codeTenantNotFound, s.LoginURL(), g.tenantID)
		return
	}
	u := findUser(t, g.login)
	if u != nil {
		password, mfa, _ := homePassword(f, u)
		switch {
		case password != g.password:
			s.oauthError(w, codeGrantRevoked, g.login, t.Domain)
			return
		case mfa && !g.mfa:
			s.oauthError(w, codeMFARequired, g.login, t.Domain)
			return
		}
	}
	s.userGrant(w, f, t, g.login, clientID, r.PostForm.Get("scope"), "")
}

// userGrant issues tokens for a user who signed in through the code or
// refresh grant, after the checks every issuance makes.
func (s *Sim) userGrant(w http.ResponseWriter, f directory.File, t *directory.TenantData, login, clientID, scope, nonce string) {
	if code := s.fault(login); code != 0 {
		s.oauthError(w, code, login, t.Domain)
		return
	}
	u := findUser(t, login)
	if u == nil {
		s.oauthError(w, codeUserNotFound, login, t.Domain)
		return
	}
	password, mfa, on := homePassword(f, u)
	if !on {
		s.oauthError(w, codeUserDisabled, login, t.Domain)
		return
	}
	// A conditional access policy that does not list the service's IP
	// address blocks every token issued to it on behalf of a user.
	if t.ConditionalAccessBlocksServiceIP {
		s.oauthError(w, codeBlockedByCA, login, t.Domain)
		return
	}
	s.issue(w, tokenSet{tenantID: t.TenantID, clientID: clientID, scope: scope, user: u, nonce: nonce,
		refresh: &refreshGrant{tenantID: t.TenantID, login: login, clientID: clientID, scope: scope, password: password, mfa: mfa}})
}

type tokenSet struct {
	tenantID, clientID, scope, nonce string
	roles                            []string
	user                             *directory.UserData
	refresh                          *refreshGrant
}

// issue writes a successful token response ("Successful response" of the
// client credentials and authorization code flow pages): token_type,
// scope, expires_in, ext_expires_in, access_token, and for users
// refresh_token, id_token and client_info.
func (s *Sim) issue(w http.ResponseWriter, ts tokenSet) {
	now := time.Now()
	resource := "https://graph.microsoft.com"
	for _, sc := range strings.Fields(ts.scope) {
		if res, ok := strings.CutSuffix(sc, "/.default"); ok {
			resource = res
		}
	}
	at := jwt.MapClaims{
		"aud": resource, "iss": "https://sts.windows.net/" + ts.tenantID + "/", "tid": ts.tenantID,
		"appid": ts.clientID, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	resp := map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599}
	if ts.user == nil {
		at["idtyp"] = "app"
		at["roles"] = slices.Clone(ts.roles)
		resp["scope"] = ts.scope
	} else {
		oid := UserID(ts.tenantID, ts.user.Login)
		at["oid"], at["upn"], at["scp"] = oid, ts.user.Login, "User.Read"
		id := jwt.MapClaims{
			"ver": "2.0", "iss": s.issuer(ts.tenantID), "aud": ts.clientID, "sub": oid, "oid": oid,
			"tid": ts.tenantID, "preferred_username": ts.user.Login, "name": ts.user.DisplayName,
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		}
		if ts.nonce != "" {
			id["nonce"] = ts.nonce
		}
		idToken, err := s.sign(id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rt := "sim-rt-" + uuid.NewString()
		s.mu.Lock()
		s.refresh[rt] = *ts.refresh
		s.mu.Unlock()
		info, _ := json.Marshal(map[string]string{"uid": oid, "utid": ts.tenantID})
		resp["id_token"], resp["refresh_token"] = idToken, rt
		resp["client_info"] = base64.RawURLEncoding.EncodeToString(info)
		resp["scope"] = ts.scope
	}
	access, err := s.sign(at)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp["access_token"] = access
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// sign signs claims with the simulator's key (RS256, kid in the header).
func (s *Sim) sign(claims jwt.MapClaims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = s.kid
	return tok.SignedString(s.key)
}

// SignWith signs claims with another key under the simulator's kid, so
// tests can prove that a token whose signature does not verify is refused.
func (s *Sim) SignWith(claims map[string]any, forged bool) (string, error) {
	if !forged {
		return s.sign(jwt.MapClaims(claims))
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	tok.Header["kid"] = s.kid
	return tok.SignedString(other)
}

// Issuer is the issuer of the ID tokens of the tenant with id tenantID.
func (s *Sim) Issuer(tenantID string) string { return s.issuer(tenantID) }
