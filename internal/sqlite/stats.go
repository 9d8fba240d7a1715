package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

var _ sqlstore.PoolReporter = (*Store)(nil)

// PoolStats describes the read pool and the single write connection.
func (s *Store) PoolStats() []sqlstore.PoolStats {
	return []sqlstore.PoolStats{poolStats("read", s.read.Stats()), poolStats("write", s.write.Stats())}
}

func poolStats(name string, st sql.DBStats) sqlstore.PoolStats {
	return sqlstore.PoolStats{Name: name, Max: st.MaxOpenConnections, Open: st.OpenConnections, InUse: st.InUse, Idle: st.Idle,
		WaitCount: st.WaitCount, WaitDuration: st.WaitDuration}
}

// PendingDeliveries counts the deliveries still to be sent or retried.
func (s *Store) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM deliveries WHERE status = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", wrapErr(err))
	}
	return n, nil
}
