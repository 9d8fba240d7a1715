package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// pgxQuerier is what a pool and a transaction have in common.
type pgxQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryer runs the store core's SQL on pgx, numbering its ? placeholders.
type queryer struct{ q pgxQuerier }

// numberedSQL caches numbered's rewrites: the core's queries are a fixed
// set (the file lookup's differs only by its count of ids, at most the
// references one profile may hold), and some run on every create.
var numberedSQL sync.Map // query -> rewritten query

// numbered rewrites each ? of query as $1, $2 and so on. The core's SQL
// has no ? inside string literals.
func numbered(query string) string {
	if v, ok := numberedSQL.Load(query); ok {
		return v.(string)
	}
	out := renumber(query)
	numberedSQL.Store(query, out)
	return out
}

func renumber(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (q queryer) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, numbered(query), args...)
	return tag.RowsAffected(), wrapErr(err)
}

func (q queryer) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return row{q.q.QueryRow(ctx, numbered(query), args...)}
}

func (q queryer) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	r, err := q.q.Query(ctx, numbered(query), args...)
	if err != nil {
		return nil, wrapErr(err)
	}
	return rows{r}, nil
}

// row reports no row as sqlstore.ErrNoRows.
type row struct{ pgx.Row }

func (r row) Scan(dest ...any) error {
	err := r.Row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return wrapErr(err)
}

type rows struct{ pgx.Rows }

func (r rows) Err() error { return wrapErr(r.Rows.Err()) }

// scanRow reads a customer from a row of this engine's own.
func (s *Store) scanRow(r pgx.Row) (kyb.Customer, error) { return s.ScanCustomer(row{r}) }
