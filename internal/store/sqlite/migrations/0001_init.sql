-- aosd schema, SQLite flavour. Keep it in step with
-- internal/store/postgres/migrations: the two must enforce the same rules.
--
-- Timestamps are Unix microseconds (UTC): integers compare and sort
-- correctly, and microseconds are the precision PostgreSQL keeps, so both
-- backends return the same times. STRICT makes SQLite refuse values of the
-- wrong type instead of storing them silently.

-- A record is one registration object. id is unique across orgs (the
-- service generates ids); UNIQUE (org, id) is what the foreign keys below
-- point at, so a reference can only reach a record of the same org.
CREATE TABLE records (
    org        TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL PRIMARY KEY,
    -- NULL when the record has no tenant; a foreign key ignores NULL.
    tenant_id  TEXT,
    name       TEXT    NOT NULL,
    -- Lower-cased by the service (Unicode-aware) for case-insensitive search.
    name_lower TEXT    NOT NULL,
    platform   TEXT    NOT NULL DEFAULT '',
    type       TEXT    NOT NULL DEFAULT '',
    unique_key TEXT    NOT NULL DEFAULT '',
    data       TEXT    NOT NULL CHECK (json_valid(data)),
    secret     BLOB,
    version    INTEGER NOT NULL CHECK (version >= 1),
    created    INTEGER NOT NULL,
    modified   INTEGER NOT NULL,
    UNIQUE (org, id),
    -- The tenant is a reference like any other: it cannot be deleted while
    -- records name it.
    FOREIGN KEY (org, tenant_id) REFERENCES records (org, id)
) STRICT;

-- One platform tenant (or other natural key) is registered once per org and
-- kind, whichever replica handles the request. Empty keys are not unique.
CREATE UNIQUE INDEX records_unique_key ON records (org, kind, unique_key) WHERE unique_key <> '';

-- List walks one of these in id order: unfiltered, or filtered by one of
-- platform, tenant or type.
CREATE INDEX records_list ON records (org, kind, id);
CREATE INDEX records_list_platform ON records (org, kind, platform, id);
CREATE INDEX records_list_tenant ON records (org, kind, tenant_id, id);
CREATE INDEX records_list_type ON records (org, kind, type, id);
-- Finds the records of a tenant when it is deleted (foreign key check and
-- Referrers) without knowing their kind.
CREATE INDEX records_tenant ON records (tenant_id, org);

-- refs: src depends on dst. Deleting src drops its refs; deleting dst is
-- refused while a ref names it.
CREATE TABLE refs (
    org    TEXT NOT NULL,
    src_id TEXT NOT NULL,
    dst_id TEXT NOT NULL,
    PRIMARY KEY (src_id, dst_id),
    FOREIGN KEY (org, src_id) REFERENCES records (org, id) ON DELETE CASCADE,
    FOREIGN KEY (org, dst_id) REFERENCES records (org, id)
) STRICT;
CREATE INDEX refs_dst ON refs (dst_id, org);

-- Remembered outcomes of creates, claimed inside the create's transaction.
-- status is 0 while the claiming transaction has not completed the entry.
CREATE TABLE idempotency (
    org          TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    body         BLOB,
    created      INTEGER NOT NULL,
    PRIMARY KEY (org, key)
) STRICT;
CREATE INDEX idempotency_created ON idempotency (created);

-- OAuth2 clients. scopes is a JSON array of strings.
CREATE TABLE clients (
    id          TEXT    NOT NULL PRIMARY KEY,
    org         TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    secret_hash BLOB    NOT NULL,
    scopes      TEXT    NOT NULL CHECK (json_valid(scopes)),
    created     INTEGER NOT NULL
) STRICT;

-- Permission-set versions; a platform without a row is at version 1.
CREATE TABLE permission_versions (
    platform TEXT    NOT NULL PRIMARY KEY,
    version  INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
