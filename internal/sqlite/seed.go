package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// SeedCustomers bulk-loads customers, each with the audit event and the
// webhook event of its creation (and no deliveries), in one transaction
// through prepared statements. It is for filling a database to measure
// it; a partner_customer_id the partner already has fails the batch.
func (s *Store) SeedCustomers(ctx context.Context, customers []kyb.Customer) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		var stmts [3]*sql.Stmt
		for i, q := range []string{
			`INSERT INTO customers (` + customerColumns + `, partner_customer_id, event_sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			`INSERT INTO audit_events (id, created_at, actor_type, actor_id, action, partner_id, customer_id, api_key_id, from_status, to_status, reason)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			`INSERT INTO events (id, partner_id, customer_id, type, sequence, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		} {
			stmt, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("seed customers: %w", wrapErr(err))
			}
			defer stmt.Close()
			stmts[i] = stmt
		}
		for _, c := range customers {
			profile, err := json.Marshal(c.Profile)
			if err != nil {
				return fmt.Errorf("encode profile: %w", err)
			}
			a, e := kyb.CreationRecords(c)
			if _, err := stmts[0].ExecContext(ctx, c.ID, c.PartnerID, c.Status, micros(c.CreatedAt), c.StatusReason, nullMicros(c.StatusUpdatedAt),
				string(profile), c.Fingerprint, c.Profile.PartnerCustomerID); err != nil {
				return fmt.Errorf("seed customer %s: %w", c.ID, wrapErr(err))
			}
			if _, err := stmts[1].ExecContext(ctx, a.ID, micros(a.At), a.Actor.Type, a.Actor.ID, a.Action, a.PartnerID, a.CustomerID, a.APIKeyID,
				a.FromStatus, a.ToStatus, a.Reason); err != nil {
				return fmt.Errorf("seed audit event of %s: %w", c.ID, wrapErr(err))
			}
			if _, err := stmts[2].ExecContext(ctx, e.ID, e.PartnerID, e.CustomerID, e.Type, e.Sequence, micros(e.CreatedAt), string(e.Data)); err != nil {
				return fmt.Errorf("seed event of %s: %w", c.ID, wrapErr(err))
			}
		}
		return nil
	})
}
