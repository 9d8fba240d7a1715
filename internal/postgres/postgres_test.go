package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kyb.Store { return storetest.Postgres(t) })
}

// TestRefusesUnsafeDurability connects with synchronous_commit off, under
// which PostgreSQL acknowledges commits it may lose in a crash.
func TestRefusesUnsafeDurability(t *testing.T) {
	u := storetest.PostgresURL(t)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	_, err := postgres.Open(context.Background(), u+sep+"options="+"-c%20synchronous_commit%3Doff", storetest.Keys())
	if err == nil || !strings.Contains(err.Error(), "unsafe durability settings") || !strings.Contains(err.Error(), "synchronous_commit=off") {
		t.Fatalf("Open error = %v, want a refusal naming synchronous_commit", err)
	}
}
