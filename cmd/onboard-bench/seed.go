package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/loadtest"
)

// seedActor is who the audit trail records for a partner seed creates.
var seedActor = kyb.Actor{Type: kyb.ActorSystem, ID: "seed"}

func seed(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("seed", `seed --customers N [--partner ID] [--spread D] [--workers N] [--json] [--database-url URL]

Adds N realistic pending customers (valid, varied profiles, unique
partner_customer_ids, created_at spread over time) for measuring the
service at scale. Each is created as a partner's would be, through the
service, with its audit event and webhook event; many creates in flight at
once let the store batch their commits. Without --partner it creates a
partner and prints its credentials.`, e)
	cfg := config.Default()
	if err := cfg.Bind(fs, e.getenv, append([]string{"database-url"}, config.KeySettings...)...); err != nil {
		return err
	}
	n := fs.Int("customers", 0, "how many customers to add (required)")
	partner := fs.String("partner", "", "the partner that gets them (default: a new partner)")
	spread := fs.Duration("spread", 365*24*time.Hour, "their created_at times are spread over this long before now")
	workers := fs.Int("workers", loadtest.DefaultSeedWorkers, "creates in flight at once")
	asJSON := fs.Bool("json", false, "print one JSON object: partner_id, customers, seconds, and the new partner's api_key and api_secret")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *n <= 0:
		return command.Usage("seed: --customers must be a positive number")
	case *spread < 0:
		return command.Usage("seed: --spread must not be negative")
	case *workers < 1:
		return command.Usage("seed: --workers must be at least 1")
	}
	store, _, err := command.OpenStore(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer store.Close()

	svc := kyb.NewService(store)
	creds := kyb.Credentials{PartnerID: *partner}
	if *partner == "" {
		name := "Seeded " + time.Now().UTC().Format(time.RFC3339)
		if creds, err = svc.CreatePartner(ctx, seedActor, name, false); err != nil {
			return err
		}
	} else if _, err := svc.Partner(ctx, *partner); err != nil {
		return err
	}
	start := time.Now()
	last := start
	err = loadtest.Seed(ctx, store, loadtest.SeedOptions{
		PartnerID: creds.PartnerID, Customers: *n, Spread: *spread, Workers: *workers,
		Progress: func(done int) {
			if !*asJSON && time.Since(last) > 5*time.Second {
				last = time.Now()
				fmt.Fprintf(e.stderr, "seeded %d of %d customers (%.0f/s)\n", done, *n, float64(done)/time.Since(start).Seconds())
			}
		},
	})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(struct {
			PartnerID string  `json:"partner_id"`
			APIKey    string  `json:"api_key,omitempty"`
			APISecret string  `json:"api_secret,omitempty"`
			Customers int     `json:"customers"`
			Seconds   float64 `json:"seconds"`
		}{creds.PartnerID, creds.APIKey, creds.APISecret, *n, elapsed.Round(time.Millisecond).Seconds()})
	}
	fmt.Fprintf(e.stdout, "seeded %d customers for %s in %s (%.0f/s)\n", *n, creds.PartnerID, elapsed.Round(time.Millisecond), float64(*n)/elapsed.Seconds())
	if creds.APIKey != "" {
		fmt.Fprintf(e.stdout, "\napi_key     %s\napi_secret  %s\n", creds.APIKey, creds.APISecret)
	}
	return nil
}
