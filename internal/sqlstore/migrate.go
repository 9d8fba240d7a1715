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
	// Apply runs one migration, then after (when not nil) in the same
	// transaction, and records its name, unless another process applied it
	// meanwhile.
	Apply(ctx context.Context, name string, body []byte, after func(Queryer) error) error
}

// goSteps are the Go parts of migrations, run after their SQL in the same
// transaction, for what SQL alone cannot do on every engine.
var goSteps = map[string]func(ctx context.Context, d Dialect, tx Queryer) error{
	"0008_operators_audit_chain.sql": linkLegacyAudit,
}

// Migrate applies, in the order of their names and each in its own
// transaction, the migrations/*.sql files of migrations that the database
// has not seen. It refuses a database that has a migration this binary
// does not know: its schema is newer than the code.
func Migrate(ctx context.Context, migrations fs.FS, d Dialect, m Migrator) error {
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
		var after func(Queryer) error
		if step := goSteps[base]; step != nil {
			after = func(tx Queryer) error { return step(ctx, d, tx) }
		}
		if err := m.Apply(ctx, base, body, after); err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
	}
	return nil
}

// Before returns the migrations of fsys whose names sort before name: the
// schema an older binary left, for tests of a migration on it.
func Before(fsys fs.FS, name string) fs.FS { return beforeFS{fsys, name} }

type beforeFS struct {
	fs.FS
	name string
}

func (b beforeFS) Glob(pattern string) ([]string, error) {
	names, err := fs.Glob(b.FS, pattern)
	var out []string
	for _, n := range names {
		if path.Base(n) < b.name {
			out = append(out, n)
		}
	}
	return out, err
}
