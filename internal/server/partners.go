package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

func partnerRecord(org string, pp *domain.PartnerAppProfile) *store.Record {
	return &store.Record{Org: org, Kind: store.KindPartnerAppProfile, ID: pp.ID, Name: pp.Name, Type: pp.Cloud,
		UniqueKey: strings.ToLower(pp.Name), Data: mustJSON(pp), Created: pp.CreatedTime, Modified: pp.ModifiedTime}
}

func partnerView(rec *store.Record) (*domain.PartnerAppProfile, error) {
	pp, err := decodeDoc[domain.PartnerAppProfile](rec)
	if err != nil {
		return nil, err
	}
	pp.CreatedTime, pp.ModifiedTime = rec.Created, rec.Modified
	return pp, nil
}

func (s *Server) listPartnerProfiles(w http.ResponseWriter, r *http.Request) {
	listRecords(s, w, r, store.Query{Kind: store.KindPartnerAppProfile}, partnerView)
}

func (s *Server) getPartnerProfile(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, err := load(r.Context(), s.store, p.Org, store.KindPartnerAppProfile, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := partnerView(rec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeObject(w, rec.Version, v)
}

func (s *Server) createPartnerProfile(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.PartnerAppProfileWrite
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	pp := &domain.PartnerAppProfile{ID: newID(), Name: deref(in.Name), Cloud: deref(in.Cloud),
		Status: domain.StatusPendingConsent, CreatedTime: now(), ModifiedTime: now()}
	if pp.Cloud == "" {
		pp.Cloud = domain.PartnerClouds[0]
	}
	if err := domain.ValidateName("name", pp.Name); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := domain.OneOf("cloud", pp.Cloud, domain.PartnerClouds); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		rec, err := s.storePartner(ctx, tx, p.Org, pp, 0, true)
		if err != nil {
			return nil, err
		}
		v, err := partnerView(rec)
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusCreated, body: v, version: rec.Version, location: location("partner-app-profiles", pp.ID)}, nil
	})
}

// storePartner writes the profile; with reconsent it turns pending with a
// fresh consent link first.
func (s *Server) storePartner(ctx context.Context, tx store.Tx, org string, pp *domain.PartnerAppProfile, expect int64, reconsent bool) (*store.Record, error) {
	if reconsent {
		u, err := s.consentURL(consentTarget{Kind: consentPartner, Org: org, ID: pp.ID, Platform: domain.PlatformMicrosoft, Cloud: pp.Cloud})
		if err != nil {
			return nil, err
		}
		pp.Status, pp.ConsentURL = domain.StatusPendingConsent, u
	}
	pp.ModifiedTime = now()
	rec := partnerRecord(org, pp)
	var err error
	if expect == 0 {
		err = tx.Insert(ctx, rec)
	} else {
		err = tx.Update(ctx, rec, expect)
	}
	if errors.Is(err, store.ErrDuplicate) {
		return nil, duplicateName(ctx, tx, rec)
	}
	if err != nil {
		return nil, err
	}
	if reconsent && s.autoConsent() {
		admin := s.platform().AdminFor("partner:"+pp.Cloud, "")
		if admin != "" {
			if nr, err := s.consentPartnerProfile(ctx, tx, org, rec, admin); err == nil {
				return nr, nil
			}
		}
	}
	return rec, nil
}

func (s *Server) patchPartnerProfile(w http.ResponseWriter, r *http.Request) {
	var in domain.PartnerAppProfileWrite
	s.change(w, r, store.KindPartnerAppProfile, &in, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		pp, err := decodeDoc[domain.PartnerAppProfile](rec)
		if err != nil {
			return nil, nil, err
		}
		if in.Cloud != nil && *in.Cloud != pp.Cloud {
			return nil, nil, domain.Invalid(domain.CodeInvalidValue, "cloud", "the cloud of a partner app profile cannot change; create a new profile")
		}
		if in.Name != nil {
			pp.Name = *in.Name
			if err := domain.ValidateName("name", pp.Name); err != nil {
				return nil, nil, err
			}
		}
		return s.writePartner(ctx, tx, org, pp, expect, false)
	})
}

func (s *Server) reauthorizePartnerProfile(w http.ResponseWriter, r *http.Request) {
	s.change(w, r, store.KindPartnerAppProfile, nil, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		pp, err := decodeDoc[domain.PartnerAppProfile](rec)
		if err != nil {
			return nil, nil, err
		}
		return s.writePartner(ctx, tx, org, pp, expect, true)
	})
}

// writePartner stores the profile and renders what the API answers.
func (s *Server) writePartner(ctx context.Context, tx store.Tx, org string, pp *domain.PartnerAppProfile, expect int64, reconsent bool) (*store.Record, any, error) {
	nr, err := s.storePartner(ctx, tx, org, pp, expect, reconsent)
	if err != nil {
		return nil, nil, err
	}
	view, err := partnerView(nr)
	return nr, view, err
}

// consentPartnerProfile activates a pending partner app profile: only a
// Global Administrator of a tenant in the profile's cloud may authorize it.
func (s *Server) consentPartnerProfile(ctx context.Context, tx store.Tx, org string, rec *store.Record, login string) (*store.Record, error) {
	pp, err := decodeDoc[domain.PartnerAppProfile](rec)
	if err != nil {
		return nil, err
	}
	if pp.Status != domain.StatusPendingConsent {
		return nil, notPending("partner app profile")
	}
	if pl := s.platform(); pl != nil {
		d, derr := pl.CheckPartnerConsent(pp.Cloud, login)
		if derr != nil {
			return nil, derr
		}
		pp.Domain = d
	}
	pp.Status, pp.ConsentURL, pp.ConsentUser = domain.StatusActive, "", login
	pp.ModifiedTime = now()
	nr := partnerRecord(org, pp)
	if err := tx.Update(ctx, nr, rec.Version); err != nil {
		return nil, err
	}
	return nr, nil
}

// Partner users: Microsoft 365 users and groups added as system users
// through a partner app profile. They are what blocks the profile's delete.

var partnerUserKinds = []string{"user", "group"}

func partnerUserRecord(org string, u *domain.PartnerUser) *store.Record {
	return &store.Record{Org: org, Kind: store.KindPartnerUser, ID: u.ID, Name: u.Principal, Type: u.Kind,
		// The profile is the user's owner: the store's owner column filters
		// the list and, being a reference, blocks the profile's delete.
		TenantID:  u.PartnerAppProfileID,
		UniqueKey: u.PartnerAppProfileID + ":" + strings.ToLower(u.Principal),
		Data:      mustJSON(u), Created: u.CreatedTime, Modified: u.CreatedTime}
}

func (s *Server) listPartnerUsers(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	profileID := r.PathValue("id")
	if _, err := load(r.Context(), s.store, p.Org, store.KindPartnerAppProfile, profileID); err != nil {
		s.fail(w, r, err)
		return
	}
	listRecords(s, w, r, store.Query{Kind: store.KindPartnerUser, TenantID: profileID}, func(rec *store.Record) (*domain.PartnerUser, error) {
		return decodeDoc[domain.PartnerUser](rec)
	})
}

func (s *Server) createPartnerUser(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.PartnerUserWrite
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Kind == "" {
		in.Kind = "user"
	}
	if err := domain.OneOf("kind", in.Kind, partnerUserKinds); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := domain.ValidatePartnerPrincipal("principal", in.Principal); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		rec, err := load(ctx, tx, p.Org, store.KindPartnerAppProfile, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		pp, err := decodeDoc[domain.PartnerAppProfile](rec)
		if err != nil {
			return nil, err
		}
		if pp.Status != domain.StatusActive {
			return nil, domain.Invalid(domain.CodeInvalidState, "partnerAppProfileId", "the partner app profile is %s; users can be added through active profiles only", pp.Status)
		}
		u := &domain.PartnerUser{ID: newID(), PartnerAppProfileID: pp.ID, Principal: strings.ToLower(in.Principal), Kind: in.Kind, CreatedTime: now()}
		ur := partnerUserRecord(p.Org, u)
		if err := tx.Insert(ctx, ur); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return nil, alreadyExists(ctx, tx, ur, "principal", "%s was already added through this profile", u.Principal)
			}
			return nil, err
		}
		return &outcome{status: http.StatusCreated, body: u, version: ur.Version,
			location: location("partner-app-profiles", pp.ID) + "/users/" + u.ID}, nil
	})
}

func (s *Server) deletePartnerUser(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	s.mutate(w, r, nil, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		rec, err := load(ctx, tx, p.Org, store.KindPartnerUser, r.PathValue("userId"))
		if err != nil {
			return nil, err
		}
		u, err := decodeDoc[domain.PartnerUser](rec)
		if err != nil {
			return nil, err
		}
		if u.PartnerAppProfileID != r.PathValue("id") {
			return nil, domain.NotFound("partner user", rec.ID)
		}
		if err := tx.Delete(ctx, p.Org, store.KindPartnerUser, rec.ID, 0); err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusNoContent}, nil
	})
}
