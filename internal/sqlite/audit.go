package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// insertAudit appends an event to the audit trail inside tx.
func insertAudit(ctx context.Context, tx execer, e kyb.AuditEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason, target_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, micros(e.At), e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.CustomerID, e.APIKeyID, e.FromStatus, e.ToStatus, e.Reason, e.TargetID)
	if err != nil {
		return fmt.Errorf("insert audit event: %w", wrapErr(err))
	}
	return nil
}

// AuditEvents returns the audit trail of a customer or a partner, oldest
// first.
func (s *Store) AuditEvents(ctx context.Context, f kyb.AuditFilter) ([]kyb.AuditEvent, error) {
	column, value := "customer_id", f.CustomerID
	switch {
	case f.PartnerID != "":
		column, value = "partner_id", f.PartnerID
	case f.TargetID != "":
		column, value = "target_id", f.TargetID
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason, target_id
		FROM audit_events WHERE `+column+` = ? ORDER BY created_at, id`, value)
	if err != nil {
		return nil, fmt.Errorf("select audit events: %w", wrapErr(err))
	}
	defer rows.Close()
	var out []kyb.AuditEvent
	for rows.Next() {
		var e kyb.AuditEvent
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Actor.Type, &e.Actor.ID, &e.Action, &e.PartnerID, &e.CustomerID, &e.APIKeyID, &e.FromStatus, &e.ToStatus, &e.Reason, &e.TargetID); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select audit events: %w", wrapErr(err))
	}
	return out, nil
}
