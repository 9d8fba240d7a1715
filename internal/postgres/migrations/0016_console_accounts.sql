-- Console accounts on the operators: an email to sign in with (sealed,
-- found by its keyed hash), an argon2id password hash, an optional TOTP
-- secret (sealed) with the time step of the last code used (a code signs
-- in once), and a one-time set-up token (its hash) with its expiry.
-- Operators from before keep their bearer tokens and have no account until
-- an admin resets them with an email.
ALTER TABLE operators ADD COLUMN email_hmac text;
ALTER TABLE operators ADD COLUMN email_sealed bytea;
ALTER TABLE operators ADD COLUMN password_hash text NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN totp_step bigint NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN totp_sealed bytea;
ALTER TABLE operators ADD COLUMN setup_hash text;
ALTER TABLE operators ADD COLUMN setup_expires_at timestamptz;
CREATE UNIQUE INDEX operators_email_hmac ON operators (email_hmac);
CREATE UNIQUE INDEX operators_setup_hash ON operators (setup_hash);

-- Console sessions, kept here so that every instance shares them: the
-- hash of the cookie's token, never the token; ended by deleting the row.
CREATE TABLE console_sessions (
    token_hash   text PRIMARY KEY,
    operator_id  text NOT NULL REFERENCES operators (id),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_operator ON console_sessions (operator_id);
