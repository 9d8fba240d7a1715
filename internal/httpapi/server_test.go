package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
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
	// Store and Cipher are what the service was built on, for a relay or
	// a second instance on the same database.
	Store  kyb.Store
	Cipher *kyb.Cipher
	// Logs holds everything the server logged.
	Logs *syncBuffer

	serviceOpts []kyb.Option
	httpOpts    []httpapi.Option
}

func newTestServer(t *testing.T, e storetest.Engine, opts ...httpapi.Option) *testServer {
	t.Helper()
	return startTestServer(t, e.Open(t), testFileCipher(t), nil, opts...)
}

// startTestServer serves a service on store, sealing with cipher unless it
// is nil, built with serviceOpts.
func startTestServer(t *testing.T, store kyb.Store, cipher *kyb.Cipher, serviceOpts []kyb.Option, opts ...httpapi.Option) *testServer {
	t.Helper()
	all := slices.Clone(serviceOpts)
	if cipher != nil {
		all = append(all, kyb.WithCipher(cipher))
	}
	svc := kyb.NewService(store, all...)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	srv := httptest.NewServer(httpapi.New(svc, log, opts...))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, Service: svc, Store: store, Cipher: cipher, Logs: logs, serviceOpts: serviceOpts, httpOpts: opts}
}

// instance starts another server on the same database, as a second
// instance of the service would be, with more service options.
func (ts *testServer) instance(t *testing.T, opts ...kyb.Option) *testServer {
	t.Helper()
	return startTestServer(t, ts.Store, ts.Cipher, append(slices.Clone(ts.serviceOpts), opts...), ts.httpOpts...)
}

// reconfigure replaces the server with an instance that has more service
// options, before the test uses it.
func (ts *testServer) reconfigure(t *testing.T, opts ...kyb.Option) {
	t.Helper()
	*ts = *ts.instance(t, opts...)
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
