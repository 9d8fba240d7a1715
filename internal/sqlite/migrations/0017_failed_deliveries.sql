-- The console lists the deliveries that failed for good, newest first.
CREATE INDEX deliveries_failed ON deliveries (created_at) WHERE status = 'failed';
