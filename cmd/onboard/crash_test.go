package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/drill"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// startProcess starts the real binary's serve as a child process.
func startProcess(t *testing.T, args ...string) *drill.Server {
	t.Helper()
	bin, err := drill.Build()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := drill.Serve(bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	return srv
}

// subscribedPartner creates a partner with the CLI and registers url as its
// webhook endpoint, returning its credentials and the endpoint's secret.
func subscribedPartner(t *testing.T, dbURL, url string) (credentials, string) {
	t.Helper()
	out, err := cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	creds := jsonCredentials(t, out)
	out, err = cli(t, "webhooks", "create", "--partner", creds.PartnerID, "--url", url, "--json",
		"--database-url", dbURL, "--file-encryption-key", testFileKey, "--allow-insecure-webhooks")
	if err != nil {
		t.Fatalf("webhooks create: %v", err)
	}
	var ep struct{ Secret string }
	if err := json.Unmarshal([]byte(out), &ep); err != nil || ep.Secret == "" {
		t.Fatalf("webhooks create --json = %s", out)
	}
	return creds, ep.Secret
}

// TestEventsSurviveSIGKILL commits a customer whose webhook cannot be
// delivered yet, kills the service with SIGKILL, and checks that the
// restarted service delivers the event.
func TestEventsSurviveSIGKILL(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		dbURL := e.URL(t)
		common := []string{"--database-url", dbURL, "--file-encryption-key", testFileKey, "--allow-insecure-webhooks",
			"--webhook-retry-initial", "50ms", "--webhook-retry-max", "100ms", "--webhook-timeout", "1s"}

		var accepting atomic.Bool
		var secret atomic.Value
		delivered := make(chan *client.WebhookEvent, 100)
		var refused atomic.Int64
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if !accepting.Load() {
				refused.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			ev, err := client.VerifyWebhook(secret.Load().(string), r.Header, body, 0)
			if err != nil {
				t.Errorf("delivery does not verify: %v", err)
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			delivered <- ev
		}))
		defer receiver.Close()

		creds, webhookSecret := subscribedPartner(t, dbURL, receiver.URL+"/hooks")
		secret.Store(webhookSecret)

		first := startProcess(t, common...)
		customer, err := client.New(first.URL, creds.APIKey, creds.APISecret).CreateCustomer(context.Background(), sampleCustomer)
		if err != nil {
			t.Fatal(err)
		}
		// The commit is acknowledged; let a delivery fail, then kill. The
		// attempt may still hold its lease (2 x timeout + 1s); the restarted
		// service takes the delivery over once it ends.
		for deadline := time.Now().Add(10 * time.Second); refused.Load() == 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no delivery attempt before the kill")
			}
		}
		first.Kill()

		accepting.Store(true)
		startProcess(t, common...)
		select {
		case ev := <-delivered:
			if ev.Type != "customer.created" || ev.Data.CustomerID != customer.CustomerID {
				t.Errorf("delivered %s for %s, want customer.created for %s", ev.Type, ev.Data.CustomerID, customer.CustomerID)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the event was not delivered after the restart")
		}
	})
}

// TestTwoProcessesDeliverEachEventOnce runs two onboard serve processes on
// one PostgreSQL database; customers are created through both, and the
// receiver must get every event exactly once.
func TestTwoProcessesDeliverEachEventOnce(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	const n = 500
	var mu sync.Mutex
	got := map[string]int{}
	var secret atomic.Value
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := client.VerifyWebhook(secret.Load().(string), r.Header, body, 0)
		if err != nil {
			t.Errorf("delivery does not verify: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		got[ev.ID]++
		mu.Unlock()
	}))
	defer receiver.Close()

	creds, webhookSecret := subscribedPartner(t, dbURL, receiver.URL+"/hooks")
	secret.Store(webhookSecret)

	args := []string{"--database-url", dbURL, "--file-encryption-key", testFileKey, "--allow-insecure-webhooks", "--rate-limit", "0"}
	servers := []*drill.Server{startProcess(t, args...), startProcess(t, args...)}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			api := client.New(servers[w%2].URL, creds.APIKey, creds.APISecret)
			for i := w; i < n; i += 8 {
				c := sampleCustomer
				c.PartnerCustomerID = fmt.Sprintf("two-processes-customer-%04d", i)
				if _, err := api.CreateCustomer(context.Background(), c); err != nil {
					t.Errorf("create %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	distinct := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		total := 0
		for _, c := range got {
			total += c
		}
		return len(got), total
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if events, _ := distinct(); events == n {
			break
		}
		if time.Now().After(deadline) {
			events, _ := distinct()
			t.Fatalf("received %d of %d events", events, n)
		}
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to arrive
	if events, total := distinct(); events != n || total != n {
		t.Errorf("received %d deliveries of %d events, want each of %d exactly once", total, events, n)
	}
}
