-- Information requests: what an operator asked a partner for (a field to
-- correct, a document to provide, a question) and how it was resolved.
-- The message and the answer may quote personal data: they are sealed
-- under the customer's data key, so that erasure destroys them too.
-- customers.open_requirements counts the open ones, kept in step in the
-- same transaction, so that reads and the review queue need no join.
ALTER TABLE customers ADD COLUMN open_requirements INTEGER NOT NULL DEFAULT 0;

CREATE TABLE requirements (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    kind             TEXT NOT NULL,
    field            TEXT NOT NULL DEFAULT '',
    file_type        TEXT NOT NULL DEFAULT '',
    sealed_message   BLOB,
    created_at       INTEGER NOT NULL,
    created_by       TEXT NOT NULL,
    due_at           INTEGER,
    resolved_at      INTEGER,
    resolution       TEXT NOT NULL DEFAULT '',
    resolved_by_type TEXT NOT NULL DEFAULT '',
    resolved_by_id   TEXT NOT NULL DEFAULT '',
    sealed_answer    BLOB
) STRICT;

CREATE INDEX requirements_customer ON requirements (customer_id, created_at);
