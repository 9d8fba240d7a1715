-- Customer lists (newest or oldest first, per partner and across partners),
-- operators, and the append-only audit trail.
CREATE INDEX customers_partner_created ON customers (partner_id, created_at, id);
CREATE INDEX customers_partner_status_created ON customers (partner_id, status, created_at, id);
CREATE INDEX customers_status_created ON customers (status, created_at, id);
CREATE INDEX customers_created ON customers (created_at, id);

CREATE TABLE operators (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    partner_id  TEXT NOT NULL DEFAULT '',
    customer_id TEXT NOT NULL DEFAULT '',
    api_key_id  TEXT NOT NULL DEFAULT '',
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_events_customer ON audit_events (customer_id, created_at, id);
CREATE INDEX audit_events_partner ON audit_events (partner_id, created_at, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
