package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/metrics"
	"github.com/onboardkyb/onboard/internal/storetest"
	"github.com/onboardkyb/onboard/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var _ httpapi.Observer = (*metrics.Metrics)(nil)

// fetch GETs a URL and returns the status and body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// has reports whether a scrape has a line starting with prefix.
func has(scrape, prefix string) bool {
	for line := range strings.Lines(scrape) {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

func TestMetricsAfterTraffic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		store := e.Open(t)
		cipher, err := kyb.NewCipher([]byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		svc := kyb.NewService(store, kyb.WithCipher(cipher), kyb.WithInsecureWebhooks(true))
		log := slog.New(slog.DiscardHandler)
		m := metrics.New(store, log)
		scraper := httptest.NewServer(m.Handler())
		t.Cleanup(scraper.Close)
		limits := httpapi.DefaultLimits()
		limits.Rate = kyb.RateLimit{PerSecond: 0.001, Burst: 3}
		apiServer := httptest.NewServer(httpapi.New(svc, log, httpapi.WithLimits(limits), httpapi.WithObserver(m)))
		t.Cleanup(apiServer.Close)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		t.Cleanup(receiver.Close)

		creds, err := svc.CreatePartner(t.Context(), kyb.Actor{Type: kyb.ActorSystem, ID: "test"}, "Metrics partner", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateEndpoint(t.Context(), kyb.Actor{Type: kyb.ActorSystem, ID: "test"}, creds.PartnerID, receiver.URL); err != nil {
			t.Fatal(err)
		}
		partner := client.New(apiServer.URL, creds.APIKey, creds.APISecret)
		_, err = partner.CreateCustomer(t.Context(), api.Profile{
			PartnerCustomerID:   "metrics-customer-000001",
			BusinessDetails:     &api.BusinessDetails{BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
			RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
		})
		if err != nil {
			t.Fatalf("CreateCustomer: %v", err)
		}
		statuses := []int{}
		for range 3 {
			_, err := partner.Customer(t.Context(), "cus_00000000000000000000000000000000")
			var apiErr *client.Error
			errors.As(err, &apiErr)
			statuses = append(statuses, apiErr.StatusCode)
		}
		if !slices.Equal(statuses, []int{404, 404, 429}) {
			t.Errorf("statuses = %v, want 404, 404 and 429 over the limit", statuses)
		}
		client.New(apiServer.URL, creds.APIKey, "sk_wrong").Customer(t.Context(), "cus_00000000000000000000000000000000")
		fetch(t, apiServer.URL+"/no/such/path")
		if status, _ := fetch(t, apiServer.URL+"/metrics"); status != http.StatusNotFound {
			t.Errorf("GET /metrics on the public server = %d, want 404", status)
		}
		_, scrape := fetch(t, scraper.URL+"/metrics")
		if !has(scrape, "onboard_webhook_deliveries_pending ") {
			t.Errorf("no pending deliveries in\n%s", scrape)
		}

		relayCtx, stop := context.WithCancel(context.Background())
		relay := webhook.New(webhook.Options{Store: store, Cipher: cipher, Log: log, Timeout: 5 * time.Second, Schedule: webhook.DefaultSchedule,
			Poll: 20 * time.Millisecond, AllowPrivate: true, OnAttempt: m.DeliveryAttempt})
		done := make(chan struct{})
		go func() { relay.Run(relayCtx); close(done) }()
		t.Cleanup(func() { stop(); <-done })
		deadline := time.Now().Add(20 * time.Second)
		for !has(scrape, `onboard_webhook_delivery_attempts_total{outcome="succeeded"} 1`) {
			if time.Now().After(deadline) {
				t.Fatalf("the delivery was not counted:\n%s", scrape)
			}
			time.Sleep(20 * time.Millisecond)
			_, scrape = fetch(t, scraper.URL+"/metrics")
		}

		pools := map[string][]string{"sqlite": {"read", "write"}, "postgres": {"pgx"}}[e.Name]
		want := []string{
			`onboard_http_requests_total{code="200",route="POST /api/customers/create"} 1`,
			`onboard_http_requests_total{code="404",route="GET /api/customers/{customer_id}"} 2`,
			`onboard_http_requests_total{code="429",route="GET /api/customers/{customer_id}"} 1`,
			`onboard_http_requests_total{code="401",route="GET /api/customers/{customer_id}"} 1`,
			`onboard_http_requests_total{code="404",route="unmatched"} 2`, // /no/such/path and /metrics
			`onboard_http_request_duration_seconds_bucket{code="200",route="POST /api/customers/create",le="+Inf"} 1`,
			`onboard_http_request_duration_seconds_count{code="404",route="GET /api/customers/{customer_id}"} 2`,
			`onboard_rate_limit_rejections_total{reason="rate_limit"} 1`,
			`onboard_rate_limit_rejections_total{reason="auth_failures"} 0`,
			`onboard_auth_failures_total{surface="partner"} 1`,
			`onboard_auth_failures_total{surface="operator"} 0`,
			`onboard_webhook_delivery_attempts_total{outcome="retry"} 0`,
			`onboard_webhook_deliveries_pending `,
			`onboard_rescreen_customers{state="total"} `,
			`onboard_rescreen_running `,
			`go_goroutines `,
		}
		for _, pool := range pools {
			want = append(want,
				`onboard_db_connections{pool="`+pool+`",state="in_use"} `,
				`onboard_db_connections{pool="`+pool+`",state="idle"} `,
				`onboard_db_connections_max{pool="`+pool+`"} `,
				`onboard_db_connection_waits_total{pool="`+pool+`"} `,
				`onboard_db_connection_wait_seconds_total{pool="`+pool+`"} `)
		}
		for _, w := range want {
			if !has(scrape, w) {
				t.Errorf("the scrape has no line %q", w)
			}
		}
		if strings.Contains(scrape, "/no/such/path") {
			t.Error("a raw path became a label")
		}
	})
}

// failingStore cannot count its outbox.
type failingStore struct{}

func (failingStore) PendingDeliveries(context.Context) (int, error) {
	return 0, errors.New("database down")
}

func TestMetricsSurviveAFailingQuery(t *testing.T) {
	srv := httptest.NewServer(metrics.New(failingStore{}, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	status, scrape := fetch(t, srv.URL+"/metrics")
	if status != http.StatusOK || has(scrape, "onboard_webhook_deliveries_pending ") || !has(scrape, "go_goroutines ") {
		t.Errorf("scrape with a failing query = %d, want 200 with everything but the pending deliveries:\n%s", status, scrape)
	}
	if status, _ := fetch(t, srv.URL+"/other"); status != http.StatusNotFound {
		t.Errorf("GET /other = %d, want 404", status)
	}
}

// monitoredStore has a re-screening job half done.
type monitoredStore struct{ failingStore }

func (monitoredStore) RescreenJobs(context.Context, int) ([]kyb.RescreenJob, error) {
	return []kyb.RescreenJob{{ID: "rsj_1", Customers: 250, DoneCustomers: 100, Flagged: 2, StartedAt: time.Now()}}, nil
}

func TestMetricsDescribeMonitoring(t *testing.T) {
	srv := httptest.NewServer(metrics.New(monitoredStore{}, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	_, scrape := fetch(t, srv.URL+"/metrics")
	for _, want := range []string{`onboard_rescreen_customers{state="total"} 250`, `onboard_rescreen_customers{state="done"} 100`,
		`onboard_rescreen_customers{state="flagged"} 2`, `onboard_rescreen_running 1`} {
		if !has(scrape, want) {
			t.Errorf("the scrape has no line %q:\n%s", want, scrape)
		}
	}
}
