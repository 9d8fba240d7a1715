package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// testServer is the real HTTP server on a real store.
type testServer struct {
	URL     string
	Service *kyb.Service
	// Logs holds everything the server logged.
	Logs *syncBuffer
}

func newTestServer(t *testing.T, e storetest.Engine, opts ...httpapi.Option) *testServer {
	t.Helper()
	svc := kyb.NewService(e.Open(t))
	svc.Cipher = testFileCipher(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	srv := httptest.NewServer(httpapi.New(svc, log, opts...))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, Service: svc, Logs: logs}
}

// partner creates a partner and returns its credentials.
func (ts *testServer) partner(t *testing.T) kyb.Credentials {
	t.Helper()
	creds, err := ts.Service.CreatePartner(context.Background(), testActor, "Test partner", false)
	if err != nil {
		t.Fatalf("CreatePartner: %v", err)
	}
	return creds
}

// response is an HTTP response with its body read.
type response struct {
	*http.Response
	Body []byte
}

// json decodes the body into a generic value.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response body is not a JSON object: %v\n%s", err, r.Body)
	}
	return v
}

// request sends a request; creds may be nil for none. JSON bodies get a
// JSON content type unless headers say otherwise.
func (ts *testServer) request(t *testing.T, method, path string, creds *kyb.Credentials, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if creds != nil {
		req.Header.Set("X-API-Key", creds.APIKey)
		req.Header.Set("X-API-Secret", creds.APISecret)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstOpenAPI(t, req, resp, b)
	return response{Response: resp, Body: b}
}

// create posts a create-customer body, with the made-up file ids of
// validBody replaced by files the partner uploaded.
func (ts *testServer) create(t *testing.T, creds kyb.Credentials, body string) response {
	t.Helper()
	return ts.request(t, "POST", "/api/customers/create", &creds, withUploadedFiles(t, ts, creds, body))
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

// testActor is who the tests' direct service calls are recorded as.
var testActor = kyb.Actor{Type: kyb.ActorSystem, ID: "test"}
