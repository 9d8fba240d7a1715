package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// server is "onboard serve" running in-process.
type server struct {
	URL    string
	stderr *syncBuffer
	stop   func() error
}

// testEnv is the environment of the commands the tests run: the
// encryption key of the stores the tests open themselves (storetest.Keys).
func testEnv(name string) string {
	if name == "ONBOARD_FILE_ENCRYPTION_KEY" {
		return testFileKey
	}
	return ""
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// startServe runs "onboard serve" with args on a free port until the test
// ends, and returns once it listens.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	return startServeWith(t, testEnv, args...)
}

// startServeWith is startServe in the environment getenv.
func startServeWith(t *testing.T, getenv func(string) string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	e := env{stdout: io.Discard, stderr: stderr, getenv: getenv, listening: func(a string) { addrc <- a }}
	go func() { done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), e) }()
	s := &server{stderr: stderr}
	select {
	case addr := <-addrc:
		s.URL = "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("serve exited: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not start:\n%s", stderr)
	}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// cli runs one onboard command and returns its stdout.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return cliWith(t, testEnv, args...)
}

// cliWith is cli in the environment getenv.
func cliWith(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, env{stdout: &stdout, stderr: &stderr, getenv: getenv})
	if err != nil {
		return stdout.String(), errors.Join(err, errors.New(stderr.String()))
	}
	return stdout.String(), nil
}

type credentials struct {
	PartnerID string `json:"partner_id"`
	APIKey    string `json:"api_key"`
	APISecret string `json:"api_secret"`
}

// jsonCredentials parses the single JSON object --json prints, insisting
// on exactly its three keys.
func jsonCredentials(t *testing.T, out string) credentials {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var raw map[string]string
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("output has more than one JSON object:\n%s", out)
	}
	if len(raw) != 3 || raw["partner_id"] == "" || raw["api_key"] == "" || raw["api_secret"] == "" {
		t.Fatalf("output = %v, want exactly partner_id, api_key and api_secret", raw)
	}
	return credentials{raw["partner_id"], raw["api_key"], raw["api_secret"]}
}

var sampleCustomer = api.Profile{
	PartnerCustomerID:   "cli-test-customer-000001",
	BusinessDetails:     &api.BusinessDetails{BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB"},
	RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
}

func TestServeAndAdminister(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := e.URL(t)
		srv := startServe(t, "--database-url", dbURL, "--file-encryption-key", testFileKey)
		ctx := context.Background()

		out, err := cli(t, "partners", "create", "--name", "Acme Payments", "--json", "--database-url", dbURL)
		if err != nil {
			t.Fatalf("partners create: %v", err)
		}
		acme := jsonCredentials(t, out)
		api := client.New(srv.URL, acme.APIKey, acme.APISecret)
		created, err := api.CreateCustomer(ctx, sampleCustomer)
		if err != nil {
			t.Fatalf("CreateCustomer with new partner's key: %v", err)
		}
		if created.Status != "pending" || created.BusinessDetails.BusinessName != "Example Ltd" {
			t.Errorf("created customer = %+v", created)
		}
		read, err := api.Customer(ctx, created.CustomerID)
		if err != nil || read.CustomerID != created.CustomerID || !read.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("Customer = %+v, %v; want %+v", read, err, created)
		}

		list, err := cli(t, "partners", "list", "--json", "--database-url", dbURL)
		if err != nil || !strings.Contains(list, acme.PartnerID) || !strings.Contains(list, "Acme Payments") {
			t.Errorf("partners list = %s, %v; want it to list %s", list, err, acme.PartnerID)
		}

		// Rotation: a second key works alongside the first; a third is refused.
		out, err = cli(t, "keys", "create", "--partner", acme.PartnerID, "--json", "--database-url", dbURL)
		if err != nil {
			t.Fatalf("keys create: %v", err)
		}
		second := jsonCredentials(t, out)
		if second.PartnerID != acme.PartnerID || second.APIKey == acme.APIKey {
			t.Errorf("second key = %+v, want a new key of %s", second, acme.PartnerID)
		}
		if _, err := client.New(srv.URL, second.APIKey, second.APISecret).Customer(ctx, created.CustomerID); err != nil {
			t.Errorf("second key cannot read the customer: %v", err)
		}
		if _, err := cli(t, "keys", "create", "--partner", acme.PartnerID, "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "two live API keys") {
			t.Errorf("third key: error = %v, want refusal", err)
		}

		// A revoked key stops working within five seconds.
		if _, err := cli(t, "keys", "revoke", acme.APIKey, "--database-url", dbURL); err != nil {
			t.Fatalf("keys revoke: %v", err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err := api.Customer(ctx, created.CustomerID)
			var apiErr *client.Error
			if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("revoked key still answered %v after 5s", err)
			}
			time.Sleep(100 * time.Millisecond)
		}

		// Validation errors come through the client with their fields.
		bad := sampleCustomer
		bad.PartnerCustomerID = "short"
		_, err = client.New(srv.URL, second.APIKey, second.APISecret).CreateCustomer(ctx, bad)
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || len(apiErr.Details) != 1 || apiErr.Details[0].Field != "partner_customer_id" {
			t.Errorf("invalid create error = %v, want 400 naming partner_customer_id", err)
		}

		if err := srv.stop(); err != nil {
			t.Errorf("serve did not stop cleanly: %v", err)
		}
		if strings.Contains(srv.stderr.String(), "Sandbox partner created") != (e.Name == "sqlite") {
			t.Errorf("sandbox partner created on %s: %v, want only on sqlite", e.Name, !(e.Name == "sqlite"))
		}
	})
}

func TestSandboxPartnerOnFirstStart(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "db", "onboard.db")
	srv := startServe(t, "--database-url", dbURL)
	stderr := srv.stderr.String()
	if !strings.Contains(stderr, "Sandbox partner created") || !strings.Contains(stderr, "curl -sS "+srv.URL+"/api/customers/create") {
		t.Fatalf("first start did not print the sandbox credentials and a curl line:\n%s", stderr)
	}
	envFile, err := os.ReadFile(filepath.Join(dir, "db", "sandbox.env"))
	if err != nil {
		t.Fatalf("sandbox.env: %v", err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(envFile), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			vars[k] = v
		}
	}
	if !strings.Contains(stderr, vars["ONBOARD_API_SECRET"]) {
		t.Errorf("sandbox.env secret %q is not the one printed", vars["ONBOARD_API_SECRET"])
	}
	api := client.New(srv.URL, vars["ONBOARD_API_KEY"], vars["ONBOARD_API_SECRET"])
	if _, err := api.CreateCustomer(context.Background(), sampleCustomer); err != nil {
		t.Fatalf("sandbox credentials do not work: %v", err)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	// The second start finds a partner and says nothing of credentials.
	again := startServe(t, "--database-url", dbURL)
	if strings.Contains(again.stderr.String(), "Sandbox partner created") {
		t.Errorf("second start created another sandbox partner")
	}
}

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	out, err := cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	creds := jsonCredentials(t, out)
	srv := startServe(t, "--database-url", dbURL)

	// A raw connection lets the test hold the request half-sent.
	body, _ := json.Marshal(sampleCustomer)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/customers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: %s\r\nX-API-Secret: %s\r\nContent-Length: %d\r\n\r\n",
		creds.APIKey, creds.APISecret, len(body))
	conn.Write(body[:10])
	time.Sleep(300 * time.Millisecond) // let the server start on the request

	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	// Once new connections are refused, shutdown has begun.
	for {
		if _, err := http.Get(srv.URL + "/healthz"); err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	conn.Write(body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("in-flight request during shutdown = %v, %v; want 200", resp, err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestCommandLineErrors(t *testing.T) {
	db := storetest.SQLiteURL(t)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"seed"}, `unknown command "seed"`}, // onboard-bench seed now, as bench is onboard-bench run
		{[]string{"partners", "create", "--database-url", db}, "--name is required"},
		{[]string{"partners", "create", "--name", "x", "--bogus"}, "flag provided but not defined"},
		{[]string{"keys", "create", "--database-url", db}, "--partner is required"},
		{[]string{"keys", "create", "--partner", "ptn_nope", "--database-url", db}, "partner not found"},
		{[]string{"keys", "revoke"}, "key to revoke is required"},
		{[]string{"keys", "revoke", "ak_nope", "--database-url", db}, "api key not found"},
		{[]string{"serve", "--database-url", "mysql://x"}, "want sqlite:PATH or postgres://"},
		{[]string{"serve", "--log-level", "loud"}, "log-level"},
		{[]string{"serve", "stray"}, "unexpected argument"},
	}
	for _, tt := range tests {
		_, err := cli(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("onboard %v: error = %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat("data"); err == nil {
		t.Errorf("a failed command created ./data")
	}
}

func TestOperatorsAndReviewOnTheCommandLine(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	srv := startServe(t, "--database-url", dbURL)
	out, err := cli(t, "operators", "create", "--name", "Olga", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatalf("operators create: %v", err)
	}
	var op map[string]string
	if err := json.Unmarshal([]byte(out), &op); err != nil || len(op) != 3 || !strings.HasPrefix(op["operator_id"], "opr_") || op["token"] == "" || op["expires_at"] == "" {
		t.Fatalf("operators create --json = %s, want exactly operator_id, token and expires_at", out)
	}
	out, err = cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	creds := jsonCredentials(t, out)
	created, err := client.New(srv.URL, creds.APIKey, creds.APISecret).CreateCustomer(context.Background(), sampleCustomer)
	if err != nil {
		t.Fatal(err)
	}

	// The token opens the admin API.
	req, _ := http.NewRequest("GET", srv.URL+"/admin/customers?status=pending", nil)
	req.Header.Set("Authorization", "Bearer "+op["token"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("admin API with the new token = %v, %v; want 200", resp, err)
	}
	resp.Body.Close()

	queue, err := cli(t, "customers", "list", "--database-url", dbURL)
	if err != nil || !strings.Contains(queue, created.CustomerID) {
		t.Errorf("customers list = %s, %v; want %s queued", queue, err, created.CustomerID)
	}
	out, err = cli(t, "customers", "review", created.CustomerID, "--status", "active", "--reason", "looks good", "--database-url", dbURL)
	if err != nil || !strings.Contains(out, "active") {
		t.Fatalf("customers review = %s, %v", out, err)
	}
	if _, err := cli(t, "customers", "review", created.CustomerID, "--status", "pending", "--reason", "undo", "--database-url", dbURL); err == nil {
		t.Errorf("review back to pending succeeded, want an error")
	}
	if _, err := cli(t, "customers", "review", created.CustomerID, "--status", "rejected", "--reason", "no", "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "is active") {
		t.Errorf("active to rejected: error = %v, want a refusal naming the current status", err)
	}
	got, err := client.New(srv.URL, creds.APIKey, creds.APISecret).Customer(context.Background(), created.CustomerID)
	if err != nil || got.Status != "active" || got.StatusReason != "looks good" || got.StatusUpdatedAt.IsZero() {
		t.Errorf("customer after review = %+v, %v; want active with the reason", got, err)
	}
}

func TestOperatorsListDisableRotateOnTheCommandLine(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	srv := startServe(t, "--database-url", dbURL)
	adminStatus := func(token string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/admin/customers", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	out, err := cli(t, "operators", "create", "--name", "Ada", "--admin", "--json", "--operator-token-ttl", "1h", "--database-url", dbURL)
	if err != nil {
		t.Fatalf("operators create: %v", err)
	}
	var op map[string]string
	json.Unmarshal([]byte(out), &op)

	out, err = cli(t, "operators", "rotate-token", op["operator_id"], "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatalf("operators rotate-token: %v", err)
	}
	var rotated map[string]string
	if err := json.Unmarshal([]byte(out), &rotated); err != nil || rotated["operator_id"] != op["operator_id"] || rotated["token"] == "" || rotated["token"] == op["token"] {
		t.Fatalf("operators rotate-token --json = %s, want a new token for %s", out, op["operator_id"])
	}
	if got := adminStatus(op["token"]); got != http.StatusUnauthorized {
		t.Errorf("the old token after rotation = %d, want 401", got)
	}
	if got := adminStatus(rotated["token"]); got != http.StatusOK {
		t.Errorf("the new token = %d, want 200", got)
	}

	out, err = cli(t, "operators", "list", "--database-url", dbURL)
	if err != nil || !strings.Contains(out, op["operator_id"]) || !strings.Contains(out, "Ada") || !strings.Contains(out, rotated["expires_at"]) {
		t.Errorf("operators list = %s, %v; want Ada with her token's expiry", out, err)
	}
	if strings.Contains(out, rotated["token"]) {
		t.Errorf("operators list shows a token:\n%s", out)
	}
	out, err = cli(t, "operators", "disable", op["operator_id"], "--database-url", dbURL)
	if err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("operators disable = %s, %v", out, err)
	}
	if got := adminStatus(rotated["token"]); got != http.StatusUnauthorized {
		t.Errorf("a disabled operator's token = %d, want 401", got)
	}
	var list []map[string]any
	out, _ = cli(t, "operators", "list", "--json", "--database-url", dbURL)
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0]["disabled_at"] == nil || list[0]["admin"] != true {
		t.Errorf("operators list --json = %s, want Ada, an admin, disabled", out)
	}
	for _, args := range [][]string{{"operators", "disable"}, {"operators", "rotate-token"}, {"operators", "disable", "opr_nobody", "--database-url", dbURL}} {
		if _, err := cli(t, args...); err == nil {
			t.Errorf("onboard %v succeeded, want an error", args)
		}
	}
}

// TestLeadingIDCommands: the commands that take an id before their flags
// answer --help with their usage and every flag of theirs (exit 0), and
// without the id name what is missing.
func TestLeadingIDCommands(t *testing.T) {
	for _, tc := range []struct {
		command []string
		flags   []string
		missing string
	}{
		{[]string{"customers", "review"}, []string{"-status", "-reason"}, "the customer id is required"},
		{[]string{"customers", "erase"}, []string{"-reason"}, "the customer id is required"},
		{[]string{"customers", "clear-review"}, []string{"-reason"}, "the customer id is required"},
		{[]string{"customers", "request-info"}, []string{"-kind", "-field", "-message", "-due"}, "the customer id is required"},
		{[]string{"keys", "revoke"}, nil, "the key to revoke is required"},
		{[]string{"operators", "reset"}, []string{"-email", "-console-url", "-json"}, "the operator id is required"},
		{[]string{"operators", "disable"}, nil, "the operator id is required"},
		{[]string{"operators", "rotate-token"}, []string{"-json"}, "the operator id is required"},
		{[]string{"partners", "rate-limit"}, []string{"-rps", "-burst", "-default"}, "the partner id is required"},
		{[]string{"partners", "policy"}, []string{"-set"}, "the partner id is required"},
	} {
		t.Run(strings.Join(tc.command, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append(slices.Clone(tc.command), "--help"), env{stdout: &stdout, stderr: &stderr, getenv: testEnv})
			if !errors.Is(err, flag.ErrHelp) {
				t.Errorf("--help: %v, want flag.ErrHelp (exit 0)", err)
			}
			for _, f := range append([]string{"Usage: onboard " + strings.Join(tc.command, " ")}, tc.flags...) {
				if !strings.Contains(stderr.String(), f) {
					t.Errorf("--help printed\n%s\nwithout %q", stderr.String(), f)
				}
			}
			if _, err := cli(t, tc.command...); err == nil || !strings.Contains(err.Error(), tc.missing) {
				t.Errorf("without the id: %v, want %q", err, tc.missing)
			}
		})
	}
}
