-- Customer updates: every customer has a version, 1 at create, one more
-- with each update of its profile. customer_versions keeps each version's
-- profile, sealed under the customer's data key like the profile itself,
-- so that erasure destroys them too; version 1 is written at the first
-- update. changed lists the paths that changed from the version before
-- (paths only, never values); base_version and patch_digest (a digest of
-- the update's body, cleared by erasure) make a repeated update an
-- idempotent replay.
ALTER TABLE customers ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE customer_versions (
    customer_id    text NOT NULL REFERENCES customers (id),
    version        integer NOT NULL,
    created_at     timestamptz NOT NULL,
    actor_type     text NOT NULL,
    actor_id       text NOT NULL,
    base_version   integer NOT NULL,
    changed        text NOT NULL,
    patch_digest   text NOT NULL DEFAULT '',
    sealed_profile bytea,
    PRIMARY KEY (customer_id, version)
);
