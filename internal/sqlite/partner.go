package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreatePartner stores a partner together with its first API key.
func (s *Store) CreatePartner(ctx context.Context, p kyb.Partner, key kyb.APIKey, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO partners (id, name, sandbox, created_at) VALUES (?, ?, ?, ?)",
			p.ID, p.Name, p.Sandbox, micros(p.CreatedAt)); err != nil {
			return fmt.Errorf("insert partner: %w", wrapErr(err))
		}
		if err := insertAPIKey(ctx, tx, key); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit)
	})
}

func insertAPIKey(ctx context.Context, tx *sql.Tx, key kyb.APIKey) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES (?, ?, ?, ?)",
		key.ID, key.PartnerID, key.SecretHash, micros(key.CreatedAt)); err != nil {
		return fmt.Errorf("insert api key: %w", wrapErr(err))
	}
	return nil
}

// Partner returns one partner.
func (s *Store) Partner(ctx context.Context, id string) (kyb.Partner, error) {
	var p kyb.Partner
	var created sql.NullInt64
	err := s.read.QueryRowContext(ctx, "SELECT id, name, sandbox, created_at FROM partners WHERE id = ?", id).
		Scan(&p.ID, &p.Name, &p.Sandbox, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return kyb.Partner{}, kyb.NotFound("partner")
	}
	if err != nil {
		return kyb.Partner{}, fmt.Errorf("select partner: %w", wrapErr(err))
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}

// Partners returns every partner, oldest first.
func (s *Store) Partners(ctx context.Context) ([]kyb.Partner, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, name, sandbox, created_at FROM partners ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("select partners: %w", wrapErr(err))
	}
	defer rows.Close()
	var out []kyb.Partner
	for rows.Next() {
		var p kyb.Partner
		var created sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &p.Sandbox, &created); err != nil {
			return nil, fmt.Errorf("scan partner: %w", err)
		}
		p.CreatedAt = fromMicros(created)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select partners: %w", wrapErr(err))
	}
	return out, nil
}

// AddAPIKey stores another key for a partner holding fewer than
// kyb.MaxLiveKeys live keys.
func (s *Store) AddAPIKey(ctx context.Context, key kyb.APIKey, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		var partners, live int
		err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM partners WHERE id = ?),
			(SELECT count(*) FROM api_keys WHERE partner_id = ? AND revoked_at IS NULL)`,
			key.PartnerID, key.PartnerID).Scan(&partners, &live)
		if err != nil {
			return fmt.Errorf("count api keys: %w", wrapErr(err))
		}
		if partners == 0 {
			return kyb.NotFound("partner")
		}
		if live >= kyb.MaxLiveKeys {
			return kyb.ErrTooManyKeys
		}
		if err := insertAPIKey(ctx, tx, key); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit)
	})
}

// RevokeAPIKey marks a key revoked; revoking a revoked key changes nothing
// and records nothing.
func (s *Store) RevokeAPIKey(ctx context.Context, keyID string, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT partner_id, revoked_at FROM api_keys WHERE id = ?", keyID).Scan(&audit.PartnerID, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return kyb.NotFound("api key")
		}
		if err != nil {
			return fmt.Errorf("select api key: %w", wrapErr(err))
		}
		if revoked.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE api_keys SET revoked_at = ? WHERE id = ?", micros(audit.At), keyID); err != nil {
			return fmt.Errorf("revoke api key: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// APIKey returns one key, live or revoked.
func (s *Store) APIKey(ctx context.Context, keyID string) (kyb.APIKey, error) {
	var k kyb.APIKey
	var created, revoked, burst sql.NullInt64
	var perSecond sql.NullFloat64
	err := s.read.QueryRowContext(ctx, `SELECT k.id, k.partner_id, k.secret_hash, k.created_at, k.revoked_at, p.rate_limit_per_second, p.rate_limit_burst
		FROM api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.id = ?`, keyID).
		Scan(&k.ID, &k.PartnerID, &k.SecretHash, &created, &revoked, &perSecond, &burst)
	if errors.Is(err, sql.ErrNoRows) {
		return kyb.APIKey{}, kyb.NotFound("api key")
	}
	if err != nil {
		return kyb.APIKey{}, fmt.Errorf("select api key: %w", wrapErr(err))
	}
	k.CreatedAt, k.RevokedAt, k.RateLimit = fromMicros(created), fromMicros(revoked), rateLimitOf(perSecond, burst)
	return k, nil
}
