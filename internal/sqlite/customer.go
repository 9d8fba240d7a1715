package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

const customerColumns = sqlstore.CustomerColumns

// CreateCustomer stores c unless the partner already has its
// partner_customer_id; then it returns the existing customer. Creates that
// arrive together share one transaction: see createBatch.
func (s *Store) CreateCustomer(ctx context.Context, c kyb.Customer, audit kyb.AuditEvent, event kyb.Event) (kyb.Customer, bool, error) {
	sealed, err := s.SealNew(c, event)
	if err != nil {
		return kyb.Customer{}, false, err
	}
	// The deadline covers the wait for a batch too, when one ahead hangs.
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	r, err := s.creates.Do(ctx, createOp{customer: c, sealed: sealed, audit: audit, event: event})
	if err != nil {
		return kyb.Customer{}, false, wrapErr(err)
	}
	return r.customer, r.created, nil
}

// UpdateCustomerStatus moves a customer from audit.FromStatus to
// audit.ToStatus and records the event, in one transaction.
func (s *Store) UpdateCustomerStatus(ctx context.Context, audit kyb.AuditEvent, event kyb.Event, version int) (kyb.Customer, error) {
	var c kyb.Customer
	err := s.transact(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = s.scanRow(tx.QueryRowContext(ctx, `UPDATE customers SET status = ?, status_reason = ?, status_updated_at = ?, event_sequence = event_sequence + 1, needs_review = FALSE, review_reason = ''
			WHERE id = ? AND status = ? AND (? = 0 OR version = ?) RETURNING `+customerColumns,
			audit.ToStatus, audit.Reason, micros(audit.At), audit.CustomerID, audit.FromStatus, version, version))
		if errors.Is(err, kyb.ErrNotFound) {
			// There is no such customer, or it moved on.
			current, err := s.scanRow(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ?", audit.CustomerID))
			if err != nil {
				return err
			}
			return sqlstore.StatusChangeRefused(current, audit)
		}
		if err != nil {
			return err
		}
		if err := sqlstore.InsertAudit(ctx, sqlstore.SQLite, txQueryer(tx), audit); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT event_sequence FROM customers WHERE id = ?", c.ID).Scan(&event.Sequence); err != nil {
			return fmt.Errorf("read event sequence: %w", wrapErr(err))
		}
		sealed, plain, err := s.SealEvent(ctx, txQueryer(tx), event)
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, event, plain, sealed)
	})
	return c, err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }
