package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

func connRecord(org string, c *domain.Connection) *store.Record {
	refs := []string{}
	for _, ap := range c.AppProfiles {
		refs = append(refs, ap.ID)
	}
	refs = append(refs, c.ServiceAccountIDs...)
	refs = append(refs, c.DelegatedAppProfileIDs...)
	slices.Sort(refs)
	refs = slices.Compact(refs)
	return &store.Record{Org: org, Kind: store.KindConnection, ID: c.ID, TenantID: c.TenantID, Name: c.Name, Type: c.Type,
		UniqueKey: strings.ToLower(c.Name), Refs: refs, Data: mustJSON(c), Created: c.CreatedTime, Modified: c.ModifiedTime}
}

func connView(rec *store.Record) (*domain.Connection, error) {
	c, err := decodeDoc[domain.Connection](rec)
	if err != nil {
		return nil, err
	}
	c.CreatedTime, c.ModifiedTime = rec.Created, rec.Modified
	return c, nil
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) {
	typ, err := enumFilter(r, "type", domain.ConnectionTypes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	listRecords(s, w, r, store.Query{Kind: store.KindConnection, TenantID: r.URL.Query().Get("tenantId"), Type: typ}, connView)
}

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	rec, err := load(r.Context(), s.store, p.Org, store.KindConnection, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := connView(rec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeObject(w, rec.Version, v)
}

// mergeConnection applies a create or patch body onto a connection.
func mergeConnection(c *domain.Connection, in *domain.ConnectionWrite, creating bool) error {
	if !creating {
		if in.TenantID != nil && *in.TenantID != c.TenantID {
			return domain.Invalid(domain.CodeInvalidValue, "tenantId", "the tenant of a connection cannot change; create a new connection")
		}
		if in.Type != nil && *in.Type != c.Type {
			return domain.Invalid(domain.CodeInvalidValue, "type", "the type of a connection cannot change; create a new connection")
		}
	}
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Type != nil {
		c.Type = *in.Type
	}
	if in.TenantID != nil {
		c.TenantID = *in.TenantID
	}
	if in.GeoLocation != nil {
		c.GeoLocation = strings.ToUpper(*in.GeoLocation)
	}
	if in.ContainerID != nil {
		c.ContainerID = *in.ContainerID
	}
	if in.AppProfiles != nil {
		c.AppProfiles = append([]domain.ConnectionAppProfile{}, *in.AppProfiles...)
	}
	if in.ServiceAccountAuthentication != nil {
		c.ServiceAccountAuthentication = *in.ServiceAccountAuthentication
	}
	if in.ServiceAccountIDs != nil {
		c.ServiceAccountIDs = append([]string{}, *in.ServiceAccountIDs...)
	}
	if in.DelegatedAppProfileIDs != nil {
		c.DelegatedAppProfileIDs = append([]string{}, *in.DelegatedAppProfileIDs...)
	}
	if c.AppProfiles == nil {
		c.AppProfiles = []domain.ConnectionAppProfile{}
	}
	if c.ServiceAccountIDs == nil {
		c.ServiceAccountIDs = []string{}
	}
	if c.DelegatedAppProfileIDs == nil {
		c.DelegatedAppProfileIDs = []string{}
	}
	return nil
}

func noDuplicates(field string, ids []string) error {
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			return domain.Invalid(domain.CodeInvalidValue, fmt.Sprintf("%s[%d]", field, i), "%s lists %s twice", field, id)
		}
		seen[id] = true
	}
	return nil
}

// checkConnection enforces the connection rules against storage: the
// tenant, its geo locations and containers, and that every credential
// belongs to the same tenant and suits its authentication method.
func (s *Server) checkConnection(ctx context.Context, tx store.Reader, org string, c *domain.Connection) error {
	if err := domain.ValidateName("name", c.Name); err != nil {
		return err
	}
	if c.Type == "" {
		return domain.Invalid(domain.CodeRequired, "type", "type is required: one of %s", strings.Join(domain.ConnectionTypes, ", "))
	}
	if err := domain.OneOf("type", c.Type, domain.ConnectionTypes); err != nil {
		return err
	}
	t, err := s.connectedMicrosoftTenant(ctx, tx, org, c.TenantID, "tenantId")
	if err != nil {
		return err
	}
	if c.GeoLocation != "" {
		if !t.MultiGeo {
			return domain.Invalid(domain.CodeGeoLocationNotAllowed, "geoLocation", "tenant %s is not a multi-geo tenant; remove geoLocation", t.Name)
		}
		codes := []string{}
		for _, g := range t.GeoLocations {
			codes = append(codes, g.Code)
		}
		if !slices.Contains(codes, c.GeoLocation) {
			return domain.Invalid(domain.CodeGeoLocationNotAllowed, "geoLocation", "tenant %s has no geo location %q; use one of %s", t.Name, c.GeoLocation, strings.Join(codes, ", "))
		}
	}
	if c.ContainerID != "" && !slices.ContainsFunc(t.Containers, func(ct domain.Container) bool { return ct.ID == c.ContainerID }) {
		return domain.Invalid(domain.CodeContainerTenantMismatch, "containerId",
			"container %q is not a container of tenant %s; list them with GET /v1/tenants/%s/containers", c.ContainerID, t.Name, t.ID)
	}
	if err := domain.OneOf("serviceAccountAuthentication", c.ServiceAccountAuthentication, append([]string{""}, domain.ServiceAccountAuthentications...)); err != nil {
		return err
	}
	if len(c.AppProfiles) == 0 && c.ServiceAccountAuthentication == "" {
		return domain.Invalid(domain.CodeCredentialsRequired, "appProfiles",
			"a connection needs credentials: app profiles, service account authentication (legacy or modern), or both")
	}
	ids := []string{}
	for _, ap := range c.AppProfiles {
		ids = append(ids, ap.ID)
	}
	if err := noDuplicates("appProfiles", ids); err != nil {
		return err
	}
	for i := range c.AppProfiles {
		ap := &c.AppProfiles[i]
		field := fmt.Sprintf("appProfiles[%d]", i)
		a, err := s.credentialApp(ctx, tx, org, ap.ID, field+".id", t)
		if err != nil {
			return err
		}
		at, _ := domain.AppTypeBySlug(a.Type)
		if !at.Custom {
			if ap.ImpersonationUser != "" {
				return domain.Invalid(domain.CodeInvalidValue, field+".impersonationUser", "impersonationUser applies to custom Azure app profiles only; remove it")
			}
			continue
		}
		// A custom app profile brings its own impersonation user; the
		// connection may name another one.
		ap.ImpersonationUser = strings.ToLower(ap.ImpersonationUser)
		user := ap.ImpersonationUser
		if user == "" {
			user = a.ImpersonationUser
		}
		if user == "" {
			return domain.Invalid(domain.CodeRequired, field+".impersonationUser", "app profile %s has no impersonation user; set impersonationUser to a user with an Exchange Online licence", a.Name)
		}
		if pl := s.platform(); pl != nil {
			if derr := pl.CheckImpersonationUser(t.Domain, user, field+".impersonationUser"); derr != nil {
				return derr
			}
		}
	}
	switch c.ServiceAccountAuthentication {
	case "legacy":
		if len(c.DelegatedAppProfileIDs) > 0 {
			return domain.Invalid(domain.CodeCredentialKindMismatch, "delegatedAppProfileIds", "delegated app profiles are used with modern authentication; with legacy authentication list serviceAccountIds")
		}
		if len(c.ServiceAccountIDs) == 0 {
			return domain.Invalid(domain.CodeRequired, "serviceAccountIds", "legacy authentication needs at least one service account profile in serviceAccountIds")
		}
		if err := noDuplicates("serviceAccountIds", c.ServiceAccountIDs); err != nil {
			return err
		}
		for i, id := range c.ServiceAccountIDs {
			field := fmt.Sprintf("serviceAccountIds[%d]", i)
			rec, err := loadRef(ctx, tx, org, store.KindServiceAccount, id, field)
			if err != nil {
				return err
			}
			sa, err := decodeDoc[saDoc](rec)
			if err != nil {
				return err
			}
			if sa.TenantID != t.ID {
				return domain.Invalid(domain.CodeCredentialTenantMismatch, field, "service account profile %s belongs to another tenant; every credential must belong to tenant %s", sa.Name, t.Name)
			}
			if sa.Mfa {
				return domain.Invalid(domain.CodeMfaNotSupported, field, "service account profile %s has MFA; legacy authentication cannot use MFA accounts. Use modern authentication with a delegated app profile instead", sa.Name)
			}
		}
	case "modern":
		if len(c.ServiceAccountIDs) > 0 {
			return domain.Invalid(domain.CodeCredentialKindMismatch, "serviceAccountIds", "service account profiles are used with legacy authentication; with modern authentication list delegatedAppProfileIds")
		}
		if len(c.DelegatedAppProfileIDs) == 0 {
			return domain.Invalid(domain.CodeRequired, "delegatedAppProfileIds", "modern authentication needs at least one delegated app profile in delegatedAppProfileIds")
		}
		if err := noDuplicates("delegatedAppProfileIds", c.DelegatedAppProfileIDs); err != nil {
			return err
		}
		for i, id := range c.DelegatedAppProfileIDs {
			field := fmt.Sprintf("delegatedAppProfileIds[%d]", i)
			a, err := s.credentialApp(ctx, tx, org, id, field, t)
			if err != nil {
				return err
			}
			if a.PermissionKind == "application" {
				return domain.Invalid(domain.CodeCredentialKindMismatch, field, "app profile %s has application permissions only; modern authentication needs a delegated or hybrid app profile", a.Name)
			}
		}
	default:
		if len(c.ServiceAccountIDs) > 0 || len(c.DelegatedAppProfileIDs) > 0 {
			return domain.Invalid(domain.CodeRequired, "serviceAccountAuthentication", "set serviceAccountAuthentication to legacy or modern to use serviceAccountIds or delegatedAppProfileIds")
		}
	}
	return nil
}

// credentialApp loads an app profile used as a credential and checks it
// belongs to the connection's tenant and has been consented.
func (s *Server) credentialApp(ctx context.Context, tx store.Reader, org, id, field string, t *tenantDoc) (*domain.AppProfile, error) {
	rec, err := loadRef(ctx, tx, org, store.KindAppProfile, id, field)
	if err != nil {
		return nil, err
	}
	a, err := s.appProfileView(rec)
	if err != nil {
		return nil, err
	}
	if a.TenantID != t.ID {
		return nil, domain.Invalid(domain.CodeCredentialTenantMismatch, field, "app profile %s belongs to another tenant; every credential must belong to tenant %s", a.Name, t.Name)
	}
	if a.Status == domain.StatusPendingConsent {
		return nil, domain.Invalid(domain.CodeInvalidState, field, "app profile %s is waiting for consent (%s); consent it before using it", a.Name, a.ConsentURL)
	}
	return a, nil
}

func (s *Server) createConnection(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in domain.ConnectionWrite
	if err := decodeStrict(r, body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		c := &domain.Connection{ID: newID(), CreatedTime: now(), ModifiedTime: now()}
		if err := mergeConnection(c, &in, true); err != nil {
			return nil, err
		}
		if err := s.checkConnection(ctx, tx, p.Org, c); err != nil {
			return nil, err
		}
		rec := connRecord(p.Org, c)
		if err := tx.Insert(ctx, rec); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return nil, duplicateName(ctx, tx, rec)
			}
			return nil, err
		}
		v, err := connView(rec)
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusCreated, body: v, version: rec.Version, location: location("connections", c.ID)}, nil
	})
}

func (s *Server) patchConnection(w http.ResponseWriter, r *http.Request) {
	var in domain.ConnectionWrite
	s.change(w, r, store.KindConnection, &in, func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error) {
		c, err := decodeDoc[domain.Connection](rec)
		if err != nil {
			return nil, nil, err
		}
		if err := mergeConnection(c, &in, false); err != nil {
			return nil, nil, err
		}
		if err := s.checkConnection(ctx, tx, org, c); err != nil {
			return nil, nil, err
		}
		c.ModifiedTime = now()
		nr := connRecord(org, c)
		if err := tx.Update(ctx, nr, expect); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return nil, nil, duplicateName(ctx, tx, nr)
			}
			return nil, nil, err
		}
		view, err := connView(nr)
		return nr, view, err
	})
}
