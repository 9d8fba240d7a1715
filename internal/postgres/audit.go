package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

const auditColumns = "id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason"

// auditArgs are an event's values in the order of auditColumns.
func auditArgs(e kyb.AuditEvent) []any {
	return []any{e.ID, e.At, e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.CustomerID, e.APIKeyID, e.FromStatus, e.ToStatus, e.Reason}
}

// insertAudit appends an event to the audit trail inside tx.
func insertAudit(ctx context.Context, tx pgx.Tx, e kyb.AuditEvent) error {
	_, err := tx.Exec(ctx, "INSERT INTO audit_events ("+auditColumns+", target_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", append(auditArgs(e), e.TargetID)...)
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
	rows, err := s.pool.Query(ctx, "SELECT "+auditColumns+", target_id FROM audit_events WHERE "+column+" = $1 ORDER BY created_at, id", value)
	if err != nil {
		return nil, fmt.Errorf("select audit events: %w", wrapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.AuditEvent, error) {
		var e kyb.AuditEvent
		err := row.Scan(&e.ID, &e.At, &e.Actor.Type, &e.Actor.ID, &e.Action, &e.PartnerID, &e.CustomerID, &e.APIKeyID, &e.FromStatus, &e.ToStatus, &e.Reason, &e.TargetID)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("select audit events: %w", wrapErr(err))
	}
	return out, nil
}
