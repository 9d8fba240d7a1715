package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
	"github.com/onboardkyb/onboard/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var testKey = []byte("0123456789abcdef0123456789abcdef")

// fastSchedule retries quickly so tests see several attempts.
var fastSchedule = webhook.Schedule{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, GiveUpAfter: time.Minute}

// harness is a service and a running relay on one store.
type harness struct {
	svc    *kyb.Service
	relay  *webhook.Relay
	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, store kyb.Store, opts webhook.Options, serviceOpts ...kyb.Option) *harness {
	t.Helper()
	cipher, err := kyb.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Cipher = store, cipher
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Schedule == (webhook.Schedule{}) {
		opts.Schedule = fastSchedule
	}
	opts.Poll = 20 * time.Millisecond
	relay := webhook.New(opts)
	// The service accepts loopback endpoints exactly when the relay may
	// deliver to them.
	svc := kyb.NewService(store, append([]kyb.Option{kyb.WithCipher(cipher), kyb.WithInsecureWebhooks(opts.AllowPrivate), kyb.WithEventNotifier(relay.Notify)}, serviceOpts...)...)
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{svc: svc, relay: relay, cancel: cancel, done: make(chan struct{})}
	go func() { relay.Run(ctx); close(h.done) }()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	h.cancel()
	<-h.done
}

// delivery is what a receiver got.
type delivery struct {
	header http.Header
	body   []byte
	event  *client.WebhookEvent
	err    error
}

// receiver is a real HTTP endpoint that verifies every delivery and
// answers with what respond says.
type receiver struct {
	*httptest.Server
	secret  atomic.Value // string
	mu      sync.Mutex
	got     []delivery
	respond func(n int) int // status for the n-th request, from 1
	arrived chan struct{}
}

func newReceiver(t *testing.T, respond func(n int) int) *receiver {
	r := &receiver{respond: respond, arrived: make(chan struct{}, 10000)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		secret, _ := r.secret.Load().(string)
		ev, err := client.VerifyWebhook(secret, req.Header, body, 0)
		r.mu.Lock()
		r.got = append(r.got, delivery{req.Header.Clone(), body, ev, err})
		n := len(r.got)
		r.mu.Unlock()
		w.WriteHeader(r.respond(n))
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// waitFor waits until the receiver has had n requests.
func (r *receiver) waitFor(t *testing.T, n int) []delivery {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for len(r.deliveries()) < n {
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("receiver got %d requests, want %d", len(r.deliveries()), n)
		}
	}
	return r.deliveries()
}

func always(status int) func(int) int { return func(int) int { return status } }

// subscribe registers the receiver as an endpoint of a new partner.
func subscribe(t *testing.T, h *harness, r *receiver) (partnerID string, endpoint kyb.Endpoint) {
	t.Helper()
	creds, err := h.svc.CreatePartner(context.Background(), kyb.Actor{Type: kyb.ActorSystem, ID: "test"}, "Partner", false)
	if err != nil {
		t.Fatal(err)
	}
	e, err := h.svc.CreateEndpoint(context.Background(), testActor, creds.PartnerID, r.URL+"/hooks")
	if err != nil {
		t.Fatalf("CreateEndpoint: %v", err)
	}
	r.secret.Store(e.Secret)
	return creds.PartnerID, e
}

var nextCustomer atomic.Int64

func createCustomer(t *testing.T, h *harness, partnerID string) kyb.Customer {
	t.Helper()
	p := storetest.NewCustomer(partnerID, "x").Profile
	p.PartnerCustomerID = "webhook-customer-" + strings.Repeat("0", 6) + string(rune('a'+nextCustomer.Add(1)%26)) + time.Now().Format("150405.000000000")
	c, _, err := h.svc.CreateCustomer(context.Background(), partnerID, p)
	if err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	return c
}

func review(t *testing.T, h *harness, id string, to kyb.Status) {
	t.Helper()
	if _, err := h.svc.ChangeStatus(context.Background(), kyb.Actor{Type: kyb.ActorOperator, ID: "opr_test"}, id, kyb.StatusChange{Status: to, Reason: "test"}); err != nil {
		t.Fatalf("ChangeStatus to %s: %v", to, err)
	}
}

func TestEventsForCreateAndEachStatusChange(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e.Open(t), webhook.Options{AllowPrivate: true})
		r := newReceiver(t, always(http.StatusNoContent))
		partnerID, _ := subscribe(t, h, r)
		c := createCustomer(t, h, partnerID)
		r.waitFor(t, 1) // events of one customer may otherwise overtake each other
		for _, s := range []kyb.Status{kyb.StatusActive, kyb.StatusSuspended, kyb.StatusActive} {
			review(t, h, c.ID, s)
		}
		got := r.waitFor(t, 4)
		want := []struct {
			typ    string
			status kyb.Status
		}{{"customer.created", kyb.StatusPending}, {"customer.active", kyb.StatusActive}, {"customer.suspended", kyb.StatusSuspended}, {"customer.active", kyb.StatusActive}}
		bySequence := map[int64]delivery{}
		for _, d := range got {
			if d.err != nil {
				t.Fatalf("delivery does not verify: %v\n%s", d.err, d.body)
			}
			if d.header.Get("webhook-id") != d.event.ID || !strings.HasPrefix(d.event.ID, "evt_") || d.header.Get("Content-Type") != "application/json" {
				t.Errorf("delivery headers %v for event %s", d.header, d.event.ID)
			}
			bySequence[d.event.Sequence] = d
		}
		for i, w := range want {
			d, ok := bySequence[int64(i+1)]
			if !ok {
				t.Fatalf("no event with sequence %d among %d deliveries", i+1, len(got))
			}
			if d.event.Type != w.typ || d.event.Data.CustomerID != c.ID || kyb.Status(d.event.Data.Status) != w.status || d.event.Data.BusinessDetails.BusinessName != c.Profile.BusinessDetails.BusinessName {
				t.Errorf("event %d = %s with status %s, want %s with %s", i+1, d.event.Type, d.event.Data.Status, w.typ, w.status)
			}
		}
		// The data is the customer exactly as the API shows it.
		var data map[string]any
		json.Unmarshal(bySequence[4].body, &struct{ Data *map[string]any }{&data})
		if data["status_reason"] != "test" || data["status_updated_at"] == nil || data["customer_id"] != c.ID {
			t.Errorf("data = %v, want the customer with its status reason", data)
		}
	})
}

func TestRetriesUntilTheReceiverAccepts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		h := newHarness(t, e.Open(t), webhook.Options{AllowPrivate: true})
		// Fail three times, then succeed.
		r := newReceiver(t, func(n int) int {
			if n <= 3 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		partnerID, _ := subscribe(t, h, r)
		createCustomer(t, h, partnerID)
		got := r.waitFor(t, 4)
		for i, d := range got {
			if d.err != nil {
				t.Errorf("attempt %d does not verify: %v", i+1, d.err)
			}
			if string(d.body) != string(got[0].body) || d.header.Get("webhook-id") != got[0].header.Get("webhook-id") {
				t.Errorf("attempt %d sent another body or id than the first", i+1)
			}
		}
		deliveries := waitForStatus(t, h, partnerID, got[0].event.ID, kyb.DeliverySucceeded)
		attempts := deliveries[0].Attempts
		if len(attempts) != 4 || attempts[3].StatusCode != 200 || attempts[0].StatusCode != 500 || attempts[0].Error != "http status 500" {
			t.Errorf("attempts = %+v, want three 500s then a 200", attempts)
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(r.deliveries()); n != 4 {
			t.Errorf("receiver got %d requests after success, want 4", n)
		}
	})
}

// waitForDeliveries waits until the event's deliveries are done by
// done's measure, which returns what to give back, and fails saying want.
func waitForDeliveries(t *testing.T, h *harness, partnerID, eventID, want string, done func([]kyb.Delivery) ([]kyb.Delivery, bool)) []kyb.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := h.svc.Deliveries(context.Background(), partnerID, eventID)
		if err != nil {
			t.Fatal(err)
		}
		if out, ok := done(d); ok {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries of %s = %+v, want %s", eventID, d, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitForStatus waits until the event's delivery has the status.
func waitForStatus(t *testing.T, h *harness, partnerID, eventID string, status kyb.DeliveryStatus) []kyb.Delivery {
	t.Helper()
	return waitForDeliveries(t, h, partnerID, eventID, string(status), func(d []kyb.Delivery) ([]kyb.Delivery, bool) {
		return d, len(d) > 0 && d[0].Status == status
	})
}

// waitForAttempts waits until n deliveries of an event have been
// attempted, and returns them.
func waitForAttempts(t *testing.T, h *harness, partnerID, eventID string, n int) []kyb.Delivery {
	t.Helper()
	return waitForDeliveries(t, h, partnerID, eventID, strconv.Itoa(n)+" attempted", func(d []kyb.Delivery) ([]kyb.Delivery, bool) {
		attempted := slices.DeleteFunc(d, func(x kyb.Delivery) bool { return len(x.Attempts) == 0 })
		return attempted, len(attempted) >= n
	})
}

func TestHangingReceiverIsCutAtTheTimeout(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t), webhook.Options{AllowPrivate: true, Timeout: 300 * time.Millisecond})
	release := make(chan struct{})
	r := newReceiver(t, func(n int) int {
		if n == 1 {
			<-release // hang until the test ends
		}
		return http.StatusOK
	})
	defer close(release)
	partnerID, _ := subscribe(t, h, r)
	createCustomer(t, h, partnerID)
	var eventID string
	deadline := time.Now().Add(10 * time.Second)
	for eventID == "" {
		if time.Now().After(deadline) {
			t.Fatal("no event")
		}
		if got := r.deliveries(); len(got) > 0 {
			eventID = got[0].event.ID
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The first attempt is cut off and recorded; the retry succeeds.
	d := waitForStatus(t, h, partnerID, eventID, kyb.DeliverySucceeded)
	first := d[0].Attempts[0]
	if first.StatusCode != 0 || first.Error != webhook.ClassTimeout || first.Latency >= 5*time.Second {
		t.Errorf("first attempt = %+v, want cut off with an error", first)
	}
}

func TestGivesUpAfterTheSchedule(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t), webhook.Options{AllowPrivate: true,
		Schedule: webhook.Schedule{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, GiveUpAfter: 300 * time.Millisecond}})
	r := newReceiver(t, always(http.StatusServiceUnavailable))
	partnerID, _ := subscribe(t, h, r)
	createCustomer(t, h, partnerID)
	got := r.waitFor(t, 1)
	d := waitForStatus(t, h, partnerID, got[0].event.ID, kyb.DeliveryFailed)
	if n := len(d[0].Attempts); n < 2 {
		t.Errorf("failed after %d attempts, want retries first", n)
	}
}

func TestRefusesPrivateAddressesAndRedirects(t *testing.T) {
	store := storetest.SQLite(t)
	logs := &lockedBuffer{}
	h := newHarness(t, store, webhook.Options{AllowPrivate: false, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	r := newReceiver(t, always(http.StatusOK))
	creds, _ := h.svc.CreatePartner(context.Background(), testActor, "P", false)

	// Registration refuses what it can see is not public or not https.
	for _, url := range []string{"https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://localhost/hook", "http://example.com/hook", "https://user:pw@example.com/hook"} {
		if _, err := h.svc.CreateEndpoint(context.Background(), testActor, creds.PartnerID, url); kyb.ErrorKind(err) != kyb.KindInvalid {
			t.Errorf("CreateEndpoint(%s) error = %v, want invalid", url, err)
		}
	}

	// The dialer refuses what a name resolves to, and every literal that
	// got past registration, at connect time.
	addr := strings.TrimPrefix(r.URL, "http://")
	_, port, _ := strings.Cut(addr, ":")
	cipher, _ := kyb.NewCipher(testKey)
	// A name that does not resolve fails alike: a partner must not tell
	// it from a refused address, nor learn our resolver's address.
	targets := []string{r.URL + "/hook", "http://localhost:" + port + "/hook", "http://10.0.0.1:" + port + "/hook", "http://169.254.169.254/latest",
		"http://no-such-host.invalid:" + port + "/hook"}
	for i, url := range targets {
		e := kyb.Endpoint{ID: kyb.NewID(kyb.PrefixEndpoint, time.Now()), PartnerID: creds.PartnerID, URL: url, CreatedAt: time.Now().UTC()}
		if err := store.CreateEndpoint(context.Background(), e, cipher.Seal(e.ID, []byte("whsec_c2VjcmV0")), kyb.AuditEvent{ID: kyb.NewID(kyb.PrefixAuditEvent, time.Now()), At: time.Now(), Actor: testActor, Action: kyb.ActionEndpointCreated}, kyb.AllowAnotherEndpoint); err != nil {
			t.Fatalf("endpoint %d: %v", i, err)
		}
	}
	c := createCustomer(t, h, creds.PartnerID)
	events := waitForEvents(t, h.svc, c.ID, 1)
	for _, x := range waitForAttempts(t, h, creds.PartnerID, events[0], len(targets)) {
		if x.Attempts[0].StatusCode != 0 || x.Attempts[0].Error != webhook.ClassConnection {
			t.Errorf("delivery to %s: attempt %+v, want the error %q and nothing more", x.URL, x.Attempts[0], webhook.ClassConnection)
		}
	}
	if n := len(r.deliveries()); n != 0 {
		t.Errorf("the receiver on loopback got %d requests, want none", n)
	}
	// The operators' log keeps what happened. The relay logs an attempt
	// after recording it, so the last line may lag the attempts just read.
	for _, detail := range []string{"not public", "no-such-host.invalid"} {
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), detail) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), detail) {
			t.Errorf("the log does not say %q:\n%s", detail, logs.String())
		}
	}

	// A redirect is not followed, even where private addresses are allowed.
	h2 := newHarness(t, storetest.SQLite(t), webhook.Options{AllowPrivate: true})
	target := newReceiver(t, always(http.StatusOK))
	redirector := newReceiver(t, always(http.StatusOK))
	redirector.Config.Handler = http.RedirectHandler(target.URL+"/hooks", http.StatusFound)
	partnerID, _ := subscribe(t, h2, redirector)
	c2 := createCustomer(t, h2, partnerID)
	events = waitForEvents(t, h2.svc, c2.ID, 1)
	if a := waitForAttempts(t, h2, partnerID, events[0], 1)[0].Attempts[0]; a.StatusCode != http.StatusFound || a.Error != "http status 302" {
		t.Errorf("redirected attempt = %+v, want a failed 302", a)
	}
	if n := len(target.deliveries()); n != 0 {
		t.Errorf("the redirect target got %d requests, want none", n)
	}
}

// waitForEvents waits until the customer has n events and returns their ids.
func waitForEvents(t *testing.T, svc *kyb.Service, customerID string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, err := svc.CustomerEvents(context.Background(), "", customerID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) >= n {
			var ids []string
			for _, e := range events {
				ids = append(ids, e.ID)
			}
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer %s has %d events, want %d", customerID, len(events), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoRelaysShareTheWork runs two relays, each with its own connection
// pool as two service processes would have, on one PostgreSQL database.
func TestTwoRelaysShareTheWork(t *testing.T) {
	a := newHarness(t, storetest.Postgres(t), webhook.Options{AllowPrivate: true, Workers: 8})
	b := newHarness(t, storetest.Postgres(t), webhook.Options{AllowPrivate: true, Workers: 8})
	r := newReceiver(t, always(http.StatusOK))
	partnerID, _ := subscribe(t, a, r)
	const n = 500
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := a
			if i%2 == 1 {
				h = b
			}
			p := storetest.NewCustomer(partnerID, "x").Profile
			p.PartnerCustomerID = "two-relays-customer-" + strconv.Itoa(i) + "-" + partnerID[4:16]
			if _, _, err := h.svc.CreateCustomer(context.Background(), partnerID, p); err != nil {
				t.Errorf("CreateCustomer: %v", err)
			}
		}()
	}
	wg.Wait()
	got := r.waitFor(t, n)
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	got = r.deliveries()
	seen := map[string]int{}
	for _, d := range got {
		if d.err != nil {
			t.Fatalf("delivery does not verify: %v", d.err)
		}
		seen[d.event.ID]++
	}
	if len(seen) != n || len(got) != n {
		t.Errorf("receiver got %d deliveries of %d events, want each of %d exactly once", len(got), len(seen), n)
	}
}

// testActor is who the tests' direct service calls are recorded as.
var testActor = kyb.Actor{Type: kyb.ActorSystem, ID: "test"}

// TestUntrustedCertificateIsATLSError: an endpoint whose certificate we
// do not trust fails as a TLS error, with no more detail for the partner.
func TestUntrustedCertificateIsATLSError(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t), webhook.Options{AllowPrivate: true})
	r := newReceiver(t, always(http.StatusOK))
	r.Close()
	r.Server = httptest.NewTLSServer(r.Config.Handler) // its own certificate, which no one trusts
	t.Cleanup(r.Server.Close)
	partnerID, _ := subscribe(t, h, r)
	c := createCustomer(t, h, partnerID)
	events := waitForEvents(t, h.svc, c.ID, 1)
	if a := waitForAttempts(t, h, partnerID, events[0], 1)[0].Attempts[0]; a.StatusCode != 0 || a.Error != webhook.ClassTLS {
		t.Errorf("attempt = %+v, want the error %q", a, webhook.ClassTLS)
	}
	if n := len(r.deliveries()); n != 0 {
		t.Errorf("the receiver got %d requests past a failed handshake, want none", n)
	}
}

// lockedBuffer collects log lines written from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestRotatedSecretSignsDuringItsGrace: after a rotation, a receiver that
// still verifies with the old secret (a real server, with client's
// verifier) accepts deliveries until the grace period ends, and refuses
// them after; every delivery verifies with the new secret. The clock is
// moved, not waited for.
func TestRotatedSecretSignsDuringItsGrace(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		const grace = time.Hour
		var shift atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
		h := newHarness(t, e.Open(t), webhook.Options{AllowPrivate: true, Now: now}, kyb.WithClock(now), kyb.WithWebhookSecretGrace(grace))

		type received struct {
			header http.Header
			body   []byte
			err    error
		}
		var oldSecret atomic.Value
		got := make(chan received, 100)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			// The tolerance covers the moved clock; the signature is what is tested.
			_, err := client.VerifyWebhook(oldSecret.Load().(string), req.Header, body, 3*grace)
			got <- received{req.Header.Clone(), body, err}
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(srv.Close)
		creds, err := h.svc.CreatePartner(context.Background(), testActor, "Partner", false)
		if err != nil {
			t.Fatal(err)
		}
		ep, err := h.svc.CreateEndpoint(context.Background(), testActor, creds.PartnerID, srv.URL+"/hooks")
		if err != nil {
			t.Fatal(err)
		}
		oldSecret.Store(ep.Secret)
		rotated, err := h.svc.RotateEndpointSecret(context.Background(), testActor, creds.PartnerID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}

		next := func() received {
			t.Helper()
			select {
			case r := <-got:
				if _, err := client.VerifyWebhook(rotated.Secret, r.header, r.body, 3*grace); err != nil {
					t.Errorf("a delivery does not verify with the new secret: %v", err)
				}
				return r
			case <-time.After(20 * time.Second):
				t.Fatal("no delivery")
			}
			return received{}
		}
		createCustomer(t, h, creds.PartnerID)
		if r := next(); r.err != nil {
			t.Errorf("during the grace period, verifying with the old secret: %v; want it accepted", r.err)
		}

		shift.Store(int64(grace + time.Minute))
		createCustomer(t, h, creds.PartnerID)
		if r := next(); !errors.Is(r.err, client.ErrWebhookSignature) {
			t.Errorf("after the grace period, verifying with the old secret: %v; want %v", r.err, client.ErrWebhookSignature)
		}
	})
}
