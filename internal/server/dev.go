package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// devRoutes are mounted only in dev mode: outside it none of these paths
// exist (they answer 404 like any unknown path).
func (s *Server) devRoutes(mux *http.ServeMux) {
	s.handlePage(mux, "GET /dev/consent", s.devConsentPage)
	s.handlePage(mux, "POST /dev/consent", s.devConsentSubmit)
	dev := http.NewServeMux()
	s.handle(dev, "POST /dev/v1/consent", s.devConsent)
	s.handle(dev, "PATCH /dev/v1/directory/users/{login}", s.devSetUser)
	s.handle(dev, "PATCH /dev/v1/directory/tenants/{domain}", s.devSetTenant)
	s.handle(dev, "POST /dev/v1/expire-authorization", s.devExpire)
	s.handle(dev, "POST /dev/v1/platforms/{platform}/permissions/bump", s.devBump)
	s.fallbacks(dev, "/dev/v1/")
	mux.Handle("/dev/v1/", s.authenticate(dev))
}

// devConsent completes a consent as login without a browser, for tests.
func (s *Server) devConsent(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ObjectID string `json:"objectId"`
		Login    string `json:"login"`
	}
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := domain.RequiredString("login", in.Login); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, nil, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		v, rec, err := s.completeConsent(ctx, tx, p.Org, in.ObjectID, strings.ToLower(in.Login), "")
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusOK, body: v, version: rec.Version}, nil
	})
}

func (s *Server) devSetUser(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		MfaEnabled *bool   `json:"mfaEnabled"`
		Enabled    *bool   `json:"enabled"`
		Password   *string `json:"password"`
	}
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.dev.Mutator.SetUser(r.PathValue("login"), in.MfaEnabled, in.Enabled, in.Password); err != nil {
		s.fail(w, r, devNotFound(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"login": r.PathValue("login")})
}

func (s *Server) devSetTenant(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ConditionalAccess *bool `json:"conditionalAccessBlocksServiceIp"`
		LegacyAuthBlocked *bool `json:"legacyAuthBlocked"`
	}
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.dev.Mutator.SetTenant(r.PathValue("domain"), in.ConditionalAccess, in.LegacyAuthBlocked); err != nil {
		s.fail(w, r, devNotFound(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"domain": r.PathValue("domain")})
}

func devNotFound(err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	return &domain.Error{Status: http.StatusNotFound, Code: domain.CodeNotFound, Message: err.Error()}
}

// devExpire makes an app or partner app profile's authorization expire, as
// the platform would after the consent's refresh token lapses.
func (s *Server) devExpire(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ObjectID string `json:"objectId"`
	}
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, nil, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		if rec, err := tx.Get(ctx, p.Org, store.KindAppProfile, in.ObjectID); err == nil {
			a, err := decodeDoc[appDoc](rec)
			if err != nil {
				return nil, err
			}
			a.Status, a.Reason = domain.StatusAuthorizationExpired, ""
			a.ModifiedTime = now()
			nr := appRecord(p.Org, a, rec.Secret)
			if err := tx.Update(ctx, nr, rec.Version); err != nil {
				return nil, err
			}
			v, err := s.appProfileView(nr)
			return &outcome{status: http.StatusOK, body: v, version: nr.Version}, err
		}
		rec, err := load(ctx, tx, p.Org, store.KindPartnerAppProfile, in.ObjectID)
		if err != nil {
			return nil, err
		}
		pp, err := decodeDoc[domain.PartnerAppProfile](rec)
		if err != nil {
			return nil, err
		}
		pp.Status = domain.StatusAuthorizationExpired
		pp.ModifiedTime = now()
		nr := partnerRecord(p.Org, pp)
		if err := tx.Update(ctx, nr, rec.Version); err != nil {
			return nil, err
		}
		v, err := partnerView(nr)
		return &outcome{status: http.StatusOK, body: v, version: nr.Version}, err
	})
}

func (s *Server) devBump(w http.ResponseWriter, r *http.Request) {
	platform := r.PathValue("platform")
	if err := domain.OneOf("platform", platform, domain.Platforms); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.store.BumpPermissionVersion(r.Context(), platform)
	s.perms.forget(platform)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, domain.PermissionSetFor(platform, v))
}

// devConsentPage shows the simulated platform sign-in page a consent URL
// opens in dev mode.
func (s *Server) devConsentPage(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	page, status := s.signInPage(r.Context(), state)
	s.renderSignIn(w, status, page)
}

// devConsentSubmit takes the sign-in form: the password is checked against
// the directory, then the same consent rules as the API apply.
func (s *Server) devConsentSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		status, msg := http.StatusBadRequest, "The sign-in form could not be read; open the consent link again."
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status, msg = http.StatusRequestEntityTooLarge, "The sign-in form is too large; open the consent link again."
		}
		consent.SetPageHeaders(w.Header())
		w.WriteHeader(status)
		s.renderFailure(w, msg)
		return
	}
	state := r.PostForm.Get("state")
	login := strings.ToLower(strings.TrimSpace(r.PostForm.Get("login")))
	page, status := s.signInPage(r.Context(), state)
	if status != http.StatusOK {
		s.renderSignIn(w, status, page)
		return
	}
	if !s.dev.Platform.Authenticate(login, r.PostForm.Get("password")) {
		page.Error = "The account or password is not correct."
		page.Login = login
		s.renderSignIn(w, http.StatusUnauthorized, page)
		return
	}
	claims, _ := s.verifyState(state)
	err := s.store.Tx(r.Context(), func(tx store.Tx) error {
		_, _, err := s.completeConsent(r.Context(), tx, claims.Org, claims.ObjectID, login, state)
		return err
	})
	if err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			s.log.Error("dev consent", "traceId", traceIDFrom(r.Context()), "error", err.Error())
			page.Error = "Something went wrong; the trace id is " + traceIDFrom(r.Context())
			s.renderSignIn(w, http.StatusInternalServerError, page)
			return
		}
		page.Error = de.Message
		page.Login = login
		s.renderSignIn(w, http.StatusForbidden, page)
		return
	}
	s.renderResult(w, page, login)
}
