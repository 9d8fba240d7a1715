package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

const customerColumns = "id, partner_id, status, created_at, status_reason, status_updated_at, profile, fingerprint"

// CreateCustomer stores c unless the partner already has its
// partner_customer_id; then it returns the existing customer.
func (s *Store) CreateCustomer(ctx context.Context, c kyb.Customer) (kyb.Customer, bool, error) {
	profile, err := json.Marshal(c.Profile)
	if err != nil {
		return kyb.Customer{}, false, fmt.Errorf("encode profile: %w", err)
	}
	var existing kyb.Customer
	created := false
	err = s.transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO customers (`+customerColumns+`, partner_customer_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (partner_id, partner_customer_id) DO NOTHING`,
			c.ID, c.PartnerID, c.Status, micros(c.CreatedAt), c.StatusReason, nullMicros(c.StatusUpdatedAt), string(profile), c.Fingerprint, c.Profile.PartnerCustomerID)
		if err != nil {
			return fmt.Errorf("insert customer: %w", wrapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created = true
			return nil
		}
		existing, err = scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE partner_id = ? AND partner_customer_id = ?",
			c.PartnerID, c.Profile.PartnerCustomerID))
		return err
	})
	if err != nil {
		return kyb.Customer{}, false, err
	}
	if created {
		return c, true, nil
	}
	return existing, false, nil
}

// Customer returns one of a partner's customers.
func (s *Store) Customer(ctx context.Context, partnerID, id string) (kyb.Customer, error) {
	return scanCustomer(s.read.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ? AND partner_id = ?", id, partnerID))
}

func scanCustomer(row *sql.Row) (kyb.Customer, error) {
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
	if err := json.Unmarshal(profile, &c.Profile); err != nil {
		return kyb.Customer{}, fmt.Errorf("decode profile of %s: %w", c.ID, err)
	}
	c.CreatedAt, c.StatusUpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}
