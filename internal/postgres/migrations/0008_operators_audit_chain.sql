-- Operators: admins manage the others; a token expires a TTL after it was
-- issued; a disabled operator may not sign in. Operators from before were
-- not admins (nothing needed one) and their tokens count from creation.
ALTER TABLE operators ADD COLUMN admin boolean NOT NULL DEFAULT false;
ALTER TABLE operators ADD COLUMN token_issued_at timestamptz;
ALTER TABLE operators ADD COLUMN disabled_at timestamptz;
UPDATE operators SET token_issued_at = created_at;
ALTER TABLE operators ALTER COLUMN token_issued_at SET NOT NULL;

-- The audit trail becomes a hash chain (see kyb.AuditDigest): each event's
-- digest of its fields (computed by the service), its place seq, the hash
-- of the event before it and its own. The trigger below links each new
-- event under an advisory lock held until commit, so that instances
-- append one at a time and the chain has no fork; the events from before
-- are linked, in the order they were written, by the Go step that runs in
-- this migration's transaction.
ALTER TABLE audit_events ADD COLUMN digest text NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN seq bigint;
ALTER TABLE audit_events ADD COLUMN prev_hash text NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
CREATE INDEX audit_events_target ON audit_events (target_id, created_at, id);

CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head record;
BEGIN
    -- The key is also in sqlstore.PostgreSQL.LockAudit.
    PERFORM pg_advisory_xact_lock(8029463416164148340);
    SELECT seq, hash INTO head FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(head.seq, 0) + 1;
    NEW.prev_hash := coalesce(head.hash, '');
    -- kyb.ChainHash: sha256 of prev_hash and digest, in hex.
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || NEW.digest, 'UTF8')), 'hex');
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_chain();

-- The one update allowed: linking an event from before the chain, once.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash = '' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END
$$;
