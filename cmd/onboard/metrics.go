package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/metrics"
)

// newMetrics returns serve's metrics, or nil when they are off.
func newMetrics(cfg config.Config, store kyb.Store, log *slog.Logger) *metrics.Metrics {
	if cfg.MetricsAddr == "" {
		return nil
	}
	return metrics.New(store, log)
}

// attemptCounter returns the relay's hook into m, nil when metrics are off.
func attemptCounter(m *metrics.Metrics) func(outcome string) {
	if m == nil {
		return nil
	}
	return m.DeliveryAttempt
}

// serverOptions returns the HTTP server's limits from the settings, and
// its observer when metrics are on.
func serverOptions(cfg config.Config, m *metrics.Metrics) []httpapi.Option {
	limits := httpapi.DefaultLimits()
	limits.Rate = kyb.RateLimit{PerSecond: cfg.RateLimit, Burst: cfg.RateBurst}
	limits.TrustedProxies = cfg.TrustedProxies
	limits.MaxInFlight = cfg.MaxInFlight
	opts := []httpapi.Option{httpapi.WithLimits(limits)}
	if m != nil {
		opts = append(opts, httpapi.WithObserver(m))
	}
	return opts
}

// serveMetrics serves m on addr, a listener of its own apart from the
// public one, with the profiler too when profile is set, and returns the
// function that stops it. With m nil it does nothing.
func serveMetrics(addr string, m *metrics.Metrics, profile bool, log *slog.Logger) (stop func(), err error) {
	if m == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics: %w", err)
	}
	srv := &http.Server{
		Handler:           withProfiler(m.Handler(), profile),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err.Error())
		}
		close(done)
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
