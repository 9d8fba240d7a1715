// Package metrics exposes the service's Prometheus metrics: HTTP requests
// by route and status, refusals and failed authentications, the database's
// connection pools and the webhook outbox. They are served by a handler of
// their own, meant for a listener apart from the public one.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/sqlstore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Store is what the metrics read from the database when scraped. A store
// that is also a sqlstore.PoolReporter has its connection pools described too.
type Store interface {
	PendingDeliveries(ctx context.Context) (int, error)
}

// RescreenReporter is a store that keeps re-screening jobs (ongoing
// monitoring); the newest job's progress is read at scrape time.
type RescreenReporter interface {
	RescreenJobs(ctx context.Context, limit int) ([]kyb.RescreenJob, error)
}

// scrapeTimeout bounds the queries of one scrape.
const scrapeTimeout = 2 * time.Second

// Metrics records what the service does and serves it to Prometheus. Its
// methods are safe for concurrent use.
type Metrics struct {
	registry     *prometheus.Registry
	log          *slog.Logger
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	refused      *prometheus.CounterVec
	authFailures *prometheus.CounterVec
	attempts     *prometheus.CounterVec
}

// New returns the metrics of a service on store, in a registry of their
// own together with the Go runtime's and the process's.
func New(store Store, log *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		log:      log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onboard_http_requests_total",
			Help: "HTTP requests answered, by route pattern (\"unmatched\" for none) and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "onboard_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "code"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onboard_rate_limit_rejections_total",
			Help: "Requests refused with 429, by reason: rate_limit (the API key's rate limit) or auth_failures (too many failed authentications).",
		}, []string{"reason"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onboard_auth_failures_total",
			Help: "Failed authentications, by surface: partner (/api) or operator (/admin).",
		}, []string{"surface"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onboard_webhook_delivery_attempts_total",
			Help: "Webhook delivery attempts of this instance, by outcome: succeeded, retry (to be tried again) or failed (for good).",
		}, []string{"outcome"}),
	}
	// Series that exist from the start show a zero rather than nothing.
	for _, reason := range []string{"rate_limit", "auth_failures"} {
		m.refused.WithLabelValues(reason)
	}
	for _, surface := range []string{"partner", "operator"} {
		m.authFailures.WithLabelValues(surface)
	}
	for _, outcome := range []string{"succeeded", "retry", "failed"} {
		m.attempts.WithLabelValues(outcome)
	}
	m.registry.MustRegister(m.requests, m.duration, m.refused, m.authFailures, m.attempts,
		&database{store: store, log: log},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics at GET /metrics.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		// A failed query leaves its series out, not the whole scrape.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		Registry:      m.registry,
	}))
	return mux
}

// Request counts an answered request; it is an httpapi.Observer.
func (m *Metrics) Request(route string, status int, elapsed time.Duration) {
	if status == 0 {
		status = http.StatusOK // the handler wrote nothing
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.duration.WithLabelValues(route, code).Observe(elapsed.Seconds())
}

// AuthFailed counts a failed authentication on a surface.
func (m *Metrics) AuthFailed(surface string) { m.authFailures.WithLabelValues(surface).Inc() }

// Refused counts a request refused with 429 for a reason.
func (m *Metrics) Refused(reason string) { m.refused.WithLabelValues(reason).Inc() }

// DeliveryAttempt counts a webhook delivery attempt by outcome; it is a
// webhook.Options.OnAttempt.
func (m *Metrics) DeliveryAttempt(outcome string) { m.attempts.WithLabelValues(outcome).Inc() }

// database reads the outbox and the connection pools at scrape time, so
// that they cost nothing between scrapes.
type database struct {
	store Store
	log   *slog.Logger
}

var (
	pendingDesc = prometheus.NewDesc("onboard_webhook_deliveries_pending",
		"Webhook deliveries of every partner waiting to be sent or retried, across all instances.", nil, nil)
	connectionsDesc = prometheus.NewDesc("onboard_db_connections",
		"Open database connections, by pool and state (in_use or idle).", []string{"pool", "state"}, nil)
	maxConnectionsDesc = prometheus.NewDesc("onboard_db_connections_max",
		"The most connections a pool may open.", []string{"pool"}, nil)
	waitsDesc = prometheus.NewDesc("onboard_db_connection_waits_total",
		"Times a query waited for a free connection, by pool.", []string{"pool"}, nil)
	waitSecondsDesc = prometheus.NewDesc("onboard_db_connection_wait_seconds_total",
		"Time queries spent waiting for a free connection, by pool.", []string{"pool"}, nil)
	rescreenDesc = prometheus.NewDesc("onboard_rescreen_customers",
		"The newest re-screening job (ongoing monitoring, across all instances), in customers: total to screen, done, and flagged (active customers marked for review).",
		[]string{"state"}, nil)
	rescreenRunningDesc = prometheus.NewDesc("onboard_rescreen_running",
		"1 while the newest re-screening job is unfinished, else 0 (also 0 before any list was imported).", nil, nil)
)

func (d *database) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{pendingDesc, connectionsDesc, maxConnectionsDesc, waitsDesc, waitSecondsDesc, rescreenDesc, rescreenRunningDesc} {
		ch <- desc
	}
}

func (d *database) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if n, err := d.store.PendingDeliveries(ctx); err != nil {
		d.log.Warn("metrics: count pending deliveries", "error", err.Error())
		ch <- prometheus.NewInvalidMetric(pendingDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(n))
	}
	d.collectRescreen(ctx, ch)
	pools, ok := d.store.(sqlstore.PoolReporter)
	if !ok {
		return
	}
	for _, p := range pools.PoolStats() {
		ch <- prometheus.MustNewConstMetric(connectionsDesc, prometheus.GaugeValue, float64(p.InUse), p.Name, "in_use")
		ch <- prometheus.MustNewConstMetric(connectionsDesc, prometheus.GaugeValue, float64(p.Idle), p.Name, "idle")
		ch <- prometheus.MustNewConstMetric(maxConnectionsDesc, prometheus.GaugeValue, float64(p.Max), p.Name)
		ch <- prometheus.MustNewConstMetric(waitsDesc, prometheus.CounterValue, float64(p.WaitCount), p.Name)
		ch <- prometheus.MustNewConstMetric(waitSecondsDesc, prometheus.CounterValue, p.WaitDuration.Seconds(), p.Name)
	}
}

// collectRescreen describes the newest re-screening job.
func (d *database) collectRescreen(ctx context.Context, ch chan<- prometheus.Metric) {
	r, ok := d.store.(RescreenReporter)
	if !ok {
		return
	}
	jobs, err := r.RescreenJobs(ctx, 1)
	if err != nil {
		d.log.Warn("metrics: read re-screening jobs", "error", err.Error())
		ch <- prometheus.NewInvalidMetric(rescreenDesc, err)
		return
	}
	var j kyb.RescreenJob
	if len(jobs) > 0 {
		j = jobs[0]
	}
	for state, n := range map[string]int{"total": j.Customers, "done": j.DoneCustomers, "flagged": j.Flagged} {
		ch <- prometheus.MustNewConstMetric(rescreenDesc, prometheus.GaugeValue, float64(n), state)
	}
	running := 0.0
	if len(jobs) > 0 && j.FinishedAt.IsZero() && j.SupersededAt.IsZero() {
		running = 1
	}
	ch <- prometheus.MustNewConstMetric(rescreenRunningDesc, prometheus.GaugeValue, running)
}
