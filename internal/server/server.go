// Package server is aosd's HTTP API: authentication, the registration
// resources and their product rules, and (in dev mode only) the simulated
// platform sign-in pages and the dev API.
package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// AmazonVerifier assumes a customer's role to prove the registration works.
type AmazonVerifier interface {
	Verify(ctx context.Context, roleARN, externalID string) (accountID string, err error)
}

// Config configures a Server.
type Config struct {
	Store  store.Store
	Box    *secrets.Box
	Logger *slog.Logger
	// PublicURL is the externally visible base URL of aosd, used to build
	// consent and callback URLs.
	PublicURL string
	// Dev, when set, is the simulated platform directory: it turns on the
	// sign-in pages and the /dev/v1 API. Nil in production.
	Dev *DevConfig
	// Consent builds the real platforms' consent URLs in production.
	Consent *consent.Config
	// AmazonPrincipal is the AWS principal ARN customers' roles must trust.
	// Empty means this service does not offer Amazon tenants: registering
	// one is refused, rather than handing out a principal nobody chose.
	AmazonPrincipal string
	AmazonVerifier  AmazonVerifier
	// RateLimit is requests per second per client (0: unlimited) and
	// RateBurst the bucket size.
	RateLimit float64
	RateBurst int
}

// Server is the aosd HTTP API.
type Server struct {
	store     store.Store
	box       *secrets.Box
	log       *slog.Logger
	publicURL string
	dev       *DevConfig
	consent   *consent.Config
	amazon    struct {
		principal string
		verifier  AmazonVerifier
	}
	tokenKey []byte
	stateKey []byte
	limiter  *limiter
	perms    permissionCache
	handler  http.Handler
	// methods are the methods registered per mux and path (route).
	methods map[*http.ServeMux]map[string][]string
}

// New builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Box == nil {
		return nil, errors.New("server: Store and Box are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		store: cfg.Store, box: cfg.Box, log: cfg.Logger,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"),
		dev:       cfg.Dev, consent: cfg.Consent,
		tokenKey: cfg.Box.DeriveKey("token"), stateKey: cfg.Box.DeriveKey("consent-state"),
		limiter: newLimiter(cfg.RateLimit, cfg.RateBurst),
	}
	s.amazon.principal = cfg.AmazonPrincipal
	s.amazon.verifier = cfg.AmazonVerifier
	s.handler = s.observe(s.routes())
	return s, nil
}

// DefaultAmazonPrincipal is the example account of the AWS documentation,
// which moto also uses. aosd dev passes it when no principal is given; the
// server itself never falls back to it.
const DefaultAmazonPrincipal = "arn:aws:iam::123456789012:root"

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetPublicURL sets the base URL once the listener's address is known.
func (s *Server) SetPublicURL(u string) { s.publicURL = strings.TrimRight(u, "/") }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := http.NewServeMux()
	s.route(mux, "POST /connect/token", s.handleToken)
	s.route(mux, "GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.handlePage(mux, "GET /consent/callback/{platform}", s.handleConsentCallback)
	mux.Handle("/v1/", s.authenticate(api))

	s.handle(api, "GET /v1/tenants", s.listTenants)
	s.handle(api, "POST /v1/tenants", s.createTenant)
	s.handle(api, "GET /v1/tenants/{id}", s.getTenant)
	s.handle(api, "PATCH /v1/tenants/{id}", s.patchTenant)
	s.handle(api, "DELETE /v1/tenants/{id}", s.deleteTenant)
	s.handle(api, "POST /v1/tenants/{id}/reconnect", s.reconnectTenant)
	s.handle(api, "POST /v1/tenants/{id}/validate", s.validateTenant)
	s.handle(api, "GET /v1/tenants/{id}/containers", s.listContainers)
	s.handle(api, "GET /v1/tenants/{id}/geo-locations", s.listGeoLocations)
	s.handle(api, "GET /v1/platforms/{platform}/permissions", s.getPermissions)

	s.handle(api, "GET /v1/app-profiles", s.listAppProfiles)
	s.handle(api, "POST /v1/app-profiles", s.createAppProfile)
	s.handle(api, "GET /v1/app-profiles/{id}", s.getAppProfile)
	s.handle(api, "PATCH /v1/app-profiles/{id}", s.patchAppProfile)
	s.handle(api, "DELETE /v1/app-profiles/{id}", s.deleteKind(store.KindAppProfile))
	s.handle(api, "POST /v1/app-profiles/{id}/reauthorize", s.reauthorizeAppProfile)

	s.handle(api, "GET /v1/partner-app-profiles", s.listPartnerProfiles)
	s.handle(api, "POST /v1/partner-app-profiles", s.createPartnerProfile)
	s.handle(api, "GET /v1/partner-app-profiles/{id}", s.getPartnerProfile)
	s.handle(api, "PATCH /v1/partner-app-profiles/{id}", s.patchPartnerProfile)
	s.handle(api, "DELETE /v1/partner-app-profiles/{id}", s.deleteKind(store.KindPartnerAppProfile))
	s.handle(api, "POST /v1/partner-app-profiles/{id}/reauthorize", s.reauthorizePartnerProfile)
	s.handle(api, "GET /v1/partner-app-profiles/{id}/users", s.listPartnerUsers)
	s.handle(api, "POST /v1/partner-app-profiles/{id}/users", s.createPartnerUser)
	s.handle(api, "DELETE /v1/partner-app-profiles/{id}/users/{userId}", s.deletePartnerUser)

	s.handle(api, "GET /v1/service-accounts", s.listServiceAccounts)
	s.handle(api, "POST /v1/service-accounts", s.createServiceAccount)
	s.handle(api, "GET /v1/service-accounts/{id}", s.getServiceAccount)
	s.handle(api, "PATCH /v1/service-accounts/{id}", s.patchServiceAccount)
	s.handle(api, "DELETE /v1/service-accounts/{id}", s.deleteKind(store.KindServiceAccount))
	s.handle(api, "POST /v1/service-accounts/{id}/validate", s.validateServiceAccount)

	s.handle(api, "GET /v1/connections", s.listConnections)
	s.handle(api, "POST /v1/connections", s.createConnection)
	s.handle(api, "GET /v1/connections/{id}", s.getConnection)
	s.handle(api, "PATCH /v1/connections/{id}", s.patchConnection)
	s.handle(api, "DELETE /v1/connections/{id}", s.deleteKind(store.KindConnection))

	s.fallbacks(api, "/v1/")
	if s.dev != nil {
		s.devRoutes(mux)
	}
	s.fallbacks(mux, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p != cleanPath(p) {
			// ServeMux would redirect to the cleaned path, which names
			// another object: DELETE .../users/.. would be sent on to
			// delete the profile itself by a client that follows the 307.
			s.writeError(w, r, domain.BadRequest(domain.CodeBadRequest, "path",
				"the path %q has empty, \".\" or \"..\" segments; use the path of the object as the API gives it", p))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// cleanPath is p without empty, "." and ".." segments, keeping a trailing
// slash, as ServeMux cleans it.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// newID returns a time-ordered id, so keyset paging by id lists objects in
// creation order.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// kindNames are the words errors use for record kinds.
var kindNames = map[string]string{
	store.KindTenant:            "tenant",
	store.KindAppProfile:        "app profile",
	store.KindPartnerAppProfile: "partner app profile",
	store.KindPartnerUser:       "partner user",
	store.KindServiceAccount:    "service account profile",
	store.KindConnection:        "migration connection",
}

// fail maps any error onto the API's error shape.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, s.asError(r, err))
}

// asError maps any error onto the API's error: domain errors as they are,
// store errors onto their status and code, anything else onto a 500 whose
// cause is logged with the trace id but not told (internal messages can
// name tables or hosts).
func (s *Server) asError(r *http.Request, err error) *domain.Error {
	var de *domain.Error
	var re *store.ReferencedError
	switch {
	case errors.As(err, &de):
		return de
	case errors.As(err, &re):
		e := &domain.Error{Status: http.StatusConflict, Code: domain.CodeInUse,
			Message: "the object is still used by other objects; delete or change them first"}
		for _, ref := range re.Referrers {
			e.Related = append(e.Related, domain.Related{Kind: ref.Kind, ID: ref.ID, Name: ref.Name})
		}
		return e
	case errors.Is(err, store.ErrVersionMismatch):
		return &domain.Error{Status: http.StatusPreconditionFailed, Code: domain.CodePreconditionFailed,
			Message: "the object changed since it was read (If-Match does not match its ETag); read it again and retry"}
	case errors.Is(err, store.ErrNotFound):
		return &domain.Error{Status: http.StatusNotFound, Code: domain.CodeNotFound, Message: "the object does not exist"}
	case errors.Is(err, store.ErrInvalidText):
		// The request checks refuse such text with the field's name first;
		// this answers any that got past them as the client's error it is.
		return domain.BadRequest(domain.CodeInvalidValue, "", "the request holds text the service cannot store (NUL, bytes that are not UTF-8, or an over-long value)")
	case errors.Is(err, store.ErrDuplicate):
		return &domain.Error{Status: http.StatusConflict, Code: domain.CodeAlreadyExists, Message: "an object with the same identity already exists"}
	case errors.Is(err, context.Canceled):
		return &domain.Error{Status: 499, Code: domain.CodeBadRequest, Message: "request canceled"}
	}
	return s.internal(r, err)
}

// internal logs err with the trace id and returns the 500 that tells only
// the trace id.
func (s *Server) internal(r *http.Request, err error) *domain.Error {
	tid := traceIDFrom(r.Context())
	s.log.Error("internal error", "traceId", tid, "error", err.Error())
	return &domain.Error{Status: http.StatusInternalServerError, Code: domain.CodeInternal,
		Message: "internal error; report the trace id " + tid}
}

// alreadyExists answers a write that the store refused with
// store.ErrDuplicate: 409 AlreadyExists with a detail naming field and, in
// related, the object that holds the unique key, so that a client can
// import it (the Terraform provider prints an import block from
// related[0].id). The lookup runs in the write's own transaction, which the
// refused write left usable. When no object holds the key (the id itself
// collided), related stays empty.
func alreadyExists(ctx context.Context, rd store.Reader, rec *store.Record, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	e := &domain.Error{Status: http.StatusConflict, Code: domain.CodeAlreadyExists, Message: msg,
		Details: []domain.Detail{{Field: field, Code: domain.CodeAlreadyExists, Message: msg}}}
	existing, err := rd.GetByUniqueKey(ctx, rec.Org, rec.Kind, rec.UniqueKey)
	switch {
	case err == nil:
		e.Related = []domain.Related{{Kind: existing.Kind, ID: existing.ID, Name: existing.Name}}
		e.Message = fmt.Sprintf("%s (id %s)", msg, existing.ID)
		e.Details[0].Message = e.Message
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return e
}

// duplicateName is alreadyExists for a record whose name is its unique key.
func duplicateName(ctx context.Context, rd store.Reader, rec *store.Record) error {
	return alreadyExists(ctx, rd, rec, "name", "a %s named %q already exists; import it or choose another name", kindNames[rec.Kind], rec.Name)
}

// load reads one record of kind, answering 404 in the kind's words. Another
// organization's record is indistinguishable from a missing one.
func load(ctx context.Context, rd store.Reader, org, kind, id string) (*store.Record, error) {
	rec, err := rd.Get(ctx, org, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, domain.NotFound(kindNames[kind], id)
	}
	return rec, err
}

// loadRef reads a record another object refers to through field; a missing
// one is a 422 naming the field rather than a 404 of the request's URL.
func loadRef(ctx context.Context, rd store.Reader, org, kind, id, field string) (*store.Record, error) {
	if id == "" {
		return nil, domain.Invalid(domain.CodeRequired, field, "%s is required", field)
	}
	rec, err := rd.Get(ctx, org, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, domain.Invalid(domain.CodeNotFound, field, "%s %q does not exist", kindNames[kind], id)
	}
	return rec, err
}

// outcome is what a mutation answers.
type outcome struct {
	status   int
	body     any
	version  int64
	location string
}

// replay is how an idempotent outcome is remembered.
type replay struct {
	Status   int             `json:"s"`
	ETag     string          `json:"e,omitempty"`
	Location string          `json:"l,omitempty"`
	Body     json.RawMessage `json:"b,omitempty"`
}

// maxMutationAttempts bounds the retries of a write that lost an
// optimistic-concurrency race the caller did not ask to be told about
// (no If-Match). On PostgreSQL concurrent writers of one object really
// run at the same time, and each round of a race has one winner, so the
// bound is set well above the number of writers a client plausibly sends
// at once; the attempts are spaced by mutationBackoff so that the losers
// do not meet again in lockstep.
const maxMutationAttempts = 20

// mutationBackoff is the wait before retry number attempt (from 1): a
// few milliseconds growing to at most about 50, with jitter.
func mutationBackoff(attempt int) time.Duration {
	d := time.Duration(min(attempt, 10)) * 5 * time.Millisecond
	return d/2 + rand.N(d)
}

// mutate runs fn in one transaction. For a POST carrying Idempotency-Key the
// key is claimed in the same transaction, so the key and the object it
// created commit together or not at all, and a repeat (even concurrent, on
// another replica) answers the remembered outcome.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, body []byte, fn func(ctx context.Context, tx store.Tx) (*outcome, error)) {
	p := principalFrom(r.Context())
	key := ""
	if r.Method == http.MethodPost {
		k, err := idempotencyKey(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		key = k
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	_, preconditioned := r.Header["If-Match"]

	var rep *replay
	var out *outcome
	var err error
	for attempt := 0; attempt < maxMutationAttempts; attempt++ {
		rep, out = nil, nil
		err = s.store.Tx(r.Context(), func(tx store.Tx) error {
			rep, out = nil, nil
			if key != "" {
				entry, err := tx.ClaimIdempotency(r.Context(), p.Org, key, hash)
				if err != nil {
					return err
				}
				if entry != nil {
					if entry.RequestHash != hash {
						return &domain.Error{Status: http.StatusUnprocessableEntity, Code: domain.CodeIdempotencyMismatch,
							Message: "this Idempotency-Key was already used for a different request; use a new key for a new request"}
					}
					rep = &replay{}
					return json.Unmarshal(entry.Body, rep)
				}
			}
			o, err := fn(r.Context(), tx)
			if err != nil {
				return err
			}
			out = o
			if key != "" {
				b, err := json.Marshal(o.body)
				if err != nil {
					return err
				}
				rb, _ := json.Marshal(replay{Status: o.status, ETag: etagOf(o.version), Location: o.location, Body: b})
				return tx.CompleteIdempotency(r.Context(), p.Org, key, o.status, rb)
			}
			return nil
		})
		if !errors.Is(err, store.ErrVersionMismatch) || preconditioned {
			break
		}
		select {
		case <-r.Context().Done():
		case <-time.After(mutationBackoff(attempt + 1)):
		}
	}
	if errors.Is(err, store.ErrVersionMismatch) && !preconditioned {
		// 412 would blame a precondition the caller never set. The object
		// is being changed by other requests right now; a retry heals it.
		w.Header().Set("Retry-After", "1")
		s.writeError(w, r, &domain.Error{Status: http.StatusServiceUnavailable, Code: domain.CodeBusy,
			Message: "the object is being changed by other requests at the same time; retry in a moment"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		if rep.ETag != "" {
			w.Header().Set("ETag", rep.ETag)
		}
		if rep.Location != "" {
			w.Header().Set("Location", rep.Location)
		}
		if len(rep.Body) == 0 {
			w.WriteHeader(rep.Status)
			return
		}
		writeRaw(w, rep.Status, rep.Body)
		return
	}
	if out.version > 0 {
		w.Header().Set("ETag", etag(out.version))
	}
	if out.location != "" {
		w.Header().Set("Location", out.location)
	}
	if out.body == nil {
		w.WriteHeader(out.status)
		return
	}
	writeJSON(w, out.status, out.body)
}

func etagOf(v int64) string {
	if v <= 0 {
		return ""
	}
	return etag(v)
}

// writeObject answers a single object with its ETag.
func writeObject(w http.ResponseWriter, version int64, body any) {
	w.Header().Set("ETag", etag(version))
	writeJSON(w, http.StatusOK, body)
}

// expectVersion returns the version a write must find: the caller's If-Match
// when given, else the version just read (so a concurrent writer between
// read and write is detected and the write retried).
func expectVersion(r *http.Request, rec *store.Record) (int64, error) {
	v, err := ifMatch(r)
	if err != nil {
		return 0, err
	}
	if v != 0 && v != rec.Version {
		return 0, store.ErrVersionMismatch
	}
	return rec.Version, nil
}

// change runs a write on one existing object: it decodes the body into in
// (nil for actions, which take an empty object), then, in one transaction,
// loads the record of kind named by the {id} path value, checks If-Match,
// and lets apply write the new record and name the object to answer.
func (s *Server) change(w http.ResponseWriter, r *http.Request, kind string, in any,
	apply func(ctx context.Context, tx store.Tx, org string, rec *store.Record, expect int64) (*store.Record, any, error)) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if in == nil {
		in = &struct{}{}
	}
	if err := decodeStrict(r, body, in); err != nil {
		s.fail(w, r, err)
		return
	}
	org := principalFrom(r.Context()).Org
	s.mutate(w, r, body, func(ctx context.Context, tx store.Tx) (*outcome, error) {
		rec, err := load(ctx, tx, org, kind, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		v, err := expectVersion(r, rec)
		if err != nil {
			return nil, err
		}
		nr, view, err := apply(ctx, tx, org, rec, v)
		if err != nil {
			return nil, err
		}
		return &outcome{status: http.StatusOK, body: view, version: nr.Version}, nil
	})
}

// deleteKind answers DELETE for kinds without extra rules. A referenced
// object answers 409 with the objects that use it.
func (s *Server) deleteKind(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principalFrom(r.Context())
		s.mutate(w, r, nil, func(ctx context.Context, tx store.Tx) (*outcome, error) {
			rec, err := load(ctx, tx, p.Org, kind, r.PathValue("id"))
			if err != nil {
				return nil, err
			}
			v, err := expectVersion(r, rec)
			if err != nil {
				return nil, err
			}
			if err := tx.Delete(ctx, p.Org, kind, rec.ID, v); err != nil {
				return nil, inUse(kind, err)
			}
			// Forgotten before the commit: should the commit fail, the
			// profile's next evaluation takes the user's current state as
			// its baseline, as after a restart of aosd dev.
			if pl := s.platform(); pl != nil && kind == store.KindAppProfile {
				pl.ForgetAppConsent(rec.ID)
			}
			return &outcome{status: http.StatusNoContent}, nil
		})
	}
}

// inUse turns a refused delete into the kind's own 409 code.
func inUse(kind string, err error) error {
	var re *store.ReferencedError
	if !errors.As(err, &re) {
		return err
	}
	code, msg := domain.CodeInUse, "the "+kindNames[kind]+" is still used; delete or change the related objects first"
	switch kind {
	case store.KindTenant:
		code, msg = domain.CodeTenantHasRelatedData, "the tenant still has related data (app profiles, service account profiles or connections); remove them first"
	case store.KindAppProfile:
		code, msg = domain.CodeAppProfileInUse, "the app profile is used by migration connections; remove it from them first"
	case store.KindPartnerAppProfile:
		code, msg = domain.CodePartnerProfileHasUsers, "users or groups were added through this partner app profile and still exist; remove them first"
	}
	e := &domain.Error{Status: http.StatusConflict, Code: code, Message: msg}
	for _, ref := range re.Referrers {
		e.Related = append(e.Related, domain.Related{Kind: ref.Kind, ID: ref.ID, Name: ref.Name})
	}
	return e
}

// listParams reads top and skipToken.
type listParams struct {
	top   int
	after string
}

const maxTop = 100

func parseList(r *http.Request) (listParams, error) {
	q := r.URL.Query()
	lp := listParams{top: maxTop}
	if t := q.Get("top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > maxTop {
			return lp, domain.BadRequest(domain.CodeInvalidValue, "top", "top must be a whole number from 1 to %d", maxTop)
		}
		lp.top = n
	}
	if st := q.Get("skipToken"); st != "" {
		// The token is decoded into the id the page starts after; one that
		// this API did not make could hold any bytes, which must not reach
		// the database.
		b, err := base64.RawURLEncoding.DecodeString(st)
		if err != nil || len(b) == 0 || domain.CheckText("skipToken", string(b), textKind("")) != nil {
			return lp, domain.BadRequest(domain.CodeInvalidValue, "skipToken", "skipToken is not one this API returned; start the list again without it")
		}
		lp.after = string(b)
	}
	return lp, nil
}

// nextLink keeps the request's filters and replaces the skip token.
func nextLink(r *http.Request, lastID string) string {
	q := r.URL.Query()
	q.Set("skipToken", base64.RawURLEncoding.EncodeToString([]byte(lastID)))
	return r.URL.Path + "?" + q.Encode()
}

// enumFilter validates a filter parameter against its allowed values.
func enumFilter(r *http.Request, name string, allowed []string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return "", nil
	}
	for _, a := range allowed {
		if a == v {
			return v, nil
		}
	}
	return "", domain.BadRequest(domain.CodeInvalidValue, name, "%s must be one of %s", name, strings.Join(allowed, ", "))
}

// listRecords runs a list query and renders each record with render.
func listRecords[T any](s *Server, w http.ResponseWriter, r *http.Request, q store.Query, render func(*store.Record) (T, error)) {
	lp, err := parseList(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q.Org = principalFrom(r.Context()).Org
	q.Search = r.URL.Query().Get("search")
	q.After, q.Limit = lp.after, lp.top
	page, err := s.store.List(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := domain.List[T]{Data: make([]T, 0, len(page.Records))}
	for _, rec := range page.Records {
		v, err := render(rec)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out.Data = append(out.Data, v)
	}
	if page.More && len(page.Records) > 0 {
		out.NextLink = nextLink(r, page.Records[len(page.Records)-1].ID)
	}
	writeJSON(w, http.StatusOK, out)
}

// decodeDoc unmarshals a record's document.
func decodeDoc[T any](rec *store.Record) (*T, error) {
	var v T
	if err := json.Unmarshal(rec.Data, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are marshalled
	}
	return b
}

// location is the URL of a created object.
func location(collection, id string) string { return "/v1/" + collection + "/" + url.PathEscape(id) }

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
