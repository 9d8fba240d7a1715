package sqlite

import (
	"database/sql"

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
