-- Uploaded documents. content holds the sealed bytes (key version, nonce,
-- AES-256-GCM ciphertext), never the plaintext; sha256 is of the plaintext.
-- Every lookup is by id and partner, so the primary key serves them all.
CREATE TABLE files (
    id           text PRIMARY KEY,
    partner_id   text NOT NULL REFERENCES partners (id),
    file_type    text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    content_type text NOT NULL,
    created_at   timestamptz NOT NULL,
    content      bytea NOT NULL
);

-- Sealed content does not compress: keep it out of line without trying.
ALTER TABLE files ALTER COLUMN content SET STORAGE EXTERNAL;
