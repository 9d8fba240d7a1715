package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreateEndpoint stores an endpoint with its sealed secret and the audit
// event when allow accepts the partner's count of endpoints. The
// partner's row is read for update, so that concurrent creations take
// turns.
func (c *Core) CreateEndpoint(ctx context.Context, e kyb.Endpoint, sealedSecret []byte, audit kyb.AuditEvent, allow func(endpoints int) error) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM partners WHERE id = ?"+c.Dialect.ForUpdate, e.PartnerID).Scan(&one); err != nil && !errors.Is(err, ErrNoRows) {
			return fmt.Errorf("lock partner: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL", e.PartnerID).Scan(&n); err != nil {
			return fmt.Errorf("count endpoints: %w", err)
		}
		if err := allow(n); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO webhook_endpoints (id, partner_id, url, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?)",
			e.ID, e.PartnerID, e.URL, sealedSecret, c.Dialect.Time(e.CreatedAt)); err != nil {
			return fmt.Errorf("insert endpoint: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// Endpoints lists a partner's live endpoints, oldest first.
func (c *Core) Endpoints(ctx context.Context, partnerID string) ([]kyb.Endpoint, error) {
	rows, err := c.Read.Query(ctx, "SELECT id, partner_id, url, created_at FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL ORDER BY created_at, id", partnerID)
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", err)
	}
	defer rows.Close()
	var out []kyb.Endpoint
	for rows.Next() {
		var e kyb.Endpoint
		var created Time
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.URL, &created); err != nil {
			return nil, fmt.Errorf("scan endpoint: %w", err)
		}
		e.CreatedAt = created.T
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select endpoints: %w", err)
	}
	return out, nil
}

// DeleteEndpoint removes a partner's endpoint at audit.At; its pending
// deliveries end as failed.
func (c *Core) DeleteEndpoint(ctx context.Context, partnerID, id string, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, "UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND partner_id = ? AND deleted_at IS NULL", c.Dialect.Time(audit.At), id, partnerID)
		if err != nil {
			return fmt.Errorf("delete endpoint: %w", err)
		}
		if n == 0 {
			return kyb.NotFound("webhook endpoint")
		}
		if _, err := tx.Exec(ctx, "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL WHERE endpoint_id = ? AND status = 'pending'", id); err != nil {
			return fmt.Errorf("fail deliveries: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// SetEndpointSecret replaces an endpoint's sealed secret, keeping the one
// it replaces until previousUntil, and records the audit event.
func (c *Core) SetEndpointSecret(ctx context.Context, partnerID, id string, sealedSecret []byte, previousUntil time.Time, audit kyb.AuditEvent) (kyb.Endpoint, error) {
	var e kyb.Endpoint
	err := c.transactAudited(ctx, func(tx Queryer) error {
		var created Time
		// The right-hand sides read the row as it was: the previous
		// secret becomes the one being replaced.
		err := tx.QueryRow(ctx, `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_expires_at = ?, secret_sealed = ?
			WHERE id = ? AND partner_id = ? AND deleted_at IS NULL
			RETURNING id, partner_id, url, created_at`, c.Dialect.Time(previousUntil), sealedSecret, id, partnerID).Scan(&e.ID, &e.PartnerID, &e.URL, &created)
		if errors.Is(err, ErrNoRows) {
			return kyb.NotFound("webhook endpoint")
		}
		if err != nil {
			return fmt.Errorf("update endpoint: %w", err)
		}
		e.CreatedAt = created.T
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
	return e, err
}

// Deliveries returns a partner's deliveries of an event with their
// attempts; partnerID empty means any partner's.
func (c *Core) Deliveries(ctx context.Context, partnerID, eventID string) ([]kyb.Delivery, error) {
	rows, err := c.Read.Query(ctx, `SELECT d.event_id, d.endpoint_id, d.partner_id, w.url, d.status, d.next_attempt_at, d.created_at
		FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.event_id = ? AND (? = '' OR d.partner_id = ?) ORDER BY d.endpoint_id`, eventID, partnerID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	var out []kyb.Delivery
	for rows.Next() {
		var d kyb.Delivery
		var next, created Time
		if err := rows.Scan(&d.EventID, &d.EndpointID, &d.PartnerID, &d.URL, &d.Status, &next, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		d.NextAttemptAt, d.CreatedAt = next.T, created.T
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// Every attempt of the event in one query, not one per delivery.
	byEndpoint, err := c.attempts(ctx, eventID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attempts = byEndpoint[out[i].EndpointID]
	}
	return out, nil
}

// attempts returns an event's delivery attempts by endpoint, in order.
func (c *Core) attempts(ctx context.Context, eventID string) (map[string][]kyb.Attempt, error) {
	rows, err := c.Read.Query(ctx, `SELECT endpoint_id, at, status_code, latency_us, error FROM delivery_attempts
		WHERE event_id = ? ORDER BY endpoint_id, number`, eventID)
	if err != nil {
		return nil, fmt.Errorf("select attempts: %w", err)
	}
	defer rows.Close()
	out := map[string][]kyb.Attempt{}
	for rows.Next() {
		var a kyb.Attempt
		var endpointID string
		var at Time
		var latency int64
		if err := rows.Scan(&endpointID, &at, &a.StatusCode, &latency, &a.Error); err != nil {
			return nil, fmt.Errorf("scan attempt: %w", err)
		}
		a.At, a.Latency = at.T, time.Duration(latency)*time.Microsecond
		out[endpointID] = append(out[endpointID], a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select attempts: %w", err)
	}
	return out, nil
}

// Redeliver makes an event's deliveries to live endpoints pending again,
// due at audit.At, and when there were any records the audit event with
// the event's partner and customer.
func (c *Core) Redeliver(ctx context.Context, eventID string, audit kyb.AuditEvent) (int, error) {
	var n int64
	err := c.transactAudited(ctx, func(tx Queryer) error {
		var err error
		// An erased customer's events have no data left to send.
		n, err = tx.Exec(ctx, `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_until = NULL
			WHERE event_id = ? AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL)
			AND EXISTS (SELECT 1 FROM events WHERE id = ? AND (sealed_data IS NOT NULL OR data <> ''))`, c.Dialect.Time(audit.At), eventID, eventID)
		if err != nil {
			return fmt.Errorf("redeliver: %w", err)
		}
		if n == 0 {
			return nil
		}
		if err := tx.QueryRow(ctx, "SELECT partner_id, customer_id FROM events WHERE id = ?", eventID).Scan(&audit.PartnerID, &audit.CustomerID); err != nil {
			return fmt.Errorf("select event: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
	return int(n), err
}

// CustomerEvents returns a customer's events, in sequence.
func (c *Core) CustomerEvents(ctx context.Context, customerID string) ([]kyb.Event, error) {
	rows, err := c.Read.Query(ctx, `SELECT e.id, e.partner_id, e.customer_id, e.type, e.sequence, e.created_at, e.data, e.sealed_data, c.data_key
		FROM events e LEFT JOIN customers c ON c.id = e.customer_id WHERE e.customer_id = ? ORDER BY e.sequence`, customerID)
	if err != nil {
		return nil, fmt.Errorf("select events: %w", err)
	}
	defer rows.Close()
	var out []kyb.Event
	for rows.Next() {
		var e kyb.Event
		var created Time
		var data, sealed, dataKey []byte
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.CustomerID, &e.Type, &e.Sequence, &created, &data, &sealed, &dataKey); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.CreatedAt = created.T
		if err := c.OpenEvent(&e, data, sealed, dataKey); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select events: %w", err)
	}
	return out, nil
}

// PendingDeliveries counts the deliveries still to be sent or retried, for
// monitoring.
func (c *Core) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := c.Read.QueryRow(ctx, "SELECT count(*) FROM deliveries WHERE status = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", err)
	}
	return n, nil
}
