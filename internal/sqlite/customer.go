package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

const customerColumns = "id, partner_id, status, created_at, status_reason, status_updated_at, profile, fingerprint"

// CreateCustomer stores c unless the partner already has its
// partner_customer_id; then it returns the existing customer. Creates that
// arrive together share one transaction: see createBatch.
func (s *Store) CreateCustomer(ctx context.Context, c kyb.Customer, audit kyb.AuditEvent, event kyb.Event) (kyb.Customer, bool, error) {
	profile, err := sqlstore.EncodeProfile(c.Profile)
	if err != nil {
		return kyb.Customer{}, false, fmt.Errorf("encode profile: %w", err)
	}
	r, err := s.creates.Do(ctx, createOp{customer: c, profile: profile, audit: audit, event: event})
	if err != nil {
		return kyb.Customer{}, false, err
	}
	return r.customer, r.created, nil
}

// Customer returns one of a partner's customers.
func (s *Store) Customer(ctx context.Context, partnerID, id string) (kyb.Customer, error) {
	return scanCustomer(s.reads.queryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ? AND partner_id = ?", id, partnerID))
}

// CustomerByID returns any partner's customer.
func (s *Store) CustomerByID(ctx context.Context, id string) (kyb.Customer, error) {
	return scanCustomer(s.reads.queryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ?", id))
}

// UpdateCustomerStatus moves a customer from audit.FromStatus to
// audit.ToStatus and records the event, in one transaction.
func (s *Store) UpdateCustomerStatus(ctx context.Context, audit kyb.AuditEvent, event kyb.Event) (kyb.Customer, error) {
	var c kyb.Customer
	err := s.transact(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCustomer(tx.QueryRowContext(ctx, `UPDATE customers SET status = ?, status_reason = ?, status_updated_at = ?, event_sequence = event_sequence + 1
			WHERE id = ? AND status = ? RETURNING `+customerColumns,
			audit.ToStatus, audit.Reason, micros(audit.At), audit.CustomerID, audit.FromStatus))
		if errors.Is(err, kyb.ErrNotFound) {
			// Either there is no such customer or its status moved on.
			current, err := scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ?", audit.CustomerID))
			if err != nil {
				return err
			}
			return kyb.ErrTransition(current.Status, audit.ToStatus)
		}
		if err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT event_sequence FROM customers WHERE id = ?", c.ID).Scan(&event.Sequence); err != nil {
			return fmt.Errorf("read event sequence: %w", wrapErr(err))
		}
		return insertEvent(ctx, tx, event)
	})
	return c, err
}

// ListCustomers returns a page of customers ordered by creation time.
func (s *Store) ListCustomers(ctx context.Context, q kyb.CustomerQuery) (kyb.CustomerPage, error) {
	cursor, err := sqlstore.Cursor(ctx, q, s.CustomerByID)
	if err != nil {
		return kyb.CustomerPage{}, err
	}
	query, args := sqlstore.ListCustomers(sqlstore.SQLite, customerColumns, q, cursor)
	rows, err := s.reads.query(ctx, query, args...)
	if err != nil {
		return kyb.CustomerPage{}, fmt.Errorf("list customers: %w", wrapErr(err))
	}
	defer rows.Close()
	var customers []kyb.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return kyb.CustomerPage{}, err
		}
		customers = append(customers, c)
	}
	if err := rows.Err(); err != nil {
		return kyb.CustomerPage{}, fmt.Errorf("list customers: %w", wrapErr(err))
	}
	return sqlstore.Page(customers, q.Limit), nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanCustomer(row scanner) (kyb.Customer, error) {
	var c kyb.Customer
	var created, updated sql.NullInt64
	var profile []byte
	err := row.Scan(&c.ID, &c.PartnerID, &c.Status, &created, &c.StatusReason, &updated, &profile, &c.Fingerprint)
	if errors.Is(err, sql.ErrNoRows) {
		return kyb.Customer{}, kyb.NotFound("customer")
	}
	if err != nil {
		return kyb.Customer{}, fmt.Errorf("select customer: %w", wrapErr(err))
	}
	if c.Profile, err = sqlstore.DecodeProfile(profile); err != nil {
		return kyb.Customer{}, fmt.Errorf("customer %s: %w", c.ID, err)
	}
	c.CreatedAt, c.StatusUpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}
