-- A partner's own rate limit for each of its API keys; NULL for the
-- service's default.
ALTER TABLE partners
    ADD COLUMN rate_limit_per_second double precision CHECK (rate_limit_per_second > 0),
    ADD COLUMN rate_limit_burst integer CHECK (rate_limit_burst > 0),
    ADD CONSTRAINT partners_rate_limit_whole CHECK ((rate_limit_per_second IS NULL) = (rate_limit_burst IS NULL));
