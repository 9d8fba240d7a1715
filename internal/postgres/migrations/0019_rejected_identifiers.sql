-- The keyed hashes (HMAC-SHA256, see sqlstore.identifierHashes) of the
-- business identifiers and ID numbers of rejected customers, each with its
-- country, so that a customer sharing one is flagged by an index probe
-- (kyb risk flag identifier_on_rejected_customer), never a scan and never
-- plain text. A customer's rows are written as it becomes rejected, by the
-- trigger below whatever the code path, and deleted with the rest of its
-- hashes when its data is erased (sqlstore.EraseCustomer).
CREATE TABLE rejected_identifiers (
    hash        text NOT NULL,
    partner_id  text NOT NULL,
    -- business (a business identifier) or id_number (a person's ID).
    kind        text NOT NULL,
    customer_id text NOT NULL REFERENCES customers (id),
    PRIMARY KEY (hash, partner_id, kind, customer_id)
);

CREATE INDEX rejected_identifiers_customer ON rejected_identifiers (customer_id);

CREATE FUNCTION customers_rejected_identifiers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rejected_identifiers (hash, partner_id, kind, customer_id)
        SELECT NEW.business_identifier_hmac, NEW.partner_id, 'business', NEW.id WHERE NEW.business_identifier_hmac IS NOT NULL
        UNION ALL
        SELECT h, NEW.partner_id, 'id_number', NEW.id FROM unnest(string_to_array(NEW.id_number_hmacs, ' ')) AS h WHERE h <> ''
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER customers_rejected_identifiers AFTER UPDATE OF status ON customers
    FOR EACH ROW WHEN (NEW.status = 'rejected' AND OLD.status <> 'rejected' AND NEW.erased_at IS NULL)
    EXECUTE FUNCTION customers_rejected_identifiers();

-- The customers rejected before this migration.
INSERT INTO rejected_identifiers (hash, partner_id, kind, customer_id)
    SELECT business_identifier_hmac, partner_id, 'business', id FROM customers
    WHERE status = 'rejected' AND erased_at IS NULL AND business_identifier_hmac IS NOT NULL
    UNION ALL
    SELECT h, c.partner_id, 'id_number', c.id FROM customers c, unnest(string_to_array(c.id_number_hmacs, ' ')) AS h
    WHERE c.status = 'rejected' AND c.erased_at IS NULL AND h <> ''
    ON CONFLICT DO NOTHING;
