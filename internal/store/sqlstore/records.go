package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// MaxLimit is the largest page a List returns.
const MaxLimit = 1000

// recordColumns are the columns scanRecord reads, in order, followed by the
// dialect's refs expression.
const recordColumns = "r.org, r.kind, r.id, r.tenant_id, r.name, r.platform, r.type, r.unique_key, r.data, r.secret, r.version, r.created, r.modified"

func (s *Store) selectRecords() string {
	return "SELECT " + recordColumns + ", " + s.d.RefsJSON + " FROM records r"
}

type scanner interface{ Scan(dest ...any) error }

func scanRecord(sc scanner) (*store.Record, error) {
	var (
		r                 store.Record
		tenant            sql.NullString
		data, refs        []byte
		created, modified timeValue
	)
	err := sc.Scan(&r.Org, &r.Kind, &r.ID, &tenant, &r.Name, &r.Platform, &r.Type, &r.UniqueKey,
		&data, &r.Secret, &r.Version, &created, &modified, &refs)
	if err != nil {
		return nil, err
	}
	r.TenantID = tenant.String
	r.Data = data
	r.Created, r.Modified = created.t, modified.t
	if err := json.Unmarshal(refs, &r.Refs); err != nil {
		return nil, fmt.Errorf("decode refs of %s: %w", r.ID, err)
	}
	if len(r.Refs) == 0 {
		r.Refs = nil
	} else {
		// Refs are a set; sorting gives both backends the same order.
		slices.Sort(r.Refs)
	}
	return &r, nil
}

func (s *Store) getQuery() string {
	return s.d.rebind(s.selectRecords() + " WHERE r.org = ? AND r.kind = ? AND r.id = ?")
}

// rowQuerier is what get needs: a pool, a transaction or a prepared
// statement.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) get(ctx context.Context, q rowQuerier, org, kind, id string) (*store.Record, error) {
	if !allKeys(org, kind, id) {
		return nil, fmt.Errorf("%s: get %s: no record has such an id: %w", s.d.Name, kind, store.ErrNotFound)
	}
	row := q.QueryRowContext(ctx, s.getQuery(), org, kind, id)
	r, err := scanRecord(row)
	if isNoRows(err) {
		return nil, fmt.Errorf("%s: get %s %s: %w", s.d.Name, kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.errf(err, "get %s %s", kind, id)
	}
	return r, nil
}

// getByKey reads the record holding a unique key. The condition on the
// empty key matches the partial unique index, so the lookup uses it.
func (s *Store) getByKey(ctx context.Context, q rowQuerier, org, kind, key string) (*store.Record, error) {
	if key == "" || !allKeys(org, kind, key) {
		return nil, fmt.Errorf("%s: get %s by an empty or impossible unique key: %w", s.d.Name, kind, store.ErrNotFound)
	}
	row := q.QueryRowContext(ctx, s.d.rebind(s.selectRecords()+" WHERE r.org = ? AND r.kind = ? AND r.unique_key = ? AND r.unique_key <> ''"), org, kind, key)
	r, err := scanRecord(row)
	if isNoRows(err) {
		return nil, fmt.Errorf("%s: get %s by unique key: %w", s.d.Name, kind, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.errf(err, "get %s by unique key", kind)
	}
	return r, nil
}

func (s *Store) list(ctx context.Context, q querier, query store.Query) (*store.Page, error) {
	if query.Limit < 1 || query.Limit > MaxLimit {
		return nil, fmt.Errorf("%s: list %s: limit %d is outside 1..%d", s.d.Name, query.Kind, query.Limit, MaxLimit)
	}
	if !allKeys(query.Org, query.Kind, query.TenantID, query.Platform, query.Type, query.After) || !validText(query.Search) {
		return nil, fmt.Errorf("%s: list %s: a filter: %w", s.d.Name, query.Kind, store.ErrInvalidText)
	}
	var b strings.Builder
	b.WriteString(s.selectRecords())
	b.WriteString(" WHERE r.org = ? AND r.kind = ?")
	args := []any{query.Org, query.Kind}
	// Each equality filter matches an (org, kind, column, id) index, whose
	// id order also serves the keyset condition and ORDER BY.
	if query.TenantID != "" {
		b.WriteString(" AND r.tenant_id = ?")
		args = append(args, query.TenantID)
	}
	if query.Platform != "" {
		b.WriteString(" AND r.platform = ?")
		args = append(args, query.Platform)
	}
	if query.Type != "" {
		b.WriteString(" AND r.type = ?")
		args = append(args, query.Type)
	}
	if query.Search != "" {
		b.WriteString(" AND ")
		b.WriteString(s.d.Contains)
		args = append(args, strings.ToLower(query.Search))
	}
	if query.After != "" {
		b.WriteString(" AND r.id > ?")
		args = append(args, query.After)
	}
	// One row beyond the page tells whether another page follows without
	// a separate count.
	b.WriteString(" ORDER BY r.id LIMIT ?")
	args = append(args, query.Limit+1)

	rows, err := q.QueryContext(ctx, s.d.rebind(b.String()), args...)
	if err != nil {
		return nil, s.errf(err, "list %s", query.Kind)
	}
	defer func() { _ = rows.Close() }() // rows.Err reports read errors.
	page := &store.Page{Records: make([]*store.Record, 0, min(query.Limit, 128))}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, s.errf(err, "list %s", query.Kind)
		}
		if len(page.Records) == query.Limit {
			page.More = true
			break
		}
		page.Records = append(page.Records, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errf(err, "list %s", query.Kind)
	}
	return page, nil
}

// referrersQuery lists who names a record, as tenant or in refs. A record
// that names itself is not listed: it does not keep itself alive, and the
// database allows deleting it (the self-reference goes with the row).
const referrersQuery = `SELECT kind, id, name FROM records WHERE org = ? AND tenant_id = ? AND id <> ?
UNION
SELECT r.kind, r.id, r.name FROM refs f JOIN records r ON r.id = f.src_id WHERE f.org = ? AND f.dst_id = ? AND f.src_id <> ?
ORDER BY id`

func (s *Store) referrers(ctx context.Context, q querier, org, id string) ([]store.Referrer, error) {
	if !allKeys(org, id) {
		// No record has such an id, so none refers to it.
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(referrersQuery), org, id, id, org, id, id)
	if err != nil {
		return nil, s.errf(err, "referrers of %s", id)
	}
	defer func() { _ = rows.Close() }() // rows.Err reports read errors.
	var out []store.Referrer
	for rows.Next() {
		var r store.Referrer
		if err := rows.Scan(&r.Kind, &r.ID, &r.Name); err != nil {
			return nil, s.errf(err, "referrers of %s", id)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errf(err, "referrers of %s", id)
	}
	return out, nil
}

// tx implements store.Tx.
type tx struct {
	s  *Store
	tx *sql.Tx
}

func (t *tx) Get(ctx context.Context, org, kind, id string) (*store.Record, error) {
	return t.s.get(ctx, t.tx, org, kind, id)
}

func (t *tx) List(ctx context.Context, q store.Query) (*store.Page, error) {
	return t.s.list(ctx, t.tx, q)
}

func (t *tx) GetByUniqueKey(ctx context.Context, org, kind, key string) (*store.Record, error) {
	return t.s.getByKey(ctx, t.tx, org, kind, key)
}

func (t *tx) Referrers(ctx context.Context, org, id string) ([]store.Referrer, error) {
	return t.s.referrers(ctx, t.tx, org, id)
}

// atomic runs fn inside a savepoint. If fn fails, its statements are undone
// and the transaction stays usable: PostgreSQL would otherwise refuse every
// later statement after a constraint violation, and SQLite would keep the
// statements of fn that ran before the failing one (a record without its
// refs). Either way the caller can handle, say, ErrDuplicate and go on.
func (t *tx) atomic(ctx context.Context, fn func() error) error {
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT aos_op"); err != nil {
		return t.s.errf(err, "savepoint")
	}
	if err := fn(); err != nil {
		if _, rbErr := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT aos_op"); rbErr != nil {
			return errors.Join(err, t.s.errf(rbErr, "roll back to savepoint"))
		}
		// A savepoint survives ROLLBACK TO; release it so they do not pile
		// up over a long transaction.
		if _, relErr := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT aos_op"); relErr != nil {
			return errors.Join(err, t.s.errf(relErr, "release savepoint"))
		}
		return err
	}
	if _, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT aos_op"); err != nil {
		return t.s.errf(err, "release savepoint")
	}
	return nil
}

func checkRecord(d *Dialect, op string, r *store.Record) error {
	if r.ID == "" || r.Kind == "" {
		return fmt.Errorf("%s: %s: record needs a kind and an id", d.Name, op)
	}
	if !json.Valid(r.Data) {
		return fmt.Errorf("%s: %s %s %s: data is not a JSON document", d.Name, op, r.Kind, r.ID)
	}
	return checkRecordText(d, op, r)
}

// refSet returns the distinct refs in a stable order.
func refSet(refs []string) []string {
	if len(refs) == 0 {
		return nil
	}
	out := slices.Clone(refs)
	slices.Sort(out)
	return slices.Compact(out)
}

func (t *tx) insertRefs(ctx context.Context, r *store.Record) error {
	refs := refSet(r.Refs)
	if len(refs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO refs (org, src_id, dst_id) VALUES ")
	args := make([]any, 0, 3*len(refs))
	for i, dst := range refs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
		args = append(args, r.Org, r.ID, dst)
	}
	_, err := t.tx.ExecContext(ctx, t.s.d.rebind(b.String()), args...)
	return err
}

const insertRecord = `INSERT INTO records (org, kind, id, tenant_id, name, name_lower, platform, type, unique_key, data, secret, version, created, modified)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`

func (t *tx) Insert(ctx context.Context, r *store.Record) error {
	if err := checkRecord(t.s.d, "insert", r); err != nil {
		return err
	}
	created, modified := normTime(r.Created), normTime(r.Modified)
	if r.Created.IsZero() || r.Modified.IsZero() {
		n := now()
		if r.Created.IsZero() {
			created = n
		}
		if r.Modified.IsZero() {
			modified = n
		}
	}
	d := t.s.d
	err := t.atomic(ctx, func() error {
		_, err := t.tx.ExecContext(ctx, d.rebind(insertRecord),
			r.Org, r.Kind, r.ID, nullIfEmpty(r.TenantID), r.Name, strings.ToLower(r.Name),
			r.Platform, r.Type, r.UniqueKey, string(r.Data), nullBytes(r.Secret), d.TimeArg(created), d.TimeArg(modified))
		if err != nil {
			return t.s.mapWrite(err, "insert", r)
		}
		if err := t.insertRefs(ctx, r); err != nil {
			return t.s.mapWrite(err, "insert refs of", r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Version, r.Created, r.Modified = 1, created, modified
	return nil
}

const updateRecord = `UPDATE records SET tenant_id = ?, name = ?, name_lower = ?, platform = ?, type = ?, unique_key = ?,
data = ?, secret = ?, version = version + 1, modified = ?
WHERE org = ? AND kind = ? AND id = ?`

func (t *tx) Update(ctx context.Context, r *store.Record, expectVersion int64) error {
	if err := checkRecord(t.s.d, "update", r); err != nil {
		return err
	}
	d := t.s.d
	modified := now()
	var (
		version int64
		created timeValue
	)
	err := t.atomic(ctx, func() error {
		// The version check is part of the UPDATE, so two writers holding
		// the same ETag cannot both win: the second one's WHERE no longer
		// matches once the first has committed.
		q := updateRecord
		args := []any{nullIfEmpty(r.TenantID), r.Name, strings.ToLower(r.Name), r.Platform, r.Type, r.UniqueKey,
			string(r.Data), nullBytes(r.Secret), d.TimeArg(modified), r.Org, r.Kind, r.ID}
		if expectVersion != 0 {
			q += " AND version = ?"
			args = append(args, expectVersion)
		}
		q += " RETURNING version, created"
		err := t.tx.QueryRowContext(ctx, d.rebind(q), args...).Scan(&version, &created)
		if isNoRows(err) {
			return t.whyNoRow(ctx, "update", r.Org, r.Kind, r.ID)
		}
		if err != nil {
			return t.s.mapWrite(err, "update", r)
		}
		if _, err := t.tx.ExecContext(ctx, d.rebind("DELETE FROM refs WHERE src_id = ?"), r.ID); err != nil {
			return t.s.errf(err, "update refs of %s %s", r.Kind, r.ID)
		}
		if err := t.insertRefs(ctx, r); err != nil {
			return t.s.mapWrite(err, "update refs of", r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Version, r.Created, r.Modified = version, created.t, modified
	return nil
}

// whyNoRow tells ErrNotFound from ErrVersionMismatch after a conditional
// statement matched no row.
func (t *tx) whyNoRow(ctx context.Context, op, org, kind, id string) error {
	var version int64
	err := t.tx.QueryRowContext(ctx, t.s.d.rebind("SELECT version FROM records WHERE org = ? AND kind = ? AND id = ?"),
		org, kind, id).Scan(&version)
	if isNoRows(err) {
		return fmt.Errorf("%s: %s %s %s: %w", t.s.d.Name, op, kind, id, store.ErrNotFound)
	}
	if err != nil {
		return t.s.errf(err, "%s %s %s", op, kind, id)
	}
	return fmt.Errorf("%s: %s %s %s: stored version is %d: %w", t.s.d.Name, op, kind, id, version, store.ErrVersionMismatch)
}

// errRaced marks a delete that a concurrent reference beat; Delete answers
// it with the referrers it then reads.
var errRaced = errors.New("referenced by a concurrent transaction")

func (t *tx) Delete(ctx context.Context, org, kind, id string, expectVersion int64) error {
	d := t.s.d
	if !allKeys(org, kind, id) {
		return fmt.Errorf("%s: delete %s: no record has such an id: %w", d.Name, kind, store.ErrNotFound)
	}
	err := t.atomic(ctx, func() error {
		// Locking the row (PostgreSQL) makes transactions that are adding
		// a reference to it finish first, and new ones wait for us, so the
		// referrers read next are the complete list.
		var version int64
		err := t.tx.QueryRowContext(ctx, d.rebind("SELECT version FROM records WHERE org = ? AND kind = ? AND id = ?"+d.LockRow),
			org, kind, id).Scan(&version)
		if isNoRows(err) {
			return fmt.Errorf("%s: delete %s %s: %w", d.Name, kind, id, store.ErrNotFound)
		}
		if err != nil {
			return t.s.errf(err, "delete %s %s", kind, id)
		}
		if expectVersion != 0 && version != expectVersion {
			return fmt.Errorf("%s: delete %s %s: stored version is %d: %w", d.Name, kind, id, version, store.ErrVersionMismatch)
		}
		referrers, err := t.s.referrers(ctx, t.tx, org, id)
		if err != nil {
			return err
		}
		if len(referrers) > 0 {
			return &store.ReferencedError{Referrers: referrers}
		}
		if _, err := t.tx.ExecContext(ctx, d.rebind("DELETE FROM records WHERE org = ? AND kind = ? AND id = ?"), org, kind, id); err != nil {
			if d.classify(err) == ClassForeignKey {
				return errRaced
			}
			return t.s.errf(err, "delete %s %s", kind, id)
		}
		return nil
	})
	if errors.Is(err, errRaced) {
		// The foreign key caught a reference the check above could not
		// see. The savepoint is undone, so the transaction can still read
		// who refers to the record now.
		referrers, rerr := t.s.referrers(ctx, t.tx, org, id)
		if rerr != nil {
			return errors.Join(&store.ReferencedError{}, rerr)
		}
		return &store.ReferencedError{Referrers: referrers}
	}
	return err
}
