package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// signInPage describes the object a dev consent link is for. The status is
// not 200 when the link is unusable; the page then says why.
func (s *Server) signInPage(ctx context.Context, token string) (consent.SignInPage, int) {
	page := consent.SignInPage{Action: consent.DevSignInPath, State: token}
	st, err := s.verifyState(token)
	if err != nil {
		page.Error = "This consent link is not valid"
		if errors.Is(err, consent.ErrStateExpired) {
			page.Error = "This consent link has expired"
		}
		page.Error += ". Reconnect or re-authorize the object to get a new one."
		return page, http.StatusBadRequest
	}
	page.Kind = st.Kind
	rec, err := s.store.Get(ctx, st.Org, st.Kind, st.ObjectID)
	if err != nil {
		page.Error = "The object this link is for no longer exists."
		return page, http.StatusNotFound
	}
	switch st.Kind {
	case consentTenant:
		t, err := decodeDoc[tenantDoc](rec)
		if err != nil {
			return page, http.StatusInternalServerError
		}
		page.Platform, page.ObjectName, page.TenantDomain, page.Environment = t.Platform, t.Name, t.Domain, t.Environment
		ps := domain.PermissionSetFor(t.Platform, 0)
		page.Permissions, page.Requirement = ps.Permissions, "Requires: "+ps.AdminRequirement+"."
		if t.Status != domain.StatusPendingConsent {
			page.Error = "This tenant is not waiting for consent."
			return page, http.StatusConflict
		}
	case consentApp:
		a, err := decodeDoc[appDoc](rec)
		if err != nil {
			return page, http.StatusInternalServerError
		}
		page.Platform, page.ObjectName, page.TenantDomain = domain.PlatformMicrosoft, a.Name, a.TenantDomain
		page.AppType, page.ConsentMethod = a.Type, a.ConsentMethod
		page.Requirement = "Sign in as a Global Administrator of " + a.TenantDomain + "."
		if a.ConsentMethod == domain.ConsentMethodUser {
			page.Requirement = "Sign in as any member of " + a.TenantDomain + " (user consent)."
		}
		if a.Status != domain.StatusPendingConsent {
			page.Error = "This app profile is not waiting for consent."
			return page, http.StatusConflict
		}
	default:
		pp, err := decodeDoc[domain.PartnerAppProfile](rec)
		if err != nil {
			return page, http.StatusInternalServerError
		}
		page.Platform, page.ObjectName = domain.PlatformMicrosoft, pp.Name
		page.Permissions = domain.PartnerGraphPermissions
		page.Requirement = "Sign in as a Global Administrator of the customer's tenant."
		if pp.Status != domain.StatusPendingConsent {
			page.Error = "This partner app profile is not waiting for consent."
			return page, http.StatusConflict
		}
	}
	return page, http.StatusOK
}

func (s *Server) renderSignIn(w http.ResponseWriter, status int, page consent.SignInPage) {
	consent.SetPageHeaders(w.Header())
	w.WriteHeader(status)
	if page.State == "" {
		// A link without a state has no form to show (RenderSignIn
		// refuses one), only why it cannot be used.
		s.renderFailure(w, page.Error)
		return
	}
	if err := consent.RenderSignIn(w, page); err != nil {
		s.log.Error("rendering sign-in page", "error", err.Error())
	}
}

func (s *Server) renderResult(w http.ResponseWriter, page consent.SignInPage, login string) {
	consent.SetPageHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	err := consent.RenderResult(w, consent.ResultPage{Success: true, Platform: page.Platform, Kind: page.Kind,
		ObjectName: page.ObjectName, TenantDomain: page.TenantDomain,
		Message: "Consent was given by " + login + ". You can close this page; Terraform sees the new status on its next read."})
	if err != nil {
		s.log.Error("rendering result page", "error", err.Error())
	}
}

// renderFailure writes the result page of a consent that cannot go on,
// after the status line.
func (s *Server) renderFailure(w http.ResponseWriter, message string) {
	if err := consent.RenderResult(w, consent.ResultPage{Message: message}); err != nil {
		s.log.Error("rendering result page", "error", err.Error())
	}
}
