-- Partners, their API keys, and their customers. Times are Unix microseconds (UTC).
CREATE TABLE partners (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    sandbox    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    secret_hash TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;

CREATE INDEX api_keys_partner ON api_keys (partner_id);

CREATE TABLE customers (
    id                  TEXT PRIMARY KEY,
    partner_id          TEXT NOT NULL REFERENCES partners (id),
    partner_customer_id TEXT NOT NULL,
    status              TEXT NOT NULL,
    profile             TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    status_reason       TEXT NOT NULL DEFAULT '',
    status_updated_at   INTEGER,
    UNIQUE (partner_id, partner_customer_id)
) STRICT;
