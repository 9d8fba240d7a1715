package postgres

import (
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

var _ sqlstore.PoolReporter = (*Store)(nil)

// PoolStats describes the connection pool.
func (s *Store) PoolStats() []sqlstore.PoolStats {
	st := s.pool.Stat()
	return []sqlstore.PoolStats{{Name: "pgx", Max: int(st.MaxConns()), Open: int(st.TotalConns()), InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime()}}
}
