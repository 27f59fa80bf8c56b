// Package store is aosd's persistence: one interface, implemented on SQLite
// (internal/store/sqlite) and PostgreSQL (internal/store/postgres), checked by
// one conformance suite (internal/store/storetest).
//
// Every registration object is a Record: a JSON document plus the few columns
// the service filters, orders, and enforces rules on. Rules that must hold
// across several aosd replicas are the database's job, not the process's:
//   - UniqueKey is unique per (org, kind): two replicas cannot register the
//     same platform tenant twice;
//   - Refs are foreign keys: an object that another object refers to cannot
//     be deleted, and an object cannot refer to one that is gone;
//   - Version is compared in the UPDATE/DELETE statement itself (ETag);
//   - idempotency keys are a primary key claimed inside the create's own
//     transaction.
package store

import (
	"context"
	"errors"
	"time"
)

// Kinds of record.
const (
	KindTenant            = "tenant"
	KindAppProfile        = "app_profile"
	KindPartnerAppProfile = "partner_app_profile"
	KindPartnerUser       = "partner_user"
	KindServiceAccount    = "service_account"
	KindConnection        = "connection"
)

// Record is one stored object.
type Record struct {
	Org  string
	Kind string
	ID   string
	// TenantID is the owning record ("" for none): the tenant of an app
	// profile, service account or connection, or the partner app profile a
	// partner user was added through. It is also a reference: the owner
	// cannot be deleted while records name it.
	TenantID string
	Name     string
	// Platform and Type are filter columns ("" when they do not apply).
	Platform string
	Type     string
	// UniqueKey, when not empty, is unique among records of the same org
	// and kind.
	UniqueKey string
	// Refs are the ids of other records of the same org this one depends
	// on. They cannot be deleted while this record exists. Refs are a set:
	// Get and List return them sorted, without duplicates.
	Refs []string
	// Data is the object's JSON document, without secrets.
	Data []byte
	// Secret is the sealed (encrypted) secret material, nil when none.
	Secret []byte
	// Version starts at 1 and grows by one on every update; the API's ETag
	// is derived from it.
	Version  int64
	Created  time.Time
	Modified time.Time
}

// Query selects records of one org and kind. Empty filter fields do not
// filter. Results are ordered by ID; After is the last ID of the previous
// page (keyset paging).
type Query struct {
	Org      string
	Kind     string
	TenantID string
	Platform string
	Type     string
	// Search keeps records whose name contains it, ignoring case.
	Search string
	After  string
	// Limit is the page size (1..1000); the page holds at most Limit records.
	// List returns an error for a Limit outside that range.
	Limit int
}

// Page is one page of a list. More is true when records follow the last one.
type Page struct {
	Records []*Record
	More    bool
}

// Referrer names a record that refers to another (TenantID or Refs).
type Referrer struct {
	Kind string
	ID   string
	Name string
}

// IdempotencyEntry is the remembered outcome of a create.
type IdempotencyEntry struct {
	Org         string
	Key         string
	RequestHash string
	Status      int
	Body        []byte
	Created     time.Time
}

// Client is an API client (OAuth2 client credentials).
type Client struct {
	ID         string
	Org        string
	Name       string
	SecretHash []byte
	Scopes     []string
	Created    time.Time
}

// Errors the store reports. Implementations wrap driver errors into these.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrDuplicate: another record of the org and kind has the UniqueKey, or
	// the ID is taken.
	ErrDuplicate = errors.New("store: duplicate")
	// ErrVersionMismatch: the record exists but its Version is not the
	// expected one.
	ErrVersionMismatch = errors.New("store: version mismatch")
	// ErrMissingRef: TenantID or one of Refs names no record of the org.
	ErrMissingRef = errors.New("store: referenced record does not exist")
	// ErrInvalidText: a write (or a list query) holds text the database
	// cannot keep: NUL, bytes that are not UTF-8, or a key (id, tenant id,
	// platform, type, unique key, ref, idempotency key) longer than
	// MaxKeyBytes. Both backends refuse it alike, before the database sees
	// it; a lookup by such a value finds nothing (ErrNotFound) instead.
	ErrInvalidText = errors.New("store: text the database cannot hold")
)

// MaxKeyBytes bounds the indexed text columns. PostgreSQL refuses a btree
// index entry over about 2700 bytes; the widest index (org, kind, unique
// key) stays well below that with keys of this size.
const MaxKeyBytes = 1024

// ReferencedError refuses a delete: the listed records refer to the one
// being deleted.
type ReferencedError struct {
	Referrers []Referrer
}

func (e *ReferencedError) Error() string { return "store: record is referenced" }

// Store is the persistence of aosd.
type Store interface {
	// Tx runs fn in one read-write transaction. If fn returns an error the
	// transaction is rolled back and that error returned. Implementations
	// retry fn on serialization failures, so fn must not have effects
	// outside the transaction.
	Tx(ctx context.Context, fn func(Tx) error) error
	// Reader methods run outside an explicit transaction.
	Reader
	// Clients and permission sets.
	CreateClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, id string) (*Client, error)
	// PermissionVersion returns the current permission-set version of a
	// platform (1 when never bumped).
	PermissionVersion(ctx context.Context, platform string) (int, error)
	// BumpPermissionVersion increments and returns the platform's version.
	BumpPermissionVersion(ctx context.Context, platform string) (int, error)
	// PurgeIdempotency deletes idempotency entries created before t.
	PurgeIdempotency(ctx context.Context, before time.Time) (int64, error)
	Close() error
}

// Reader reads records.
type Reader interface {
	// Get returns ErrNotFound when no record of that org, kind and id exists.
	Get(ctx context.Context, org, kind, id string) (*Record, error)
	List(ctx context.Context, q Query) (*Page, error)
	// Referrers lists the records whose TenantID or Refs name id.
	Referrers(ctx context.Context, org, id string) ([]Referrer, error)
	// GetByUniqueKey returns the record of that org and kind holding key,
	// or ErrNotFound (always for the empty key, which is never unique). It
	// names the record an Insert or Update refused with ErrDuplicate.
	GetByUniqueKey(ctx context.Context, org, kind, key string) (*Record, error)
}

// Tx is a transaction. A write method that fails undoes only its own
// changes and leaves the transaction usable, so fn may handle, say,
// ErrDuplicate and go on; the transaction's earlier writes stay.
type Tx interface {
	Reader
	// Insert stores r with Version 1 and sets r.Version, r.Created and
	// r.Modified (the caller may preset Created/Modified; zero means now).
	Insert(ctx context.Context, r *Record) error
	// Update replaces r's document, columns and refs when the stored
	// version equals expectVersion (0 means any), and sets r.Version and
	// r.Modified (to now) and r.Created (kept from the stored record).
	// ErrNotFound, ErrVersionMismatch, ErrDuplicate, ErrMissingRef.
	Update(ctx context.Context, r *Record, expectVersion int64) error
	// Delete removes the record when the stored version equals
	// expectVersion (0 means any). A referenced record is not deleted:
	// *ReferencedError lists who refers to it.
	Delete(ctx context.Context, org, kind, id string, expectVersion int64) error
	// ClaimIdempotency records key for the org unless it exists. It returns
	// nil when the key is new (the caller proceeds and must call
	// CompleteIdempotency in the same transaction); otherwise the existing
	// entry. A concurrent claim of the same key waits for the first
	// transaction and then sees its entry.
	ClaimIdempotency(ctx context.Context, org, key, requestHash string) (*IdempotencyEntry, error)
	CompleteIdempotency(ctx context.Context, org, key string, status int, body []byte) error
}
