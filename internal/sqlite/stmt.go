package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache keeps a pool's prepared statements by their SQL, so that a
// query the service runs on every request is parsed and planned once per
// connection rather than on every call: the driver caches nothing itself,
// and parsing costs about as much as running a lookup by key.
type stmtCache struct {
	db    *sql.DB
	stmts sync.Map // SQL text -> *sql.Stmt
}

// load returns the statement of query if it has been prepared.
func (c *stmtCache) load(query string) (*sql.Stmt, bool) {
	st, ok := c.stmts.Load(query)
	if !ok {
		return nil, false
	}
	return st.(*sql.Stmt), true
}

func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, wrapErr(err)
	}
	if prev, loaded := c.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow is the pool's QueryRowContext through the cache.
func (c *stmtCache) queryRow(ctx context.Context, query string, args ...any) scanner {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return errScanner{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// query is the pool's QueryContext through the cache.
func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) close() error {
	var errs []error
	c.stmts.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	return errors.Join(errs...)
}
