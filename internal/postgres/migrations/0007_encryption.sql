-- Envelope encryption of personal data (package envelope). A customer's
-- profile and its events' data are sealed under the customer's own data
-- key; data_key is that key wrapped by the key-encryption key whose id is
-- data_key_kek. Sealed rows hold '' in profile and events.data (text now,
-- as '' is not JSON); rows written before this migration keep their plain
-- JSON there until `onboard keys rotate-encryption` seals them. Erasure
-- (crypto-shredding) deletes data_key and sets erased_at.
ALTER TABLE customers ALTER COLUMN profile TYPE text;
ALTER TABLE customers ADD COLUMN sealed_profile bytea;
ALTER TABLE customers ADD COLUMN data_key bytea;
ALTER TABLE customers ADD COLUMN data_key_kek integer;
ALTER TABLE customers ADD COLUMN erased_at timestamptz;
-- Keyed hashes (HMAC-SHA256, hex) of personal values that are compared but
-- never read: the business identifier with its country, and each person's
-- ID number with its issuing country (space-separated). No index yet:
-- nothing looks them up, and each index costs every create a write.
ALTER TABLE customers ADD COLUMN business_identifier_hmac text;
ALTER TABLE customers ADD COLUMN id_number_hmacs text;

ALTER TABLE events ALTER COLUMN data TYPE text;
ALTER TABLE events ADD COLUMN sealed_data bytea;

-- Keys of the service itself, such as the key of the keyed hashes, wrapped
-- by a key-encryption key.
CREATE TABLE wrapped_keys (
    name       text PRIMARY KEY,
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL
);
