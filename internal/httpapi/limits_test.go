package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// withoutRateLimit leaves API keys unlimited, for tests that send more
// than a partner's default burst and are not about limits.
func withoutRateLimit() httpapi.Option {
	l := httpapi.DefaultLimits()
	l.Rate = kyb.RateLimit{}
	return httpapi.WithLimits(l)
}

// testClock is a clock that moves only when told.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// limitsAt returns the default limits with rate and the clock.
func limitsAt(clock *testClock, rate kyb.RateLimit) httpapi.Option {
	l := httpapi.DefaultLimits()
	l.Rate, l.Now = rate, clock.Now
	return httpapi.WithLimits(l)
}

// wantLimitHeaders checks the X-RateLimit-* headers of a response.
func wantLimitHeaders(t *testing.T, resp response, limit, remaining int) {
	t.Helper()
	h := resp.Header
	if h.Get("X-RateLimit-Limit") != strconv.Itoa(limit) || h.Get("X-RateLimit-Remaining") != strconv.Itoa(remaining) || h.Get("X-RateLimit-Reset") == "" {
		t.Errorf("X-RateLimit-Limit %q, -Remaining %q, -Reset %q; want %d, %d and a reset",
			h.Get("X-RateLimit-Limit"), h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Reset"), limit, remaining)
	}
}

// wantTooMany checks a 429 with its code and Retry-After.
func wantTooMany(t *testing.T, resp response, code, retryAfter string) {
	t.Helper()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429: %s", resp.StatusCode, resp.Body)
	}
	if got := resp.json(t)["error"].(map[string]any)["code"]; got != code {
		t.Errorf("code = %v, want %s", got, code)
	}
	if got := resp.Header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After = %q, want %q", got, retryAfter)
	}
}

func TestRateLimitRefusesABurstAndSparesOtherPartners(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		clock := newTestClock()
		ts := newTestServer(t, e, limitsAt(clock, kyb.RateLimit{PerSecond: 0.5, Burst: 5}))
		creds, other := ts.partner(t), ts.partner(t)
		for i := range 5 {
			resp := ts.request(t, "GET", "/api/customers", &creds, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("request %d = %d: %s", i+1, resp.StatusCode, resp.Body)
			}
			wantLimitHeaders(t, resp, 5, 4-i)
		}
		resp := ts.request(t, "POST", "/api/customers/create", &creds, minimalBody(uniqueID(t)))
		wantTooMany(t, resp, "rate_limited", "2")
		wantLimitHeaders(t, resp, 5, 0)
		if got := resp.Header.Get("X-RateLimit-Reset"); got != "10" {
			t.Errorf("X-RateLimit-Reset = %q, want 10 (5 requests at 0.5 a second)", got)
		}
		// Another partner's key has its own bucket.
		if resp := ts.create(t, other, minimalBody(uniqueID(t))); resp.StatusCode != http.StatusOK {
			t.Errorf("another partner's create = %d, want 200: %s", resp.StatusCode, resp.Body)
		} else {
			wantLimitHeaders(t, resp, 5, 4)
		}
		// Failed requests are charged too, and the limit is per key.
		clock.Add(2 * time.Second)
		if resp := ts.request(t, "GET", "/api/customers/cus_00000000000000000000000000000000", &creds, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("after Retry-After = %d, want 404: %s", resp.StatusCode, resp.Body)
		} else {
			wantLimitHeaders(t, resp, 5, 0)
		}
		if resp := ts.request(t, "GET", "/api/customers", &creds, ""); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the next request = %d, want 429", resp.StatusCode)
		}
		// Unauthenticated answers say nothing of limits.
		if resp := ts.request(t, "GET", "/api/customers", nil, ""); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-RateLimit-Limit") != "" {
			t.Errorf("without credentials = %d with X-RateLimit-Limit %q, want 401 without", resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"))
		}
		if !strings.Contains(ts.Logs.String(), `"status":429`) {
			t.Error("the refusal is not in the request log")
		}
	})
}

func TestDefaultLimitsLetFiftyConcurrentCreatesThrough(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				resp := ts.request(t, "POST", "/api/customers/create", &creds, minimalBody(uniqueID(t)))
				if resp.StatusCode != http.StatusOK {
					t.Errorf("create = %d, want 200: %s", resp.StatusCode, resp.Body)
				}
				if got := resp.Header.Get("X-RateLimit-Limit"); got != strconv.Itoa(kyb.DefaultRateLimit.Burst) {
					t.Errorf("X-RateLimit-Limit = %q, want the default burst %d", got, kyb.DefaultRateLimit.Burst)
				}
			})
		}
		wg.Wait()
	})
}

func TestPartnerRateLimit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		clock := newTestClock()
		ts := newTestServer(t, e, limitsAt(clock, kyb.DefaultRateLimit))
		ts.reconfigure(t, kyb.WithClock(clock.Now))
		token := ts.operator(t)
		creds, other := ts.partner(t), ts.partner(t)
		path := "/admin/partners/" + creds.PartnerID + "/rate-limit"

		// A second instance on the same database, which has the key cached.
		peer := ts.instance(t)
		wantLimitHeaders(t, peer.request(t, "GET", "/api/customers", &creds, ""), 100, 99)

		if got := ts.admin(t, token, "GET", path, "").json(t); got["source"] != "default" || got["requests_per_second"] != 50.0 || got["burst"] != 100.0 {
			t.Errorf("GET rate-limit = %v, want the default 50/s, burst 100", got)
		}
		resp := ts.admin(t, token, "PUT", path, `{"requests_per_second":1,"burst":2}`)
		if got := resp.json(t); resp.StatusCode != http.StatusOK || got["source"] != "partner" || got["requests_per_second"] != 1.0 || got["burst"] != 2.0 {
			t.Fatalf("PUT rate-limit = %d %v, want the partner's 1/s, burst 2", resp.StatusCode, got)
		}
		// This instance applies it at once.
		for i := range 2 {
			wantLimitHeaders(t, ts.request(t, "GET", "/api/customers", &creds, ""), 2, 1-i)
		}
		wantTooMany(t, ts.request(t, "GET", "/api/customers", &creds, ""), "rate_limited", "1")
		wantLimitHeaders(t, ts.request(t, "GET", "/api/customers", &other, ""), 100, 99)
		// The other once its cached key expires.
		wantLimitHeaders(t, peer.request(t, "GET", "/api/customers", &creds, ""), 100, 98)
		clock.Add(kyb.KeyCacheTTL)
		wantLimitHeaders(t, peer.request(t, "GET", "/api/customers", &creds, ""), 2, 1)

		if got := ts.admin(t, token, "GET", path, "").json(t); got["source"] != "partner" || got["burst"] != 2.0 {
			t.Errorf("GET rate-limit = %v, want the partner's", got)
		}
		audit := ts.admin(t, token, "GET", "/admin/audit?partner_id="+creds.PartnerID, "").json(t)["data"].([]any)
		if last := audit[len(audit)-1].(map[string]any); last["action"] != kyb.ActionPartnerRateLimitChanged || last["reason"] != "1 requests per second, bursts of 2" {
			t.Errorf("last audit event = %v, want the rate limit change", last)
		}
		if got := ts.admin(t, token, "DELETE", path, "").json(t); got["source"] != "default" || got["burst"] != 100.0 {
			t.Errorf("DELETE rate-limit = %v, want the default again", got)
		}
		clock.Add(time.Minute)
		wantLimitHeaders(t, ts.request(t, "GET", "/api/customers", &creds, ""), 100, 99)

		for _, tc := range []struct {
			method, path, body string
			status             int
			fields             []string
		}{
			{"PUT", path, `{"requests_per_second":0,"burst":1.5}`, http.StatusBadRequest, []string{"requests_per_second", "burst"}},
			{"PUT", path, `{"requests_per_second":"10","rate":1}`, http.StatusBadRequest, []string{"rate", "requests_per_second", "burst"}},
			{"PUT", path, `{"requests_per_second":10001,"burst":100001}`, http.StatusBadRequest, []string{"requests_per_second", "burst"}},
			{"PUT", "/admin/partners/ptn_00000000000000000000000000000000/rate-limit", `{"requests_per_second":1,"burst":1}`, http.StatusNotFound, nil},
			{"GET", "/admin/partners/ptn_00000000000000000000000000000000/rate-limit", "", http.StatusNotFound, nil},
			{"DELETE", "/admin/partners/ptn_00000000000000000000000000000000/rate-limit", "", http.StatusNotFound, nil},
		} {
			resp := ts.admin(t, token, tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s %s = %d, want %d: %s", tc.method, tc.path, tc.body, resp.StatusCode, tc.status, resp.Body)
				continue
			}
			var fields []string
			details, _ := resp.json(t)["error"].(map[string]any)["details"].([]any)
			for _, d := range details {
				fields = append(fields, d.(map[string]any)["field"].(string))
			}
			if strings.Join(fields, " ") != strings.Join(tc.fields, " ") {
				t.Errorf("%s %s fields = %v, want %v", tc.method, tc.body, fields, tc.fields)
			}
		}
	})
}

// direct sends a request straight to a handler from a client address,
// and checks the answer against the OpenAPI document.
func direct(t *testing.T, h http.Handler, method, path, from string, headers ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = from
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	checkAgainstOpenAPI(t, req, resp, body)
	return response{Response: resp, Body: body}
}

func partnerHeaders(c kyb.Credentials) []string {
	return []string{"X-API-Key", c.APIKey, "X-API-Secret", c.APISecret}
}

func TestAuthFailuresBlockTheAddressForAWhile(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		clock := newTestClock()
		svc := kyb.NewService(e.Open(t))
		h := httpapi.New(svc, slog.New(slog.DiscardHandler), limitsAt(clock, kyb.DefaultRateLimit))
		creds, err := svc.CreatePartner(t.Context(), testActor, "Test partner", false)
		if err != nil {
			t.Fatal(err)
		}
		const attacker, holder, bystander = "198.51.100.7:40000", "203.0.113.9:50000", "192.0.2.44:1234"
		wrong := []string{"X-API-Key", creds.APIKey, "X-API-Secret", "sk_guess"}

		// Requests without credentials guess nothing and are not counted.
		for range 20 {
			if resp := direct(t, h, "GET", "/api/customers", attacker); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("without credentials = %d, want 401", resp.StatusCode)
			}
		}
		for i := range 10 {
			if resp := direct(t, h, "GET", "/api/customers", attacker, wrong...); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d, want 401", i+1, resp.StatusCode)
			}
		}
		// The address is blocked, whatever it sends, on /api and /admin.
		wantTooMany(t, direct(t, h, "GET", "/api/customers", attacker, partnerHeaders(creds)...), "too_many_auth_failures", "60")
		resp := direct(t, h, "GET", "/admin/customers", attacker, "Authorization", "Bearer opt_guess")
		wantTooMany(t, resp, "too_many_auth_failures", "60")
		if resp.Header.Get("WWW-Authenticate") != "" {
			t.Error("a 429 carries WWW-Authenticate")
		}
		// The key's holder, elsewhere, still gets in; a wrong secret for the
		// key is refused with 429 rather than 401 from anywhere.
		if resp := direct(t, h, "GET", "/api/customers", holder, partnerHeaders(creds)...); resp.StatusCode != http.StatusOK {
			t.Errorf("the holder from another address = %d, want 200: %s", resp.StatusCode, resp.Body)
		}
		wantTooMany(t, direct(t, h, "GET", "/api/customers", bystander, wrong...), "too_many_auth_failures", "60")
		if resp := direct(t, h, "GET", "/healthz", attacker); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /healthz from a blocked address = %d, want 200", resp.StatusCode)
		}

		// The block ends by itself.
		clock.Add(59 * time.Second)
		wantTooMany(t, direct(t, h, "GET", "/api/customers", attacker, partnerHeaders(creds)...), "too_many_auth_failures", "1")
		clock.Add(time.Second)
		if resp := direct(t, h, "GET", "/api/customers", attacker, partnerHeaders(creds)...); resp.StatusCode != http.StatusOK {
			t.Errorf("after the block = %d, want 200: %s", resp.StatusCode, resp.Body)
		}
		// Failing again blocks for longer.
		for range 10 {
			direct(t, h, "GET", "/api/customers", attacker, wrong...)
		}
		wantTooMany(t, direct(t, h, "GET", "/api/customers", attacker, partnerHeaders(creds)...), "too_many_auth_failures", "120")
	})
}

func TestAuthFailuresOfOperators(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	token := ts.operator(t)
	clock := newTestClock()
	h := httpapi.New(ts.Service, slog.New(slog.DiscardHandler), limitsAt(clock, kyb.DefaultRateLimit))
	for range 10 {
		if resp := direct(t, h, "GET", "/admin/partners", "198.51.100.7:1", "Authorization", "Bearer opt_guess"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token = %d, want 401", resp.StatusCode)
		}
	}
	wantTooMany(t, direct(t, h, "GET", "/admin/partners", "198.51.100.7:1", "Authorization", "Bearer "+token), "too_many_auth_failures", "60")
	if resp := direct(t, h, "GET", "/admin/partners", "203.0.113.9:1", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("the operator from another address = %d, want 200", resp.StatusCode)
	}
}

func TestClientAddresses(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	wrong := []string{"X-API-Key", creds.APIKey + "x", "X-API-Secret", "sk_guess"}
	block := func(h http.Handler, from string, headers ...string) {
		t.Helper()
		for range 10 {
			direct(t, h, "GET", "/api/customers", from, append(headers, wrong...)...)
		}
	}
	blocked := func(h http.Handler, from string, headers ...string) bool {
		t.Helper()
		return direct(t, h, "GET", "/api/customers", from, append(headers, partnerHeaders(creds)...)...).StatusCode == http.StatusTooManyRequests
	}
	newHandler := func(proxies ...string) http.Handler {
		l := httpapi.DefaultLimits()
		for _, p := range proxies {
			l.TrustedProxies = append(l.TrustedProxies, netip.MustParsePrefix(p))
		}
		return httpapi.New(ts.Service, slog.New(slog.DiscardHandler), httpapi.WithLimits(l))
	}

	// By default X-Forwarded-For is not believed: whatever it says, the
	// failures are the peer's.
	h := newHandler()
	for i := range 10 {
		direct(t, h, "GET", "/api/customers", "198.51.100.7:1", append([]string{"X-Forwarded-For", "192.0.2." + strconv.Itoa(i)}, wrong...)...)
	}
	if !blocked(h, "198.51.100.7:2", "X-Forwarded-For", "203.0.113.1") {
		t.Error("a client that varies X-Forwarded-For escapes the block")
	}
	// An IPv6 client is its /64.
	h = newHandler()
	block(h, "[2001:db8:0:1::1]:1")
	if !blocked(h, "[2001:db8:0:1::ffff]:1") || blocked(h, "[2001:db8:0:2::1]:1") {
		t.Error("an IPv6 block does not cover exactly the /64")
	}
	// Behind a trusted proxy, the client is the last address it forwards
	// for that is not a trusted proxy's.
	h = newHandler("10.0.0.0/8")
	block(h, "10.0.0.1:1", "X-Forwarded-For", "192.0.2.99, 198.51.100.7, 10.9.9.9")
	if !blocked(h, "10.0.0.2:1", "X-Forwarded-For", "198.51.100.7") {
		t.Error("the client behind the proxy is not blocked")
	}
	if blocked(h, "10.0.0.1:1", "X-Forwarded-For", "203.0.113.1") || blocked(h, "10.0.0.1:1", "X-Forwarded-For", "198.51.100.7, 203.0.113.1") {
		t.Error("other clients of the proxy are blocked too")
	}
}
