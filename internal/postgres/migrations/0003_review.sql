-- Customer lists (newest or oldest first, per partner and across partners),
-- operators, and the append-only audit trail.
CREATE INDEX customers_partner_created ON customers (partner_id, created_at, id);
CREATE INDEX customers_partner_status_created ON customers (partner_id, status, created_at, id);
CREATE INDEX customers_status_created ON customers (status, created_at, id);
CREATE INDEX customers_created ON customers (created_at, id);

CREATE TABLE operators (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

CREATE TABLE audit_events (
    id          text PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    actor_type  text NOT NULL,
    actor_id    text NOT NULL,
    action      text NOT NULL,
    partner_id  text NOT NULL DEFAULT '',
    customer_id text NOT NULL DEFAULT '',
    api_key_id  text NOT NULL DEFAULT '',
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT ''
);

CREATE INDEX audit_events_customer ON audit_events (customer_id, created_at, id);
CREATE INDEX audit_events_partner ON audit_events (partner_id, created_at, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END
$$;

CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
