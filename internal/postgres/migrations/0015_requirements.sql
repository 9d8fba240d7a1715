-- Information requests: what an operator asked a partner for (a field to
-- correct, a document to provide, a question) and how it was resolved.
-- The message and the answer may quote personal data: they are sealed
-- under the customer's data key, so that erasure destroys them too.
-- customers.open_requirements counts the open ones, kept in step in the
-- same transaction, so that reads and the review queue need no join.
ALTER TABLE customers ADD COLUMN open_requirements integer NOT NULL DEFAULT 0;

CREATE TABLE requirements (
    id               text PRIMARY KEY,
    customer_id      text NOT NULL REFERENCES customers (id),
    kind             text NOT NULL,
    field            text NOT NULL DEFAULT '',
    file_type        text NOT NULL DEFAULT '',
    sealed_message   bytea,
    created_at       timestamptz NOT NULL,
    created_by       text NOT NULL,
    due_at           timestamptz,
    resolved_at      timestamptz,
    resolution       text NOT NULL DEFAULT '',
    resolved_by_type text NOT NULL DEFAULT '',
    resolved_by_id   text NOT NULL DEFAULT '',
    sealed_answer    bytea
);

CREATE INDEX requirements_customer ON requirements (customer_id, created_at);
