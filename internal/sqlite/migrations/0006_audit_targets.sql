-- What an audit event acted on beyond a customer or a key: the webhook
-- endpoint, the event redelivered, the operator or the file.
ALTER TABLE audit_events ADD COLUMN target_id TEXT NOT NULL DEFAULT '';
