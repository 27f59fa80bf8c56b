// Package sqlite is aosd's store on SQLite (modernc.org/sqlite, pure Go, no
// cgo), for a single host. Several processes may open the same file: writes
// are serialized by SQLite's write lock and every rule of store.Store is
// enforced by the database itself.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/aos-dev/terraform-provider-aos/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout is how long a writer waits for another writer's lock before
// SQLite reports BUSY (after which the transaction is retried). Writes are
// short, so reaching it means heavy contention, not a normal queue.
const busyTimeout = 10 * time.Second

// Store is a store.Store on one SQLite database file.
type Store struct {
	*sqlstore.Store
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		// An in-memory database is private to one connection, which the
		// connection pool cannot work with; URI forms and '?' would be
		// parsed as driver options. A plain file path avoids both.
		return nil, fmt.Errorf("sqlite: open %q: want the path of a database file", path)
	}
	// Every pooled connection gets the same settings:
	//   - WAL lets readers go on while a writer commits. synchronous is
	//     NORMAL, which SQLite recommends with WAL: the database cannot be
	//     corrupted, and a commit survives a crash of aosd; only the last
	//     commits before an operating-system crash or power loss can be
	//     lost. FULL fsyncs every commit, which capped creates at about 700
	//     per second on these machines (BENCHMARKS.md). Deployments
	//     that need every acknowledged write on disk use PostgreSQL.
	//   - busy_timeout makes a writer wait for the lock instead of failing.
	//   - foreign_keys is off by default in SQLite and is what enforces refs.
	//   - _txlock=immediate makes BEGIN take the write lock. A deferred
	//     transaction that reads first and then writes can fail with BUSY
	//     without waiting when another writer got in between; an immediate
	//     one queues.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Readers do not block each other in WAL mode; keep a few connections
	// around so a burst of reads does not reopen the file each time.
	db.SetMaxIdleConns(8)
	if err := pingWhileBusy(ctx, db); err != nil {
		_ = db.Close() // The ping error is the one to report.
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	s, err := sqlstore.New(ctx, db, &sqlstore.Dialect{
		Name:       "sqlite",
		Contains:   "instr(r.name_lower, ?) > 0",
		RefsJSON:   "(SELECT json_group_array(f.dst_id) FROM refs f WHERE f.src_id = r.id)",
		LockRow:    "",
		Migrations: sub,
		TimeArg:    func(t time.Time) any { return t.UnixMicro() },
		Classify:   classify,
	})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{Store: s}, nil
}

// pingWhileBusy opens the first connection, retrying while the file is
// locked. Switching a new database to WAL needs an exclusive lock, and
// SQLite answers BUSY at once, without the busy handler, when another
// process (a second replica, aosd CLI commands) opens the same new file at
// that moment; the retry waits for it as busy_timeout would.
func pingWhileBusy(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.PingContext(ctx)
		if err == nil || classify(err) != sqlstore.ClassRetry || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// classify maps SQLite result codes. modernc enables extended result codes,
// so constraint kinds are told apart by the full code and lock conflicts by
// the primary code in the low byte.
func classify(err error) sqlstore.ErrorClass {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlstore.ClassOther
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ClassUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ClassForeignKey
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.ClassRetry
	}
	return sqlstore.ClassOther
}
