-- Ongoing monitoring (kyb.RescreenJob): each new set of list snapshots in
-- force re-screens every customer that is not rejected and not erased.
-- The job cuts those customers, in order of id, into batches that workers
-- claim with a lease: a crashed worker's batch comes back when its lease
-- ends, and a batch is done once, with the results it wrote. Times are
-- Unix microseconds (UTC).
CREATE TABLE rescreen_jobs (
    id            TEXT PRIMARY KEY,
    -- The snapshot ids in force, sorted, space-separated: one job each.
    snapshots     TEXT NOT NULL UNIQUE,
    customers     INTEGER NOT NULL,
    batches       INTEGER NOT NULL,
    flagged       INTEGER NOT NULL DEFAULT 0,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    -- A newer set of snapshots came before this job finished.
    superseded_at INTEGER
) STRICT;

CREATE TABLE rescreen_batches (
    job_id      TEXT NOT NULL REFERENCES rescreen_jobs (id),
    seq         INTEGER NOT NULL,
    -- The batch's customers are those with after_id < id <= last_id.
    after_id    TEXT NOT NULL,
    last_id     TEXT NOT NULL,
    customers   INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    done_at     INTEGER,
    PRIMARY KEY (job_id, seq)
) STRICT;

-- A re-screening's new hit on an active customer asks operators to review
-- it again; its status stays until one acts. Neither column is personal.
ALTER TABLE customers ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_needs_review ON customers (created_at, id) WHERE needs_review = TRUE;
