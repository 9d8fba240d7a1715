package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CustomerColumns are the customers columns ScanCustomer reads.
const CustomerColumns = "id, partner_id, status, created_at, status_reason, status_updated_at, profile, fingerprint, partner_customer_id, sealed_profile, data_key, erased_at, sealed_screening, risk_level, version, open_requirements, needs_review, review_reason"

// Customer returns one of a partner's customers.
func (c *Core) Customer(ctx context.Context, partnerID, id string) (kyb.Customer, error) {
	cust, err := c.ScanCustomer(c.Read.QueryRow(ctx, "SELECT "+CustomerColumns+" FROM customers WHERE id = ? AND partner_id = ?", id, partnerID))
	if err != nil {
		return kyb.Customer{}, err
	}
	return cust, c.openRequirements(ctx, c.Read, &cust)
}

// CustomerByID returns any partner's customer.
func (c *Core) CustomerByID(ctx context.Context, id string) (kyb.Customer, error) {
	return c.customerIn(ctx, c.Read, id, "")
}

// customerIn reads any partner's customer through q, with its open
// requirements; lock ends the query (Dialect.ForUpdate, or nothing).
func (c *Core) customerIn(ctx context.Context, q Queryer, id, lock string) (kyb.Customer, error) {
	cust, err := c.ScanCustomer(q.QueryRow(ctx, "SELECT "+CustomerColumns+" FROM customers WHERE id = ?"+lock, id))
	if err != nil {
		return kyb.Customer{}, err
	}
	return cust, c.openRequirements(ctx, q, &cust)
}

// ListCustomers returns a page of customers ordered by creation time; a
// cursor outside the query's scope is kyb.ErrBadCursor.
func (c *Core) ListCustomers(ctx context.Context, q kyb.CustomerQuery) (kyb.CustomerPage, error) {
	cursor, err := Cursor(ctx, q, c.CustomerByID)
	if err != nil {
		return kyb.CustomerPage{}, err
	}
	query, args := ListCustomers(c.Dialect, CustomerColumns, q, cursor)
	rows, err := c.Read.Query(ctx, query, args...)
	if err != nil {
		return kyb.CustomerPage{}, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	var customers []kyb.Customer
	for rows.Next() {
		cust, err := c.ScanCustomer(rows)
		if err != nil {
			return kyb.CustomerPage{}, err
		}
		customers = append(customers, cust)
	}
	if err := rows.Err(); err != nil {
		return kyb.CustomerPage{}, fmt.Errorf("list customers: %w", err)
	}
	rows.Close()
	for i := range customers {
		if err := c.openRequirements(ctx, c.Read, &customers[i]); err != nil {
			return kyb.CustomerPage{}, err
		}
	}
	return Page(customers, q.Limit), nil
}

// ScanCustomer reads CustomerColumns, opening the profile; no row is a
// customer not found.
func (c *Core) ScanCustomer(row Row) (kyb.Customer, error) {
	var cust kyb.Customer
	var created, updated, erased Time
	var profile, sealed, dataKey, sealedScreening []byte
	var partnerCustomerID string
	err := row.Scan(&cust.ID, &cust.PartnerID, &cust.Status, &created, &cust.StatusReason, &updated, &profile, &cust.Fingerprint,
		&partnerCustomerID, &sealed, &dataKey, &erased, &sealedScreening, &cust.RiskLevel, &cust.Version, &cust.OpenRequirements, &cust.NeedsReview, &cust.ReviewReason)
	if errors.Is(err, ErrNoRows) {
		return kyb.Customer{}, kyb.NotFound("customer")
	}
	if err != nil {
		return kyb.Customer{}, fmt.Errorf("select customer: %w", err)
	}
	cust.CreatedAt, cust.StatusUpdatedAt, cust.ErasedAt = created.T, updated.T, erased.T
	if err := c.openProfile(&cust, profile, sealed, dataKey, sealedScreening, partnerCustomerID); err != nil {
		return kyb.Customer{}, fmt.Errorf("customer %s: %w", cust.ID, err)
	}
	return cust, nil
}
