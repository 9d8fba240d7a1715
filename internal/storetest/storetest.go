// Package storetest opens real databases for tests, one fresh SQLite file
// per test and one fresh PostgreSQL database per test binary, and holds the
// conformance suite that every kyb.Store must pass.
//
// PostgreSQL tests run when ONBOARD_TEST_POSTGRES_URL points at a server
// whose user may create databases; otherwise they are skipped with a note.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/sqlite"
)

// PostgresURLEnv names the variable that points the tests at a server.
const PostgresURLEnv = "ONBOARD_TEST_POSTGRES_URL"

// Engine opens a fresh store of one kind for a test.
type Engine struct {
	Name string
	Open func(t testing.TB) kyb.Store
	// URL returns the --database-url of a fresh database, for tests that
	// start the whole binary.
	URL func(t testing.TB) string
}

// Engines lists SQLite and PostgreSQL.
func Engines() []Engine {
	return []Engine{
		{Name: "sqlite", Open: func(t testing.TB) kyb.Store { return SQLite(t) }, URL: SQLiteURL},
		{Name: "postgres", Open: func(t testing.TB) kyb.Store { return Postgres(t) }, URL: PostgresURL},
	}
}

// ForEach runs fn as a subtest against each engine.
func ForEach(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// SQLiteURL returns the database URL of a new SQLite file in a temporary
// folder.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "onboard.db")
}

// KeySecret is the key-encryption key of every store the tests open, key
// 1 of Keys: each test binary's PostgreSQL database is shared, and must be
// opened with the keys that wrote it. Its base64 is the
// ONBOARD_FILE_ENCRYPTION_KEY of the tests that run the binary.
var KeySecret = bytes.Repeat([]byte{7}, envelope.KeySize)

// Keys returns the keyring of the tests' stores.
func Keys() *envelope.Keyring {
	k, err := envelope.NewKeyring(envelope.Key{ID: 1, Secret: KeySecret})
	if err != nil {
		panic(err)
	}
	return k
}

// OpenURL opens the store a database URL names with the tests' keys.
func OpenURL(t testing.TB, dbURL string) (kyb.Store, error) {
	t.Helper()
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		return sqlite.Open(context.Background(), path, Keys())
	}
	return postgres.Open(context.Background(), dbURL, Keys())
}

// SQLite opens a new SQLite store in a temporary folder.
func SQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "onboard.db"), Keys())
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var pg struct {
	once    sync.Once
	admin   string // URL of the server's maintenance database
	name    string // the database this test binary created
	url     string
	skipped string
	err     error
}

// PostgresURL returns the URL of this test binary's own PostgreSQL
// database, creating it on first use, or skips the test when no server is
// configured. Tests sharing it stay apart by using their own partners.
func PostgresURL(t testing.TB) string {
	t.Helper()
	pg.once.Do(createDatabase)
	if pg.skipped != "" {
		t.Skip(pg.skipped)
	}
	if pg.err != nil {
		t.Fatalf("postgres: %v", pg.err)
	}
	return pg.url
}

// Postgres opens a store on this test binary's PostgreSQL database.
func Postgres(t testing.TB) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), PostgresURL(t), Keys())
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func createDatabase() {
	admin := os.Getenv(PostgresURLEnv)
	if admin == "" {
		pg.skipped = "PostgreSQL tests skipped: set " + PostgresURLEnv + " (for example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)"
		return
	}
	var b [6]byte
	rand.Read(b[:])
	name := fmt.Sprintf("onboard_test_%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		pg.err = fmt.Errorf("connect to %s: %w", PostgresURLEnv, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		pg.err = fmt.Errorf("create database: %w", err)
		return
	}
	u, err := url.Parse(admin)
	if err != nil {
		pg.err = err
		return
	}
	u.Path = "/" + name
	pg.admin, pg.name, pg.url = admin, name, u.String()
}

// Main runs the tests of a package and then drops the PostgreSQL database
// they used. Call it from TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if pg.name != "" {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, pg.admin)
		if err == nil {
			_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pg.name+" WITH (FORCE)")
			conn.Close(ctx)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "storetest: drop database %s: %v\n", pg.name, err)
		}
	}
	return code
}

// FreshPostgresURL creates a PostgreSQL database for one test alone, for
// tests that change the database itself (its settings, its connections),
// and drops it when the test ends.
func FreshPostgresURL(t testing.TB) string {
	t.Helper()
	PostgresURL(t) // skips when no server is configured
	var b [6]byte
	rand.Read(b[:])
	name := "onboard_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.admin)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, pg.admin)
		if err == nil {
			_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(pg.admin)
	u.Path = "/" + name
	return u.String()
}
