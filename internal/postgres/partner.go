package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreatePartner stores a partner together with its first API key.
func (s *Store) CreatePartner(ctx context.Context, p kyb.Partner, key kyb.APIKey, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO partners (id, name, sandbox, created_at) VALUES ($1, $2, $3, $4)",
			p.ID, p.Name, p.Sandbox, p.CreatedAt); err != nil {
			return fmt.Errorf("insert partner: %w", wrapErr(err))
		}
		if err := insertAPIKey(ctx, tx, key); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit)
	})
}

func insertAPIKey(ctx context.Context, tx pgx.Tx, key kyb.APIKey) error {
	if _, err := tx.Exec(ctx, "INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
		key.ID, key.PartnerID, key.SecretHash, key.CreatedAt); err != nil {
		return fmt.Errorf("insert api key: %w", wrapErr(err))
	}
	return nil
}

// transact runs fn in one transaction, committing when it returns nil.
func (s *Store) transact(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", wrapErr(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", wrapErr(err))
	}
	return nil
}

// Partner returns one partner.
func (s *Store) Partner(ctx context.Context, id string) (kyb.Partner, error) {
	var p kyb.Partner
	err := s.pool.QueryRow(ctx, "SELECT id, name, sandbox, created_at FROM partners WHERE id = $1", id).
		Scan(&p.ID, &p.Name, &p.Sandbox, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return kyb.Partner{}, kyb.NotFound("partner")
	}
	if err != nil {
		return kyb.Partner{}, fmt.Errorf("select partner: %w", wrapErr(err))
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// Partners returns every partner, oldest first.
func (s *Store) Partners(ctx context.Context) ([]kyb.Partner, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, name, sandbox, created_at FROM partners ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("select partners: %w", wrapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kyb.Partner, error) {
		var p kyb.Partner
		err := row.Scan(&p.ID, &p.Name, &p.Sandbox, &p.CreatedAt)
		p.CreatedAt = p.CreatedAt.UTC()
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("select partners: %w", wrapErr(err))
	}
	return out, nil
}

// AddAPIKey stores another key for a partner holding fewer than
// kyb.MaxLiveKeys live keys.
func (s *Store) AddAPIKey(ctx context.Context, key kyb.APIKey, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		// Locking the partner row makes concurrent issues take turns, so
		// the count below stays true until commit.
		var id string
		err := tx.QueryRow(ctx, "SELECT id FROM partners WHERE id = $1 FOR UPDATE", key.PartnerID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return kyb.NotFound("partner")
		}
		if err != nil {
			return fmt.Errorf("lock partner: %w", wrapErr(err))
		}
		var live int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM api_keys WHERE partner_id = $1 AND revoked_at IS NULL", key.PartnerID).Scan(&live); err != nil {
			return fmt.Errorf("count api keys: %w", wrapErr(err))
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
	return s.transact(ctx, func(tx pgx.Tx) error {
		var revoked *time.Time
		err := tx.QueryRow(ctx, "SELECT partner_id, revoked_at FROM api_keys WHERE id = $1 FOR UPDATE", keyID).Scan(&audit.PartnerID, &revoked)
		if errors.Is(err, pgx.ErrNoRows) {
			return kyb.NotFound("api key")
		}
		if err != nil {
			return fmt.Errorf("select api key: %w", wrapErr(err))
		}
		if revoked != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE api_keys SET revoked_at = $1 WHERE id = $2", audit.At, keyID); err != nil {
			return fmt.Errorf("revoke api key: %w", wrapErr(err))
		}
		return insertAudit(ctx, tx, audit)
	})
}

// APIKey returns one key, live or revoked.
func (s *Store) APIKey(ctx context.Context, keyID string) (kyb.APIKey, error) {
	var k kyb.APIKey
	var revoked *time.Time
	var perSecond *float64
	var burst *int
	err := s.pool.QueryRow(ctx, `SELECT k.id, k.partner_id, k.secret_hash, k.created_at, k.revoked_at, p.rate_limit_per_second, p.rate_limit_burst
		FROM api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.id = $1`, keyID).
		Scan(&k.ID, &k.PartnerID, &k.SecretHash, &k.CreatedAt, &revoked, &perSecond, &burst)
	if errors.Is(err, pgx.ErrNoRows) {
		return kyb.APIKey{}, kyb.NotFound("api key")
	}
	if err != nil {
		return kyb.APIKey{}, fmt.Errorf("select api key: %w", wrapErr(err))
	}
	k.CreatedAt = k.CreatedAt.UTC()
	if revoked != nil {
		k.RevokedAt = revoked.UTC()
	}
	k.RateLimit = rateLimitOf(perSecond, burst)
	return k, nil
}
