package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// SetPartnerRateLimit stores a partner's rate limit, or removes it when l
// is zero, with its audit event.
func (s *Store) SetPartnerRateLimit(ctx context.Context, partnerID string, l kyb.RateLimit, audit kyb.AuditEvent) error {
	return s.transact(ctx, func(tx *sql.Tx) error {
		perSecond, burst := nullRateLimit(l)
		res, err := tx.ExecContext(ctx, "UPDATE partners SET rate_limit_per_second = ?, rate_limit_burst = ? WHERE id = ?", perSecond, burst, partnerID)
		if err != nil {
			return fmt.Errorf("set rate limit: %w", wrapErr(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("set rate limit: %w", wrapErr(err))
		}
		if n == 0 {
			return kyb.NotFound("partner")
		}
		return insertAudit(ctx, tx, audit)
	})
}

// PartnerRateLimit returns a partner's rate limit, zero when it has none.
func (s *Store) PartnerRateLimit(ctx context.Context, partnerID string) (kyb.RateLimit, error) {
	var perSecond sql.NullFloat64
	var burst sql.NullInt64
	err := s.read.QueryRowContext(ctx, "SELECT rate_limit_per_second, rate_limit_burst FROM partners WHERE id = ?", partnerID).Scan(&perSecond, &burst)
	if errors.Is(err, sql.ErrNoRows) {
		return kyb.RateLimit{}, kyb.NotFound("partner")
	}
	if err != nil {
		return kyb.RateLimit{}, fmt.Errorf("select rate limit: %w", wrapErr(err))
	}
	return rateLimitOf(perSecond, burst), nil
}

func nullRateLimit(l kyb.RateLimit) (sql.NullFloat64, sql.NullInt64) {
	if l.IsZero() {
		return sql.NullFloat64{}, sql.NullInt64{}
	}
	return sql.NullFloat64{Float64: l.PerSecond, Valid: true}, sql.NullInt64{Int64: int64(l.Burst), Valid: true}
}

func rateLimitOf(perSecond sql.NullFloat64, burst sql.NullInt64) kyb.RateLimit {
	if !perSecond.Valid || !burst.Valid {
		return kyb.RateLimit{}
	}
	return kyb.RateLimit{PerSecond: perSecond.Float64, Burst: int(burst.Int64)}
}
