-- The keyed hashes (HMAC-SHA256, see sqlstore.identifierHashes) of the
-- business identifiers and ID numbers of rejected customers, each with its
-- country, so that a customer sharing one is flagged by an index probe
-- (kyb risk flag identifier_on_rejected_customer), never a scan and never
-- plain text. A customer's rows are written as it becomes rejected, by the
-- trigger below whatever the code path, and deleted with the rest of its
-- hashes when its data is erased (sqlstore.EraseCustomer).
CREATE TABLE rejected_identifiers (
    hash        TEXT NOT NULL,
    partner_id  TEXT NOT NULL,
    -- business (a business identifier) or id_number (a person's ID).
    kind        TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (hash, partner_id, kind, customer_id)
) STRICT;

CREATE INDEX rejected_identifiers_customer ON rejected_identifiers (customer_id);

-- id_number_hmacs holds hex hashes separated by spaces: as a JSON array,
-- json_each splits them (a trigger may not use a WITH).
CREATE TRIGGER customers_rejected_identifiers AFTER UPDATE OF status ON customers
    WHEN NEW.status = 'rejected' AND OLD.status <> 'rejected' AND NEW.erased_at IS NULL
BEGIN
    INSERT OR IGNORE INTO rejected_identifiers (hash, partner_id, kind, customer_id)
        SELECT NEW.business_identifier_hmac, NEW.partner_id, 'business', NEW.id WHERE NEW.business_identifier_hmac IS NOT NULL;
    INSERT OR IGNORE INTO rejected_identifiers (hash, partner_id, kind, customer_id)
        SELECT value, NEW.partner_id, 'id_number', NEW.id FROM json_each('["' || replace(NEW.id_number_hmacs, ' ', '","') || '"]')
        WHERE NEW.id_number_hmacs IS NOT NULL AND value <> '';
END;

-- The customers rejected before this migration.
INSERT OR IGNORE INTO rejected_identifiers (hash, partner_id, kind, customer_id)
    SELECT business_identifier_hmac, partner_id, 'business', id FROM customers
    WHERE status = 'rejected' AND erased_at IS NULL AND business_identifier_hmac IS NOT NULL;
INSERT OR IGNORE INTO rejected_identifiers (hash, partner_id, kind, customer_id)
    SELECT j.value, c.partner_id, 'id_number', c.id FROM customers c, json_each('["' || replace(c.id_number_hmacs, ' ', '","') || '"]') j
    WHERE c.status = 'rejected' AND c.erased_at IS NULL AND c.id_number_hmacs IS NOT NULL AND j.value <> '';
