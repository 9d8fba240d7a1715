package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// insertEvent adds an event to the outbox inside tx, with a pending
// delivery to each of the partner's endpoints.
func insertEvent(ctx context.Context, tx execer, e kyb.Event) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO events (id, partner_id, customer_id, type, sequence, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
		e.ID, e.PartnerID, e.CustomerID, e.Type, e.Sequence, micros(e.CreatedAt), string(e.Data)); err != nil {
		return fmt.Errorf("insert event: %w", wrapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (event_id, endpoint_id, partner_id, status, next_attempt_at, created_at)
		SELECT ?, id, partner_id, 'pending', ?, ? FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL`,
		e.ID, micros(e.CreatedAt), micros(e.CreatedAt), e.PartnerID); err != nil {
		return fmt.Errorf("insert deliveries: %w", wrapErr(err))
	}
	return nil
}

// CreateEndpoint stores an endpoint unless its partner has MaxEndpoints.
func (s *Store) CreateEndpoint(ctx context.Context, e kyb.Endpoint, sealedSecret []byte, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL", e.PartnerID).Scan(&n); err != nil {
			return fmt.Errorf("count endpoints: %w", wrapErr(err))
		}
		if n >= kyb.MaxEndpoints {
			return kyb.ErrTooManyEndpoints
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO webhook_endpoints (id, partner_id, url, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?)",
			e.ID, e.PartnerID, e.URL, sealedSecret, micros(e.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert endpoint: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// Endpoints lists a partner's endpoints, oldest first.
func (s *Store) Endpoints(ctx context.Context, partnerID string) ([]kyb.Endpoint, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, partner_id, url, created_at FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL ORDER BY created_at, id", partnerID)
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", wrapErr(err))
	}
	defer rows.Close()
	var out []kyb.Endpoint
	for rows.Next() {
		var e kyb.Endpoint
		var created sql.NullInt64
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.URL, &created); err != nil {
			return nil, fmt.Errorf("scan endpoint: %w", err)
		}
		e.CreatedAt = fromMicros(created)
		out = append(out, e)
	}
	return out, wrapErr(rows.Err())
}

// DeleteEndpoint removes an endpoint; its pending deliveries fail.
func (s *Store) DeleteEndpoint(ctx context.Context, partnerID, id string, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		now := micros(audit.At)
		res, err := tx.ExecContext(ctx, "UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND partner_id = ? AND deleted_at IS NULL", now, id, partnerID)
		if err != nil {
			return fmt.Errorf("delete endpoint: %w", wrapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kyb.NotFound("webhook endpoint")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL WHERE endpoint_id = ? AND status = 'pending'", id); err != nil {
			return fmt.Errorf("fail deliveries: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// SetEndpointSecret replaces an endpoint's sealed secret.
func (s *Store) SetEndpointSecret(ctx context.Context, partnerID, id string, sealedSecret []byte, audit kyb.AuditEvent) (kyb.Endpoint, error) {
	var e kyb.Endpoint
	err := s.transact(ctx, func(tx *sql.Tx) error {
		var created sql.NullInt64
		err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ? AND partner_id = ? AND deleted_at IS NULL
			RETURNING id, partner_id, url, created_at`, sealedSecret, id, partnerID).Scan(&e.ID, &e.PartnerID, &e.URL, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return kyb.NotFound("webhook endpoint")
		}
		if err != nil {
			return fmt.Errorf("update endpoint: %w", wrapErr(err))
		}
		e.CreatedAt = fromMicros(created)
		return insertAudit(ctx, tx, audit)
	})
	return e, err
}

// ClaimDeliveries leases due deliveries. SQLite has one writer at a time,
// so the claim needs no row locks.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kyb.Job, error) {
	var jobs []kyb.Job
	err := s.transact(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET lease_until = ?, attempts = attempts + 1
			WHERE (event_id, endpoint_id) IN (
				SELECT event_id, endpoint_id FROM deliveries
				WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
				AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL)
				ORDER BY next_attempt_at LIMIT ?)
			RETURNING event_id, endpoint_id, attempts`, micros(now.Add(lease)), micros(now), micros(now), limit)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", wrapErr(err))
		}
		for rows.Next() {
			var j kyb.Job
			if err := rows.Scan(&j.Event.ID, &j.Endpoint.ID, &j.Attempt); err != nil {
				rows.Close()
				return fmt.Errorf("scan claim: %w", err)
			}
			jobs = append(jobs, j)
		}
		if err := rows.Close(); err != nil {
			return wrapErr(err)
		}
		for i := range jobs {
			j := &jobs[i]
			var created sql.NullInt64
			var data string
			var secret []byte
			err := tx.QueryRowContext(ctx, `SELECT e.partner_id, e.customer_id, e.type, e.sequence, e.created_at, e.data, w.url, w.secret_sealed, w.partner_id
				FROM events e, webhook_endpoints w WHERE e.id = ? AND w.id = ?`, j.Event.ID, j.Endpoint.ID).
				Scan(&j.Event.PartnerID, &j.Event.CustomerID, &j.Event.Type, &j.Event.Sequence, &created, &data, &j.Endpoint.URL, &secret, &j.Endpoint.PartnerID)
			if err != nil {
				return fmt.Errorf("load claimed delivery: %w", wrapErr(err))
			}
			j.Event.CreatedAt, j.Event.Data, j.Endpoint.Secret = fromMicros(created), []byte(data), string(secret)
		}
		return nil
	})
	return jobs, err
}

// RecordAttempt stores an attempt's outcome and releases the lease.
func (s *Store) RecordAttempt(ctx context.Context, eventID, endpointID string, claim int, a kyb.Attempt, status kyb.DeliveryStatus, next time.Time) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (event_id, endpoint_id, number, at, status_code, latency_us, error)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			eventID, endpointID, claim, micros(a.At), a.StatusCode, a.Latency.Microseconds(), a.Error); err != nil {
			return fmt.Errorf("insert attempt: %w", wrapErr(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, next_attempt_at = ?, lease_until = NULL
			WHERE event_id = ? AND endpoint_id = ? AND attempts = ? AND status = 'pending' AND lease_until IS NOT NULL`,
			status, nullMicros(next), eventID, endpointID, claim); err != nil {
			return fmt.Errorf("update delivery: %w", wrapErr(err))
		}
		return nil
	})
}

// Deliveries returns an event's deliveries with their attempts.
func (s *Store) Deliveries(ctx context.Context, partnerID, eventID string) ([]kyb.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT d.event_id, d.endpoint_id, d.partner_id, w.url, d.status, d.next_attempt_at, d.created_at
		FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.event_id = ? AND (? = '' OR d.partner_id = ?) ORDER BY d.endpoint_id`, eventID, partnerID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", wrapErr(err))
	}
	var out []kyb.Delivery
	for rows.Next() {
		var d kyb.Delivery
		var next, created sql.NullInt64
		if err := rows.Scan(&d.EventID, &d.EndpointID, &d.PartnerID, &d.URL, &d.Status, &next, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		d.NextAttemptAt, d.CreatedAt = fromMicros(next), fromMicros(created)
		out = append(out, d)
	}
	if err := rows.Close(); err != nil {
		return nil, wrapErr(err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// Every attempt of the event in one query, not one per delivery.
	byEndpoint, err := s.attempts(ctx, eventID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attempts = byEndpoint[out[i].EndpointID]
	}
	return out, nil
}

// attempts returns an event's delivery attempts by endpoint, in order.
func (s *Store) attempts(ctx context.Context, eventID string) (map[string][]kyb.Attempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT endpoint_id, at, status_code, latency_us, error FROM delivery_attempts
		WHERE event_id = ? ORDER BY endpoint_id, number`, eventID)
	if err != nil {
		return nil, fmt.Errorf("select attempts: %w", wrapErr(err))
	}
	defer rows.Close()
	out := map[string][]kyb.Attempt{}
	for rows.Next() {
		var a kyb.Attempt
		var endpointID string
		var at sql.NullInt64
		var latency int64
		if err := rows.Scan(&endpointID, &at, &a.StatusCode, &latency, &a.Error); err != nil {
			return nil, fmt.Errorf("scan attempt: %w", err)
		}
		a.At, a.Latency = fromMicros(at), time.Duration(latency)*time.Microsecond
		out[endpointID] = append(out[endpointID], a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select attempts: %w", wrapErr(err))
	}
	return out, nil
}

// Redeliver makes an event's deliveries to live endpoints pending again.
func (s *Store) Redeliver(ctx context.Context, eventID string, audit kyb.AuditEvent) (int, error) {
	var n int64
	err := s.transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_until = NULL
			WHERE event_id = ? AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL)`, micros(audit.At), eventID)
		if err != nil {
			return fmt.Errorf("redeliver: %w", wrapErr(err))
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		if err := tx.QueryRowContext(ctx, "SELECT partner_id, customer_id FROM events WHERE id = ?", eventID).Scan(&audit.PartnerID, &audit.CustomerID); err != nil {
			return fmt.Errorf("select event: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
	return int(n), err
}

// CustomerEvents returns a customer's events, in sequence.
func (s *Store) CustomerEvents(ctx context.Context, customerID string) ([]kyb.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, partner_id, customer_id, type, sequence, created_at, data
		FROM events WHERE customer_id = ? ORDER BY sequence`, customerID)
	if err != nil {
		return nil, fmt.Errorf("select events: %w", wrapErr(err))
	}
	defer rows.Close()
	var out []kyb.Event
	for rows.Next() {
		var e kyb.Event
		var created sql.NullInt64
		var data string
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.CustomerID, &e.Type, &e.Sequence, &created, &data); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.CreatedAt, e.Data = fromMicros(created), []byte(data)
		out = append(out, e)
	}
	return out, wrapErr(rows.Err())
}
