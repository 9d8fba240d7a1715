package postgres

import (
	"context"
	"fmt"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

var _ sqlstore.PoolReporter = (*Store)(nil)

// PoolStats describes the connection pool.
func (s *Store) PoolStats() []sqlstore.PoolStats {
	st := s.pool.Stat()
	return []sqlstore.PoolStats{{Name: "pgx", Max: int(st.MaxConns()), Open: int(st.TotalConns()), InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime()}}
}

// PendingDeliveries counts the deliveries still to be sent or retried.
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM deliveries WHERE status = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", wrapErr(err))
	}
	return n, nil
}
