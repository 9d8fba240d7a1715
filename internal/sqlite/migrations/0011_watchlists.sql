-- Sanctions lists (package screening): each import of a publication is a
-- snapshot; the latest of each source is the one in force. Entries are
-- the publisher's public data, kept as JSON in our own format. Times are
-- Unix microseconds (UTC).
CREATE TABLE list_snapshots (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    published_at INTEGER,
    sha256       TEXT NOT NULL,
    entries      INTEGER NOT NULL,
    aliases      INTEGER NOT NULL,
    imported_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX list_snapshots_source ON list_snapshots (source, imported_at);

CREATE TABLE list_entries (
    snapshot_id TEXT NOT NULL REFERENCES list_snapshots (id),
    entry_id    TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, entry_id)
) STRICT;
