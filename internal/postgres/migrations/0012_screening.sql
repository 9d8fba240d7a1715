-- What screening found at create (kyb.Screening), sealed under the
-- customer's data key like its profile: its hits quote the customer's
-- names. NULL when no list was imported then.
ALTER TABLE customers ADD COLUMN sealed_screening bytea;
