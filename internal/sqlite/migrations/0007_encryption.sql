-- Envelope encryption of personal data (package envelope). A customer's
-- profile and its events' data are sealed under the customer's own data
-- key; data_key is that key wrapped by the key-encryption key whose id is
-- data_key_kek. Sealed rows hold '' in profile and events.data; rows
-- written before this migration keep their plain JSON there until
-- `onboard keys rotate-encryption` seals them. Erasure (crypto-shredding)
-- deletes data_key and sets erased_at.
ALTER TABLE customers ADD COLUMN sealed_profile BLOB;
ALTER TABLE customers ADD COLUMN data_key BLOB;
ALTER TABLE customers ADD COLUMN data_key_kek INTEGER;
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
-- Keyed hashes (HMAC-SHA256, hex) of personal values that are compared but
-- never read: the business identifier with its country, and each person's
-- ID number with its issuing country (space-separated). No index yet:
-- nothing looks them up, and each index costs every create a write.
ALTER TABLE customers ADD COLUMN business_identifier_hmac TEXT;
ALTER TABLE customers ADD COLUMN id_number_hmacs TEXT;

ALTER TABLE events ADD COLUMN sealed_data BLOB;

-- Keys of the service itself, such as the key of the keyed hashes, wrapped
-- by a key-encryption key.
CREATE TABLE wrapped_keys (
    name       TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
