package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/storetest"
)

// metricsAddr returns the address serve logged for its metrics.
func metricsAddr(t *testing.T, srv *server) string {
	t.Helper()
	for line := range strings.Lines(srv.stderr.String()) {
		var entry struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "metrics listening" {
			return entry.Addr
		}
	}
	t.Fatalf("serve did not log its metrics address:\n%s", srv.stderr)
	return ""
}

func httpGet(t *testing.T, url string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestServeLimitsAndMetrics(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	srv := startServe(t, "--database-url", dbURL, "--file-encryption-key", testFileKey,
		"--rate-limit", "0.01", "--rate-burst", "2", "--metrics-addr", "127.0.0.1:0")
	out, err := cli(t, "partners", "create", "--name", "Acme Payments", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	acme := jsonCredentials(t, out)
	auth := []string{"X-API-Key", acme.APIKey, "X-API-Secret", acme.APISecret}
	for i := range 2 {
		if status, h, body := httpGet(t, srv.URL+"/api/customers", auth...); status != http.StatusOK || h.Get("X-RateLimit-Limit") != "2" {
			t.Fatalf("request %d = %d with X-RateLimit-Limit %q, want 200 with 2: %s", i+1, status, h.Get("X-RateLimit-Limit"), body)
		}
	}
	if status, h, _ := httpGet(t, srv.URL+"/api/customers", auth...); status != http.StatusTooManyRequests || h.Get("Retry-After") != "100" {
		t.Errorf("third request = %d with Retry-After %q, want 429 with 100", status, h.Get("Retry-After"))
	}

	// A partner's own limit reaches the running server within KeyCacheTTL.
	out, err = cli(t, "partners", "rate-limit", acme.PartnerID, "--rps", "100", "--burst", "200", "--database-url", dbURL)
	if err != nil || !strings.Contains(out, acme.PartnerID+": 100 requests per second, bursts of 200 for each API key") {
		t.Fatalf("partners rate-limit = %q, %v", out, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, h, _ := httpGet(t, srv.URL+"/api/customers", auth...)
		if status == http.StatusOK && h.Get("X-RateLimit-Limit") == "200" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the partner's limit did not apply within 5s: %d, X-RateLimit-Limit %q", status, h.Get("X-RateLimit-Limit"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := cli(t, "partners", "rate-limit", acme.PartnerID, "--database-url", dbURL); err != nil || !strings.Contains(out, "bursts of 200") {
		t.Errorf("partners rate-limit (show) = %q, %v", out, err)
	}
	if out, err := cli(t, "partners", "rate-limit", acme.PartnerID, "--default", "--database-url", dbURL); err != nil || !strings.Contains(out, "the default rate limit") {
		t.Errorf("partners rate-limit --default = %q, %v", out, err)
	}

	// Metrics are on their own listener only.
	if status, _, _ := httpGet(t, srv.URL+"/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public address = %d, want 404", status)
	}
	status, _, scrape := httpGet(t, "http://"+metricsAddr(t, srv)+"/metrics")
	if strings.Contains(scrape, `onboard_rate_limit_rejections_total{reason="rate_limit"} 0`) {
		t.Error("the metrics counted no rate limit rejection")
	}
	for _, want := range []string{
		`onboard_http_requests_total{code="429",route="GET /api/customers"} `,
		`onboard_rate_limit_rejections_total{reason="rate_limit"} `,
		`onboard_db_connections{pool="write",state="in_use"}`,
		`onboard_webhook_deliveries_pending 0`,
	} {
		if status != http.StatusOK || !strings.Contains(scrape, want) {
			t.Errorf("metrics (%d) lack %q", status, want)
		}
	}
}

func TestRateLimitCommandLineErrors(t *testing.T) {
	db := storetest.SQLiteURL(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"partners", "rate-limit"}, "partner id is required"},
		{[]string{"partners", "rate-limit", "ptn_x", "--rps", "5", "--database-url", db}, "--rps and --burst go together"},
		{[]string{"partners", "rate-limit", "ptn_x", "--default", "--burst", "5", "--database-url", db}, "--default goes without"},
		{[]string{"partners", "rate-limit", "ptn_x", "--rps", "0", "--burst", "5", "--database-url", db}, "requests_per_second"},
		{[]string{"partners", "rate-limit", "ptn_x", "--rps", "5", "--burst", "5", "--database-url", db}, "partner not found"},
		{[]string{"serve", "--rate-limit", "-1", "--database-url", db}, "rate-limit"},
		{[]string{"serve", "--trusted-proxies", "proxy.example.com", "--database-url", db}, "neither an address nor a CIDR prefix"},
		{[]string{"serve", "--metrics-addr", "127.0.0.1:8083", "--database-url", db}, "must differ from addr"},
	} {
		if _, err := cli(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("onboard %v: error = %v, want %q", tt.args, err, tt.want)
		}
	}
}
