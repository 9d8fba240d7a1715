-- Operators: admins manage the others; a token expires a TTL after it was
-- issued; a disabled operator may not sign in. Operators from before were
-- not admins (nothing needed one) and their tokens count from creation.
ALTER TABLE operators ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN token_issued_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN disabled_at INTEGER;
UPDATE operators SET token_issued_at = created_at;
