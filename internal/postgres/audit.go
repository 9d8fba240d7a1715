package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

const auditColumns = "id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason"

// auditArgs are an event's values in the order of auditColumns.
func auditArgs(e kyb.AuditEvent) []any {
	return []any{e.ID, e.At, e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.CustomerID, e.APIKeyID, e.FromStatus, e.ToStatus, e.Reason}
}

// insertAudit appends an event to the audit trail inside tx.
func insertAudit(ctx context.Context, tx pgx.Tx, e kyb.AuditEvent) error {
	return sqlstore.InsertAudit(ctx, sqlstore.PostgreSQL, queryer{tx}, e)
}
