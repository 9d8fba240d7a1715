package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// SetPartnerRateLimit stores a partner's rate limit, or removes it when l
// is zero, with its audit event.
func (s *Store) SetPartnerRateLimit(ctx context.Context, partnerID string, l kyb.RateLimit, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		var perSecond *float64
		var burst *int
		if !l.IsZero() {
			perSecond, burst = &l.PerSecond, &l.Burst
		}
		tag, err := tx.Exec(ctx, "UPDATE partners SET rate_limit_per_second = $1, rate_limit_burst = $2 WHERE id = $3", perSecond, burst, partnerID)
		if err != nil {
			return fmt.Errorf("set rate limit: %w", wrapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return kyb.NotFound("partner")
		}
		return insertAudit(ctx, tx, audit)
	})
}

// PartnerRateLimit returns a partner's rate limit, zero when it has none.
func (s *Store) PartnerRateLimit(ctx context.Context, partnerID string) (kyb.RateLimit, error) {
	var perSecond *float64
	var burst *int
	err := s.pool.QueryRow(ctx, "SELECT rate_limit_per_second, rate_limit_burst FROM partners WHERE id = $1", partnerID).Scan(&perSecond, &burst)
	if errors.Is(err, pgx.ErrNoRows) {
		return kyb.RateLimit{}, kyb.NotFound("partner")
	}
	if err != nil {
		return kyb.RateLimit{}, fmt.Errorf("select rate limit: %w", wrapErr(err))
	}
	return rateLimitOf(perSecond, burst), nil
}

func rateLimitOf(perSecond *float64, burst *int) kyb.RateLimit {
	if perSecond == nil || burst == nil {
		return kyb.RateLimit{}
	}
	return kyb.RateLimit{PerSecond: *perSecond, Burst: *burst}
}
