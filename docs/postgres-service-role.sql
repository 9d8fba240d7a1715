-- The rights of the role that onboard serve connects as, onboard_service,
-- on a database whose tables belong to another role, which runs the
-- migrations (onboard migrate). Run it as that owner after every
-- migration (new tables need their grants):
--
--   psql "postgres://onboard_owner@HOST/onboard" -f docs/postgres-service-role.sql
--
-- The service reads, inserts and updates; it deletes only what an erasure
-- removes (the customer's documents and the keyed hashes of its identifiers
-- kept for the rejected-customer flag) and console sessions (ended at
-- logout). The audit trail it may only append to
-- and read, so that no one holding the service's credentials can change
-- or remove what was recorded.
GRANT USAGE ON SCHEMA public TO onboard_service;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO onboard_service;
GRANT DELETE ON files, rejected_identifiers TO onboard_service;
GRANT DELETE ON console_sessions TO onboard_service;
REVOKE ALL ON audit_events, schema_migrations FROM onboard_service;
GRANT SELECT, INSERT ON audit_events TO onboard_service;
-- serve checks that the schema is up to date; only the owner migrates.
GRANT SELECT ON schema_migrations TO onboard_service;
