package sqlite

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// insertAudit appends an event to the audit trail inside tx. It runs on
// every create, so it goes to tx directly, which prepares it once a batch.
func insertAudit(ctx context.Context, tx execer, e kyb.AuditEvent) error {
	if _, err := tx.ExecContext(ctx, sqlstore.InsertAuditSQL, sqlstore.AuditArgs(sqlstore.SQLite, e)...); err != nil {
		return fmt.Errorf("insert audit event: %w", wrapErr(err))
	}
	return nil
}
