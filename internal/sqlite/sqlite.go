// Package sqlite stores the service's data in an embedded SQLite database,
// the default that needs no setup. Writes go through a single connection in
// WAL mode with synchronous=FULL, so an acknowledged write survives a crash
// and other processes (the CLI) can write to the same file. What is the
// same on PostgreSQL lives in package sqlstore, whose Core the Store
// embeds; this package holds how SQLite opens, runs and batches it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/groupcommit"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ kyb.Store = (*Store)(nil)

// Store is a kyb.Store on one SQLite file. What is the same on every
// engine comes from the embedded sqlstore.Core.
type Store struct {
	*sqlstore.Core
	path string
	// write has one connection: SQLite allows one writer at a time, and
	// queueing writers in Go is cheaper than retrying on SQLITE_BUSY.
	write *sql.DB
	read  *sql.DB
	// creates batches CreateCustomer calls into shared transactions.
	creates *groupcommit.Batcher[createOp, createResult]
	// reads prepares the hottest queries of the read pool once; writes
	// those of the batches of creates, on the writer's one connection.
	reads, writes *stmtCache
	// timeout bounds each call, transaction and batch of creates.
	timeout time.Duration
}

// ownerOnly removes the group's and others' access to the database file
// and the write-ahead files beside it.
func ownerOnly(path string) error {
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("database %s: %w", name, err)
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			if err := os.Chmod(name, mode&0o700); err != nil {
				return fmt.Errorf("make database %s readable by its owner alone: %w", name, err)
			}
		}
	}
	return nil
}

// Open opens (creating it and its folder if needed) the database at path
// and brings its schema up to date; keys seal the personal data it keeps.
func Open(ctx context.Context, path string, keys *envelope.Keyring, opts ...sqlstore.Option) (*Store, error) {
	o := sqlstore.NewOptions(opts...)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// The database holds personal data: create it readable by its owner
	// alone (SQLite gives its -wal and -shm files the same mode), and take
	// from one made by an earlier version (0644) what others could read.
	if path != ":memory:" {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create database %s: %w", path, err)
		}
		err = ownerOnly(path)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	s := &Store{path: path, timeout: o.Timeout}
	var err error
	if s.write, err = open(path, 1, false); err != nil {
		return nil, err
	}
	if s.read, err = open(path, 4, true); err != nil {
		s.write.Close()
		return nil, err
	}
	s.reads = &stmtCache{db: s.read}
	s.writes = &stmtCache{db: s.write}
	s.Core = &sqlstore.Core{
		Dialect: sqlstore.SQLite,
		Read:    sqlstore.Bounded(readQueryer(s.reads), sqlstore.CallDeadline(o.Timeout)),
		Transact: func(ctx context.Context, fn func(sqlstore.Queryer) error) error {
			// The core's statements get the caller's ctx, not transact's:
			// the queryer gives them the transaction's deadline.
			deadline := time.Now().Add(s.timeout)
			return s.transact(ctx, func(tx *sql.Tx) error {
				return fn(sqlstore.Bounded(txQueryer(tx), func() time.Time { return deadline }))
			})
		},
		Keys: keys,
	}
	if err := s.checkDurability(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.LoadIndexKey(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.creates = groupcommit.New(s.createBatch, 1, maxCreateBatch, o.Timeout)
	return s, nil
}

func open(path string, conns int, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	// secure_delete zeroes what a write frees, so deleted and erased values
	// do not linger in the file's free pages.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)", "secure_delete(ON)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		// Take the write lock at BEGIN, so that a transaction never fails
		// half-way when another process writes.
		q.Set("_txlock", "immediate")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// checkDurability refuses to run unless every acknowledged write is on disk.
func (s *Store) checkDurability(ctx context.Context) error {
	var mode string
	var sync int
	if err := s.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open sqlite %s: %w", s.path, err)
	}
	if err := s.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("open sqlite %s: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") || sync != 2 {
		return fmt.Errorf("sqlite %s: unsafe durability settings (journal_mode=%s, synchronous=%d); WAL with synchronous=FULL is required", s.path, mode, sync)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.creates != nil {
		s.creates.Close()
	}
	return errors.Join(s.reads.close(), s.writes.close(), s.read.Close(), s.write.Close())
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.read.PingContext(ctx); err != nil {
		return kyb.Unavailable(err)
	}
	return nil
}

// migrate brings the schema up to date (see sqlstore.Migrate). SQLite's
// single writer makes the migrations of processes starting together take
// turns; each checks again inside its transaction.
func (s *Store) migrate(ctx context.Context) error {
	return sqlstore.Migrate(ctx, migrations, sqlstore.SQLite, migrator{s})
}

type migrator struct{ s *Store }

func (m migrator) Applied(ctx context.Context) ([]string, error) {
	if _, err := m.s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return nil, err
	}
	rows, err := m.s.write.QueryContext(ctx, "SELECT name FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

func (m migrator) Apply(ctx context.Context, name string, body []byte, after func(sqlstore.Queryer) error) error {
	// A migration takes as long as it takes: no deadline.
	return m.s.runTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE name = ?", name).Scan(&n); err != nil || n > 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		if after != nil {
			if err := after(txQueryer(tx)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", name, time.Now().UnixMicro())
		return err
	})
}

// transact runs fn in one write transaction, committing when it returns
// nil, all within the store's timeout: fn's ctx carries the deadline, and
// database/sql rolls the transaction back when it passes.
func (s *Store) transact(ctx context.Context, fn func(*sql.Tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := s.runTx(ctx, fn)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// What failed first may be sql.ErrTxDone, the rollback's trace.
		return kyb.Unavailable(err)
	}
	return err
}

// runTx runs fn in one write transaction, committing when it returns nil.
func (s *Store) runTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapErr(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return wrapErr(tx.Commit())
}

// wrapErr turns failures that a retry may cure into kyb.Unavailable.
func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return kyb.Unavailable(err)
	}
	msg := err.Error()
	for _, transient := range []string{"SQLITE_BUSY", "database is locked", "SQLITE_FULL", "database or disk is full", "SQLITE_READONLY", "readonly database", "SQLITE_IOERR", "disk I/O error"} {
		if strings.Contains(msg, transient) {
			return kyb.Unavailable(err)
		}
	}
	return err
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}
