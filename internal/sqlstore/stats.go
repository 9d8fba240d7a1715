package sqlstore

import "time"

// PoolStats describes one pool of database connections, for monitoring.
type PoolStats struct {
	// Name tells a store's pools apart, such as "read" and "write".
	Name string
	// Max is how many connections the pool may open; Open how many it
	// has, InUse of them serving a query and Idle waiting for one.
	Max, Open, InUse, Idle int
	// WaitCount and WaitDuration add up the waits for a free connection
	// since the pool opened.
	WaitCount    int64
	WaitDuration time.Duration
}

// PoolReporter is implemented by stores that can describe their
// connection pools.
type PoolReporter interface {
	PoolStats() []PoolStats
}
