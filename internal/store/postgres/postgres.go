// Package postgres is aosd's store on PostgreSQL, for running several aosd
// replicas against one database. Every rule of store.Store is enforced by
// the database, so replicas need no coordination among themselves.
//
// Transactions run at READ COMMITTED. The rules hold at that level because
// each one is a constraint or a conditional statement: unique indexes and
// foreign keys make concurrent inserts wait for each other, an UPDATE
// re-checks its version condition after waiting for a concurrent writer,
// and Delete locks the row before reading who refers to it.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/aos-dev/terraform-provider-aos/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockKey is the pg_advisory_xact_lock key that serializes
// migrations of replicas starting together. Any constant works as long as
// nothing else in the database uses it; this one is "aosdmig" in ASCII.
const migrationLockKey = 0x616f73646d6967

// defaultMaxConns bounds each replica's pool. It can be set per URL with the
// pool_max_conns parameter (the name pgxpool uses).
const defaultMaxConns = 20

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	*sqlstore.Store
}

// Open connects to the database at url (postgres://user:pass@host/db?...)
// and migrates it.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse connection URL: %w", err)
	}
	maxConns := defaultMaxConns
	// pgx passes unknown URL parameters to the server as settings, which
	// would refuse this one; take it out first.
	if v, ok := cfg.RuntimeParams["pool_max_conns"]; ok {
		delete(cfg.RuntimeParams, "pool_max_conns")
		maxConns, err = strconv.Atoi(v)
		if err != nil || maxConns < 1 {
			return nil, fmt.Errorf("postgres: pool_max_conns=%q is not a positive number", v)
		}
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	// Recycle connections now and then so that server-side memory does not
	// grow without bound and a failover's new primary gets used.
	db.SetConnMaxLifetime(time.Hour)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close() // The ping error is the one to report.
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.Host, err)
	}
	s, err := open(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{Store: s}, nil
}

func open(ctx context.Context, db *sql.DB) (*sqlstore.Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return sqlstore.New(ctx, db, &sqlstore.Dialect{
		Name:           "postgres",
		NumberedParams: true,
		Contains:       "strpos(r.name_lower, ?) > 0",
		RefsJSON:       "(SELECT coalesce(json_agg(f.dst_id), '[]'::json) FROM refs f WHERE f.src_id = r.id)",
		LockRow:        " FOR UPDATE",
		Migrations:     sub,
		MigrationLock:  fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
		TimeArg:        func(t time.Time) any { return t },
		Classify:       classify,
	})
}

// SQLSTATE codes the store interprets.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

func classify(err error) sqlstore.ErrorClass {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlstore.ClassOther
	}
	switch pe.Code {
	case codeUniqueViolation:
		return sqlstore.ClassUnique
	case codeForeignKeyViolation:
		return sqlstore.ClassForeignKey
	case codeSerializationFailure, codeDeadlockDetected:
		return sqlstore.ClassRetry
	}
	return sqlstore.ClassOther
}
