package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// insertEvent adds an event to the outbox inside tx, its data sealed (or
// plain, for a customer from before encryption: see SealEvent), with a
// pending delivery to each of the partner's endpoints.
func insertEvent(ctx context.Context, tx execer, e kyb.Event, plain string, sealed []byte) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO events (id, partner_id, customer_id, type, sequence, created_at, data, sealed_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		e.ID, e.PartnerID, e.CustomerID, e.Type, e.Sequence, micros(e.CreatedAt), plain, sealed); err != nil {
		return fmt.Errorf("insert event: %w", wrapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (event_id, endpoint_id, partner_id, status, next_attempt_at, created_at)
		SELECT ?, id, partner_id, 'pending', ?, ? FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS NULL`,
		e.ID, micros(e.CreatedAt), micros(e.CreatedAt), e.PartnerID); err != nil {
		return fmt.Errorf("insert deliveries: %w", wrapErr(err))
	}
	return nil
}

// ClaimDeliveries leases due deliveries. SQLite has one writer at a time,
// so the claim needs no row locks.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kyb.Job, error) {
	if due, err := s.anyDue(ctx, now); err == nil && !due {
		return nil, nil
	}
	var jobs []kyb.Job
	err := s.transact(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET lease_until = ?, attempts = attempts + 1
			WHERE (event_id, endpoint_id) IN (
				SELECT event_id, endpoint_id FROM deliveries
				WHERE `+dueDelivery+`
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
			var created, previousExpires sql.NullInt64
			var data, sealed, dataKey, secret, previous []byte
			err := tx.QueryRowContext(ctx, `SELECT e.partner_id, e.customer_id, e.type, e.sequence, e.created_at, e.data, e.sealed_data, c.data_key,
					w.url, w.secret_sealed, w.partner_id, w.previous_secret_sealed, w.previous_secret_expires_at
				FROM events e JOIN webhook_endpoints w ON w.id = ? LEFT JOIN customers c ON c.id = e.customer_id WHERE e.id = ?`, j.Endpoint.ID, j.Event.ID).
				Scan(&j.Event.PartnerID, &j.Event.CustomerID, &j.Event.Type, &j.Event.Sequence, &created, &data, &sealed, &dataKey,
					&j.Endpoint.URL, &secret, &j.Endpoint.PartnerID, &previous, &previousExpires)
			if err != nil {
				return fmt.Errorf("load claimed delivery: %w", wrapErr(err))
			}
			j.Event.CreatedAt, j.Endpoint.Secret = fromMicros(created), string(secret)
			j.Endpoint.PreviousSecret, j.Endpoint.PreviousSecretExpiresAt = string(previous), fromMicros(previousExpires)
			if err := s.OpenEvent(&j.Event, data, sealed, dataKey); err != nil {
				return err
			}
		}
		return nil
	})
	return jobs, err
}

// anyDue reports whether a delivery may be claimed, asking the read pool.
// The relay looks after every commit, up to a hundred times a second, and
// a claim is a write transaction: it would hold the one connection that
// creates commit on even when there is nothing to send, as there is for a
// partner without webhook endpoints.
func (s *Store) anyDue(ctx context.Context, now time.Time) (bool, error) {
	var due bool
	err := s.Read.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM deliveries WHERE "+dueDelivery+")", micros(now), micros(now)).Scan(&due)
	return due, err
}

// dueDelivery picks the deliveries waiting to be sent at its two
// parameters, both the time now: pending, due, and not leased.
const dueDelivery = "status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"

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
