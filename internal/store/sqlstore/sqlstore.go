package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// maxAttempts bounds how often Tx runs fn when the database reports a
// transient conflict. Conflicts are rare (PostgreSQL runs in READ COMMITTED
// and SQLite serializes writers behind busy_timeout), so a few attempts
// absorb them while a persistent problem still surfaces quickly.
const maxAttempts = 6

// Store implements store.Store on a database/sql handle.
type Store struct {
	db *sql.DB
	d  *Dialect
	// getStmt is the pool's prepared single-record read. A GET is the
	// hottest query (every Terraform refresh is one), and preparing it once
	// saves re-parsing it on every call.
	getStmt *sql.Stmt
}

var _ store.Store = (*Store)(nil)

// New runs pending migrations on db and returns a Store using it. The Store
// owns db from then on: Close closes it. On error db is left open for the
// caller to close.
func New(ctx context.Context, db *sql.DB, d *Dialect) (*Store, error) {
	s := &Store{db: db, d: d}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	stmt, err := db.PrepareContext(ctx, s.getQuery())
	if err != nil {
		return nil, fmt.Errorf("%s: prepare get: %w", d.Name, err)
	}
	s.getStmt = stmt
	return s, nil
}

// DB returns the underlying handle, for tests and diagnostics.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database handle.
func (s *Store) Close() error {
	_ = s.getStmt.Close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("%s: close: %w", s.d.Name, err)
	}
	return nil
}

// querier is what reads need; *sql.DB and *sql.Tx both provide it, so the
// same code reads from the pool and inside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx implements store.Store.
func (s *Store) Tx(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, func(sqlTx *sql.Tx) error {
		return fn(&tx{s: s, tx: sqlTx})
	})
}

// run executes fn in a read-write transaction and retries the whole
// transaction, a bounded number of times, when the database reports a
// transient conflict. fn's own error is returned unchanged so callers can
// compare it.
func (s *Store) run(ctx context.Context, fn func(*sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, fn)
		if err == nil || attempt >= maxAttempts || s.d.classify(err) != ClassRetry {
			return err
		}
		// Back off a little, with jitter, so that the transactions that
		// collided do not collide again in lockstep.
		delay := time.Duration(1<<attempt)*time.Millisecond + rand.N(5*time.Millisecond)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

func (s *Store) attempt(ctx context.Context, fn func(*sql.Tx) error) error {
	// SQLite connections are opened with _txlock=immediate, so this takes
	// the write lock at BEGIN: concurrent writers queue behind busy_timeout
	// instead of failing when a read lock cannot be upgraded.
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin transaction: %w", s.d.Name, err)
	}
	done := false
	defer func() {
		if !done {
			// The transaction failed or fn panicked; the error that matters
			// is already on its way. A failed rollback only means the
			// connection is broken, and database/sql discards it.
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(sqlTx); err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name, err)
	}
	return nil
}

// Get implements store.Reader outside a transaction.
func (s *Store) Get(ctx context.Context, org, kind, id string) (*store.Record, error) {
	return s.get(ctx, stmtQuerier{s.getStmt}, org, kind, id)
}

// stmtQuerier runs the prepared get statement where get expects a
// rowQuerier; the query text is already in the statement.
type stmtQuerier struct{ *sql.Stmt }

func (q stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.Stmt.QueryRowContext(ctx, args...)
}

// List implements store.Reader outside a transaction.
func (s *Store) List(ctx context.Context, q store.Query) (*store.Page, error) {
	return s.list(ctx, s.db, q)
}

// Referrers implements store.Reader outside a transaction.
func (s *Store) Referrers(ctx context.Context, org, id string) ([]store.Referrer, error) {
	return s.referrers(ctx, s.db, org, id)
}

// GetByUniqueKey implements store.Reader outside a transaction.
func (s *Store) GetByUniqueKey(ctx context.Context, org, kind, key string) (*store.Record, error) {
	return s.getByKey(ctx, s.db, org, kind, key)
}

// errf wraps err with the dialect name and an operation description.
func (s *Store) errf(err error, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %w", s.d.Name, fmt.Sprintf(format, args...), err)
}

// mapWrite turns a constraint violation of an insert or update into the
// store's sentinel, keeping the driver error in the chain for diagnostics.
func (s *Store) mapWrite(err error, op string, r *store.Record) error {
	switch s.d.classify(err) {
	case ClassUnique:
		return fmt.Errorf("%s: %s %s %s: %w (%w)", s.d.Name, op, r.Kind, r.ID, store.ErrDuplicate, err)
	case ClassForeignKey:
		return fmt.Errorf("%s: %s %s %s: %w (%w)", s.d.Name, op, r.Kind, r.ID, store.ErrMissingRef, err)
	}
	return s.errf(err, "%s %s %s", op, r.Kind, r.ID)
}

// now is the store's clock, at the precision both databases keep
// (PostgreSQL timestamps have microseconds), so a stored time reads back
// equal to the one the caller was given.
func now() time.Time { return normTime(time.Now()) }

func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// timeValue scans a timestamp column: time.Time from PostgreSQL, Unix
// microseconds from SQLite.
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		v.t = x.UTC()
	case int64:
		v.t = time.UnixMicro(x).UTC()
	default:
		return fmt.Errorf("timestamp column holds %T, want time or Unix microseconds", src)
	}
	return nil
}

// nullIfEmpty stores "" as NULL, which is how a record says it has no
// tenant: NULL is what a foreign key ignores.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullBytes passes nil as SQL NULL explicitly; drivers differ on whether a
// nil []byte is NULL or an empty blob.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// isNoRows reports whether err says a single-row query found nothing.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
