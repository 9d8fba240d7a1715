package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// cliActor is who the audit trail records for changes made on the command
// line, which has direct access to the database.
var cliActor = kyb.Actor{Type: kyb.ActorSystem, ID: "cli"}

// withService parses a command's flags (plus --database-url and the
// encryption keys), checks them with check (when not nil), opens the store
// and runs fn with a service on it.
func withService(ctx context.Context, fs *flag.FlagSet, args []string, e env, check func() error, fn func(*kyb.Service) error) error {
	return openService(ctx, fs, args, e, []string{"database-url"}, check, nil, func(_ config.Config, svc *kyb.Service) error { return fn(svc) })
}

// openService binds the named settings and the encryption keys, parses
// args, checks them, and runs fn with a service on the database, built with
// its cipher and the options that options (when not nil) derives from the
// settings.
func openService(ctx context.Context, fs *flag.FlagSet, args []string, e env, settings []string, check func() error,
	options func(config.Config) ([]kyb.Option, error), fn func(config.Config, *kyb.Service) error) error {
	cfg := config.Default()
	if err := cfg.Bind(fs, e.getenv, append(settings, config.KeySettings...)...); err != nil {
		return err
	}
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	var opts []kyb.Option
	if options != nil {
		var err error
		if opts, err = options(cfg); err != nil {
			return err
		}
	}
	store, keys, err := command.OpenStore(ctx, cfg, newLogger(e.stderr, "warn"))
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(cfg, kyb.NewService(store, append(opts, kyb.WithCipher(kyb.CipherOf(keys)))...))
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
			return command.Usage("partners create: --name is required")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		creds, err := svc.CreatePartner(ctx, cliActor, *name, false)
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
		partners, err := svc.Partners(ctx)
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
			return command.Usage("keys create: --partner is required")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		creds, err := svc.CreateAPIKey(ctx, cliActor, *partner)
		if err != nil {
			return err
		}
		return printCredentials(e.stdout, creds, *asJSON)
	})
}

func keysRevoke(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("keys revoke", "keys revoke KEY [--database-url URL]", e)
	key, args, err := leadingID(fs, args, "the key to revoke")
	if err != nil {
		return err
	}
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		if err := svc.RevokeAPIKey(ctx, cliActor, key); err != nil {
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

// withOperators is withService for the operators commands: it reads
// --operator-token-ttl too, so that the expiries they show are serve's.
func withOperators(ctx context.Context, fs *flag.FlagSet, args []string, e env, check func() error, fn func(*kyb.Service) error) error {
	options := func(cfg config.Config) ([]kyb.Option, error) {
		if cfg.OperatorTokenTTL <= 0 {
			return nil, command.Usage("operator-token-ttl must be positive")
		}
		return []kyb.Option{kyb.WithOperatorTokenTTL(cfg.OperatorTokenTTL)}, nil
	}
	return openService(ctx, fs, args, e, []string{"database-url", "operator-token-ttl"}, check, options,
		func(_ config.Config, svc *kyb.Service) error { return fn(svc) })
}

func operatorsCreate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("operators create", "operators create --name NAME [--admin] [--json] | --name NAME --email EMAIL --role reviewer|admin [--console-url URL] [--json]", e)
	name := fs.String("name", "", "the operator's name (required)")
	admin := fs.Bool("admin", false, "an admin operator, who also manages partners, webhooks and operators (the same as --role admin)")
	email := fs.String("email", "", "the email the operator signs in to the console with: creates a console account and prints its set-up link instead of a token")
	role := fs.String("role", "", "with --email: reviewer (decides on customers) or admin (also manages partners, keys, webhooks and operators)")
	consoleURL := fs.String("console-url", "", "the console's address as operators reach it, for the set-up link (default http:// and --addr)")
	asJSON := fs.Bool("json", false, "print one JSON object: operator_id, token and expires_at; or with --email operator_id, setup_url and expires_at")
	check := func() error {
		switch {
		case *name == "":
			return command.Usage("operators create: --name is required")
		case *email == "" && *role != "":
			return command.Usage("operators create: --role needs --email (an operator without a console account is --admin or not)")
		case *email != "" && *role != kyb.RoleReviewer && *role != kyb.RoleAdmin:
			return command.Usage("operators create: with --email, --role must be reviewer or admin")
		case *email != "" && *admin && *role != kyb.RoleAdmin:
			return command.Usage("operators create: --admin and --role reviewer disagree")
		}
		return nil
	}
	return withAccounts(ctx, fs, args, e, check, func(cfg config.Config, svc *kyb.Service) error {
		if *email == "" {
			creds, err := svc.CreateOperator(ctx, cliActor, *name, *admin)
			if err != nil {
				return err
			}
			return printOperatorToken(e.stdout, creds, *asJSON)
		}
		setup, err := svc.CreateOperatorAccount(ctx, cliActor, *name, *email, *role == kyb.RoleAdmin)
		if err != nil {
			return err
		}
		return printSetup(e.stdout, setup, setupURL(*consoleURL, cfg.Addr, setup.Token), *asJSON)
	})
}

func operatorsReset(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("operators reset", "operators reset OPERATOR_ID [--email EMAIL] [--console-url URL] [--json]", e)
	email := fs.String("email", "", "the email to sign in with from now on; required for an operator who had a bearer token only")
	consoleURL := fs.String("console-url", "", "the console's address as operators reach it, for the set-up link (default http:// and --addr)")
	asJSON := fs.Bool("json", false, "print one JSON object with operator_id, setup_url and expires_at")
	id, args, err := leadingID(fs, args, "the operator id")
	if err != nil {
		return err
	}
	return withAccounts(ctx, fs, args, e, nil, func(cfg config.Config, svc *kyb.Service) error {
		setup, err := svc.ResetOperatorAccount(ctx, cliActor, id, *email)
		if err != nil {
			return err
		}
		return printSetup(e.stdout, setup, setupURL(*consoleURL, cfg.Addr, setup.Token), *asJSON)
	})
}

// withAccounts is withOperators for the commands that make console
// accounts: it also reads --addr, the default host of set-up links.
func withAccounts(ctx context.Context, fs *flag.FlagSet, args []string, e env, check func() error, fn func(config.Config, *kyb.Service) error) error {
	options := func(cfg config.Config) ([]kyb.Option, error) {
		if cfg.OperatorTokenTTL <= 0 {
			return nil, command.Usage("operator-token-ttl must be positive")
		}
		return []kyb.Option{kyb.WithOperatorTokenTTL(cfg.OperatorTokenTTL), kyb.WithConsolePolicy(cfg.ConsolePolicy())}, nil
	}
	return openService(ctx, fs, args, e, []string{"database-url", "operator-token-ttl", "addr", "console-admin-totp"}, check, options, fn)
}

// setupURL is the set-up link of a token under the console's address.
func setupURL(consoleURL, addr, token string) string {
	if consoleURL == "" {
		consoleURL = "http://" + addr
	}
	return strings.TrimRight(consoleURL, "/") + "/console/setup?" + url.Values{"token": {token}}.Encode()
}

// printSetup shows a set-up link, the only time it is shown.
func printSetup(w io.Writer, s kyb.AccountSetup, link string, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(struct {
			OperatorID string `json:"operator_id"`
			SetupURL   string `json:"setup_url"`
			ExpiresAt  string `json:"expires_at"`
		}{s.OperatorID, link, kyb.FormatTime(s.ExpiresAt)})
	}
	_, err := fmt.Fprintf(w, "operator_id  %s\nsetup_url    %s\nexpires_at   %s\n\nSend the link to the operator: it works once, until it expires, and is not shown again.\nThey choose a password (and an authenticator code) there, then sign in at /console/login.\n",
		s.OperatorID, link, kyb.FormatTime(s.ExpiresAt))
	return err
}

// printOperatorToken shows a new operator token, the only time it is shown.
func printOperatorToken(w io.Writer, c kyb.OperatorCredentials, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(c)
	}
	_, err := fmt.Fprintf(w, "operator_id  %s\ntoken        %s\nexpires_at   %s\n\nSend it as \"Authorization: Bearer <token>\" to /admin. Store it now: it is not shown again.\n", c.OperatorID, c.Token, c.ExpiresAt)
	return err
}

func operatorsList(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("operators list", "operators list [--json] [--database-url URL]", e)
	asJSON := fs.Bool("json", false, "print a JSON array")
	return withOperators(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		ops, err := svc.Operators(ctx)
		if err != nil {
			return err
		}
		views := make([]kyb.OperatorView, 0, len(ops))
		for _, op := range ops {
			views = append(views, svc.OperatorView(op))
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(views)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "OPERATOR ID\tNAME\tADMIN\tCONSOLE\tCREATED\tTOKEN EXPIRES\tDISABLED")
		for i, v := range views {
			fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%s\t%s\t%s\n", v.OperatorID, v.Name, v.Admin, consoleAccount(ops[i]), v.CreatedAt, v.TokenExpiresAt, v.DisabledAt)
		}
		return tw.Flush()
	})
}

// consoleAccount says where an operator's console account stands.
func consoleAccount(op kyb.Operator) string {
	switch {
	case op.PasswordHash != "" && op.TOTPSecret != "":
		return "set up, with TOTP"
	case op.PasswordHash != "":
		return "set up"
	case op.Email != "":
		return "set-up link sent"
	}
	return "none"
}

func operatorsDisable(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("operators disable", "operators disable OPERATOR_ID [--database-url URL]", e)
	id, args, err := leadingID(fs, args, "the operator id")
	if err != nil {
		return err
	}
	return withOperators(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		op, err := svc.DisableOperator(ctx, cliActor, id)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "disabled %s (%s); their token is refused at once on every instance\n", op.ID, op.Name)
		return err
	})
}

func operatorsRotateToken(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("operators rotate-token", "operators rotate-token OPERATOR_ID [--json] [--database-url URL]", e)
	asJSON := fs.Bool("json", false, "print one JSON object with operator_id, token and expires_at")
	id, args, err := leadingID(fs, args, "the operator id")
	if err != nil {
		return err
	}
	return withOperators(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		creds, err := svc.RotateOperatorToken(ctx, cliActor, id)
		if err != nil {
			return err
		}
		return printOperatorToken(e.stdout, creds, *asJSON)
	})
}

func customersReview(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("customers review", "customers review CUSTOMER_ID --status active|rejected|suspended --reason TEXT [--database-url URL]", e)
	status := fs.String("status", "", "the new status: active, rejected or suspended (required)")
	reason := fs.String("reason", "", "why, for the audit trail and the partner (required)")
	id, args, err := leadingID(fs, args, "the customer id")
	if err != nil {
		return err
	}
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		c, err := svc.ChangeStatus(ctx, cliActor, id, kyb.StatusChange{Status: kyb.Status(*status), Reason: *reason})
		if err != nil {
			return err
		}
		if c.Status == kyb.StatusPending && len(c.Approvals) > 0 {
			// The two-person rule: the command line counts as one operator.
			_, err = fmt.Fprintf(e.stdout, "%s stays pending: approval recorded, awaiting a second approval by another operator\n", c.ID)
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s is now %s\n", c.ID, c.Status)
		return err
	})
}

func customersList(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("customers list", "customers list [--status STATUS] [--partner ID] [--limit N] [--database-url URL]", e)
	status := fs.String("status", "pending", "only customers with this status (empty for all)")
	partner := fs.String("partner", "", "only this partner's customers")
	limit := fs.Int("limit", kyb.DefaultPageSize, "how many, oldest first")
	return withService(ctx, fs, args, e, nil, func(svc *kyb.Service) error {
		q := kyb.CustomerQuery{PartnerID: *partner, Status: kyb.Status(*status), Limit: *limit, OldestFirst: true}
		page, err := svc.ListCustomers(ctx, q)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CUSTOMER ID\tPARTNER ID\tSTATUS\tCREATED")
		for _, c := range page.Customers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.PartnerID, c.Status, kyb.FormatTime(c.CreatedAt))
		}
		return tw.Flush()
	})
}

// withWebhooks is withService for commands that add webhook endpoints or
// rotate their secrets: it reads --allow-insecure-webhooks and
// --webhook-secret-grace too.
func withWebhooks(ctx context.Context, fs *flag.FlagSet, args []string, e env, check func() error, fn func(*kyb.Service) error) error {
	settings := []string{"database-url", "allow-insecure-webhooks", "webhook-secret-grace"}
	options := func(cfg config.Config) ([]kyb.Option, error) {
		return []kyb.Option{kyb.WithInsecureWebhooks(cfg.AllowInsecureWebhooks), kyb.WithWebhookSecretGrace(cfg.WebhookSecretGrace)}, nil
	}
	return openService(ctx, fs, args, e, settings, check, options, func(_ config.Config, svc *kyb.Service) error { return fn(svc) })
}

func webhooksCreate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("webhooks create", "webhooks create --partner ID --url URL [--json] [--database-url URL]", e)
	partner := fs.String("partner", "", "the partner's id (required)")
	url := fs.String("url", "", "the endpoint's https URL (required)")
	asJSON := fs.Bool("json", false, "print one JSON object with id, url, created_at and secret")
	check := func() error {
		if *partner == "" || *url == "" {
			return command.Usage("webhooks create: --partner and --url are required")
		}
		return nil
	}
	return withWebhooks(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		if _, err := svc.Partner(ctx, *partner); err != nil {
			return err
		}
		ep, err := svc.CreateEndpoint(ctx, cliActor, *partner, *url)
		if err != nil {
			return err
		}
		return printEndpoint(e.stdout, ep, *asJSON)
	})
}

func webhooksRotate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("webhooks rotate-secret", "webhooks rotate-secret --partner ID --endpoint ID [--json] [--database-url URL]", e)
	partner := fs.String("partner", "", "the partner's id (required)")
	endpoint := fs.String("endpoint", "", "the endpoint's id (required)")
	asJSON := fs.Bool("json", false, "print one JSON object with id, url, created_at and secret")
	check := func() error {
		if *partner == "" || *endpoint == "" {
			return command.Usage("webhooks rotate-secret: --partner and --endpoint are required")
		}
		return nil
	}
	return withWebhooks(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		ep, err := svc.RotateEndpointSecret(ctx, cliActor, *partner, *endpoint)
		if err != nil {
			return err
		}
		return printEndpoint(e.stdout, ep, *asJSON)
	})
}

func printEndpoint(w io.Writer, ep kyb.Endpoint, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(struct {
			ID        string `json:"id"`
			URL       string `json:"url"`
			CreatedAt string `json:"created_at"`
			Secret    string `json:"secret"`
		}{ep.ID, ep.URL, kyb.FormatTime(ep.CreatedAt), ep.Secret})
	}
	_, err := fmt.Fprintf(w, "endpoint  %s\nurl       %s\nsecret    %s\n\nStore the secret now: it is not shown again.\n", ep.ID, ep.URL, ep.Secret)
	return err
}

func webhooksList(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("webhooks list", "webhooks list --partner ID [--database-url URL]", e)
	partner := fs.String("partner", "", "the partner's id (required)")
	check := func() error {
		if *partner == "" {
			return command.Usage("webhooks list: --partner is required")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		endpoints, err := svc.Endpoints(ctx, *partner)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ENDPOINT ID\tURL\tCREATED")
		for _, ep := range endpoints {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", ep.ID, ep.URL, kyb.FormatTime(ep.CreatedAt))
		}
		return tw.Flush()
	})
}

func webhooksDelete(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("webhooks delete", "webhooks delete --partner ID --endpoint ID [--database-url URL]", e)
	partner := fs.String("partner", "", "the partner's id (required)")
	endpoint := fs.String("endpoint", "", "the endpoint's id (required)")
	check := func() error {
		if *partner == "" || *endpoint == "" {
			return command.Usage("webhooks delete: --partner and --endpoint are required")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		if err := svc.DeleteEndpoint(ctx, cliActor, *partner, *endpoint); err != nil {
			return err
		}
		_, err := fmt.Fprintf(e.stdout, "deleted %s\n", *endpoint)
		return err
	})
}

func webhooksRedeliver(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("webhooks redeliver", "webhooks redeliver --event ID [--database-url URL]", e)
	event := fs.String("event", "", "the event's id (required)")
	check := func() error {
		if *event == "" {
			return command.Usage("webhooks redeliver: --event is required")
		}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		n, err := svc.Redeliver(ctx, cliActor, *event)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s queued again for %d endpoint(s); a running serve sends it within a second\n", *event, n)
		return err
	})
}

func auditVerify(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("audit verify", "audit verify [--head SEQ:HASH] [--database-url URL]", e)
	head := fs.String("head", "", "a head printed by an earlier verify and kept elsewhere: the chain must still pass through it")
	var recorded kyb.AuditHead
	check := func() error {
		if *head == "" {
			return nil
		}
		seq, hash, ok := strings.Cut(*head, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || n < 1 || len(hash) != 64 {
			return command.Usage("audit verify: --head must be SEQ:HASH, as verify prints it")
		}
		recorded = kyb.AuditHead{Seq: n, Hash: hash}
		return nil
	}
	return withService(ctx, fs, args, e, check, func(svc *kyb.Service) error {
		v, err := svc.VerifyAudit(ctx, recorded)
		if err != nil {
			return err
		}
		if v.Broken != "" {
			return fmt.Errorf("audit trail broken after %d good event(s): %s", v.Rows, v.Broken)
		}
		_, err = fmt.Fprintf(e.stdout, "audit trail intact: %d event(s); head %d:%s\nKeep the head elsewhere and pass it to a later verify as --head: that shows the chain up to it was not rewritten, nor its end removed.\n", v.Rows, v.HeadSeq, v.HeadHash)
		return err
	})
}
