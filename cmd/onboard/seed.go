package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/loadtest"
)

func seed(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("seed", `seed --customers N [--partner ID] [--spread D] [--json] [--database-url URL]

Bulk-loads N realistic pending customers (valid, varied profiles with their
fingerprints, unique partner_customer_ids, created_at spread over time), each
with its creation's audit event and webhook event, for measuring the service at
scale: COPY on PostgreSQL, large transactions of prepared inserts on SQLite.
Without --partner it creates a partner and prints its credentials.`, e)
	n := fs.Int("customers", 0, "how many customers to add (required)")
	partner := fs.String("partner", "", "the partner that gets them (default: a new partner)")
	spread := fs.Duration("spread", 365*24*time.Hour, "their created_at times are spread over this long before now")
	asJSON := fs.Bool("json", false, "print one JSON object: partner_id, customers, seconds, and the new partner's api_key and api_secret")
	check := func() error {
		if *n <= 0 {
			return usageError{"seed: --customers must be a positive number"}
		}
		if *spread < 0 {
			return usageError{"seed: --spread must not be negative"}
		}
		return nil
	}
	return withSettings(ctx, fs, args, e, []string{"database-url"}, check, func(cfg config.Config, svc *kyb.Service) error {
		store, err := openStore(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer store.Close()
		seeder, ok := store.(loadtest.Seeder)
		if !ok {
			return fmt.Errorf("seed: this store cannot bulk-load")
		}
		creds := kyb.Credentials{PartnerID: *partner}
		if *partner == "" {
			var err error
			if creds, err = svc.CreatePartner(ctx, cliActor, "Seeded "+time.Now().UTC().Format(time.RFC3339), false); err != nil {
				return err
			}
		} else if _, err := svc.Partner(ctx, *partner); err != nil {
			return err
		}
		start := time.Now()
		last := start
		err = loadtest.Seed(ctx, seeder, loadtest.SeedOptions{
			PartnerID: creds.PartnerID, Customers: *n, Spread: *spread,
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
	})
}
