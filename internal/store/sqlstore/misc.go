package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// claimAttempts bounds the insert-then-read loop of ClaimIdempotency. The
// read only misses when the entry it conflicted with was purged in
// between, which a second attempt settles.
const claimAttempts = 3

func (t *tx) ClaimIdempotency(ctx context.Context, org, key, requestHash string) (*store.IdempotencyEntry, error) {
	d := t.s.d
	if !allKeys(org, key) || !validText(requestHash) {
		return nil, fmt.Errorf("%s: claim idempotency key: %w", d.Name, store.ErrInvalidText)
	}
	for range claimAttempts {
		// ON CONFLICT DO NOTHING never fails on the key, so no savepoint is
		// needed. In PostgreSQL a competing transaction that inserted the
		// same key and has not finished makes this statement wait: if it
		// commits we conflict and read its entry below, if it rolls back
		// our row goes in.
		res, err := t.tx.ExecContext(ctx, d.rebind(`INSERT INTO idempotency (org, key, request_hash, status, body, created)
VALUES (?, ?, ?, 0, NULL, ?) ON CONFLICT (org, key) DO NOTHING`), org, key, requestHash, d.TimeArg(now()))
		if err != nil {
			return nil, t.s.errf(err, "claim idempotency key")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, t.s.errf(err, "claim idempotency key")
		}
		if n == 1 {
			return nil, nil
		}
		e := &store.IdempotencyEntry{Org: org, Key: key}
		var created timeValue
		err = t.tx.QueryRowContext(ctx, d.rebind("SELECT request_hash, status, body, created FROM idempotency WHERE org = ? AND key = ?"),
			org, key).Scan(&e.RequestHash, &e.Status, &e.Body, &created)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return nil, t.s.errf(err, "read idempotency key")
		}
		e.Created = created.t
		return e, nil
	}
	return nil, fmt.Errorf("%s: claim idempotency key: the existing entry kept disappearing", d.Name)
}

func (t *tx) CompleteIdempotency(ctx context.Context, org, key string, status int, body []byte) error {
	res, err := t.tx.ExecContext(ctx, t.s.d.rebind("UPDATE idempotency SET status = ?, body = ? WHERE org = ? AND key = ?"),
		status, nullBytes(body), org, key)
	if err != nil {
		return t.s.errf(err, "complete idempotency key")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.s.errf(err, "complete idempotency key")
	}
	if n == 0 {
		return fmt.Errorf("%s: complete idempotency key: %w", t.s.d.Name, store.ErrNotFound)
	}
	return nil
}

// PurgeIdempotency implements store.Store.
func (s *Store) PurgeIdempotency(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.run(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind("DELETE FROM idempotency WHERE created < ?"), s.d.TimeArg(normTime(before)))
		if err != nil {
			return s.errf(err, "purge idempotency keys")
		}
		n, err = res.RowsAffected()
		if err != nil {
			return s.errf(err, "purge idempotency keys")
		}
		return nil
	})
	return n, err
}

// CreateClient implements store.Store. Scopes are stored as a JSON array.
func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	if c.ID == "" || len(c.SecretHash) == 0 {
		return fmt.Errorf("%s: create client: a client needs an id and a secret hash", s.d.Name)
	}
	if !allKeys(c.ID, c.Org) || !validText(c.Name) {
		return fmt.Errorf("%s: create client: %w", s.d.Name, store.ErrInvalidText)
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	scopesJSON, err := json.Marshal(scopes)
	if err != nil {
		return fmt.Errorf("%s: create client %s: encode scopes: %w", s.d.Name, c.ID, err)
	}
	created := normTime(c.Created)
	if c.Created.IsZero() {
		created = now()
	}
	err = s.run(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind("INSERT INTO clients (id, org, name, secret_hash, scopes, created) VALUES (?, ?, ?, ?, ?, ?)"),
			c.ID, c.Org, c.Name, c.SecretHash, string(scopesJSON), s.d.TimeArg(created))
		if err != nil && s.d.classify(err) == ClassUnique {
			return fmt.Errorf("%s: create client %s: %w (%w)", s.d.Name, c.ID, store.ErrDuplicate, err)
		}
		if err != nil {
			return s.errf(err, "create client %s", c.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Created = created
	return nil
}

// GetClient implements store.Store.
func (s *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	if !validKey(id) {
		return nil, fmt.Errorf("%s: get client: no client has such an id: %w", s.d.Name, store.ErrNotFound)
	}
	c := &store.Client{}
	var (
		scopes  []byte
		created timeValue
	)
	err := s.db.QueryRowContext(ctx, s.d.rebind("SELECT id, org, name, secret_hash, scopes, created FROM clients WHERE id = ?"), id).
		Scan(&c.ID, &c.Org, &c.Name, &c.SecretHash, &scopes, &created)
	if isNoRows(err) {
		return nil, fmt.Errorf("%s: get client %s: %w", s.d.Name, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.errf(err, "get client %s", id)
	}
	if err := json.Unmarshal(scopes, &c.Scopes); err != nil {
		return nil, fmt.Errorf("%s: get client %s: decode scopes: %w", s.d.Name, id, err)
	}
	if len(c.Scopes) == 0 {
		c.Scopes = nil
	}
	c.Created = created.t
	return c, nil
}

// PermissionVersion implements store.Store.
func (s *Store) PermissionVersion(ctx context.Context, platform string) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, s.d.rebind("SELECT version FROM permission_versions WHERE platform = ?"), platform).Scan(&v)
	if isNoRows(err) {
		return 1, nil
	}
	if err != nil {
		return 0, s.errf(err, "permission version of %s", platform)
	}
	return v, nil
}

// BumpPermissionVersion implements store.Store. A platform that was never
// bumped is at version 1, so its first bump stores 2. The upsert is one
// statement, so concurrent bumps each get their own number.
func (s *Store) BumpPermissionVersion(ctx context.Context, platform string) (int, error) {
	var v int
	err := s.run(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO permission_versions (platform, version) VALUES (?, 2)
ON CONFLICT (platform) DO UPDATE SET version = permission_versions.version + 1 RETURNING version`), platform).Scan(&v)
		if err != nil {
			return s.errf(err, "bump permission version of %s", platform)
		}
		return nil
	})
	return v, err
}
