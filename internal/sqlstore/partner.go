package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// CreatePartner stores a partner together with its first API key.
func (c *Core) CreatePartner(ctx context.Context, p kyb.Partner, key kyb.APIKey, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		if _, err := tx.Exec(ctx, "INSERT INTO partners (id, name, sandbox, created_at) VALUES (?, ?, ?, ?)",
			p.ID, p.Name, p.Sandbox, c.Dialect.Time(p.CreatedAt)); err != nil {
			return fmt.Errorf("insert partner: %w", err)
		}
		if err := c.insertAPIKey(ctx, tx, key); err != nil {
			return err
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

func (c *Core) insertAPIKey(ctx context.Context, tx Queryer, key kyb.APIKey) error {
	if _, err := tx.Exec(ctx, "INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES (?, ?, ?, ?)",
		key.ID, key.PartnerID, key.SecretHash, c.Dialect.Time(key.CreatedAt)); err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	return nil
}

// Partner returns one partner.
func (c *Core) Partner(ctx context.Context, id string) (kyb.Partner, error) {
	p, err := scanPartner(c.Read.QueryRow(ctx, "SELECT id, name, sandbox, created_at FROM partners WHERE id = ?", id))
	if errors.Is(err, ErrNoRows) {
		return kyb.Partner{}, kyb.NotFound("partner")
	}
	return p, err
}

// Partners returns every partner, oldest first.
func (c *Core) Partners(ctx context.Context) ([]kyb.Partner, error) {
	rows, err := c.Read.Query(ctx, "SELECT id, name, sandbox, created_at FROM partners ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("select partners: %w", err)
	}
	defer rows.Close()
	var out []kyb.Partner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select partners: %w", err)
	}
	return out, nil
}

func scanPartner(row Row) (kyb.Partner, error) {
	var p kyb.Partner
	var created Time
	if err := row.Scan(&p.ID, &p.Name, &p.Sandbox, &created); err != nil {
		if errors.Is(err, ErrNoRows) {
			return kyb.Partner{}, err
		}
		return kyb.Partner{}, fmt.Errorf("select partner: %w", err)
	}
	p.CreatedAt = created.T
	return p, nil
}

// AddAPIKey stores another key for a partner when allow accepts its count
// of live keys. The partner's row is read for update, so that concurrent
// issues take turns and the count stays true until commit.
func (c *Core) AddAPIKey(ctx context.Context, key kyb.APIKey, audit kyb.AuditEvent, allow func(live int) error) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		var id string
		err := tx.QueryRow(ctx, "SELECT id FROM partners WHERE id = ?"+c.Dialect.ForUpdate, key.PartnerID).Scan(&id)
		if errors.Is(err, ErrNoRows) {
			return kyb.NotFound("partner")
		}
		if err != nil {
			return fmt.Errorf("lock partner: %w", err)
		}
		var live int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM api_keys WHERE partner_id = ? AND revoked_at IS NULL", key.PartnerID).Scan(&live); err != nil {
			return fmt.Errorf("count api keys: %w", err)
		}
		if err := allow(live); err != nil {
			return err
		}
		if err := c.insertAPIKey(ctx, tx, key); err != nil {
			return err
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// RevokeAPIKey marks a key revoked at audit.At, filling in the event's
// partner; revoking a revoked key changes nothing and records nothing.
func (c *Core) RevokeAPIKey(ctx context.Context, keyID string, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		var revoked Time
		err := tx.QueryRow(ctx, "SELECT partner_id, revoked_at FROM api_keys WHERE id = ?"+c.Dialect.ForUpdate, keyID).Scan(&audit.PartnerID, &revoked)
		if errors.Is(err, ErrNoRows) {
			return kyb.NotFound("api key")
		}
		if err != nil {
			return fmt.Errorf("select api key: %w", err)
		}
		if !revoked.T.IsZero() {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE api_keys SET revoked_at = ? WHERE id = ?", c.Dialect.Time(audit.At), keyID); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// APIKey returns one key, live or revoked, with its partner's rate limit.
func (c *Core) APIKey(ctx context.Context, keyID string) (kyb.APIKey, error) {
	var k kyb.APIKey
	var created, revoked Time
	var perSecond *float64
	var burst *int
	err := c.Read.QueryRow(ctx, `SELECT k.id, k.partner_id, k.secret_hash, k.created_at, k.revoked_at, p.rate_limit_per_second, p.rate_limit_burst
		FROM api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.id = ?`, keyID).
		Scan(&k.ID, &k.PartnerID, &k.SecretHash, &created, &revoked, &perSecond, &burst)
	if errors.Is(err, ErrNoRows) {
		return kyb.APIKey{}, kyb.NotFound("api key")
	}
	if err != nil {
		return kyb.APIKey{}, fmt.Errorf("select api key: %w", err)
	}
	k.CreatedAt, k.RevokedAt, k.RateLimit = created.T, revoked.T, rateLimitOf(perSecond, burst)
	return k, nil
}

// SetPartnerRateLimit stores a partner's rate limit, or removes it when l
// is zero, with its audit event.
func (c *Core) SetPartnerRateLimit(ctx context.Context, partnerID string, l kyb.RateLimit, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		var perSecond *float64
		var burst *int
		if !l.IsZero() {
			perSecond, burst = &l.PerSecond, &l.Burst
		}
		n, err := tx.Exec(ctx, "UPDATE partners SET rate_limit_per_second = ?, rate_limit_burst = ? WHERE id = ?", perSecond, burst, partnerID)
		if err != nil {
			return fmt.Errorf("set rate limit: %w", err)
		}
		if n == 0 {
			return kyb.NotFound("partner")
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// PartnerRateLimit returns a partner's rate limit, zero when it has none.
func (c *Core) PartnerRateLimit(ctx context.Context, partnerID string) (kyb.RateLimit, error) {
	var perSecond *float64
	var burst *int
	err := c.Read.QueryRow(ctx, "SELECT rate_limit_per_second, rate_limit_burst FROM partners WHERE id = ?", partnerID).Scan(&perSecond, &burst)
	if errors.Is(err, ErrNoRows) {
		return kyb.RateLimit{}, kyb.NotFound("partner")
	}
	if err != nil {
		return kyb.RateLimit{}, fmt.Errorf("select rate limit: %w", err)
	}
	return rateLimitOf(perSecond, burst), nil
}

func rateLimitOf(perSecond *float64, burst *int) kyb.RateLimit {
	if perSecond == nil || burst == nil {
		return kyb.RateLimit{}
	}
	return kyb.RateLimit{PerSecond: *perSecond, Burst: *burst}
}

// SetPartnerPolicy stores a partner's decision policy with its audit event.
func (c *Core) SetPartnerPolicy(ctx context.Context, partnerID string, p kyb.DecisionPolicy, audit kyb.AuditEvent) error {
	return c.transactAudited(ctx, func(tx Queryer) error {
		n, err := tx.Exec(ctx, "UPDATE partners SET decision_policy = ? WHERE id = ?", string(p), partnerID)
		if err != nil {
			return fmt.Errorf("set policy: %w", err)
		}
		if n == 0 {
			return kyb.NotFound("partner")
		}
		return InsertAudit(ctx, c.Dialect, tx, audit)
	})
}

// PartnerPolicy returns a partner's decision policy.
func (c *Core) PartnerPolicy(ctx context.Context, partnerID string) (kyb.DecisionPolicy, error) {
	var p string
	err := c.Read.QueryRow(ctx, "SELECT decision_policy FROM partners WHERE id = ?", partnerID).Scan(&p)
	if errors.Is(err, ErrNoRows) {
		return "", kyb.NotFound("partner")
	}
	if err != nil {
		return "", fmt.Errorf("select policy: %w", err)
	}
	return kyb.DecisionPolicy(p), nil
}
