-- Webhooks: partners' endpoints and the transactional outbox of events
-- and their deliveries. Times are Unix microseconds (UTC).
ALTER TABLE customers ADD COLUMN event_sequence INTEGER NOT NULL DEFAULT 0;

CREATE TABLE webhook_endpoints (
    id            TEXT PRIMARY KEY,
    partner_id    TEXT NOT NULL REFERENCES partners (id),
    url           TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    deleted_at    INTEGER
) STRICT;

CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id) WHERE deleted_at IS NULL;

CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    type        TEXT NOT NULL,
    sequence    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;

CREATE INDEX events_customer ON events (customer_id, sequence);

CREATE TABLE deliveries (
    event_id        TEXT NOT NULL REFERENCES events (id),
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    partner_id      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_until     INTEGER,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (event_id, endpoint_id)
) STRICT;

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    event_id    TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    number      INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    latency_us  INTEGER NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (event_id, endpoint_id, number)
) STRICT;
