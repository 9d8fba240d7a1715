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
			svc := kyb.NewService(e.Open(b), kyb.WithCipher(testFileCipher(b)))
			creds, err := svc.CreatePartner(context.Background(), testActor, "bench", false)
			if err != nil {
				b.Fatal(err)
			}
			h := httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), withoutRateLimit())
			valid := substituteFiles(b, svc, creds.PartnerID, validBody)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				body := strings.Replace(valid, "partner-customer-000001", "bench-customer-"+strconv.Itoa(i)+"-0000000000", 1)
				req := httptest.NewRequest("POST", "/api/customers/create", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-API-Key", creds.APIKey)
				req.Header.Set("X-API-Secret", creds.APISecret)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkGetCustomer measures the whole read path in-process: routing,
// authentication (its key cached, as in steady use), the lookup by id and
// the response, on each store.
func BenchmarkGetCustomer(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			svc := kyb.NewService(e.Open(b), kyb.WithCipher(testFileCipher(b)))
			creds, err := svc.CreatePartner(context.Background(), testActor, "bench", false)
			if err != nil {
				b.Fatal(err)
			}
			h := httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), withoutRateLimit())
			serve := func(method, path, body string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-API-Key", creds.APIKey)
				req.Header.Set("X-API-Secret", creds.APISecret)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s %s: status %d: %s", method, path, rec.Code, rec.Body)
				}
				return rec
			}
			created := serve("POST", "/api/customers/create", substituteFiles(b, svc, creds.PartnerID, validBody)).Body.String()
			id := created[strings.Index(created, `"customer_id":"`)+15:]
			path := "/api/customers/" + id[:strings.IndexByte(id, '"')]
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve("GET", path, "")
			}
		})
	}
}
