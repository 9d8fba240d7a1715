package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// trickle opens a connection to addr, sends head at once and then one
// byte of rest a second, as a slowloris does, and returns a channel closed
// once the server has closed the connection.
func trickle(t *testing.T, addr, head, rest string) <-chan struct{} {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn) // whatever the server answers, until it hangs up
		close(closed)
	}()
	go func() {
		io.WriteString(conn, head)
		for i := 0; i < len(rest); i++ {
			select {
			case <-closed:
				return
			case <-time.After(time.Second):
			}
			if _, err := conn.Write([]byte{rest[i]}); err != nil {
				return
			}
		}
	}()
	return closed
}

// TestSlowClientsAreCutOff holds connections open the way slowloris
// attacks do, sending headers or a body a byte a second: the server closes
// them, and meanwhile serves everyone else.
func TestSlowClientsAreCutOff(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	out, err := cli(t, "partners", "create", "--name", "P", "--json", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	creds := jsonCredentials(t, out)
	srv := startServe(t, "--database-url", dbURL, "--read-header-timeout", "1s", "--read-timeout", "2s")
	addr := strings.TrimPrefix(srv.URL, "http://")

	// Each would take a minute to finish its request.
	endless := strings.Repeat("a", 60)
	var slow []<-chan struct{}
	for i := range 4 {
		slow = append(slow, trickle(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n", fmt.Sprintf("X-Slow-%d: %s\r\n\r\n", i, endless)))
	}
	slow = append(slow, trickle(t, addr, fmt.Sprintf("POST /api/customers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"X-API-Key: %s\r\nX-API-Secret: %s\r\nContent-Length: %d\r\n\r\n", creds.APIKey, creds.APISecret, len(endless)+2), `"`+endless+`"`))

	// Meanwhile, partners create customers and health checks are made.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var served atomic.Int64
	api := client.New(srv.URL, creds.APIKey, creds.APISecret)
	for w := range 3 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				customer := sampleCustomer
				customer.PartnerCustomerID = fmt.Sprintf("slow-client-test-%d-%06d", w, i)
				if _, err := api.CreateCustomer(ctx, customer); err != nil && ctx.Err() == nil {
					t.Errorf("create customer while slow clients wait: %v", err)
					return
				}
				resp, err := http.Get(srv.URL + "/healthz")
				if err != nil {
					t.Errorf("GET /healthz while slow clients wait: %v", err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET /healthz while slow clients wait = %d, want 200", resp.StatusCode)
					return
				}
				served.Add(1)
				time.Sleep(100 * time.Millisecond) // well under the default rate limit
			}
		})
	}

	// Each connection would stay open for a minute if the server let it.
	deadline := time.After(45 * time.Second)
	for i, closed := range slow {
		select {
		case <-closed:
		case <-deadline:
			t.Errorf("slow connection %d is still open", i)
		}
	}
	stop()
	wg.Wait()
	if served.Load() == 0 {
		t.Errorf("no request was served while the slow clients waited")
	}
}
