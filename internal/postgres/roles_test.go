package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// TestServiceRoleCannotAlterAudit sets the database up as the README's
// production section says: the tables owned by the role that migrates,
// the service connecting as a role with the grants of
// docs/postgres-service-role.sql. The service passes the conformance
// suite as that role, and cannot change or remove audit events.
func TestServiceRoleCannotAlterAudit(t *testing.T) {
	ctx := context.Background()
	ownerURL := storetest.FreshPostgresURL(t)
	owner, err := postgres.Open(ctx, ownerURL, storetest.Keys()) // migrates, as the owner
	if err != nil {
		t.Fatal(err)
	}
	owner.Close()

	var b [4]byte
	rand.Read(b[:])
	role := "onboard_service_" + hex.EncodeToString(b[:])
	script, err := os.ReadFile("../../docs/postgres-service-role.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The grants go with the database; the role is the server's.
		conn, err := pgx.Connect(ctx, ownerURL)
		if err == nil {
			_, err = conn.Exec(ctx, "DROP OWNED BY "+role)
			if err == nil {
				_, err = conn.Exec(ctx, "DROP ROLE "+role)
			}
			conn.Close(ctx)
		}
		if err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	if _, err := conn.Exec(ctx, strings.ReplaceAll(string(script), "onboard_service", role)); err != nil {
		t.Fatalf("docs/postgres-service-role.sql: %v", err)
	}

	u, _ := url.Parse(ownerURL)
	u.User = url.User(role)
	serviceURL := u.String()
	storetest.Run(t, func(t testing.TB) kyb.Store {
		s, err := postgres.Open(ctx, serviceURL, storetest.Keys())
		if err != nil {
			t.Fatalf("open as %s: %v", role, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})

	svc, err := pgx.Connect(ctx, serviceURL)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close(ctx)
	for _, statement := range []string{
		"UPDATE audit_events SET reason = 'nothing to see'",
		"DELETE FROM audit_events",
		"TRUNCATE audit_events",
		"ALTER TABLE audit_events DISABLE TRIGGER USER",
		"DROP TRIGGER audit_events_no_change ON audit_events",
		"INSERT INTO schema_migrations (name) VALUES ('9999_evil.sql')",
	} {
		_, err := svc.Exec(ctx, statement)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s as the service: %v, want permission denied", statement, err)
		}
	}
}
