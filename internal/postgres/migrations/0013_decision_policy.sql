-- A partner's decision policy (kyb.DecisionPolicy): manual, the default,
-- leaves every customer to review; auto_approve_clean approves, at create,
-- a customer screened with no hit and no risk flag.
ALTER TABLE partners ADD COLUMN decision_policy TEXT NOT NULL DEFAULT 'manual';
