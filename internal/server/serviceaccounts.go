package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// saDoc is the stored service account profile plus its tenant's domain.
type saDoc struct {
	domain.ServiceAccount
	TenantDomain string `json:"tenantDomain"`
}

// saSecret is the sealed part of a service account profile.
type saSecret struct {
	Password    string `json:"password,omitempty"`
	AppPassword string `json:"appPassword,omitempty"`
}

// StatusUnvalidated marks a profile no platform directory could check
// (production aosd has none; see Platform).
const StatusUnvalidated = "unvalidated"

func saRecord(org string, a *saDoc, sealed []byte) *store.Record {
	return &store.Record{Org: org, Kind: store.KindServiceAccount, ID: a.ID, TenantID: a.TenantID, Name: a.Name,
		UniqueKey: a.TenantID + ":" + strings.ToLower(a.Name), Data: mustJSON(a), Secret: sealed,
		Created: a.CreatedTime, Modified: a.ModifiedTime}
}

func saView(rec *store.Record) (*domain.ServiceAccount, error) {
	d, err := decodeDoc[saDoc](rec)
	if err != nil {
		return nil, err
	}
	a := d.ServiceAccount
	a.CreatedTime, a.ModifiedTime = rec.Created, rec.Modified
	return &a, nil
}

func (s *Server) listServiceAccounts(w http.ResponseWriter, r *http.Request) {
	listRecords(s, w, r, store.Query{Kind: store.KindServiceAccount, TenantID: r.URL.Query().Get("tenantId")}, saView)
}

func (s *Server) getServiceAccount(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, err := load(r.Context(), s.store, p.Org, store.KindServiceAccount, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := saView(rec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeObject(w, rec.Version, v)
}

// applySAWrite merges a body onto a profile and checks the whole result:
// the fields, then the password table, then (where a platform directory
// exists) the validation test. It reports whether the secret changed.
func (s *Server) applySAWrite(a *saDoc, sec *saSecret, in *domain.ServiceAccountWrite, creating bool) (bool, error) {
	if !creating && in.TenantID != nil && *in.TenantID != a.TenantID {
		return false, domain.Invalid(domain.CodeInvalidValue, "tenantId", "the tenant of a service account profile cannot change; create a new profile")
	}
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.Services != nil {
		a.Services = append([]string{}, *in.Services...)
	}
	if in.Username != nil {
		a.Username = strings.ToLower(*in.Username)
	}
	if in.Mfa != nil {
		a.Mfa = *in.Mfa
	}
	if in.SharePointAdminCenterURL != nil {
		a.SharePointAdminCenterURL = *in.SharePointAdminCenterURL
	}
	changed := false
	if in.Password != nil && *in.Password != sec.Password {
		sec.Password, changed = *in.Password, true
	}
	if in.AppPassword != nil && *in.AppPassword != sec.AppPassword {
		sec.AppPassword, changed = *in.AppPassword, true
	}
	if err := domain.ValidateName("name", a.Name); err != nil {
		return false, err
	}
	if err := domain.ValidateDescription("description", a.Description); err != nil {
		return false, err
	}
	if err := domain.ValidateServices("services", a.Services); err != nil {
		return false, err
	}
	if err := domain.ValidateUPN("username", a.Username); err != nil {
		return false, err
	}
	if a.Mfa {
		// A classic MFA profile signs in with an app password, so the
		// ordinary password has no use and is refused rather than kept.
		if sec.Password != "" {
			return false, domain.Invalid(domain.CodeInvalidValue, "password", "a classic MFA profile authenticates with appPassword; remove password")
		}
		if sec.AppPassword == "" {
			return false, domain.Invalid(domain.CodeRequired, "appPassword", "appPassword is required when mfa is true: create an app password for %s in Microsoft 365", a.Username)
		}
		if a.SharePointAdminCenterURL == "" {
			return false, domain.Invalid(domain.CodeRequired, "sharePointAdminCenterUrl", "sharePointAdminCenterUrl is required when mfa is true: enter the tenant's SharePoint Online admin center URL")
		}
	} else {
		if sec.AppPassword != "" {
			return false, domain.Invalid(domain.CodeInvalidValue, "appPassword", "appPassword is for classic MFA profiles (mfa = true) only; remove it")
		}
		if sec.Password == "" {
			return false, domain.Invalid(domain.CodeRequired, "password", "password is required")
		}
		if err := domain.ValidatePassword("password", sec.Password); err != nil {
			return false, err
		}
	}
	if a.SharePointAdminCenterURL != "" {
		if err := domain.ValidateSharePointAdminURL("sharePointAdminCenterUrl", a.SharePointAdminCenterURL); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// checkServiceAvailability refuses services the organization may not use
// (domain.Service.ServiceProviderOnly). The organization's settings are
// read in the write's own transaction, so every replica decides on the
// committed settings, and only when a restricted service is listed, so
// ordinary profiles cost no extra read.
func checkServiceAvailability(ctx context.Context, rd store.Reader, org string, services []string) error {
	if domain.ValidateServiceAvailability("services", services, false) == nil {
		return nil
	}
	settings, err := store.GetOrgSettings(ctx, rd, org)
	if err != nil {
		return err
	}
	if derr := domain.ValidateServiceAvailability("services", services, settings.ServiceProvider); derr != nil {
		return derr
	}
	return nil
}

// runValidationTest signs in as the account on the platform (dev directory)
// and records the outcome on the profile. Failures are refusals with their
// own codes: wrong password, MFA on, access policy.
func (s *Server) runValidationTest(a *saDoc, sec *saSecret) error {
	pl := s.platform()
	if pl == nil {
		a.Status, a.UserRole = StatusUnvalidated, ""
		return nil
	}
	role, derr := pl.ValidateServiceAccount(a.TenantDomain, a.Username, sec.Password, a.Mfa, sec.AppPassword)
	if derr != nil {
		return derr
	}
	a.Status, a.Reason, a.UserRole, a.LastValidated = domain.StatusValid, "", role, now()
	return nil
}

func (s *Server) sealSA(a *saDoc, sec *saSecret, changed bool) []byte {
	if changed {
		secret := sec.Password
		if a.Mfa {
			secret = sec.AppPassword
		}
		a.SecretFingerprint = s.box.Fingerprint([]byte(secret))
		a.SecretVersion++
	}
	return s.box.Seal(mustJSON(sec), []byte(a.ID))
}

func (s *Server) openSASecret(rec *store.Record) (*saSecret, error) {
	sec := &saSecret{}
	if len(rec.Secret) == 0 {
		return sec, nil
	}
	b, err := s.box.Open(rec.Secret, []byte(rec.ID))
	if err != nil {
		return nil, err
	}
	return sec, json.Unmarshal(b, sec)
}

func (s *Server) createServiceAccount(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.ServiceAccountWrite
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		t, err := s.connectedMicrosoftTenant(ctx, tx, p.Org, deref(in.TenantID), "tenantId")
		if err != nil {
			return nil, err
		}
		a := &saDoc{ServiceAccount: domain.ServiceAccount{ID: newID(), TenantID: t.ID, CreatedTime: now(), ModifiedTime: now()}, TenantDomain: t.Domain}
		sec := &saSecret{}
		changed, err := s.applySAWrite(a, sec, &in, true)
		if err != nil {
			return nil, err
		}
		if err := checkServiceAvailability(ctx, tx, p.Org, a.Services); err != nil {
			return nil, err
		}
		if err := s.runValidationTest(a, sec); err != nil {
			return nil, err
		}
		rec := saRecord(p.Org, a, s.sealSA(a, sec, changed))
		if err := tx.Insert(ctx, rec); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return nil, duplicateName(ctx, tx, rec)
			}
			return nil, err
		}
		v, err := saView(rec)
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusCreated, body: v, version: rec.Version, location: location("service-accounts", a.ID)}, nil
	})
}

func (s *Server) patchServiceAccount(w http.ResponseWriter, r *http.Request) {
	var in domain.ServiceAccountWrite
	s.change(w, r, store.KindServiceAccount, &in, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		a, sec, err := s.openServiceAccount(rec)
		if err != nil {
			return nil, nil, err
		}
		// Switching between a classic MFA profile and an ordinary one
		// swaps the credential kind: the old one is dropped so the
		// request must bring the new one.
		if in.Mfa != nil && *in.Mfa != a.Mfa {
			if *in.Mfa {
				sec.Password = ""
			} else {
				sec.AppPassword = ""
			}
		}
		changed, err := s.applySAWrite(a, sec, &in, false)
		if err != nil {
			return nil, nil, err
		}
		// The rule holds for the profile as it would be stored, not only
		// for services this request adds: an organization that stopped
		// being a service provider must drop the service before changing
		// anything else, rather than keep using it.
		if err := checkServiceAvailability(ctx, tx, org, a.Services); err != nil {
			return nil, nil, err
		}
		if err := s.runValidationTest(a, sec); err != nil {
			return nil, nil, err
		}
		a.ModifiedTime = now()
		return writeServiceAccount(ctx, tx, saRecord(org, a, s.sealSA(a, sec, changed)), expect)
	})
}

// validateServiceAccount re-runs the validation test with the stored
// password, for example after the account's password or MFA changed.
func (s *Server) validateServiceAccount(w http.ResponseWriter, r *http.Request) {
	s.change(w, r, store.KindServiceAccount, nil, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		a, sec, err := s.openServiceAccount(rec)
		if err != nil {
			return nil, nil, err
		}
		if err := s.runValidationTest(a, sec); err != nil {
			return nil, nil, err
		}
		return writeServiceAccount(ctx, tx, saRecord(org, a, rec.Secret), expect)
	})
}

// openServiceAccount decodes a stored profile and opens its secret.
func (s *Server) openServiceAccount(rec *store.Record) (*saDoc, *saSecret, error) {
	a, err := decodeDoc[saDoc](rec)
	if err != nil {
		return nil, nil, err
	}
	sec, err := s.openSASecret(rec)
	return a, sec, err
}

// writeServiceAccount updates the record and renders what the API answers.
func writeServiceAccount(ctx context.Context, tx store.Tx, nr *store.Record, expect int64) (*store.Record, any, error) {
	if err := tx.Update(ctx, nr, expect); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, nil, duplicateName(ctx, tx, nr)
		}
		return nil, nil, err
	}
	view, err := saView(nr)
	return nr, view, err
}
