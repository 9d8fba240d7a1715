-- Webhooks: partners' endpoints and the transactional outbox of events
-- and their deliveries.
ALTER TABLE customers ADD COLUMN event_sequence bigint NOT NULL DEFAULT 0;

CREATE TABLE webhook_endpoints (
    id            text PRIMARY KEY,
    partner_id    text NOT NULL REFERENCES partners (id),
    url           text NOT NULL,
    secret_sealed bytea NOT NULL,
    created_at    timestamptz NOT NULL,
    deleted_at    timestamptz
);

CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id) WHERE deleted_at IS NULL;

CREATE TABLE events (
    id          text PRIMARY KEY,
    partner_id  text NOT NULL,
    customer_id text NOT NULL,
    type        text NOT NULL,
    sequence    bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    data        json NOT NULL
);

CREATE INDEX events_customer ON events (customer_id, sequence);

CREATE TABLE deliveries (
    event_id        text NOT NULL REFERENCES events (id),
    endpoint_id     text NOT NULL REFERENCES webhook_endpoints (id),
    partner_id      text NOT NULL,
    status          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (event_id, endpoint_id)
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    event_id    text NOT NULL,
    endpoint_id text NOT NULL,
    number      integer NOT NULL,
    at          timestamptz NOT NULL,
    status_code integer NOT NULL,
    latency_us  bigint NOT NULL,
    error       text NOT NULL,
    PRIMARY KEY (event_id, endpoint_id, number)
);
