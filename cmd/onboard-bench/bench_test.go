package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/loadtest"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// decodeOne parses the single JSON object a --json command prints.
func decodeOne(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output is not the JSON object expected: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("output has more than one JSON object:\n%s", out)
	}
}

func TestBenchAgainstARealServer(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	srv := startServe(t, dbURL)
	out, err := cli(t, "run", "--url", srv.URL, "--database-url", dbURL, "--scenario", "mixed", "--concurrency", "2",
		"--duration", "600ms", "--warmup", "0s", "--rounds", "2", "--customers", "30", "--limit", "10", "--json")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var r loadtest.Report
	decodeOne(t, out, &r)
	if r.Scenario != loadtest.Mixed || r.Concurrency != 2 || r.Store != "sqlite" || r.URL != srv.URL {
		t.Errorf("report = %+v", r)
	}
	for name, s := range map[string]*loadtest.Summary{"server": &r.Server, "ceiling_http": r.CeilingHTTP, "ceiling_db": r.CeilingDB} {
		if s == nil {
			t.Errorf("%s: missing", name)
			continue
		}
		if s.OK == 0 || s.OK != s.Requests || len(s.Errors) > 0 || s.Throughput <= 0 || s.P50 <= 0 || s.P50 > s.P99 || s.P99 > s.Max {
			t.Errorf("%s = %+v, want only successes with ordered percentiles", name, *s)
		}
	}
	if r.RatioHTTP <= 0 || r.RatioDB <= 0 {
		t.Errorf("ratios = %v, %v; want both measured", r.RatioHTTP, r.RatioDB)
	}
}

func TestBenchCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"bench"}, `unknown command "bench"`},
		{[]string{"run"}, "give --api-key and --api-secret"},
		{[]string{"run", "--api-key", "ak_x"}, "give --api-key and --api-secret"},
		{[]string{"run", "--api-key", "k", "--api-secret", "s", "--scenario", "delete"}, `--scenario "delete"`},
		{[]string{"run", "--api-key", "k", "--api-secret", "s", "--concurrency", "0"}, "--concurrency"},
		{[]string{"run", "--api-key", "k", "--api-secret", "s", "--limit", "101"}, "--limit"},
		{[]string{"run", "--api-key", "k", "--api-secret", "s", "--pages", "last"}, "--pages"},
		{[]string{"run", "--database-url", "mysql://x"}, "want sqlite:PATH or postgres://"},
		{[]string{"seed", "--database-url", storetest.SQLiteURL(t)}, "--customers must be a positive number"},
		{[]string{"seed", "--customers", "1", "--workers", "0"}, "--workers must be at least 1"},
		{[]string{"seed", "--customers", "1", "--partner", "ptn_nope", "--database-url", storetest.SQLiteURL(t)}, "partner not found"},
	}
	for _, tt := range tests {
		_, err := cli(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("onboard-bench %v: error = %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestSeedThenRead(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	out, err := cli(t, "seed", "--customers", "120", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	var seeded struct {
		PartnerID string  `json:"partner_id"`
		APIKey    string  `json:"api_key"`
		APISecret string  `json:"api_secret"`
		Customers int     `json:"customers"`
		Seconds   float64 `json:"seconds"`
	}
	decodeOne(t, out, &seeded)
	if seeded.Customers != 120 || seeded.APIKey == "" || seeded.APISecret == "" {
		t.Fatalf("seed --json = %+v", seeded)
	}
	if _, err := cli(t, "seed", "--customers", "30", "--partner", seeded.PartnerID, "--database-url", dbURL); err != nil {
		t.Fatalf("seed --partner: %v", err)
	}

	// The partner reads its 150 customers through the API, 100 a page.
	srv := startServe(t, dbURL)
	total, cursor := 0, ""
	for {
		req, _ := http.NewRequest("GET", srv.URL+"/api/customers?limit=100&starting_after="+cursor, nil)
		if cursor == "" {
			req.URL.RawQuery = "limit=100"
		}
		req.Header.Set("X-API-Key", seeded.APIKey)
		req.Header.Set("X-API-Secret", seeded.APISecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Data []struct {
				CustomerID string `json:"customer_id"`
			} `json:"data"`
			HasMore    bool   `json:"has_more"`
			NextCursor string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("list = %d, %v", resp.StatusCode, err)
		}
		total += len(page.Data)
		if !page.HasMore {
			break
		}
		cursor = page.NextCursor
	}
	if total != 150 {
		t.Errorf("listed %d customers, want 150", total)
	}
}

// A run starts its ceilings as child processes of this program: in a
// test, of the test binary, which then serves the ceiling instead.
func init() {
	if len(os.Args) > 1 && os.Args[1] == ceilingCommandName {
		main()
		os.Exit(0)
	}
}
