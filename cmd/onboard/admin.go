package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// withService parses a command's flags (plus --database-url), checks them
// with check (when not nil), opens the store and runs fn with a service on
// it.
func withService(ctx context.Context, fs *flag.FlagSet, args []string, e env, check func() error, fn func(*kyb.Service) error) error {
	cfg := config.Default()
	if err := cfg.Bind(fs, e.getenv, "database-url"); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	store, err := openStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(kyb.NewService(store))
}

func migrate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("migrate", "migrate [--database-url URL]", e)
	return withService(ctx, fs, args, e, nil, func(*kyb.Service) error {
		fmt.Fprintln(e.stdout, "database schema is up to date")
		return nil
	})
}

func partnersCreate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("partners create", "partners create --name NAME [--json] [--database-url URL]", e)
	name := fs.String("name", "", "the partner's name (required)")
	asJSON := fs.Bool("json", false, "print one JSON object with partner_id, api_key and api_secret")
	check := func() error {
		if *name == "" {
			return usageError{"partners create: --name is required"}
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		creds, err := svc.CreatePartner(ctx, *name, false)
		if err != nil {
			return err
		}
		return printCredentials(e.stdout, creds, *asJSON)
	})
}

func partnersList(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("partners list", "partners list [--json] [--database-url URL]", e)
	asJSON := fs.Bool("json", false, "print a JSON array")
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		partners, err := svc.Store.Partners(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			type partnerJSON struct {
				PartnerID string `json:"partner_id"`
				Name      string `json:"name"`
				Sandbox   bool   `json:"sandbox"`
				CreatedAt string `json:"created_at"`
			}
			out := make([]partnerJSON, 0, len(partners))
			for _, p := range partners {
				out = append(out, partnerJSON{p.ID, p.Name, p.Sandbox, kyb.FormatTime(p.CreatedAt)})
			}
			return json.NewEncoder(e.stdout).Encode(out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PARTNER ID\tNAME\tSANDBOX\tCREATED")
		for _, p := range partners {
			fmt.Fprintf(tw, "%s\t%s\t%t\t%s\n", p.ID, p.Name, p.Sandbox, kyb.FormatTime(p.CreatedAt))
		}
		return tw.Flush()
	})
}

func keysCreate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("keys create", "keys create --partner ID [--json] [--database-url URL]", e)
	partner := fs.String("partner", "", "the partner's id (required)")
	asJSON := fs.Bool("json", false, "print one JSON object with partner_id, api_key and api_secret")
	check := func() error {
		if *partner == "" {
			return usageError{"keys create: --partner is required"}
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		creds, err := svc.CreateAPIKey(ctx, *partner)
		if err != nil {
			return err
		}
		return printCredentials(e.stdout, creds, *asJSON)
	})
}

func keysRevoke(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("keys revoke", "keys revoke KEY [--database-url URL]", e)
	// The key comes first, flags after it.
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		fs.Usage()
		return usageError{"keys revoke: the key to revoke is required"}
	}
	key := args[0]
	return withService(ctx, fs, args[1:], e, nil, func(svc *kyb.Service) error {
		if err := svc.RevokeAPIKey(ctx, key); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked %s; it stops working within %s on every instance\n", key, kyb.KeyCacheTTL)
		return nil
	})
}

// printCredentials shows a new key's secret, the only time it is shown.
func printCredentials(w io.Writer, c kyb.Credentials, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(c)
	}
	_, err := fmt.Fprintf(w, "partner_id  %s\napi_key     %s\napi_secret  %s\n\nStore the secret now: it is not shown again.\n", c.PartnerID, c.APIKey, c.APISecret)
	return err
}
