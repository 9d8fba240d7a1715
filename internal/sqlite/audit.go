package sqlite

import (
	"context"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// insertAudit appends an event to the audit trail inside tx.
func insertAudit(ctx context.Context, tx execer, e kyb.AuditEvent) error {
	return sqlstore.InsertAudit(ctx, sqlstore.SQLite, txQueryer(tx), e)
}
