// Package sqlstore is the SQL core shared by aosd's SQLite and PostgreSQL
// stores. Both backends hold the same tables and run the same statements;
// what differs (placeholders, a few functions, row locks, timestamp
// encoding, migration locking and driver error codes) is described by a
// Dialect, so a rule is written once and cannot drift between backends.
package sqlstore

import (
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// ErrorClass is what a driver error means to the store.
type ErrorClass int

// Classes of driver errors.
const (
	// ClassOther is any error the store does not interpret.
	ClassOther ErrorClass = iota
	// ClassUnique is a unique or primary key violation.
	ClassUnique
	// ClassForeignKey is a foreign key violation.
	ClassForeignKey
	// ClassRetry is a transient conflict with another transaction
	// (serialization failure, deadlock, SQLite BUSY): running the whole
	// transaction again can succeed.
	ClassRetry
)

// Dialect describes how one database differs from the SQL the store writes.
type Dialect struct {
	// Name prefixes error messages ("sqlite", "postgres").
	Name string
	// NumberedParams makes the store rewrite its "?" placeholders to $1, $2,
	// ... as PostgreSQL requires.
	NumberedParams bool
	// Contains is a boolean SQL expression with one placeholder that is true
	// when the lower-cased name of record r contains the parameter. It uses
	// instr/strpos rather than LIKE so that % and _ in a search need no
	// escaping.
	Contains string
	// RefsJSON is an SQL expression giving the JSON array of the ids record
	// r refers to. Reading refs in the same statement as the record keeps a
	// record and its refs consistent without an explicit transaction.
	RefsJSON string
	// LockRow is appended to a SELECT of one record to lock it against
	// concurrent writers until the transaction ends. It is empty where the
	// transaction already holds the database's write lock (SQLite).
	LockRow string
	// Migrations holds the schema migrations, files named NNNN_name.sql.
	Migrations fs.FS
	// MigrationLock, when not empty, runs first in the migration
	// transaction so that processes starting at the same time migrate one
	// after the other.
	MigrationLock string
	// TimeArg converts a timestamp to the value stored in timestamp
	// columns. Scanning accepts both time.Time and Unix microseconds.
	TimeArg func(time.Time) any
	// Classify tells what a driver error means.
	Classify func(error) ErrorClass
}

// rebind rewrites "?" placeholders for dialects with numbered parameters.
// The store's statements never contain a literal question mark, so a plain
// scan is exact.
func (d *Dialect) rebind(query string) string {
	if !d.NumberedParams || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// classify is Classify that tolerates a nil function (everything is
// ClassOther).
func (d *Dialect) classify(err error) ErrorClass {
	if err == nil || d.Classify == nil {
		return ClassOther
	}
	return d.Classify(err)
}
