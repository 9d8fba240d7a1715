package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Migrator is one engine's part in applying its migrations.
type Migrator interface {
	// Applied returns the names of the migrations the database has,
	// creating the table that records them if need be.
	Applied(ctx context.Context) ([]string, error)
	// Apply runs one migration and records its name, in one transaction,
	// unless another process applied it meanwhile.
	Apply(ctx context.Context, name string, body []byte) error
}

// Migrate applies, in the order of their names and each in its own
// transaction, the migrations/*.sql files of migrations that the database
// has not seen. It refuses a database that has a migration this binary
// does not know: its schema is newer than the code.
func Migrate(ctx context.Context, migrations fs.FS, m Migrator) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	known := make(map[string]bool, len(names))
	for _, name := range names {
		known[path.Base(name)] = true
	}
	applied, err := m.Applied(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	done := make(map[string]bool, len(applied))
	for _, name := range applied {
		if !known[name] {
			return fmt.Errorf("migrate: database has migration %s that this binary does not know; run a newer onboard", name)
		}
		done[name] = true
	}
	for _, name := range names {
		base := path.Base(name)
		if done[base] {
			continue
		}
		body, err := fs.ReadFile(migrations, name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		if err := m.Apply(ctx, base, body); err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
	}
	return nil
}
