-- A partner's own rate limit for each of its API keys; NULL for the
-- service's default. Both columns are set or neither.
ALTER TABLE partners ADD COLUMN rate_limit_per_second REAL CHECK (rate_limit_per_second > 0);
ALTER TABLE partners ADD COLUMN rate_limit_burst INTEGER CHECK (rate_limit_burst > 0);
