-- A writer holding the audit chain's lock (sqlstore.PostgreSQL.LockAudit)
-- may link its events itself, as the batch of creates does in the
-- statement that inserts each customer (postgres.createCustomerSQL): the
-- trigger's lock, read of the head and hash cost a create as much again as
-- its audit row. The trigger links every other insert, as before. A row
-- given a link it did not earn breaks the chain where `onboard audit
-- verify` looks, and the unique index on seq keeps two rows from one place.
DROP TRIGGER audit_events_chain ON audit_events;
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.seq IS NULL) EXECUTE FUNCTION audit_events_chain();
