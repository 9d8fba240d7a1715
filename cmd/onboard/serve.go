package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/onboardkyb/onboard/internal/command"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/console"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/webhook"
)

func serve(ctx context.Context, args []string, e env) error {
	cfg := config.Default()
	fs := newFlagSet("serve", "serve [flags]", e)
	if err := cfg.Bind(fs, e.getenv, config.ServeSettings...); err != nil {
		return err
	}
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	log.Info("starting", "config", cfg.String(), "gc", tuneGC())

	store, keys, err := command.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	files := kyb.CipherOf(keys)
	defer store.Close()
	m := newMetrics(cfg, store, log)
	if cfg.AllowInsecureWebhooks {
		log.Warn("insecure webhooks allowed: http endpoints on loopback and private addresses are accepted; never do this in production")
	}
	relay := webhook.New(webhook.Options{
		Store: store, Cipher: files, Log: log,
		Timeout:      cfg.WebhookTimeout,
		Schedule:     webhook.Schedule{Initial: cfg.WebhookRetryInitial, Max: cfg.WebhookRetryMax, GiveUpAfter: cfg.WebhookGiveUpAfter},
		Workers:      cfg.WebhookWorkers,
		AllowPrivate: cfg.AllowInsecureWebhooks,
		OnAttempt:    attemptCounter(m),
	})
	svc := kyb.NewService(store, append(screeningOptions(cfg), kyb.WithCipher(files), kyb.WithInsecureWebhooks(cfg.AllowInsecureWebhooks), kyb.WithEventNotifier(relay.Notify),
		kyb.WithWebhookSecretGrace(cfg.WebhookSecretGrace), kyb.WithOperatorTokenTTL(cfg.OperatorTokenTTL), kyb.WithConsolePolicy(cfg.ConsolePolicy()))...)
	// The relay outlives the HTTP server during shutdown, so that events of
	// the last requests are still sent, and stops after it.
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	relayDone := make(chan struct{})
	go func() { relay.Run(relayCtx); close(relayDone) }()
	defer func() { stopRelay(); <-relayDone }()
	stopRetention := runRetention(relayCtx, svc, cfg.RetainRejected, log)
	defer stopRetention()
	stopMonitoring := runMonitoring(relayCtx, svc, log)
	defer stopMonitoring()
	stopListUpdates := runListUpdates(relayCtx, svc, cfg, log)
	defer stopListUpdates()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	addr := ln.Addr().String()
	if err := createSandbox(ctx, cfg, svc, addr, e.stderr); err != nil {
		ln.Close()
		return err
	}
	stopMetrics, err := serveMetrics(cfg.MetricsAddr, m, cfg.Pprof, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()

	api := httpapi.New(svc, log, serverOptions(cfg, m)...)
	api.Mount("/console", console.New(console.Options{Service: svc, Log: log, ClientKey: api.ClientKey, LoginFailures: api.AuthFailures()}))
	srv := &http.Server{
		Handler: api,
		// Timeouts cut off clients that send or read too slowly, so they
		// cannot hold connections open.
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", addr)
	if e.listening != nil {
		e.listening(addr)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// retentionInterval is how often serve erases the customers whose
// retention period ended.
const retentionInterval = time.Hour

// runRetention erases, at start and then every retentionInterval, the
// personal data of customers rejected longer than retain ago, until the
// returned stop is called. Instances running it together skip what
// another erased first.
func runRetention(ctx context.Context, svc *kyb.Service, retain time.Duration, log *slog.Logger) (stop func()) {
	if retain <= 0 {
		return func() {}
	}
	return runEvery(ctx, retentionInterval, func(ctx context.Context) {
		n, err := svc.EraseExpired(ctx, retain)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention: erasing expired customers failed", "err", err)
		case n > 0:
			log.Info("retention: erased customers whose retention period ended", "customers", n, "retain_rejected", retain.String())
		}
	})
}

// runEvery runs fn at once and then every interval, in a goroutine of its
// own, until the returned stop is called; stop waits for fn to return.
func runEvery(ctx context.Context, interval time.Duration, fn func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			fn(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level)) // validated by config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// sandboxFile is written beside an embedded database so that the README's
// curl works as pasted: ". ./data/sandbox.env && curl ...".
const sandboxFile = "sandbox.env"

// createSandbox gives a newcomer credentials on first start: on an empty
// SQLite database always, on PostgreSQL only when asked.
func createSandbox(ctx context.Context, cfg config.Config, svc *kyb.Service, addr string, w io.Writer) error {
	engine, path, _ := config.ParseDatabaseURL(cfg.DatabaseURL)
	if engine != config.SQLite && !cfg.SandboxPartner {
		return nil
	}
	partners, err := svc.Partners(ctx)
	if err != nil || len(partners) > 0 {
		return err
	}
	creds, err := svc.CreatePartner(ctx, kyb.Actor{Type: kyb.ActorSystem, ID: "serve"}, "Sandbox", true)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `
Sandbox partner created. Its secret is shown only now.
  partner_id  %s
  api_key     %s
  api_secret  %s
`, creds.PartnerID, creds.APIKey, creds.APISecret)
	if engine == config.SQLite {
		envPath := filepath.Join(filepath.Dir(path), sandboxFile)
		body := fmt.Sprintf("# Sandbox credentials of the embedded development database; delete this file once noted.\nONBOARD_API_KEY=%s\nONBOARD_API_SECRET=%s\n", creds.APIKey, creds.APISecret)
		if err := os.WriteFile(envPath, []byte(body), 0o600); err != nil {
			return fmt.Errorf("write sandbox credentials: %w", err)
		}
		fmt.Fprintf(w, "  (also saved to %s for the README's examples)\n", envPath)
	}
	fmt.Fprintf(w, `
Try it:
  curl -sS http://%s/api/customers/create -H 'Content-Type: application/json' -H 'X-API-Key: %s' -H 'X-API-Secret: %s' --data '{"partner_customer_id":"sandbox-customer-0001","business_details":{"business_name":"Example Ltd","business_identifier_number":"12345678","business_identifier_country_code":"GB"},"registration_address":{"registration_address_line1":"1 High Street","registration_address_city":"London","registration_address_country_code":"GB"}}'

`, addr, creds.APIKey, creds.APISecret)
	return nil
}
