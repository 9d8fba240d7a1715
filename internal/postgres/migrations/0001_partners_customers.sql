-- Partners, their API keys, and their customers.
CREATE TABLE partners (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    sandbox    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    partner_id  text NOT NULL REFERENCES partners (id),
    secret_hash text NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE INDEX api_keys_partner ON api_keys (partner_id);

-- profile is json, not jsonb: json keeps the text as sent, so an amount
-- keeps its digits (100.50 stays 100.50).
CREATE TABLE customers (
    id                  text PRIMARY KEY,
    partner_id          text NOT NULL REFERENCES partners (id),
    partner_customer_id text NOT NULL,
    status              text NOT NULL,
    profile             json NOT NULL,
    fingerprint         text NOT NULL,
    created_at          timestamptz NOT NULL,
    status_reason       text NOT NULL DEFAULT '',
    status_updated_at   timestamptz,
    UNIQUE (partner_id, partner_customer_id)
);
