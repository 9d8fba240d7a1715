package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestMigrationClassifiesOldAttemptErrors runs migration 0010 on each
// engine over attempts recorded before partners were shown only error
// classes: each raw error becomes its class, and none survives.
func TestMigrationClassifiesOldAttemptErrors(t *testing.T) {
	attempts := []struct {
		status int
		raw    string
		want   string
	}{
		{0, "", ""},
		{503, "endpoint answered 503", "http status 503"},
		{302, "endpoint answered 302", "http status 302"},
		{0, "post: dial tcp: lookup hooks.example.com on 10.255.255.53:53: no such host", "connection failed"},
		{0, "post: dial tcp: lookup hooks.example.com on 10.255.255.53:53: read udp: i/o timeout", "connection failed"},
		{0, "webhook: endpoint address is not public", "connection failed"},
		{0, "post: dial tcp 203.0.113.10:443: connect: connection refused", "connection failed"},
		{0, "post: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", "timeout"},
		{0, "post: tls: failed to verify certificate: x509: certificate signed by unknown authority", "tls error"},
		{0, "open endpoint secret: cipher: message authentication failed", "internal error"},
	}
	ctx := context.Background()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var dbURL string
			var exec func(query string, args ...any)
			var errors func() []string
			switch engine {
			case "sqlite":
				dbURL = storetest.SQLiteURL(t)
				db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				exec = func(query string, args ...any) {
					t.Helper()
					if _, err := db.Exec(query, args...); err != nil {
						t.Fatalf("%s: %v", query, err)
					}
				}
				errors = func() []string {
					rows, err := db.Query("SELECT error FROM delivery_attempts ORDER BY number")
					if err != nil {
						t.Fatal(err)
					}
					defer rows.Close()
					var out []string
					for rows.Next() {
						var e string
						rows.Scan(&e)
						out = append(out, e)
					}
					return out
				}
			case "postgres":
				dbURL = storetest.FreshPostgresURL(t)
				conn, err := pgx.Connect(ctx, dbURL)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close(ctx) })
				exec = func(query string, args ...any) {
					t.Helper()
					if _, err := conn.Exec(ctx, strings.ReplaceAll(query, "?", "$1"), args...); err != nil {
						t.Fatalf("%s: %v", query, err)
					}
				}
				errors = func() []string {
					rows, _ := conn.Query(ctx, "SELECT error FROM delivery_attempts ORDER BY number")
					out, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						t.Fatal(err)
					}
					return out
				}
			}
			store, err := storetest.OpenURL(t, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			store.Close()
			// Back to the schema before 0010, with attempts as it recorded them.
			exec("DELETE FROM schema_migrations WHERE name = '0010_webhook_secret_grace.sql'")
			exec("ALTER TABLE webhook_endpoints DROP COLUMN previous_secret_sealed")
			exec("ALTER TABLE webhook_endpoints DROP COLUMN previous_secret_expires_at")
			at := "0"
			if engine == "postgres" {
				at = "now()"
			}
			var want []string
			for i, a := range attempts {
				exec("INSERT INTO delivery_attempts (event_id, endpoint_id, number, at, status_code, latency_us, error) VALUES ('evt_x', 'wh_x', "+
					strconv.Itoa(i+1)+", "+at+", "+strconv.Itoa(a.status)+", 1000, ?)", a.raw)
				want = append(want, a.want)
			}
			if store, err = storetest.OpenURL(t, dbURL); err != nil {
				t.Fatal(err)
			}
			store.Close()
			if got := errors(); !slices.Equal(got, want) {
				t.Errorf("errors after the migration:\n got %q\nwant %q", got, want)
			}
		})
	}
}
