-- aosd schema, PostgreSQL flavour. Keep it in step with
-- internal/store/sqlite/migrations: the two must enforce the same rules.
--
-- Key columns use COLLATE "C": ids then sort byte-wise, as in SQLite, so
-- keyset paging gives the same order on both backends whatever the
-- database's locale, and the indexes compare bytes, which is faster.
-- data is json, not jsonb: the service never queries inside documents, and
-- json keeps the document byte for byte as it was written.

-- A record is one registration object. id is unique across orgs (the
-- service generates ids); UNIQUE (org, id) is what the foreign keys below
-- point at, so a reference can only reach a record of the same org.
CREATE TABLE records (
    org        text COLLATE "C" NOT NULL,
    kind       text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    -- NULL when the record has no tenant; a foreign key ignores NULL.
    tenant_id  text COLLATE "C",
    name       text NOT NULL,
    -- Lower-cased by the service (Unicode-aware) for case-insensitive search.
    name_lower text NOT NULL,
    platform   text COLLATE "C" NOT NULL DEFAULT '',
    type       text COLLATE "C" NOT NULL DEFAULT '',
    unique_key text COLLATE "C" NOT NULL DEFAULT '',
    data       json NOT NULL,
    secret     bytea,
    version    bigint NOT NULL CHECK (version >= 1),
    created    timestamptz NOT NULL,
    modified   timestamptz NOT NULL,
    CONSTRAINT records_org_id UNIQUE (org, id),
    -- The tenant is a reference like any other: it cannot be deleted while
    -- records name it.
    CONSTRAINT records_tenant_fk FOREIGN KEY (org, tenant_id) REFERENCES records (org, id)
);

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
    org    text COLLATE "C" NOT NULL,
    src_id text COLLATE "C" NOT NULL,
    dst_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (src_id, dst_id),
    CONSTRAINT refs_src_fk FOREIGN KEY (org, src_id) REFERENCES records (org, id) ON DELETE CASCADE,
    CONSTRAINT refs_dst_fk FOREIGN KEY (org, dst_id) REFERENCES records (org, id)
);
CREATE INDEX refs_dst ON refs (dst_id, org);

-- Remembered outcomes of creates, claimed inside the create's transaction.
-- status is 0 while the claiming transaction has not completed the entry.
CREATE TABLE idempotency (
    org          text COLLATE "C" NOT NULL,
    key          text COLLATE "C" NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    body         bytea,
    created      timestamptz NOT NULL,
    PRIMARY KEY (org, key)
);
CREATE INDEX idempotency_created ON idempotency (created);

-- OAuth2 clients. scopes is a JSON array of strings.
CREATE TABLE clients (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    org         text COLLATE "C" NOT NULL,
    name        text NOT NULL,
    secret_hash bytea NOT NULL,
    scopes      json NOT NULL,
    created     timestamptz NOT NULL
);

-- Permission-set versions; a platform without a row is at version 1.
CREATE TABLE permission_versions (
    platform text COLLATE "C" NOT NULL PRIMARY KEY,
    version  integer NOT NULL CHECK (version >= 1)
);
