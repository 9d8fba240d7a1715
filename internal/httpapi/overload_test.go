package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// hostileBodyLimit is how large the hostile bodies are made: the most a
// create accepts, so each costs the server all it may.
const hostileBodyLimit = httpapi.MaxJSONBodyBytes

// fill returns prefix + n copies of item joined by commas + suffix, with n
// the most that keeps the whole within size bytes.
func fill(size int, prefix, item, suffix string) string {
	n := (size - len(prefix) - len(suffix) + 1) / (len(item) + 1)
	return prefix + strings.Repeat(item+",", n-1) + item + suffix
}

// distinctKeys returns as many members "x0":1, "x1":1, ... as fit in size
// bytes.
func distinctKeys(size int) string {
	var b strings.Builder
	for i := 0; ; i++ {
		member := `"x` + strconv.Itoa(i) + `":1`
		if b.Len()+len(member)+1 > size {
			return b.String()
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(member)
	}
}

// hostileBodies are create bodies of at most size bytes built to make the
// decoder and validation do as much work, and hold as much memory, as a
// body of that size can.
func hostileBodies(size int) map[string]string {
	const id = `{"partner_customer_id":"hostile-customer-000001",`
	return map[string]string{
		"empty persons":         fill(size, id+`"business_person_list":[`, "{}", "]}"),
		"empty document ids":    fill(size, id+`"business_details":{"business_identifier_document_list":[`, `""`, "]}}"),
		"numbers in a list":     fill(size, id+`"business_details":{"business_identifier_document_list":[`, "1", "]}}"),
		"unknown keys":          id + distinctKeys(size-len(id)-1) + "}",
		"deep nesting":          id + `"business_details":{"business_name":` + strings.Repeat("[", size/2-100) + strings.Repeat("]", size/2-100) + "}}",
		"a huge string":         id + `"business_details":{"business_name":"` + strings.Repeat("a", size-200) + `"}}`,
		"a huge escaped string": id + `"business_details":{"business_name":"` + strings.Repeat(`\u00e9`, (size-200)/6) + `"}}`,
	}
}

// TestHostileBodiesKeepTheHeapBounded sends each hostile body from 8
// clients at once to a real server, then all of them mixed, and samples
// the heap while they are answered: its peak must stay within
// maxHeapGrowth of where it started.
func TestHostileBodiesKeepTheHeapBounded(t *testing.T) {
	const (
		clients       = 8
		rounds        = 3
		maxHeapGrowth = 64 << 20
	)
	ts := newTestServer(t, storetest.Engines()[0], withoutRateLimit())
	creds := ts.partner(t)
	bodies := hostileBodies(hostileBodyLimit)
	var names []string
	for name, b := range bodies {
		if len(b) > hostileBodyLimit {
			t.Fatalf("%s: %d bytes, want at most %d", name, len(b), hostileBodyLimit)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	run := func(t *testing.T, send []string) {
		growth, failures := peakHeapGrowth(func() []string { return sendConcurrently(ts.URL, creds, clients, rounds, send) })
		for _, f := range failures {
			t.Errorf("want 400 or 413, got %s", f)
		}
		t.Logf("peak heap in use grew by %.1f MiB over %d bodies of up to %d bytes, %d at a time", float64(growth)/(1<<20), clients*rounds*len(send), hostileBodyLimit, clients)
		if growth > maxHeapGrowth {
			t.Errorf("heap grew by %.1f MiB, want at most %d MiB", float64(growth)/(1<<20), maxHeapGrowth>>20)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) { run(t, []string{bodies[name]}) })
	}
	t.Run("all mixed", func(t *testing.T) {
		var all []string
		for _, name := range names {
			all = append(all, bodies[name])
		}
		run(t, all)
	})
}

// peakHeapGrowth runs fn after a collection, sampling the heap in use
// until it returns, and reports the highest sample above the start.
func peakHeapGrowth(fn func() []string) (int64, []string) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var high uint64
		var m runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			high = max(high, m.HeapInuse)
			select {
			case <-stop:
				peak <- high
				return
			case <-tick.C:
			}
		}
	}()
	failures := fn()
	close(stop)
	return int64(<-peak) - int64(before.HeapInuse), failures
}

// sendConcurrently has each of clients post every body rounds times as a
// create, and returns what was not a 400 or 413.
func sendConcurrently(url string, creds kyb.Credentials, clients, rounds int, bodies []string) []string {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
	)
	for range clients {
		wg.Go(func() {
			for range rounds {
				for _, body := range bodies {
					req, _ := http.NewRequest("POST", url+"/api/customers/create", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-API-Key", creds.APIKey)
					req.Header.Set("X-API-Secret", creds.APISecret)
					resp, err := http.DefaultClient.Do(req)
					var failure string
					switch {
					case err != nil:
						failure = err.Error()
					case resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusRequestEntityTooLarge:
						failure = resp.Status
					}
					if resp != nil {
						resp.Body.Close()
					}
					if failure != "" {
						mu.Lock()
						failures = append(failures, body[:min(len(body), 80)]+"…: "+failure)
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	return failures
}

// TestDecodingHostileBodiesAllocatesLittle decodes each hostile body of
// 1 MiB, the most any JSON route read before bodies were sized, and counts
// the bytes the decoder allocates: they must not grow with the body.
func TestDecodingHostileBodiesAllocatesLittle(t *testing.T) {
	const maxAlloc = 512 << 10
	for name, body := range hostileBodies(1 << 20) {
		t.Run(name, func(t *testing.T) {
			b := []byte(body)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var p api.Profile
			httpapi.DecodeJSON(b, &p)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes allocated decoding %d bytes", allocated, len(b))
			if allocated > maxAlloc {
				t.Errorf("decoding allocated %d bytes, want at most %d", allocated, maxAlloc)
			}
		})
	}
}

// enteredBody tells entered when the handler first reads the body, which
// it does only once the server has counted the request in flight.
type enteredBody struct {
	io.ReadCloser
	once    sync.Once
	entered chan<- struct{}
}

func (b *enteredBody) Read(p []byte) (int, error) {
	b.once.Do(func() { b.entered <- struct{}{} })
	return b.ReadCloser.Read(p)
}

// TestInFlightLimit holds two creates in flight on a server that serves
// two at once: a third request gets 503 overloaded with Retry-After at
// once, the health probes still answer, and once the two end, requests
// pass again.
func TestInFlightLimit(t *testing.T) {
	const limit = 2
	e := storetest.Engines()[0]
	svc := kyb.NewService(e.Open(t), kyb.WithCipher(testFileCipher(t)))
	l := httpapi.DefaultLimits()
	l.MaxInFlight = limit
	// The access log line goes through the middleware's logger too; the
	// refusal must not add an error line of its own.
	logs := &syncBuffer{}
	h := httpapi.New(svc, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), httpapi.WithLimits(l))
	entered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &enteredBody{ReadCloser: r.Body, entered: entered}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ts := &testServer{URL: srv.URL, Service: svc}
	creds := ts.partner(t)

	// Two creates whose bodies never finish until the test says so.
	var writers []*io.PipeWriter
	done := make(chan int, limit)
	for range limit {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req, _ := http.NewRequest("POST", srv.URL+"/api/customers/create", pr)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", creds.APIKey)
		req.Header.Set("X-API-Secret", creds.APISecret)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
		go pw.Write([]byte("{"))
		<-entered
	}

	resp := ts.request(t, "GET", "/api/customers", &creds, "")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("a request over the limit = %d with Retry-After %q, want 503 with 1: %s", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Body)
	}
	if errObj, _ := resp.json(t)["error"].(map[string]any); errObj["code"] != "overloaded" || errObj["request_id"] == "" {
		t.Errorf("error = %v, want code overloaded with a request_id", errObj)
	}
	if logs.String() != "" {
		t.Errorf("the refusal was logged: %s", logs.String())
	}
	for _, path := range []string{"/healthz", "/readyz", "/openapi.json"} {
		if resp := ts.request(t, "GET", path, nil, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s while full = %d, want 200", path, resp.StatusCode)
		}
	}

	for _, pw := range writers {
		pw.Write([]byte(`"partner_customer_id":"short"}`))
		pw.Close()
	}
	for range limit {
		if status := <-done; status != http.StatusBadRequest {
			t.Errorf("a held create = %d, want 400 (its body is invalid)", status)
		}
	}
	if resp := ts.request(t, "GET", "/api/customers", &creds, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("a request after the held ones ended = %d, want 200: %s", resp.StatusCode, resp.Body)
	}
}
