-- Customer updates: every customer has a version, 1 at create, one more
-- with each update of its profile. customer_versions keeps each version's
-- profile, sealed under the customer's data key like the profile itself,
-- so that erasure destroys them too; version 1 is written at the first
-- update. changed lists the paths that changed from the version before
-- (paths only, never values); base_version and patch_digest (a digest of
-- the update's body, cleared by erasure) make a repeated update an
-- idempotent replay.
ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE customer_versions (
    customer_id    TEXT NOT NULL REFERENCES customers (id),
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    actor_type     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    base_version   INTEGER NOT NULL,
    changed        TEXT NOT NULL,
    patch_digest   TEXT NOT NULL DEFAULT '',
    sealed_profile BLOB,
    PRIMARY KEY (customer_id, version)
) STRICT;
