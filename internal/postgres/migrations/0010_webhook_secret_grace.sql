-- The secret an endpoint had before its last rotation, sealed like the
-- current one, and until when deliveries are signed with it as well, so
-- that a receiver still verifying with it keeps accepting them.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_sealed bytea;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at timestamptz;

-- Attempts recorded before partners were shown only error classes: raw
-- network errors named our resolver and told a refused address from an
-- unknown name. Put them in the classes too.
UPDATE delivery_attempts SET error = CASE
		WHEN status_code <> 0 THEN 'http status ' || status_code
		WHEN error LIKE 'open endpoint secret%' OR error LIKE 'build request%' OR error LIKE 'webhook secret must be%' THEN 'internal error'
		WHEN error LIKE '%lookup %' OR error LIKE '%not public%' THEN 'connection failed'
		WHEN error LIKE '%timeout%' OR error LIKE '%deadline exceeded%' THEN 'timeout'
		WHEN error LIKE '%tls:%' OR error LIKE '%x509:%' THEN 'tls error'
		ELSE 'connection failed' END
	WHERE error <> '';
