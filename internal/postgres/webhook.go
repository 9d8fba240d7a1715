package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// eventArgs are an event's values in the order outboxCTE numbers them,
// its data sealed (or plain: see sqlstore.SealEvent); the sequence comes
// from the customer row.
func eventArgs(e kyb.Event, plain string, sealed []byte) []any {
	return []any{e.ID, e.PartnerID, e.CustomerID, e.Type, e.CreatedAt, plain, sealed}
}

// params is n numbered parameters from $first on: "$3, $4, $5".
func params(first, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(ps, ", ")
}

// outboxCTE returns the WITH clauses that add an event to the outbox, with
// a pending delivery to each of the partner's endpoints, when the CTE named
// source (which returns the customer's event_sequence) yields a row; the
// event's values are parameters from $first on, as eventArgs orders them.
// Being part of the change's own statement, they commit with it.
func outboxCTE(source string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `evented AS (
			INSERT INTO events (id, partner_id, customer_id, type, sequence, created_at, data, sealed_data)
			SELECT ` + p(0) + `, ` + p(1) + `, ` + p(2) + `, ` + p(3) + `, ` + source + `.event_sequence, ` + p(4) + `, ` + p(5) + `, ` + p(6) + `::bytea FROM ` + source + `
			RETURNING id),
		delivered AS (
			INSERT INTO deliveries (event_id, endpoint_id, partner_id, status, next_attempt_at, created_at)
			SELECT evented.id, w.id, w.partner_id, 'pending', ` + p(4) + `, ` + p(4) + `
			FROM evented JOIN webhook_endpoints w ON w.partner_id = ` + p(1) + ` AND w.deleted_at IS NULL)`
}

// ClaimDeliveries leases due deliveries. SKIP LOCKED lets several
// instances claim side by side without waiting on or taking each other's
// rows.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kyb.Job, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
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
		SELECT e.id, e.partner_id, e.customer_id, e.type, e.sequence, e.created_at, e.data, e.sealed_data, cu.data_key,
			w.id, w.partner_id, w.url, w.secret_sealed, c.attempts, w.previous_secret_sealed, w.previous_secret_expires_at
		FROM claimed c JOIN events e ON e.id = c.event_id JOIN webhook_endpoints w ON w.id = c.endpoint_id
		LEFT JOIN customers cu ON cu.id = e.customer_id`,
		now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", wrapErr(err))
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.Job, error) {
		var j kyb.Job
		var data, sealed, dataKey, secret, previous []byte
		var previousExpires sqlstore.Time
		err := row.Scan(&j.Event.ID, &j.Event.PartnerID, &j.Event.CustomerID, &j.Event.Type, &j.Event.Sequence, &j.Event.CreatedAt, &data,
			&sealed, &dataKey, &j.Endpoint.ID, &j.Endpoint.PartnerID, &j.Endpoint.URL, &secret, &j.Attempt, &previous, &previousExpires)
		if err != nil {
			return j, err
		}
		j.Event.CreatedAt, j.Endpoint.Secret = j.Event.CreatedAt.UTC(), string(secret)
		j.Endpoint.PreviousSecret, j.Endpoint.PreviousSecretExpiresAt = string(previous), previousExpires.T
		return j, s.OpenEvent(&j.Event, data, sealed, dataKey)
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", wrapErr(err))
	}
	return jobs, nil
}

// RecordAttempt stores an attempt's outcome and releases the lease.
func (s *Store) RecordAttempt(ctx context.Context, eventID, endpointID string, claim int, a kyb.Attempt, status kyb.DeliveryStatus, next time.Time) error {
	ctx, cancel := s.bound(ctx) // the statements below run under ctx, not transact's
	defer cancel()
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
