-- Sanctions lists (package screening): each import of a publication is a
-- snapshot; the latest of each source is the one in force. Entries are
-- the publisher's public data, kept as JSON in our own format.
CREATE TABLE list_snapshots (
    id           text PRIMARY KEY,
    source       text NOT NULL,
    published_at timestamptz,
    sha256       text NOT NULL,
    entries      integer NOT NULL,
    aliases      integer NOT NULL,
    imported_at  timestamptz NOT NULL
);

CREATE INDEX list_snapshots_source ON list_snapshots (source, imported_at);

CREATE TABLE list_entries (
    snapshot_id text NOT NULL REFERENCES list_snapshots (id),
    entry_id    text NOT NULL,
    data        text NOT NULL,
    PRIMARY KEY (snapshot_id, entry_id)
);
