// Package postgres stores the service's data in PostgreSQL, what production
// runs: several service instances share one database. What is the same on
// SQLite lives in package sqlstore, whose Core the Store embeds; this
// package holds how pgx connects, pipelines creates and claims deliveries.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/groupcommit"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ kyb.Store = (*Store)(nil)

// migrationLock is the advisory lock key that serialises migrations of
// instances starting together.
const migrationLock = 0x6f6e626f617264 // "onboard"

// Store is a kyb.Store on a PostgreSQL database.
type Store struct {
	*sqlstore.Core
	pool *pgxpool.Pool
	// creates batches CreateCustomer calls into shared round trips and
	// transactions.
	creates *groupcommit.Batcher[[]any, bool]
	// timeout bounds each call, transaction and batch of creates.
	timeout time.Duration
}

// Open connects to the database at url, checks that it keeps acknowledged
// writes, and brings its schema up to date; keys seal the personal data it
// keeps.
func Open(ctx context.Context, url string, keys *envelope.Keyring, opts ...sqlstore.Option) (*Store, error) {
	o := sqlstore.NewOptions(opts...)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	// Fail fast when the database is down instead of hanging a request.
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 5*time.Second {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	configureTimeouts(cfg, o)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s := &Store{pool: pool, timeout: o.Timeout}
	s.Core = &sqlstore.Core{
		Dialect: sqlstore.PostgreSQL,
		Read:    sqlstore.Bounded(queryer{pool}, sqlstore.CallDeadline(o.Timeout)),
		Transact: func(ctx context.Context, fn func(sqlstore.Queryer) error) error {
			// The core's statements get the caller's ctx, not transact's:
			// the queryer gives them the transaction's deadline.
			deadline := time.Now().Add(s.timeout)
			return s.transact(ctx, func(tx pgx.Tx) error {
				return fn(sqlstore.Bounded(queryer{tx}, func() time.Time { return deadline }))
			})
		},
		Keys: keys,
	}
	if err := s.checkDurability(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.LoadIndexKey(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.creates = groupcommit.New(s.createBatch, createWorkers, maxCreateBatch, o.Timeout)
	return s, nil
}

// checkDurability refuses a server that may lose acknowledged commits.
func (s *Store) checkDurability(ctx context.Context) error {
	var fsync, syncCommit string
	err := s.pool.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &syncCommit)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	if fsync != "on" || syncCommit == "off" {
		return fmt.Errorf("postgres: unsafe durability settings (fsync=%s, synchronous_commit=%s); both must be on", fsync, syncCommit)
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() error {
	if s.creates != nil {
		s.creates.Close()
	}
	s.pool.Close()
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return kyb.Unavailable(err)
	}
	return nil
}

// migrate brings the schema up to date (see sqlstore.Migrate), holding an
// advisory lock so that instances starting together take turns.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	// A migration may rewrite a large table, and waiting for another
	// instance's migrations takes as long as they do: no statement_timeout
	// here, back to the pool's once done.
	if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "RESET statement_timeout")
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	return sqlstore.Migrate(ctx, migrations, sqlstore.PostgreSQL, migrator{conn})
}

type migrator struct{ conn *pgxpool.Conn }

func (m migrator) Applied(ctx context.Context) ([]string, error) {
	// Creating the table only when it is missing lets a service role
	// without CREATE on the schema start on a migrated database.
	var exists bool
	if err := m.conn.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		if _, err := m.conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return nil, err
		}
	}
	rows, err := m.conn.Query(ctx, "SELECT name FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (m migrator) Apply(ctx context.Context, name string, body []byte, after func(sqlstore.Queryer) error) error {
	return pgx.BeginFunc(ctx, m.conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return err
		}
		if after != nil {
			if err := after(queryer{tx}); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (name) VALUES ($1)", name)
		return err
	})
}

// bound gives ctx the store's deadline for one call.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// transact runs fn in one transaction, committing when it returns nil,
// all within the store's timeout: fn's ctx carries the deadline.
func (s *Store) transact(ctx context.Context, fn func(pgx.Tx) error) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
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

// wrapErr turns failures that a retry may cure (the server unreachable,
// restarting or out of resources) into kyb.Unavailable.
func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		code := pgErr.Code
		// 57014 is a statement cancelled by statement_timeout (or by us,
		// when a call's deadline passed): the database is too slow now.
		if strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "57P") || code == "25006" || code == "57014" {
			return kyb.Unavailable(err)
		}
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	// Anything else that is not a server's answer is a connection failure.
	return kyb.Unavailable(err)
}
