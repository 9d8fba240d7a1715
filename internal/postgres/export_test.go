package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// MigrateBefore brings the database at url up to the migrations before
// name only, as an older binary left it.
func MigrateBefore(ctx context.Context, url, name string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return sqlstore.Migrate(ctx, sqlstore.Before(migrations, name), sqlstore.PostgreSQL, migrator{conn})
}
