package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/sqlite"
	"github.com/onboardkyb/onboard/internal/sqlstore"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// TestReadOnlyDatabase turns the PostgreSQL database read-only under a
// running server, as a failover to a replica or a full disk would: writes
// get 503 with Retry-After, reads go on, nothing is half-written, and the
// service recovers by itself once the database takes writes again.
func TestReadOnlyDatabase(t *testing.T) {
	dbURL := storetest.FreshPostgresURL(t)
	ctx := context.Background()
	store, err := postgres.Open(ctx, dbURL, storetest.Keys())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := kyb.NewService(store, kyb.WithCipher(testFileCipher(t)))
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	ts := &testServer{URL: srv.URL, Service: svc, Logs: &syncBuffer{}}
	creds := ts.partner(t)
	existing := ts.newCustomer(t, creds)

	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(ctx) })
	setReadOnly := func(on bool) {
		t.Helper()
		value := "off"
		if on {
			value = "on"
		}
		// The setting applies to new sessions; ending the pool's sessions
		// makes the server reconnect into it.
		if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{admin.Config().Database}.Sanitize()+" SET default_transaction_read_only = "+value); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"); err != nil {
			t.Fatal(err)
		}
	}
	setReadOnly(true)
	t.Cleanup(func() { setReadOnly(false) })

	body := minimalBody(uniqueID(t))
	var pcid struct {
		PartnerCustomerID string `json:"partner_customer_id"`
	}
	json.Unmarshal([]byte(body), &pcid)
	// The first request after the sessions ended may find a dead
	// connection; what matters is that every write answer is a 503.
	for range 3 {
		resp := ts.create(t, creds, body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("create on a read-only database = %d (Retry-After %q): %s; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Body)
		}
	}
	if resp := ts.request(t, "GET", "/api/customers/"+existing, &creds, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("read on a read-only database = %d, want 200", resp.StatusCode)
	}
	if page, err := store.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: creds.PartnerID, PartnerCustomerID: pcid.PartnerCustomerID, Limit: 1}); err != nil || len(page.Customers) != 0 {
		t.Errorf("the refused create left %d customers, %v; want none", len(page.Customers), err)
	}

	setReadOnly(false)
	var last response
	for range 3 { // at most one request meets a connection ended above
		if last = ts.create(t, creds, body); last.StatusCode == http.StatusOK {
			break
		}
	}
	if last.StatusCode != http.StatusOK {
		t.Fatalf("create after the database recovered = %d: %s", last.StatusCode, last.Body)
	}
}

// TestDatabaseCallsEndAtTheirDeadline holds a lock that every create and
// every read of customers waits on, on a store opened with a short
// timeout: the requests get 503 with Retry-After and the usual error
// body, not a hang and not a 500, and the same create succeeds once the
// lock is gone.
func TestDatabaseCallsEndAtTheirDeadline(t *testing.T) {
	ctx := context.Background()
	timeout := sqlstore.WithTimeout(300 * time.Millisecond)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var store kyb.Store
			var lock func() (release func())
			switch engine {
			case "sqlite":
				path := filepath.Join(t.TempDir(), "onboard.db")
				s, err := sqlite.Open(ctx, path, storetest.Keys(), timeout)
				if err != nil {
					t.Fatal(err)
				}
				store = s
				// Another process holding SQLite's write lock.
				lock = func() func() {
					db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
					if err != nil {
						t.Fatal(err)
					}
					tx, err := db.Begin()
					if err != nil {
						t.Fatal(err)
					}
					return func() { tx.Rollback(); db.Close() }
				}
			case "postgres":
				dbURL := storetest.FreshPostgresURL(t)
				s, err := postgres.Open(ctx, dbURL, storetest.Keys(), timeout)
				if err != nil {
					t.Fatal(err)
				}
				store = s
				lock = func() func() {
					conn, err := pgx.Connect(ctx, dbURL)
					if err != nil {
						t.Fatal(err)
					}
					tx, err := conn.Begin(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := tx.Exec(ctx, "LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"); err != nil {
						t.Fatal(err)
					}
					return func() { tx.Rollback(ctx); conn.Close(ctx) }
				}
			}
			t.Cleanup(func() { store.Close() })
			ts := startTestServer(t, store, testFileCipher(t), nil)
			creds := ts.partner(t)
			existing := ts.newCustomer(t, creds)
			body := minimalBody(uniqueID(t))

			release := lock()
			requests := []struct{ name, method, path, body string }{
				{"create", "POST", "/api/customers/create", body},
			}
			if engine == "postgres" { // SQLite's readers never wait for its writer
				requests = append(requests, struct{ name, method, path, body string }{"read", "GET", "/api/customers/" + existing, ""})
			}
			for _, r := range requests {
				resp := ts.request(t, r.method, r.path, &creds, r.body)
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
					release()
					t.Fatalf("%s behind a held lock = %d (Retry-After %q): %s; want 503 with Retry-After", r.name, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Body)
				}
				if code := resp.json(t)["error"].(map[string]any)["code"]; code != "service_unavailable" {
					t.Errorf("%s behind a held lock: error code %v, want service_unavailable", r.name, code)
				}
			}
			release()
			if resp := ts.request(t, "POST", "/api/customers/create", &creds, body); resp.StatusCode != http.StatusOK {
				t.Fatalf("create after the lock was released = %d: %s", resp.StatusCode, resp.Body)
			}
		})
	}
}
