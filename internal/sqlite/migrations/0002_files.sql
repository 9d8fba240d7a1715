-- Uploaded documents. content holds the sealed bytes (key version, nonce,
-- AES-256-GCM ciphertext), never the plaintext; sha256 is of the plaintext.
-- Every lookup is by id and partner, so the primary key serves them all.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    file_type    TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    content      BLOB NOT NULL
) STRICT;
