package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
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

// BenchmarkScreeningSearch drives POST /admin/screening/search on a real
// HTTP server from 1 and from 8 clients at once, each on its own connection, with
// the full lists imported (it is skipped without ../shared/lists): half
// the names are listed ones, half names that are not. It reports
// searches a second and the latency of one at p50 and p99, the figures
// BENCHMARKS.md compares with other screening servers.
func BenchmarkScreeningSearch(b *testing.B) {
	lists := storetest.FullLists(b)
	bs := newBenchServer(b, storetest.Engines()[0])
	for _, l := range lists {
		if _, _, err := bs.svc.ImportList(context.Background(), testActor, l); err != nil {
			b.Fatal(err)
		}
	}
	op, err := bs.svc.CreateOperator(context.Background(), testActor, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(bs.h)
	b.Cleanup(srv.Close)
	var bodies []string
	given := []string{"Maria", "John", "Wei", "Olga", "Ahmed", "Fatima", "Carlos", "Anna", "David", "Aisha"}
	family := []string{"Schneider", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Fernandes", "Novak", "Brennan"}
	for i, e := range lists[0].Entries {
		typ := map[screening.Kind]string{screening.KindPerson: "person", screening.KindOrganisation: "business"}[e.Kind]
		if i%9 != 0 || typ == "" {
			continue
		}
		listed, _ := json.Marshal(map[string]string{"name": e.Names[0].Text, "type": typ})
		unlisted, _ := json.Marshal(map[string]string{"name": given[i%10] + " " + family[i/10%10], "type": "person"})
		bodies = append(bodies, string(listed), string(unlisted))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	search := func(body string) time.Duration {
		req, _ := http.NewRequest("POST", srv.URL+"/admin/screening/search", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+op.Token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err) // Fatal may not be called from the clients' goroutines
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Errorf("search %s: status %d", body, resp.StatusCode)
		}
		return time.Since(start)
	}
	for _, body := range bodies[:100] {
		search(body) // warm: connections, the index, the pools
	}
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			took := make([][]time.Duration, clients)
			var next atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for c := range clients {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						took[c] = append(took[c], search(bodies[int(i)%len(bodies)]))
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			all := slices.Concat(took...)
			slices.Sort(all)
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "searches/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99_ms")
		})
	}
}
