package sqlstore

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// AuditColumns are the audit_events columns the core reads and writes.
const AuditColumns = "id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason, target_id"

// InsertAuditSQL appends one event to the audit trail, with AuditArgs.
const InsertAuditSQL = "INSERT INTO audit_events (" + AuditColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// AuditArgs are an event's values in the order of AuditColumns.
func AuditArgs(d Dialect, e kyb.AuditEvent) []any {
	return []any{e.ID, d.Time(e.At), e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.CustomerID, e.APIKeyID, e.FromStatus, e.ToStatus, e.Reason, e.TargetID}
}

// InsertAudit appends an event to the audit trail through q, inside the
// transaction of the change it records.
func InsertAudit(ctx context.Context, d Dialect, q Queryer, e kyb.AuditEvent) error {
	_, err := q.Exec(ctx, InsertAuditSQL, AuditArgs(d, e)...)
	if err != nil {
		return fmt.Errorf("insert audit event: %w", err)
	}
	return nil
}

// AuditEvents returns the audit trail of a customer, a partner or another
// target, oldest first.
func (c *Core) AuditEvents(ctx context.Context, f kyb.AuditFilter) ([]kyb.AuditEvent, error) {
	column, value := "customer_id", f.CustomerID
	switch {
	case f.PartnerID != "":
		column, value = "partner_id", f.PartnerID
	case f.TargetID != "":
		column, value = "target_id", f.TargetID
	}
	rows, err := c.Read.Query(ctx, "SELECT "+AuditColumns+" FROM audit_events WHERE "+column+" = ? ORDER BY created_at, id", value)
	if err != nil {
		return nil, fmt.Errorf("select audit events: %w", err)
	}
	defer rows.Close()
	var out []kyb.AuditEvent
	for rows.Next() {
		var e kyb.AuditEvent
		var at Time
		if err := rows.Scan(&e.ID, &at, &e.Actor.Type, &e.Actor.ID, &e.Action, &e.PartnerID, &e.CustomerID, &e.APIKeyID, &e.FromStatus, &e.ToStatus, &e.Reason, &e.TargetID); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		e.At = at.T
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select audit events: %w", err)
	}
	return out, nil
}

// AppendAudit records events in one transaction.
func (c *Core) AppendAudit(ctx context.Context, events ...kyb.AuditEvent) error {
	return c.Transact(ctx, func(tx Queryer) error {
		for _, e := range events {
			if err := InsertAudit(ctx, c.Dialect, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}
