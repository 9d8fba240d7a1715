package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMigrationLinksLegacyAudit(t *testing.T) {
	ctx := context.Background()
	url := storetest.FreshPostgresURL(t)
	if err := postgres.MigrateBefore(ctx, url, storetest.ChainMigration); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	insert := func(e kyb.AuditEvent) error {
		_, err := conn.Exec(ctx, "INSERT INTO audit_events (id, created_at, actor_type, actor_id, action, partner_id, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			e.ID, e.At, e.Actor.Type, e.Actor.ID, e.Action, e.PartnerID, e.Reason)
		return err
	}
	storetest.LegacyAudit(t, insert, func() kyb.Store {
		s, err := postgres.Open(ctx, url, storetest.Keys())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
