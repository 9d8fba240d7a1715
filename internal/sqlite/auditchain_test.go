package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlite"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMigrationLinksLegacyAudit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "onboard.db")
	if err := sqlite.MigrateBefore(ctx, path, storetest.ChainMigration); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := func(e kyb.AuditEvent) error {
		_, err := db.ExecContext(ctx, "INSERT INTO audit_events (id, created_at, actor_type, actor_id, action, partner_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
			e.ID, e.At.UnixMicro(), e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.Reason)
		return err
	}
	storetest.LegacyAudit(t, insert, func() kyb.Store {
		db.Close()
		s, err := sqlite.Open(ctx, path, storetest.Keys())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
