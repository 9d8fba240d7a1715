-- Operators: admins manage the others; a token expires a TTL after it was
-- issued; a disabled operator may not sign in. Operators from before were
-- not admins (nothing needed one) and their tokens count from creation.
ALTER TABLE operators ADD COLUMN admin boolean NOT NULL DEFAULT false;
ALTER TABLE operators ADD COLUMN token_issued_at timestamptz;
ALTER TABLE operators ADD COLUMN disabled_at timestamptz;
UPDATE operators SET token_issued_at = created_at;
ALTER TABLE operators ALTER COLUMN token_issued_at SET NOT NULL;
