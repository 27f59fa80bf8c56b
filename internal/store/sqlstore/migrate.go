package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Migration is one schema change.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

var migrationFile = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads NNNN_name.sql files from fsys. Versions must run
// 1, 2, 3, ... without gaps or repeats: a missing or doubled number is a
// packaging mistake that would otherwise skip or repeat a change.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration file %q: %w", e.Name(), err)
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return int(a.Version - b.Version) })
	for i, m := range out {
		if m.Version != int64(i+1) {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, 3, ...: found %d where %d belongs", m.Version, i+1)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no migrations found")
	}
	return out, nil
}

// migrate applies the pending migrations in order, all in one transaction
// together with their schema_migrations rows, so a failed migration leaves
// the schema as it was. Concurrent migrators are serialized: PostgreSQL by
// the dialect's advisory lock, SQLite by the write lock BEGIN IMMEDIATE
// takes. The loser of the race then finds the migrations already recorded.
func (s *Store) migrate(ctx context.Context) error {
	migrations, err := LoadMigrations(s.d.Migrations)
	if err != nil {
		return fmt.Errorf("%s: %w", s.d.Name, err)
	}
	return s.run(ctx, func(tx *sql.Tx) error {
		if s.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
				return s.errf(err, "lock for migration")
			}
		}
		// Portable types: this table is created before any migration could
		// say otherwise. The applied time is informational, RFC 3339 text.
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name    TEXT NOT NULL,
    applied TEXT NOT NULL
)`); err != nil {
			return s.errf(err, "create schema_migrations")
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return s.errf(err, "read schema_migrations")
		}
		latest := migrations[len(migrations)-1].Version
		for v := range applied {
			if v > latest {
				// A newer aosd migrated this database. Running older code on
				// a schema it does not know could corrupt data, so refuse.
				return fmt.Errorf("%s: database schema version %d is newer than this aosd knows (%d); run a newer aosd", s.d.Name, v, latest)
			}
		}
		for _, m := range migrations {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return s.errf(err, "migration %d_%s", m.Version, m.Name)
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)"),
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return s.errf(err, "record migration %d_%s", m.Version, m.Name)
			}
		}
		return nil
	})
}

func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }() // rows.Err reports read errors.
	out := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}
