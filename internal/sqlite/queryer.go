package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// queryer runs the store core's SQL on database/sql. Reads go through the
// read pool's statement cache; in a transaction, statements are the
// transaction's own. Reads have no exec: the read pool is query-only.
type queryer struct {
	exec  func(ctx context.Context, query string, args ...any) (sql.Result, error)
	row   func(ctx context.Context, query string, args ...any) scanner
	query func(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readQueryer(c *stmtCache) queryer {
	return queryer{row: c.queryRow, query: c.query}
}

// txQueryer runs the core's SQL in a write transaction.
func txQueryer(tx *sql.Tx) queryer {
	return queryer{
		exec: tx.ExecContext,
		row: func(ctx context.Context, query string, args ...any) scanner {
			return tx.QueryRowContext(ctx, query, args...)
		},
		query: tx.QueryContext,
	}
}

func (q queryer) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if q.exec == nil {
		return 0, errors.New("sqlite: a write outside a transaction")
	}
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return 0, wrapErr(err)
	}
	n, err := res.RowsAffected()
	return n, wrapErr(err)
}

func (q queryer) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return row{q.row(ctx, query, args...)}
}

func (q queryer) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	r, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, wrapErr(err)
	}
	return rows{r}, nil
}

// row reports no row as sqlstore.ErrNoRows.
type row struct{ scanner }

func (r row) Scan(dest ...any) error {
	err := r.scanner.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return wrapErr(err)
}

type rows struct{ *sql.Rows }

func (r rows) Close() { r.Rows.Close() }

func (r rows) Err() error { return wrapErr(r.Rows.Err()) }

// scanRow reads a customer from a row of this engine's own.
func (s *Store) scanRow(r scanner) (kyb.Customer, error) { return s.ScanCustomer(row{r}) }
