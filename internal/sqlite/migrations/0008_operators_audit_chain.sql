-- Operators: admins manage the others; a token expires a TTL after it was
-- issued; a disabled operator may not sign in. Operators from before were
-- not admins (nothing needed one) and their tokens count from creation.
ALTER TABLE operators ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN token_issued_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN disabled_at INTEGER;
UPDATE operators SET token_issued_at = created_at;

-- The audit trail becomes a hash chain (see kyb.AuditDigest): each event's
-- digest of its fields, its place seq, the hash of the event before it and
-- its own. The store links each new event under SQLite's single writer;
-- the events from before are linked, in the order they were written, by
-- the Go step that runs in this migration's transaction.
ALTER TABLE audit_events ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN seq INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
CREATE INDEX audit_events_target ON audit_events (target_id, created_at, id);

-- The one update allowed: linking an event from before the chain, once.
DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN OLD.hash <> ''
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
