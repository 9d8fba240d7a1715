-- kyb.ChainHash in SQL, once: the trigger that links an audit event and
-- the statement of a batch of creates (postgres.createCustomerSQL) both
-- call it. It is STABLE, as convert_to is: PostgreSQL inlines a SQL
-- function only when it claims no more than its body, and an IMMUTABLE one
-- here cost 3 µs a call.
CREATE FUNCTION audit_chain_hash(prev_hash text, digest text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT encode(sha256(convert_to(prev_hash || digest, 'UTF8')), 'hex') $$;

CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head record;
BEGIN
    -- The key is also in sqlstore.PostgreSQL.LockAudit.
    PERFORM pg_advisory_xact_lock(8029463416164148340);
    SELECT seq, hash INTO head FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(head.seq, 0) + 1;
    NEW.prev_hash := coalesce(head.hash, '');
    NEW.hash := audit_chain_hash(NEW.prev_hash, NEW.digest);
    RETURN NEW;
END
$$;
