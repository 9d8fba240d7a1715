package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// SeedCustomers bulk-loads customers, each with the audit event and the
// webhook event of its creation (and no deliveries), with COPY in one
// transaction. It is for filling a database to measure it; a
// partner_customer_id the partner already has fails the batch.
func (s *Store) SeedCustomers(ctx context.Context, customers []kyb.Customer) error {
	rows := make([][]any, len(customers))
	audits := make([][]any, len(customers))
	events := make([][]any, len(customers))
	for i, c := range customers {
		profile, err := json.Marshal(c.Profile)
		if err != nil {
			return fmt.Errorf("encode profile: %w", err)
		}
		rows[i] = []any{c.ID, c.PartnerID, string(c.Status), c.CreatedAt, c.StatusReason, nullTime(c.StatusUpdatedAt), string(profile), c.Fingerprint,
			c.Profile.PartnerCustomerID, int64(1)}
		a, e := kyb.CreationRecords(c)
		audits[i] = []any{a.ID, a.At, string(a.Actor.Type), a.Actor.ID, a.Action, a.PartnerID, a.CustomerID, a.APIKeyID, string(a.FromStatus), string(a.ToStatus), a.Reason}
		events[i] = []any{e.ID, e.PartnerID, e.CustomerID, e.Type, e.Sequence, e.CreatedAt, string(e.Data)}
	}
	columns := func(list string) []string { return strings.Split(list, ", ") }
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, t := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"customers", append(columns(customerColumns), "partner_customer_id", "event_sequence"), rows},
			{"audit_events", columns(auditColumns), audits},
			{"events", columns("id, partner_id, customer_id, type, sequence, created_at, data"), events},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.table, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed customers: %w", wrapErr(err))
	}
	return nil
}
