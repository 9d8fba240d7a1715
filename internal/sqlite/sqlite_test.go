package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlite"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kyb.Store { return storetest.SQLite(t) })
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "onboard.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, storetest.Keys())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := storetest.NewPartner(t, s)
	s.Close()

	s, err = sqlite.Open(ctx, path, storetest.Keys())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.Partner(ctx, p.ID); err != nil {
		t.Errorf("Partner after reopen: %v", err)
	}
}

// TestRefusesUnsafeDurability opens a database that cannot run in WAL
// mode: an in-memory one keeps its journal in memory, so an acknowledged
// write would not survive a crash.
func TestRefusesUnsafeDurability(t *testing.T) {
	_, err := sqlite.Open(context.Background(), ":memory:", storetest.Keys())
	if err == nil || !strings.Contains(err.Error(), "unsafe durability settings") || !strings.Contains(err.Error(), "synchronous=FULL") {
		t.Fatalf("Open(:memory:) error = %v, want a refusal naming the durability settings", err)
	}
}

// TestRefusesANewerSchema opens a database that a newer onboard migrated:
// this binary must not serve it.
func TestRefusesANewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, storetest.Keys())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(ctx, path, storetest.Keys()); err == nil || !strings.Contains(err.Error(), "9999_future.sql that this binary does not know") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a newer schema = %v, want a refusal naming the migration", err)
	}
}

// TestFilesOnlyTheOwnerReads: a new database and its write-ahead log hold
// personal data, so nobody but their owner may read them.
func TestFilesOnlyTheOwnerReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.db")
	s, err := sqlite.Open(context.Background(), path, storetest.Keys())
	if err != nil {
		t.Fatal(err)
	}
	storetest.NewPartner(t, s)
	s.Close()
	// One an earlier version made world-readable is tightened on open.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = sqlite.Open(context.Background(), path, storetest.Keys()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{path, path + "-wal"} {
		info, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(name), mode)
		}
	}
}
