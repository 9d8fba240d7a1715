package sqlstore

import (
	"context"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout        = 5 * time.Second
	DefaultTCPUserTimeout = 10 * time.Second
)

// Options are the settings a store is opened with.
type Options struct {
	// Timeout bounds each database call, each transaction and each batch
	// of creates, so that a database that stops answering fails the
	// calls waiting on it (unavailable, a 503) instead of hanging them.
	// On PostgreSQL it is also the server's statement_timeout.
	Timeout time.Duration
	// TCPUserTimeout is how long PostgreSQL may leave data we sent
	// unacknowledged before the kernel drops the connection: a server
	// whose packets are silently dropped is noticed, and the pool opens a
	// fresh connection. SQLite ignores it.
	TCPUserTimeout time.Duration
}

// Option changes Options.
type Option func(*Options)

// WithTimeout sets Options.Timeout.
func WithTimeout(d time.Duration) Option { return func(o *Options) { o.Timeout = d } }

// WithTCPUserTimeout sets Options.TCPUserTimeout.
func WithTCPUserTimeout(d time.Duration) Option { return func(o *Options) { o.TCPUserTimeout = d } }

// NewOptions returns the defaults changed by opts; a zero or negative
// duration keeps its default.
func NewOptions(opts ...Option) Options {
	o := Options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.TCPUserTimeout <= 0 {
		o.TCPUserTimeout = DefaultTCPUserTimeout
	}
	return o
}

// Bounded returns q with every call ending by deadline() at the latest:
// for reads, a deadline some time after each call starts; in a
// transaction, the transaction's own, which the core's statements in it
// would otherwise not see (they get the caller's context).
func Bounded(q Queryer, deadline func() time.Time) Queryer {
	return boundedQueryer{q, deadline}
}

// CallDeadline returns the deadline function of calls that each get
// timeout from their start.
func CallDeadline(timeout time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(timeout) }
}

type boundedQueryer struct {
	q        Queryer
	deadline func() time.Time
}

func (b boundedQueryer) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx, cancel := context.WithDeadline(ctx, b.deadline())
	defer cancel()
	return b.q.Exec(ctx, query, args...)
}

func (b boundedQueryer) QueryRow(ctx context.Context, query string, args ...any) Row {
	ctx, cancel := context.WithDeadline(ctx, b.deadline())
	return boundedRow{b.q.QueryRow(ctx, query, args...), cancel}
}

func (b boundedQueryer) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	ctx, cancel := context.WithDeadline(ctx, b.deadline())
	r, err := b.q.Query(ctx, query, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	return boundedRows{r, cancel}, nil
}

// boundedRow and boundedRows release their deadline's timer once read.
type boundedRow struct {
	Row
	cancel context.CancelFunc
}

func (r boundedRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.Row.Scan(dest...)
}

type boundedRows struct {
	Rows
	cancel context.CancelFunc
}

func (r boundedRows) Close() {
	r.Rows.Close()
	r.cancel()
}
