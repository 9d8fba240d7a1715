package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	var updated *time.Time
	if !c.StatusUpdatedAt.IsZero() {
		updated = &c.StatusUpdatedAt
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO customers (`+customerColumns+`, partner_customer_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (partner_id, partner_customer_id) DO NOTHING`,
		c.ID, c.PartnerID, c.Status, c.CreatedAt, c.StatusReason, updated, string(profile), c.Fingerprint, c.Profile.PartnerCustomerID)
	if err != nil {
		return kyb.Customer{}, false, fmt.Errorf("insert customer: %w", wrapErr(err))
	}
	if tag.RowsAffected() == 1 {
		return c, true, nil
	}
	// The conflicting row is committed: ON CONFLICT waited for it.
	existing, err := scanCustomer(s.pool.QueryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE partner_id = $1 AND partner_customer_id = $2",
		c.PartnerID, c.Profile.PartnerCustomerID))
	return existing, false, err
}

// Customer returns one of a partner's customers.
func (s *Store) Customer(ctx context.Context, partnerID, id string) (kyb.Customer, error) {
	return scanCustomer(s.pool.QueryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = $1 AND partner_id = $2", id, partnerID))
}

func scanCustomer(row pgx.Row) (kyb.Customer, error) {
	var c kyb.Customer
	var updated *time.Time
	var profile []byte
	err := row.Scan(&c.ID, &c.PartnerID, &c.Status, &c.CreatedAt, &c.StatusReason, &updated, &profile, &c.Fingerprint)
	if errors.Is(err, pgx.ErrNoRows) {
		return kyb.Customer{}, kyb.NotFound("customer")
	}
	if err != nil {
		return kyb.Customer{}, fmt.Errorf("select customer: %w", wrapErr(err))
	}
	if err := json.Unmarshal(profile, &c.Profile); err != nil {
		return kyb.Customer{}, fmt.Errorf("decode profile of %s: %w", c.ID, err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	if updated != nil {
		c.StatusUpdatedAt = updated.UTC()
	}
	return c, nil
}
