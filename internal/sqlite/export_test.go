package sqlite

import (
	"context"

	"github.com/onboardkyb/onboard/internal/sqlstore"
)

// MigrateBefore creates the database at path with the migrations before
// name only, as an older binary left it.
func MigrateBefore(ctx context.Context, path, name string) error {
	s := &Store{path: path}
	var err error
	if s.write, err = open(path, 1, false); err != nil {
		return err
	}
	defer s.write.Close()
	return sqlstore.Migrate(ctx, sqlstore.Before(migrations, name), sqlstore.SQLite, migrator{s})
}
