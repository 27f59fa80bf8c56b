package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// Kinds of object a consent completes.
const (
	consentTenant  = consent.KindTenant
	consentApp     = consent.KindAppProfile
	consentPartner = consent.KindPartnerAppProfile
)

// consentStateTTL bounds how long a consent link stays usable. A pending
// object outlives it; reauthorize (or reconnect) issues a fresh link.
const consentStateTTL = 7 * 24 * time.Hour

// consentTarget is what a consent link is for.
type consentTarget struct {
	Kind        string
	Org         string
	ID          string
	Platform    string
	Environment string
	Domain      string
	// AppType and ConsentMethod for app profiles; Cloud for partner ones.
	AppType       string
	ConsentMethod string
	ClientID      string
	Cloud         string
}

// consentURL builds the link an administrator opens: aosd's own sign-in
// page in dev mode, the platform's consent page in production.
func (s *Server) consentURL(t consentTarget) (string, error) {
	st, err := consent.NewState(t.Kind, t.ID, t.Org, consentStateTTL, time.Now())
	if err != nil {
		return "", err
	}
	state, err := consent.Sign(s.stateKey, st)
	if err != nil {
		return "", err
	}
	if s.dev != nil {
		return s.publicURL + consent.DevSignInPath + "?state=" + url.QueryEscape(state), nil
	}
	if s.consent == nil {
		return "", errors.New("no consent configuration: start aosd serve with the platforms' client ids")
	}
	var u string
	switch t.Kind {
	case consentTenant:
		u, err = s.consent.TenantConsentURL(t.Platform, t.Environment, t.Domain, state)
	case consentApp:
		u, err = s.consent.AppProfileConsentURL(t.AppType, t.ConsentMethod, t.Environment, t.Domain, t.ClientID, state)
	default:
		u, err = s.consent.PartnerConsentURL(t.Cloud, state)
	}
	if errors.Is(err, consent.ErrNotConfigured) {
		return "", &domain.Error{Status: http.StatusUnprocessableEntity, Code: domain.CodePlatformNotSupported,
			Message: "this aosd has no app registered for " + t.Platform + " consent: " + err.Error()}
	}
	return u, err
}

func (s *Server) verifyState(token string) (consent.State, error) {
	return consent.Verify(s.stateKey, token, time.Now())
}

// completeConsent applies a successful sign-in by login to the object the
// state names and returns the updated object. A refusal (wrong user, missing
// role) is returned as a *domain.Error and changes nothing.
//
// token is the signed state a browser brought back (empty for the dev API,
// which names the object directly). Only the newest link of an object is
// honoured: reconnect and reauthorize issue a new one, and an older link
// must not complete a consent the administrator was asked to redo.
func (s *Server) completeConsent(ctx context.Context, tx store.Tx, org, id, login, token string) (any, *store.Record, error) {
	for _, kind := range []string{store.KindTenant, store.KindAppProfile, store.KindPartnerAppProfile} {
		rec, err := tx.Get(ctx, org, kind, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if token != "" && !isLatestLink(rec, token) {
			return nil, nil, &domain.Error{Status: http.StatusConflict, Code: domain.CodeConsentNotPending,
				Message: "this consent link was replaced by a newer one (after a reconnect or re-authorization); use the current consent URL"}
		}
		switch kind {
		case store.KindTenant:
			nr, err := s.consentTenant(ctx, tx, org, rec, login)
			if err != nil {
				return nil, nil, err
			}
			v, err := s.tenantView(ctx, nr, map[string]int{})
			return v, nr, err
		case store.KindAppProfile:
			nr, err := s.consentAppProfile(ctx, tx, org, rec, login)
			if err != nil {
				return nil, nil, err
			}
			v, err := s.appProfileView(nr)
			return v, nr, err
		default:
			nr, err := s.consentPartnerProfile(ctx, tx, org, rec, login)
			if err != nil {
				return nil, nil, err
			}
			v, err := partnerView(nr)
			return v, nr, err
		}
	}
	return nil, nil, domain.NotFound("object awaiting consent", id)
}

// isLatestLink reports whether token is the state of the consent URL the
// object currently shows.
func isLatestLink(rec *store.Record, token string) bool {
	var doc struct {
		ConsentURL string `json:"consentUrl"`
	}
	if json.Unmarshal(rec.Data, &doc) != nil || doc.ConsentURL == "" {
		return false
	}
	u, err := url.Parse(doc.ConsentURL)
	return err == nil && u.Query().Get("state") == token
}

func notPending(kind string) *domain.Error {
	return &domain.Error{Status: http.StatusConflict, Code: domain.CodeConsentNotPending,
		Message: "the " + kind + " is not waiting for consent; reconnect or reauthorize it to get a new consent link"}
}

// consentTenant connects a pending tenant once login passes the platform's
// checks.
func (s *Server) consentTenant(ctx context.Context, tx store.Tx, org string, rec *store.Record, login string) (*store.Record, error) {
	t, err := decodeDoc[tenantDoc](rec)
	if err != nil {
		return nil, err
	}
	if t.Status != domain.StatusPendingConsent {
		return nil, notPending("tenant")
	}
	facts := &TenantFacts{DisplayName: t.Domain, SharePointAdminCenterURL: sharePointAdminURL(t.Domain)}
	if pl := s.platform(); pl != nil {
		f, derr := pl.CheckTenantConsent(t.Platform, t.Domain, t.Environment, login)
		if derr != nil {
			return nil, derr
		}
		facts = f
	}
	version, err := s.store.PermissionVersion(ctx, t.Platform)
	if err != nil {
		return nil, err
	}
	t.Status, t.ConsentURL, t.Reason, t.ConsentUser = domain.StatusConnected, "", "", login
	t.Name = facts.DisplayName
	if t.Name == "" {
		t.Name = t.Domain
	}
	if t.Platform == domain.PlatformMicrosoft && t.SharePointAdminCenterURL == "" {
		t.SharePointAdminCenterURL = facts.SharePointAdminCenterURL
	}
	t.MultiGeo, t.GeoLocations, t.Containers = facts.MultiGeo, facts.GeoLocations, facts.Containers
	t.PermissionsVersion = version
	t.ModifiedTime = now()
	nr := tenantRecord(org, t)
	if err := tx.Update(ctx, nr, rec.Version); err != nil {
		return nil, err
	}
	return nr, nil
}

// autoConsentTenant consents as the tenant's first administrator (dev demo
// mode). A directory with no administrator for the domain leaves the tenant
// pending, as a real one would be.
func (s *Server) autoConsentTenant(ctx context.Context, tx store.Tx, org string, rec *store.Record) (*store.Record, error) {
	t, err := decodeDoc[tenantDoc](rec)
	if err != nil {
		return nil, err
	}
	admin := s.platform().AdminFor(t.Platform, t.Domain)
	if admin == "" {
		return rec, nil
	}
	nr, err := s.consentTenant(ctx, tx, org, rec, admin)
	var de *domain.Error
	if errors.As(err, &de) {
		return rec, nil
	}
	return nr, err
}

// handleConsentCallback completes a production consent when the platform
// redirects the administrator back. The redirect itself proves nothing:
// anyone holding a consent link can append admin_consent=True or a made-up
// code. So the outcome is confirmed with the platform first (see
// consent.Config.VerifyCallback), outside any transaction because it is
// network I/O, and only then is the object completed. An unconfirmed
// callback answers 422 ConsentNotVerified and changes nothing.
func (s *Server) handleConsentCallback(w http.ResponseWriter, r *http.Request) {
	out := callbackAnswer{s: s, w: w, r: r}
	q := r.URL.Query()
	claims, err := s.verifyState(q.Get("state"))
	if err != nil {
		out.fail(domain.BadRequest(domain.CodeBadRequest, "state", "the consent link is not valid (%v); start again from a new consent URL", err))
		return
	}
	if e := q.Get("error"); e != "" {
		out.fail(&domain.Error{Status: http.StatusUnprocessableEntity, Code: domain.CodeConsentUserNotAdmin,
			Message: "the platform refused consent: " + platformText(e, 64) + ": " + platformText(q.Get("error_description"), 500)})
		return
	}
	if q.Get("admin_consent") == "" && q.Get("code") == "" {
		out.fail(domain.BadRequest(domain.CodeBadRequest, "code", "the callback carries neither admin_consent nor code"))
		return
	}
	target, err := s.callbackTarget(r.Context(), claims, q.Get("state"))
	if err != nil {
		out.fail(err)
		return
	}
	if p := r.PathValue("platform"); p != target.Platform {
		out.fail(domain.BadRequest(domain.CodeBadRequest, "platform",
			"this consent link is for %s, but the callback came for %s", target.Platform, p))
		return
	}
	if err := s.verifyCallback(r.Context(), target, q); err != nil {
		out.fail(err)
		return
	}
	var view any
	var rec *store.Record
	err = s.store.Tx(r.Context(), func(tx store.Tx) error {
		// completeConsent checks again that the link is the latest and the
		// object still pending: either may have changed during verification.
		var err error
		view, rec, err = s.completeConsent(r.Context(), tx, claims.Org, claims.ObjectID, "", q.Get("state"))
		return err
	})
	if err != nil {
		out.fail(err)
		return
	}
	out.done(target, rec, view)
}

// callbackAnswer answers a consent callback: an HTML page for the
// administrator's browser (which asks for text/html), and for any other
// client the object or the API's error body.
type callbackAnswer struct {
	s *Server
	w http.ResponseWriter
	r *http.Request
}

func (a callbackAnswer) html() bool {
	return strings.Contains(a.r.Header.Get("Accept"), "text/html")
}

func (a callbackAnswer) fail(err error) {
	e := a.s.asError(a.r, err)
	if !a.html() {
		a.s.writeError(a.w, a.r, e)
		return
	}
	consent.SetPageHeaders(a.w.Header())
	a.w.WriteHeader(e.Status)
	if err := consent.RenderResult(a.w, consent.ResultPage{Message: e.Message + ".",
		Details: []string{"Trace id " + traceIDFrom(a.r.Context()) + "."}}); err != nil {
		a.s.log.Error("rendering result page", "error", err.Error())
	}
}

func (a callbackAnswer) done(t consent.Target, rec *store.Record, view any) {
	if !a.html() {
		writeJSON(a.w, http.StatusOK, view)
		return
	}
	consent.SetPageHeaders(a.w.Header())
	a.w.WriteHeader(http.StatusOK)
	err := consent.RenderResult(a.w, consent.ResultPage{Success: true, Platform: t.Platform, Kind: t.Kind,
		ObjectName: rec.Name, TenantDomain: t.Domain,
		Message: "The platform confirmed the consent. You can close this page; Terraform sees the new status on its next read."})
	if err != nil {
		a.s.log.Error("rendering result page", "error", err.Error())
	}
}

// callbackTarget reads what the platform has to confirm from the stored
// object the state names. Superseded links and objects no longer pending are
// refused here already, so they cost no call to the platform (and do not
// spend a single-use authorization code).
func (s *Server) callbackTarget(ctx context.Context, claims consent.State, token string) (consent.Target, error) {
	var (
		t      consent.Target
		custom *store.Record
	)
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		for _, kind := range []string{store.KindTenant, store.KindAppProfile, store.KindPartnerAppProfile} {
			rec, err := tx.Get(ctx, claims.Org, kind, claims.ObjectID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !isLatestLink(rec, token) {
				return &domain.Error{Status: http.StatusConflict, Code: domain.CodeConsentNotPending,
					Message: "this consent link was replaced by a newer one (after a reconnect or re-authorization); use the current consent URL"}
			}
			switch kind {
			case store.KindTenant:
				d, err := decodeDoc[tenantDoc](rec)
				if err != nil {
					return err
				}
				if d.Status != domain.StatusPendingConsent {
					return notPending("tenant")
				}
				t = consent.Target{Kind: consent.KindTenant, Platform: d.Platform, Environment: d.Environment, Domain: d.Domain}
			case store.KindAppProfile:
				d, err := decodeDoc[appDoc](rec)
				if err != nil {
					return err
				}
				if d.Status != domain.StatusPendingConsent {
					return notPending("app profile")
				}
				t = consent.Target{Kind: consent.KindAppProfile, Platform: domain.PlatformMicrosoft,
					Environment: d.TenantEnvironment, Domain: d.TenantDomain, AppType: d.Type, ConsentMethod: d.ConsentMethod}
				if at, ok := domain.AppTypeBySlug(d.Type); ok && at.Custom {
					t.ClientID, custom = d.ClientID, rec
				}
			default:
				d, err := decodeDoc[domain.PartnerAppProfile](rec)
				if err != nil {
					return err
				}
				if d.Status != domain.StatusPendingConsent {
					return notPending("partner app profile")
				}
				t = consent.Target{Kind: consent.KindPartnerAppProfile, Platform: domain.PlatformMicrosoft, Cloud: d.Cloud}
			}
			return nil
		}
		return domain.NotFound("object awaiting consent", claims.ObjectID)
	})
	if err != nil {
		return consent.Target{}, fmt.Errorf("reading the object of the consent callback: %w", err)
	}
	if custom != nil {
		// Decoding a PFX file derives keys, which may take a while; it is
		// done after the transaction so that no store lock is held for it.
		if t.Certificate, err = s.appCertificate(custom); err != nil {
			return consent.Target{}, err
		}
	}
	return t, nil
}

// appCertificate opens the sealed certificate of a custom app profile, with
// which the service signs in as the customer's app to confirm its consent.
// A profile without one yields nil, which VerifyCallback refuses with its
// own explanation.
func (s *Server) appCertificate(rec *store.Record) (*consent.AppCertificate, error) {
	sec, err := s.openAppSecret(rec)
	if err != nil {
		return nil, fmt.Errorf("opening the certificate of app profile %s: %w", rec.ID, err)
	}
	if sec.Certificate == "" {
		return nil, nil
	}
	leaf, key, err := domain.CertificateKey(sec.Certificate, sec.CertificatePassword)
	if err != nil {
		// It was accepted on upload, so this is not the caller's doing, but
		// it does mean the consent cannot be confirmed.
		return nil, &domain.Error{Status: http.StatusUnprocessableEntity, Code: domain.CodeConsentNotVerified,
			Message: "the app profile's stored certificate could not be read (" + err.Error() +
				"), so the consent cannot be confirmed; upload the certificate again and authorize the profile again"}
	}
	return &consent.AppCertificate{Leaf: leaf, Key: key}, nil
}

// verifyCallback asks the platform to confirm the callback. Every failure,
// including a missing client secret, is a refusal: completing an
// unconfirmed consent is exactly what must not happen.
func (s *Server) verifyCallback(ctx context.Context, t consent.Target, q url.Values) error {
	if s.consent == nil {
		// Dev mode has no platform apps; its consent links go to aosd's own
		// sign-in page, so a callback here cannot be genuine.
		return &domain.Error{Status: http.StatusUnprocessableEntity, Code: domain.CodeConsentNotVerified,
			Message: "this aosd has no platform apps configured, so it cannot confirm a platform consent"}
	}
	err := s.consent.VerifyCallback(ctx, t, consent.Callback{AdminConsent: q.Get("admin_consent"),
		Tenant: q.Get("tenant"), Code: q.Get("code")})
	if err == nil {
		return nil
	}
	s.log.WarnContext(ctx, "consent callback not verified", "traceId", traceIDFrom(ctx), "platform", t.Platform, "kind", t.Kind, "error", err)
	var ue *url.Error
	if errors.As(err, &ue) {
		// The platform could not be reached: that is no refusal, and the
		// transport's words (resolver addresses, proxies) describe the
		// service's network to whoever holds a consent link, so they stay
		// in the log.
		return &domain.Error{Status: http.StatusServiceUnavailable, Code: domain.CodeConsentNotVerified,
			Message: "the service could not reach " + t.Platform + " to confirm this consent, so nothing was changed; open the consent link again in a few minutes, and if it keeps failing, ask the service's operator (trace id " + traceIDFrom(ctx) + ")"}
	}
	msg := "the platform did not confirm this consent, so nothing was changed; start again from the current consent URL: " + err.Error()
	if errors.Is(err, consent.ErrNotConfigured) {
		msg = "this aosd cannot confirm " + t.Platform + " consents (" + err.Error() + "); ask its operator to configure the app's client secret"
	}
	return &domain.Error{Status: http.StatusUnprocessableEntity, Code: domain.CodeConsentNotVerified, Message: msg}
}

// platformText is what of a platform's error parameter the answer repeats.
// Anyone holding a consent link (their own organization's, say) can put
// any text there and send the link to someone else, so the service's own
// page must not become a billboard for it: control characters and
// replaced bytes are dropped and the text is cut at limit characters.
func platformText(v string, limit int) string {
	var b strings.Builder
	n := 0
	for _, r := range v {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			continue
		}
		if n == limit {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
