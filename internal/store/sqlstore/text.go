package sqlstore

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// The store's last line against text the database cannot hold. The service
// refuses such input long before (domain.CheckText), but a value that got
// past it must not reach the database: PostgreSQL fails on NUL and on bytes
// that are not UTF-8 with an error of its own, and on a btree index entry
// over about 2700 bytes, while SQLite stores all three, so the two backends
// would differ. Both refuse here alike, before any statement runs: writes
// with store.ErrInvalidText, and lookups by a value no record can hold with
// store.ErrNotFound (or an empty answer), which is what they would find.

// validText reports whether s can be stored in a text column.
func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// validKey reports whether s can be stored in an indexed column.
func validKey(s string) bool { return len(s) <= store.MaxKeyBytes && validText(s) }

// checkRecordText refuses a record with a column the database cannot hold.
func checkRecordText(d *Dialect, op string, r *store.Record) error {
	keys := map[string]string{"org": r.Org, "kind": r.Kind, "id": r.ID, "tenant id": r.TenantID,
		"platform": r.Platform, "type": r.Type, "unique key": r.UniqueKey}
	for _, col := range []string{"org", "kind", "id", "tenant id", "platform", "type", "unique key"} {
		if !validKey(keys[col]) {
			return fmt.Errorf("%s: %s %s: the %s: %w", d.Name, op, r.Kind, col, store.ErrInvalidText)
		}
	}
	for _, ref := range r.Refs {
		if !validKey(ref) {
			return fmt.Errorf("%s: %s %s %s: a ref: %w", d.Name, op, r.Kind, r.ID, store.ErrInvalidText)
		}
	}
	if !validText(r.Name) {
		return fmt.Errorf("%s: %s %s %s: the name: %w", d.Name, op, r.Kind, r.ID, store.ErrInvalidText)
	}
	// encoding/json writes NUL as the escape \u0000, which both databases
	// keep in a JSON document; a raw NUL or a byte that is not UTF-8 they
	// would not.
	if !utf8.Valid(r.Data) || strings.ContainsRune(string(r.Data), 0) {
		return fmt.Errorf("%s: %s %s %s: the document: %w", d.Name, op, r.Kind, r.ID, store.ErrInvalidText)
	}
	return nil
}

// allKeys reports whether every value can be stored in an indexed column.
func allKeys(values ...string) bool {
	for _, v := range values {
		if !validKey(v) {
			return false
		}
	}
	return true
}
