package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// BenchmarkCreateCustomer measures the whole create path in-process:
// routing, authentication, decoding, validation, the durable insert and
// the response, on each store.
func BenchmarkCreateCustomer(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			bs := newBenchServer(b, e)
			valid := substituteFiles(b, bs.svc, bs.creds.PartnerID, validBody)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				bs.serve("POST", "/api/customers/create", strings.Replace(valid, "partner-customer-000001", "bench-customer-"+strconv.Itoa(i)+"-0000000000", 1))
			}
		})
	}
}

// benchServer is the handler of a service on a fresh store with one
// partner, called without a network.
type benchServer struct {
	b     *testing.B
	svc   *kyb.Service
	h     http.Handler
	creds kyb.Credentials
}

func newBenchServer(b *testing.B, e storetest.Engine) *benchServer {
	svc := kyb.NewService(e.Open(b), kyb.WithCipher(testFileCipher(b)))
	creds, err := svc.CreatePartner(context.Background(), testActor, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	return &benchServer{b, svc, httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), withoutRateLimit()), creds}
}

// serve sends one request as the partner and wants a 200.
func (bs *benchServer) serve(method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", bs.creds.APIKey)
	req.Header.Set("X-API-Secret", bs.creds.APISecret)
	rec := httptest.NewRecorder()
	bs.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		bs.b.Fatalf("%s %s: status %d: %s", method, path, rec.Code, rec.Body)
	}
	return rec
}

// BenchmarkGetCustomer measures the whole read path in-process: routing,
// authentication (its key cached, as in steady use), the lookup by id and
// the response, on each store.
func BenchmarkGetCustomer(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			bs := newBenchServer(b, e)
			created := bs.serve("POST", "/api/customers/create", substituteFiles(b, bs.svc, bs.creds.PartnerID, validBody)).Body.String()
			id := created[strings.Index(created, `"customer_id":"`)+15:]
			path := "/api/customers/" + id[:strings.IndexByte(id, '"')]
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				bs.serve("GET", path, "")
			}
		})
	}
}
