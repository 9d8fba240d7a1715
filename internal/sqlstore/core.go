package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/onboardkyb/onboard/internal/envelope"
)

// Queryer runs SQL on one engine, in a transaction or not. The core writes
// its SQL with ? placeholders; an engine that numbers them rewrites it.
type Queryer interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
	Query(ctx context.Context, query string, args ...any) (Rows, error)
}

// Row is one row of a result; its Scan returns ErrNoRows when there is
// none, on every engine.
type Row interface{ Scan(dest ...any) error }

// Rows is a result of several rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// ErrNoRows is what Row.Scan returns when the query found no row.
var ErrNoRows = errors.New("sqlstore: no rows")

// Dialect is what the SQL the core writes needs to know of an engine.
type Dialect struct {
	// Placeholder is the n-th parameter marker, from 1: ? or $n.
	Placeholder func(n int) string
	// Time is a time as the engine's parameter.
	Time func(time.Time) any
	// ForUpdate ends a SELECT whose rows a transaction will change, so
	// that concurrent ones take turns; empty where one writer at a time is
	// the rule (SQLite).
	ForUpdate string
	// KeyIDOf is an expression of the id of the key that sealed a blob
	// column (its first byte), as two upper-case hex digits.
	KeyIDOf func(column string) string
	// ChainsAudit says that a trigger of the engine links each audit event
	// into the chain as it is inserted, under a lock that instances share
	// (PostgreSQL); otherwise the core links it, under the engine's single
	// writer (SQLite).
	ChainsAudit bool
	// LockAudit takes that shared lock until commit; empty where there is
	// none.
	LockAudit string
}

// SQLite is the dialect of SQLite, which keeps times as Unix microseconds.
var SQLite = Dialect{
	Placeholder: func(int) string { return "?" },
	Time:        func(t time.Time) any { return t.UnixMicro() },
	KeyIDOf:     func(col string) string { return "hex(substr(" + col + ", 1, 1))" },
}

// PostgreSQL is the dialect of PostgreSQL, which keeps timestamptz.
var PostgreSQL = Dialect{
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	Time:        func(t time.Time) any { return t },
	ForUpdate:   " FOR UPDATE",
	KeyIDOf:     func(col string) string { return "upper(encode(substring(" + col + " from 1 for 1), 'hex'))" },
	ChainsAudit: true,
	// The key is the one the audit_events_chain trigger takes (migration
	// 0008).
	LockAudit: "SELECT pg_advisory_xact_lock(8029463416164148340)",
}

// Core is the half of a store that is the same on every engine. An engine
// embeds it, so its methods are the store's, and gives it a Queryer for
// reads, a way to run a transaction, and its dialect.
type Core struct {
	Dialect Dialect
	// Read runs queries outside a transaction.
	Read Queryer
	// Transact runs fn in one write transaction, committing when it
	// returns nil.
	Transact func(ctx context.Context, fn func(Queryer) error) error
	// Keys seals and opens customers' personal data (seal.go).
	Keys *envelope.Keyring
	// index makes the keyed hashes of identifiers; LoadIndexKey sets it.
	index envelope.IndexKey
}

// transactAudited runs fn in a write transaction that appends to the
// audit trail. Where instances share the chain's lock, it takes the lock
// first, before fn locks any row: a transaction holding it then never
// waits for a row that another holds while waiting for the lock (an API
// key's issue locks its partner; a create's foreign key check waits for
// that lock).
func (c *Core) transactAudited(ctx context.Context, fn func(Queryer) error) error {
	return c.Transact(ctx, func(tx Queryer) error {
		if c.Dialect.LockAudit != "" {
			if _, err := tx.Exec(ctx, c.Dialect.LockAudit); err != nil {
				return fmt.Errorf("lock the audit chain: %w", err)
			}
		}
		return fn(tx)
	})
}

// Time scans a time as either engine keeps it: Unix microseconds
// (SQLite), a timestamp (PostgreSQL), or NULL for the zero time.
type Time struct{ T time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		t.T = time.Time{}
	case int64:
		t.T = time.UnixMicro(v).UTC()
	case time.Time:
		t.T = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as a time", v)
	}
	return nil
}
