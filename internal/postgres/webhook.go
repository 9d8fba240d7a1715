package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// eventArgs are an event's values in the order outboxCTE numbers them;
// the sequence comes from the customer row.
func eventArgs(e kyb.Event) []any {
	return []any{e.ID, e.PartnerID, e.CustomerID, e.Type, e.CreatedAt, string(e.Data)}
}

// outboxCTE returns the WITH clauses that add an event to the outbox, with
// a pending delivery to each of the partner's endpoints, when the CTE named
// source (which returns the customer's event_sequence) yields a row; the
// event's values are parameters from $first on, as eventArgs orders them.
// Being part of the change's own statement, they commit with it.
func outboxCTE(source string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `evented AS (
			INSERT INTO events (id, partner_id, customer_id, type, sequence, created_at, data)
			SELECT ` + p(0) + `, ` + p(1) + `, ` + p(2) + `, ` + p(3) + `, ` + source + `.event_sequence, ` + p(4) + `, ` + p(5) + `::json FROM ` + source + `
			RETURNING id),
		delivered AS (
			INSERT INTO deliveries (event_id, endpoint_id, partner_id, status, next_attempt_at, created_at)
			SELECT evented.id, w.id, w.partner_id, 'pending', ` + p(4) + `, ` + p(4) + `
			FROM evented JOIN webhook_endpoints w ON w.partner_id = ` + p(1) + ` AND w.deleted_at IS NULL)`
}

// CreateEndpoint stores an endpoint unless its partner has MaxEndpoints.
func (s *Store) CreateEndpoint(ctx context.Context, e kyb.Endpoint, sealedSecret []byte, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		// Locking the partner row makes concurrent creations take turns.
		if _, err := tx.Exec(ctx, "SELECT 1 FROM partners WHERE id = $1 FOR UPDATE", e.PartnerID); err != nil {
			return fmt.Errorf("lock partner: %w", wrapErr(err))
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM webhook_endpoints WHERE partner_id = $1 AND deleted_at IS NULL", e.PartnerID).Scan(&n); err != nil {
			return fmt.Errorf("count endpoints: %w", wrapErr(err))
		}
		if n >= kyb.MaxEndpoints {
			return kyb.ErrTooManyEndpoints
		}
		if _, err := tx.Exec(ctx, "INSERT INTO webhook_endpoints (id, partner_id, url, secret_sealed, created_at) VALUES ($1, $2, $3, $4, $5)",
			e.ID, e.PartnerID, e.URL, sealedSecret, e.CreatedAt); err != nil {
			return fmt.Errorf("insert endpoint: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// Endpoints lists a partner's endpoints, oldest first.
func (s *Store) Endpoints(ctx context.Context, partnerID string) ([]kyb.Endpoint, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, partner_id, url, created_at FROM webhook_endpoints WHERE partner_id = $1 AND deleted_at IS NULL ORDER BY created_at, id", partnerID)
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", wrapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.Endpoint, error) {
		var e kyb.Endpoint
		err := row.Scan(&e.ID, &e.PartnerID, &e.URL, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", wrapErr(err))
	}
	return out, nil
}

// DeleteEndpoint removes an endpoint; its pending deliveries fail.
func (s *Store) DeleteEndpoint(ctx context.Context, partnerID, id string, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE webhook_endpoints SET deleted_at = $3 WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL", id, partnerID, audit.At)
		if err != nil {
			return fmt.Errorf("delete endpoint: %w", wrapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return kyb.NotFound("webhook endpoint")
		}
		if _, err := tx.Exec(ctx, "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL WHERE endpoint_id = $1 AND status = 'pending'", id); err != nil {
			return fmt.Errorf("fail deliveries: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// SetEndpointSecret replaces an endpoint's sealed secret.
func (s *Store) SetEndpointSecret(ctx context.Context, partnerID, id string, sealedSecret []byte, audit kyb.AuditEvent) (kyb.Endpoint, error) {
	var e kyb.Endpoint
	err := s.transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE webhook_endpoints SET secret_sealed = $1 WHERE id = $2 AND partner_id = $3 AND deleted_at IS NULL
			RETURNING id, partner_id, url, created_at`, sealedSecret, id, partnerID).Scan(&e.ID, &e.PartnerID, &e.URL, &e.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return kyb.NotFound("webhook endpoint")
		}
		if err != nil {
			return fmt.Errorf("update endpoint: %w", wrapErr(err))
		}
		e.CreatedAt = e.CreatedAt.UTC()
		return insertAudit(ctx, tx, audit)
	})
	return e, err
}

// ClaimDeliveries leases due deliveries. SKIP LOCKED lets several
// instances claim side by side without waiting on or taking each other's
// rows.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kyb.Job, error) {
	rows, err := s.pool.Query(ctx, `WITH due AS (
			SELECT event_id, endpoint_id FROM deliveries
			WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
			AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL)
			ORDER BY next_attempt_at LIMIT $3
			FOR UPDATE SKIP LOCKED),
		claimed AS (
			UPDATE deliveries d SET lease_until = $2, attempts = d.attempts + 1
			FROM due WHERE d.event_id = due.event_id AND d.endpoint_id = due.endpoint_id
			RETURNING d.event_id, d.endpoint_id, d.attempts)
		SELECT e.id, e.partner_id, e.customer_id, e.type, e.sequence, e.created_at, e.data, w.id, w.partner_id, w.url, w.secret_sealed, c.attempts
		FROM claimed c JOIN events e ON e.id = c.event_id JOIN webhook_endpoints w ON w.id = c.endpoint_id`,
		now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", wrapErr(err))
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.Job, error) {
		var j kyb.Job
		var data, secret []byte
		err := row.Scan(&j.Event.ID, &j.Event.PartnerID, &j.Event.CustomerID, &j.Event.Type, &j.Event.Sequence, &j.Event.CreatedAt, &data,
			&j.Endpoint.ID, &j.Endpoint.PartnerID, &j.Endpoint.URL, &secret, &j.Attempt)
		j.Event.CreatedAt, j.Event.Data, j.Endpoint.Secret = j.Event.CreatedAt.UTC(), data, string(secret)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", wrapErr(err))
	}
	return jobs, nil
}

// RecordAttempt stores an attempt's outcome and releases the lease.
func (s *Store) RecordAttempt(ctx context.Context, eventID, endpointID string, claim int, a kyb.Attempt, status kyb.DeliveryStatus, next time.Time) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO delivery_attempts (event_id, endpoint_id, number, at, status_code, latency_us, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			eventID, endpointID, claim, a.At, a.StatusCode, a.Latency.Microseconds(), a.Error); err != nil {
			return fmt.Errorf("insert attempt: %w", wrapErr(err))
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = $1, next_attempt_at = $2, lease_until = NULL
			WHERE event_id = $3 AND endpoint_id = $4 AND attempts = $5 AND status = 'pending' AND lease_until IS NOT NULL`,
			status, nullTime(next), eventID, endpointID, claim); err != nil {
			return fmt.Errorf("update delivery: %w", wrapErr(err))
		}
		return nil
	})
}

// Deliveries returns an event's deliveries with their attempts.
func (s *Store) Deliveries(ctx context.Context, partnerID, eventID string) ([]kyb.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.event_id, d.endpoint_id, d.partner_id, w.url, d.status, d.next_attempt_at, d.created_at
		FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.event_id = $1 AND ($2 = '' OR d.partner_id = $2) ORDER BY d.endpoint_id`, eventID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", wrapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.Delivery, error) {
		var d kyb.Delivery
		var next *time.Time
		err := row.Scan(&d.EventID, &d.EndpointID, &d.PartnerID, &d.URL, &d.Status, &next, &d.CreatedAt)
		if next != nil {
			d.NextAttemptAt = next.UTC()
		}
		d.CreatedAt = d.CreatedAt.UTC()
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", wrapErr(err))
	}
	if len(out) == 0 {
		return out, nil
	}
	// Every attempt of the event in one query, not one per delivery.
	rows, err = s.pool.Query(ctx, `SELECT endpoint_id, at, status_code, latency_us, error FROM delivery_attempts
		WHERE event_id = $1 ORDER BY endpoint_id, number`, eventID)
	if err != nil {
		return nil, fmt.Errorf("select attempts: %w", wrapErr(err))
	}
	byEndpoint := map[string][]kyb.Attempt{}
	var endpointID string
	var a kyb.Attempt
	var latency int64
	_, err = pgx.ForEachRow(rows, []any{&endpointID, &a.At, &a.StatusCode, &latency, &a.Error}, func() error {
		a.At, a.Latency = a.At.UTC(), time.Duration(latency)*time.Microsecond
		byEndpoint[endpointID] = append(byEndpoint[endpointID], a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("select attempts: %w", wrapErr(err))
	}
	for i := range out {
		out[i].Attempts = byEndpoint[out[i].EndpointID]
	}
	return out, nil
}

// Redeliver makes an event's deliveries to live endpoints pending again.
func (s *Store) Redeliver(ctx context.Context, eventID string, audit kyb.AuditEvent) (int, error) {
	var n int64
	err := s.transact(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_until = NULL
			WHERE event_id = $2 AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL)`, audit.At, eventID)
		if err != nil {
			return fmt.Errorf("redeliver: %w", wrapErr(err))
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		if err := tx.QueryRow(ctx, "SELECT partner_id, customer_id FROM events WHERE id = $1", eventID).Scan(&audit.PartnerID, &audit.CustomerID); err != nil {
			return fmt.Errorf("select event: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
	return int(n), err
}

// CustomerEvents returns a customer's events, in sequence.
func (s *Store) CustomerEvents(ctx context.Context, customerID string) ([]kyb.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, partner_id, customer_id, type, sequence, created_at, data
		FROM events WHERE customer_id = $1 ORDER BY sequence`, customerID)
	if err != nil {
		return nil, fmt.Errorf("select events: %w", wrapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.Event, error) {
		var e kyb.Event
		var data []byte
		err := row.Scan(&e.ID, &e.PartnerID, &e.CustomerID, &e.Type, &e.Sequence, &e.CreatedAt, &data)
		e.CreatedAt, e.Data = e.CreatedAt.UTC(), data
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("select events: %w", wrapErr(err))
	}
	return out, nil
}
