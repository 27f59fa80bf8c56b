package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// appDoc is the stored app profile: the API object plus the tenant's domain
// (needed to ask the platform about the consent user without reading the
// tenant on every GET).
type appDoc struct {
	domain.AppProfile
	TenantDomain      string `json:"tenantDomain"`
	TenantEnvironment string `json:"tenantEnvironment"`
}

// appSecret is the sealed part of a custom Azure app profile.
type appSecret struct {
	Certificate         string `json:"certificate"`
	CertificatePassword string `json:"certificatePassword,omitempty"`
}

func appRecord(org string, a *appDoc, secret []byte) *store.Record {
	return &store.Record{Org: org, Kind: store.KindAppProfile, ID: a.ID, TenantID: a.TenantID, Name: a.Name, Type: a.Type,
		UniqueKey: a.TenantID + ":" + strings.ToLower(a.Name), Data: mustJSON(a), Secret: secret,
		Created: a.CreatedTime, Modified: a.ModifiedTime}
}

// appProfileView renders a stored app profile. In dev mode a delegated or
// hybrid profile whose consent user has since become unusable (MFA turned
// on, account disabled, conditional access) shows as invalid with the
// reason, as the real service finds out when it next uses the token.
func (s *Server) appProfileView(rec *store.Record) (*domain.AppProfile, error) {
	d, err := decodeDoc[appDoc](rec)
	if err != nil {
		return nil, err
	}
	a := d.AppProfile
	a.CreatedTime, a.ModifiedTime = rec.Created, rec.Modified
	// A profile consented while conditional access blocked the service is
	// stored invalid; it is re-evaluated too, so fixing the policy makes it
	// active again without a new consent (seed 002).
	reevaluate := a.Status == domain.StatusActive || (a.Status == domain.StatusInvalid && a.Reason == domain.ReasonConditionalAccess)
	if pl := s.platform(); pl != nil && reevaluate && a.PermissionKind != "application" && a.ConsentUser != "" {
		a.Status, a.Reason = domain.StatusActive, ""
		if reason := pl.DelegatedConsentReason(a.ID, d.TenantDomain, a.ConsentUser); reason != "" {
			a.Status, a.Reason = domain.StatusInvalid, reason
		}
	}
	return &a, nil
}

func (s *Server) listAppProfiles(w http.ResponseWriter, r *http.Request) {
	typ, err := enumFilter(r, "type", domain.AppTypeSlugs())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	listRecords(s, w, r, store.Query{Kind: store.KindAppProfile, TenantID: r.URL.Query().Get("tenantId"), Type: typ}, s.appProfileView)
}

func (s *Server) getAppProfile(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, err := load(r.Context(), s.store, p.Org, store.KindAppProfile, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.appProfileView(rec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeObject(w, rec.Version, v)
}

// connectedMicrosoftTenant loads the tenant an object is created in and
// checks it can hold Microsoft 365 objects.
func (s *Server) connectedMicrosoftTenant(ctx context.Context, tx store.Reader, org, id, field string) (*tenantDoc, error) {
	rec, err := loadRef(ctx, tx, org, store.KindTenant, id, field)
	if err != nil {
		return nil, err
	}
	t, err := decodeDoc[tenantDoc](rec)
	if err != nil {
		return nil, err
	}
	if t.Platform != domain.PlatformMicrosoft {
		return nil, domain.Invalid(domain.CodePlatformNotSupported, field, "tenant %s is a %s tenant; this object needs a Microsoft 365 tenant", id, t.Platform)
	}
	if t.Status != domain.StatusConnected {
		return nil, domain.Invalid(domain.CodeTenantNotConnected, field,
			"tenant %s is %s; complete its consent (consent URL: %s) before adding objects to it", id, t.Status, t.ConsentURL)
	}
	return t, nil
}

// applyAppWrite merges a create or patch body onto a profile, validates the
// result as a whole, and reports whether the change needs a new consent.
func (s *Server) applyAppWrite(a *appDoc, sec *appSecret, in *domain.AppProfileWrite, creating bool) (reconsent bool, err error) {
	if !creating {
		if in.TenantID != nil && *in.TenantID != a.TenantID {
			return false, domain.Invalid(domain.CodeInvalidValue, "tenantId", "the tenant of an app profile cannot change; create a new profile")
		}
		if in.Type != nil && *in.Type != a.Type {
			return false, domain.Invalid(domain.CodeInvalidValue, "type", "the type of an app profile cannot change; create a new profile")
		}
	}
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.Type != nil {
		a.Type = *in.Type
	}
	if in.ConsentMethod != nil && *in.ConsentMethod != a.ConsentMethod {
		a.ConsentMethod, reconsent = *in.ConsentMethod, true
	}
	if a.ConsentMethod == "" {
		a.ConsentMethod = "admin"
	}
	// Functions are validated in the order sent, so an error names the
	// index the caller used, and stored sorted (they are a set).
	oldFunctions := a.Functions
	if in.Functions != nil {
		a.Functions = slices.Clone(*in.Functions)
	}
	if in.ClientID != nil && *in.ClientID != a.ClientID {
		a.ClientID, reconsent = strings.ToLower(*in.ClientID), true
	}
	if in.ImpersonationUser != nil {
		a.ImpersonationUser = strings.ToLower(*in.ImpersonationUser)
	}
	certChanged := false
	if in.Certificate != nil && *in.Certificate != sec.Certificate {
		sec.Certificate, certChanged = *in.Certificate, true
	}
	if in.CertificatePassword != nil && *in.CertificatePassword != sec.CertificatePassword {
		sec.CertificatePassword, certChanged = *in.CertificatePassword, true
	}
	if err := domain.ValidateName("name", a.Name); err != nil {
		return false, err
	}
	spec := domain.AppProfileSpec{Name: a.Name, TenantID: a.TenantID, Type: a.Type, ConsentMethod: a.ConsentMethod, Functions: a.Functions,
		ClientID: a.ClientID, HasCertificate: sec.Certificate != "", HasCertificatePassword: sec.CertificatePassword != "", ImpersonationUser: a.ImpersonationUser}
	if err := domain.ValidateAppProfile(spec); err != nil {
		return false, err
	}
	if in.Functions != nil {
		slices.Sort(a.Functions)
		if !slices.Equal(a.Functions, oldFunctions) {
			reconsent = true
		}
	}
	at, _ := domain.AppTypeBySlug(a.Type)
	a.PermissionKind = at.PermissionKind
	if certChanged && sec.Certificate != "" {
		info, derr := domain.ParseCertificate("certificate", sec.Certificate, sec.CertificatePassword, time.Now())
		if derr != nil {
			return false, derr
		}
		exp := info.NotAfter.UTC()
		a.CertificateThumbprint, a.CertificateExpires = info.Thumbprint, &exp
		a.CertificateVersion++
		reconsent = true
	}
	return reconsent || creating, nil
}

func (s *Server) createAppProfile(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.AppProfileWrite
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		if in.Type == nil || *in.Type == "" {
			return nil, domain.Invalid(domain.CodeRequired, "type", "type is required: one of %s", strings.Join(domain.AppTypeSlugs(), ", "))
		}
		t, err := s.connectedMicrosoftTenant(ctx, tx, p.Org, deref(in.TenantID), "tenantId")
		if err != nil {
			return nil, err
		}
		a := &appDoc{AppProfile: domain.AppProfile{ID: newID(), TenantID: t.ID, CreatedTime: now(), ModifiedTime: now()}, TenantDomain: t.Domain, TenantEnvironment: t.Environment}
		sec := &appSecret{}
		if _, err := s.applyAppWrite(a, sec, &in, true); err != nil {
			return nil, err
		}
		rec, err := s.storeAppProfile(ctx, tx, p.Org, a, sec, 0, true)
		if err != nil {
			return nil, err
		}
		v, err := s.appProfileView(rec)
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusCreated, body: v, version: rec.Version, location: location("app-profiles", a.ID)}, nil
	})
}

// storeAppProfile writes the profile; with reconsent it first turns it
// pending with a fresh consent link (completed at once under auto-consent).
func (s *Server) storeAppProfile(ctx context.Context, tx store.Tx, org string, a *appDoc, sec *appSecret, expect int64, reconsent bool) (*store.Record, error) {
	if reconsent {
		u, err := s.consentURL(consentTarget{Kind: consentApp, Org: org, ID: a.ID, Platform: domain.PlatformMicrosoft,
			Domain: a.TenantDomain, AppType: a.Type, ConsentMethod: a.ConsentMethod, ClientID: a.ClientID, Environment: a.TenantEnvironment})
		if err != nil {
			return nil, err
		}
		a.Status, a.Reason, a.ConsentURL = domain.StatusPendingConsent, "", u
	}
	var sealed []byte
	if sec.Certificate != "" {
		sealed = s.box.Seal(mustJSON(sec), []byte(a.ID))
	}
	a.ModifiedTime = now()
	rec := appRecord(org, a, sealed)
	var err error
	if expect == 0 {
		err = tx.Insert(ctx, rec)
	} else {
		err = tx.Update(ctx, rec, expect)
	}
	if errors.Is(err, store.ErrDuplicate) {
		return nil, alreadyExists(ctx, tx, rec, "name", "the tenant already has an app profile named %q; import it or choose another name", a.Name)
	}
	if err != nil {
		return nil, err
	}
	if reconsent && s.autoConsent() {
		if admin := s.platform().AdminFor(domain.PlatformMicrosoft, a.TenantDomain); admin != "" {
			nr, err := s.consentAppProfile(ctx, tx, org, rec, admin)
			if err == nil {
				return nr, nil
			}
			var de *domain.Error
			if !errors.As(err, &de) {
				return nil, err
			}
		}
	}
	return rec, nil
}

func (s *Server) openAppSecret(rec *store.Record) (*appSecret, error) {
	sec := &appSecret{}
	if len(rec.Secret) == 0 {
		return sec, nil
	}
	b, err := s.box.Open(rec.Secret, []byte(rec.ID))
	if err != nil {
		return nil, err
	}
	return sec, json.Unmarshal(b, sec)
}

func (s *Server) patchAppProfile(w http.ResponseWriter, r *http.Request) {
	var in domain.AppProfileWrite
	s.change(w, r, store.KindAppProfile, &in, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		a, sec, err := s.openAppProfile(rec)
		if err != nil {
			return nil, nil, err
		}
		reconsent, err := s.applyAppWrite(a, sec, &in, false)
		if err != nil {
			return nil, nil, err
		}
		return s.writeAppProfile(ctx, tx, org, a, sec, expect, reconsent)
	})
}

// reauthorizeAppProfile asks for a new consent: after authorization
// expired, after the consent user became unusable, or to change who
// consented.
func (s *Server) reauthorizeAppProfile(w http.ResponseWriter, r *http.Request) {
	s.change(w, r, store.KindAppProfile, nil, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		a, sec, err := s.openAppProfile(rec)
		if err != nil {
			return nil, nil, err
		}
		return s.writeAppProfile(ctx, tx, org, a, sec, expect, true)
	})
}

// openAppProfile decodes a stored app profile and opens its secret.
func (s *Server) openAppProfile(rec *store.Record) (*appDoc, *appSecret, error) {
	a, err := decodeDoc[appDoc](rec)
	if err != nil {
		return nil, nil, err
	}
	sec, err := s.openAppSecret(rec)
	return a, sec, err
}

// writeAppProfile stores the profile and renders what the API answers.
func (s *Server) writeAppProfile(ctx context.Context, tx store.Tx, org string, a *appDoc, sec *appSecret, expect int64, reconsent bool) (*store.Record, any, error) {
	nr, err := s.storeAppProfile(ctx, tx, org, a, sec, expect, reconsent)
	if err != nil {
		return nil, nil, err
	}
	view, err := s.appProfileView(nr)
	return nr, view, err
}

// consentAppProfile activates a pending app profile once login passes the
// consent checks for its consent method.
func (s *Server) consentAppProfile(ctx context.Context, tx store.Tx, org string, rec *store.Record, login string) (*store.Record, error) {
	a, err := decodeDoc[appDoc](rec)
	if err != nil {
		return nil, err
	}
	if a.Status != domain.StatusPendingConsent {
		return nil, notPending("app profile")
	}
	reason := ""
	if pl := s.platform(); pl != nil {
		rs, derr := pl.CheckAppConsent(a.ID, a.TenantDomain, login, a.ConsentMethod, a.PermissionKind)
		if derr != nil {
			return nil, derr
		}
		reason = rs
	}
	a.Status, a.Reason, a.ConsentURL, a.ConsentUser = domain.StatusActive, "", "", login
	if reason != "" {
		a.Status, a.Reason = domain.StatusInvalid, reason
	}
	a.ModifiedTime = now()
	nr := appRecord(org, a, rec.Secret)
	if err := tx.Update(ctx, nr, rec.Version); err != nil {
		return nil, err
	}
	return nr, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
