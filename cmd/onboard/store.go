package main

import (
	"context"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/sqlite"
)

// openStore opens the database a URL names and migrates it.
func openStore(ctx context.Context, databaseURL string) (kyb.Store, error) {
	engine, target, err := config.ParseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	if engine == config.SQLite {
		return sqlite.Open(ctx, target)
	}
	return postgres.Open(ctx, target)
}
