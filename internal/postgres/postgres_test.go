package postgres_test

import (
	"os"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kyb.Store { return storetest.Postgres(t) })
}
