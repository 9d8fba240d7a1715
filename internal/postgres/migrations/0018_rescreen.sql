-- Ongoing monitoring (kyb.RescreenJob): each new set of list snapshots in
-- force re-screens every customer that is not rejected and not erased.
-- The job cuts those customers, in order of id, into batches that workers
-- of every instance claim (FOR UPDATE SKIP LOCKED) with a lease: a crashed
-- worker's batch comes back when its lease ends, and a batch is done once,
-- with the results it wrote.
CREATE TABLE rescreen_jobs (
    id            text PRIMARY KEY,
    -- The snapshot ids in force, sorted, space-separated: one job each.
    snapshots     text NOT NULL UNIQUE,
    customers     integer NOT NULL,
    batches       integer NOT NULL,
    flagged       integer NOT NULL DEFAULT 0,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    -- A newer set of snapshots came before this job finished.
    superseded_at timestamptz
);

CREATE TABLE rescreen_batches (
    job_id      text NOT NULL REFERENCES rescreen_jobs (id),
    seq         integer NOT NULL,
    -- The batch's customers are those with after_id < id <= last_id.
    after_id    text NOT NULL,
    last_id     text NOT NULL,
    customers   integer NOT NULL,
    lease_owner text,
    lease_until timestamptz,
    done_at     timestamptz,
    PRIMARY KEY (job_id, seq)
);

-- A re-screening's new hit on an active customer asks operators to review
-- it again; its status stays until one acts. Neither column is personal.
ALTER TABLE customers ADD COLUMN needs_review boolean NOT NULL DEFAULT false;
ALTER TABLE customers ADD COLUMN review_reason text NOT NULL DEFAULT '';
CREATE INDEX customers_needs_review ON customers (created_at, id) WHERE needs_review;
