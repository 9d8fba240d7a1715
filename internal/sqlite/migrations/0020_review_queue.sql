-- What the review queue filters on, kept plain beside the sealed screening
-- (neither is personal): the number of screening hits and the risk level
-- assessed when the customer was last screened (kyb.Customer.RiskLevel;
-- empty for customers created before this migration until they are
-- screened again).
ALTER TABLE customers ADD COLUMN hit_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN risk_level TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_status_risk_created ON customers (status, risk_level, created_at, id);
