package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

const customerColumns = sqlstore.CustomerColumns

// CreateCustomer stores c and its audit event unless the partner already
// has its partner_customer_id; then it returns the existing customer. One
// statement does both inserts, so they commit together, and creates that
// arrive together are sent together: see createBatch.
func (s *Store) CreateCustomer(ctx context.Context, c kyb.Customer, audit kyb.AuditEvent, event kyb.Event) (kyb.Customer, bool, error) {
	sealed, err := s.SealNew(c, event)
	if err != nil {
		return kyb.Customer{}, false, err
	}
	args := append(sqlstore.CustomerInsertArgs(sqlstore.PostgreSQL, c, sealed), sqlstore.AuditArgs(sqlstore.PostgreSQL, audit)...)
	args = append(args, eventArgs(event, "", sealed.Event)...)
	// The deadline covers the wait for a batch too, when one ahead hangs.
	ctx, cancel := s.bound(ctx)
	defer cancel()
	created, err := s.creates.Do(ctx, args)
	if err != nil {
		return kyb.Customer{}, false, fmt.Errorf("insert customer: %w", wrapErr(err))
	}
	if created {
		return c, true, nil
	}
	// The conflicting row is committed: ON CONFLICT waited for it.
	existing, err := s.scanRow(s.pool.QueryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE partner_id = $1 AND partner_customer_id = $2",
		c.PartnerID, c.Profile.PartnerCustomerID))
	return existing, false, err
}

// createCustomerSQL inserts a customer (its sqlstore.CustomerInsertArgs
// first), its audit event (sqlstore.AuditArgs) and its webhook event (see
// outboxCTE) unless the partner has the partner_customer_id already, and
// answers whether it did. It links the audit event to the chain's head as
// the audit_events_chain trigger would (audit_chain_hash, migration 0022),
// which it may since the batch holds the chain's lock: the statement's
// snapshot, taken after the lock, sees the head (migration 0021).
var createCustomerSQL = func() string {
	customer, audit := sqlstore.CustomerInsertCount, strings.Count(sqlstore.AuditColumns, ",")+1
	return `WITH inserted AS (
		INSERT INTO customers (` + sqlstore.CustomerInsertColumns + `, event_sequence)
		VALUES (` + params(1, customer) + `, 1)
		ON CONFLICT (partner_id, partner_customer_id) DO NOTHING
		RETURNING id, event_sequence),
	audited AS (
		INSERT INTO audit_events (` + sqlstore.AuditColumns + `, seq, prev_hash, hash)
		SELECT ` + params(customer+1, audit) + `, coalesce(head.seq, 0) + 1, coalesce(head.hash, ''),
			audit_chain_hash(coalesce(head.hash, ''), $` + strconv.Itoa(customer+audit) + `)
		FROM inserted LEFT JOIN (` + sqlstore.AuditHeadSQL + `) head ON true),
	` + outboxCTE("inserted", customer+audit+1) + `
	SELECT count(*) = 1 FROM inserted`
}()

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// UpdateCustomerStatus moves a customer from audit.FromStatus to
// audit.ToStatus and records the event; one statement does both.
func (s *Store) UpdateCustomerStatus(ctx context.Context, audit kyb.AuditEvent, event kyb.Event, version int) (kyb.Customer, error) {
	// $1 and $2 pick the customer, $3 to $15 are the audit event (its At
	// is $4, ToStatus $12, Reason $13), the event follows from $16.
	sealed, plain, err := s.SealEvent(ctx, s.Read, event)
	if err != nil {
		return kyb.Customer{}, err
	}
	args := append([]any{audit.CustomerID, audit.FromStatus}, sqlstore.AuditArgs(sqlstore.PostgreSQL, audit)...)
	args = append(args, eventArgs(event, plain, sealed)...)
	args = append(args, version) // the last parameter
	versionParam := "$" + strconv.Itoa(len(args))
	ctx, cancel := s.bound(ctx)
	defer cancel()
	c, err := s.scanRow(s.pool.QueryRow(ctx, `WITH updated AS (
			UPDATE customers SET status = $12, status_reason = $13, status_updated_at = $4, event_sequence = event_sequence + 1, needs_review = FALSE, review_reason = ''
			WHERE id = $1 AND status = $2 AND (`+versionParam+`::integer = 0 OR version = `+versionParam+`)
			RETURNING `+customerColumns+`, event_sequence),
		audited AS (
			INSERT INTO audit_events (`+sqlstore.AuditColumns+`)
			SELECT `+params(3, 13)+` FROM updated),
		`+outboxCTE("updated", 16)+`
		SELECT `+customerColumns+` FROM updated`, args...))
	if errors.Is(err, kyb.ErrNotFound) {
		// There is no such customer, or it moved on.
		current, err := s.CustomerByID(ctx, audit.CustomerID)
		if err != nil {
			return kyb.Customer{}, err
		}
		return kyb.Customer{}, sqlstore.StatusChangeRefused(current, audit)
	}
	return c, err
}
