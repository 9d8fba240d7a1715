package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/client"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
	"github.com/onboardkyb/onboard/internal/webhook"
)

// startRelay runs a webhook relay for the test server until the test ends.
func (ts *testServer) startRelay(t *testing.T) {
	t.Helper()
	relay := webhook.New(webhook.Options{
		Store: ts.Store, Cipher: ts.Cipher, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Timeout: 2 * time.Second, Schedule: webhook.Schedule{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, GiveUpAfter: time.Minute},
		Poll: 20 * time.Millisecond, AllowPrivate: true,
	})
	ts.reconfigure(t, kyb.WithEventNotifier(relay.Notify))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// hookReceiver collects verified deliveries.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	events []*client.WebhookEvent
	bodies []string
	errs   []error
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		ev, err := client.VerifyWebhook(h.secret, r.Header, body, 0)
		if err != nil {
			h.errs = append(h.errs, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.events, h.bodies = append(h.events, ev), append(h.bodies, string(body))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) setSecret(s string) {
	h.mu.Lock()
	h.secret = s
	h.mu.Unlock()
}

// wait waits for n verified deliveries.
func (h *hookReceiver) wait(t *testing.T, n int) ([]*client.WebhookEvent, []string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		h.mu.Lock()
		events, bodies, errs := append([]*client.WebhookEvent(nil), h.events...), append([]string(nil), h.bodies...), h.errs
		h.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("a delivery failed verification: %v", errs[0])
		}
		if len(events) >= n {
			return events, bodies
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d deliveries, want %d", len(events), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type endpointResponse struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	CreatedAt string `json:"created_at"`
	Secret    string `json:"secret"`
}

func TestWebhookEndpointsThroughTheAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		ts.reconfigure(t, kyb.WithInsecureWebhooks(true))
		ts.startRelay(t)
		token := ts.operator(t)
		creds, other := ts.partner(t), ts.partner(t)
		rcv := newHookReceiver(t)

		resp := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, `{"url":"`+rcv.URL+`/hooks"}`)
		if resp.StatusCode != 200 {
			t.Fatalf("create endpoint = %d: %s", resp.StatusCode, resp.Body)
		}
		var ep endpointResponse
		json.Unmarshal(resp.Body, &ep)
		if !strings.HasPrefix(ep.ID, "we_") || !strings.HasPrefix(ep.Secret, "whsec_") || ep.URL != rcv.URL+"/hooks" {
			t.Fatalf("endpoint = %+v", ep)
		}
		rcv.setSecret(ep.Secret)
		list := ts.request(t, "GET", "/api/webhooks/endpoints", &creds, "")
		if !strings.Contains(string(list.Body), ep.ID) || strings.Contains(string(list.Body), ep.Secret) {
			t.Errorf("endpoints = %s, want %s listed without its secret", list.Body, ep.ID)
		}
		if theirs := ts.request(t, "GET", "/api/webhooks/endpoints", &other, ""); strings.Contains(string(theirs.Body), ep.ID) {
			t.Errorf("another partner sees the endpoint: %s", theirs.Body)
		}

		// A customer's creation and approval arrive, verified.
		id := ts.newCustomer(t, creds)
		rcv.wait(t, 1)
		ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("active", "ok"))
		events, bodies := rcv.wait(t, 2)
		if events[0].Type != "customer.created" || events[1].Type != "customer.active" || events[1].Sequence != 2 || events[1].Data.CustomerID != id {
			t.Errorf("events = %+v %+v", events[0], events[1])
		}

		// The partner can read the events back, byte for byte.
		var listed struct{ Data []json.RawMessage }
		json.Unmarshal(ts.request(t, "GET", "/api/customers/"+id+"/events", &creds, "").Body, &listed)
		if len(listed.Data) != 2 || string(listed.Data[0]) != bodies[0] || string(listed.Data[1]) != bodies[1] {
			t.Errorf("events read back = %s, want the delivered bodies %v", listed.Data, bodies)
		}
		if resp := ts.request(t, "GET", "/api/customers/"+id+"/events", &other, ""); resp.StatusCode != 404 {
			t.Errorf("another partner's customer events = %d, want 404", resp.StatusCode)
		}

		// Deliveries show every attempt.
		var deliveries struct {
			Data []struct {
				EndpointID string `json:"endpoint_id"`
				Status     string `json:"status"`
				Attempts   []struct {
					StatusCode int `json:"status_code"`
				} `json:"attempts"`
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp := ts.request(t, "GET", "/api/webhooks/deliveries?event_id="+events[1].ID, &creds, "")
			json.Unmarshal(resp.Body, &deliveries)
			if len(deliveries.Data) == 1 && deliveries.Data[0].Status == "succeeded" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries = %s, want one succeeded", resp.Body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if d := deliveries.Data[0]; d.EndpointID != ep.ID || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 200 {
			t.Errorf("delivery = %+v, want one 200 attempt to %s", d, ep.ID)
		}
		if resp := ts.request(t, "GET", "/api/webhooks/deliveries?event_id="+events[1].ID, &other, ""); strings.Contains(string(resp.Body), ep.ID) {
			t.Errorf("another partner sees the deliveries: %s", resp.Body)
		}
		for _, bad := range []string{"", "?event_id=nope", "?event_id=" + events[1].ID + "&x=1"} {
			if resp := ts.request(t, "GET", "/api/webhooks/deliveries"+bad, &creds, ""); resp.StatusCode != 400 {
				t.Errorf("deliveries%s = %d, want 400", bad, resp.StatusCode)
			}
		}

		// An operator redelivers: the same body arrives again.
		if resp := ts.admin(t, token, "POST", "/admin/events/"+events[1].ID+"/redeliver", ""); resp.StatusCode != 200 {
			t.Fatalf("redeliver = %d: %s", resp.StatusCode, resp.Body)
		}
		_, bodies = rcv.wait(t, 3)
		if bodies[2] != bodies[1] {
			t.Errorf("redelivered body differs:\n%s\n%s", bodies[2], bodies[1])
		}
		if resp := ts.admin(t, token, "POST", "/admin/events/evt_00000000000000000000000000000000/redeliver", ""); resp.StatusCode != 404 {
			t.Errorf("redeliver of an unknown event = %d, want 404", resp.StatusCode)
		}

		// Rotation: deliveries from then on are signed with the new secret.
		resp = ts.request(t, "POST", "/api/webhooks/endpoints/"+ep.ID+"/rotate-secret", &creds, "")
		var rotated endpointResponse
		json.Unmarshal(resp.Body, &rotated)
		if resp.StatusCode != 200 || rotated.Secret == ep.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
			t.Fatalf("rotate = %d %s", resp.StatusCode, resp.Body)
		}
		rcv.setSecret(rotated.Secret)
		ts.admin(t, token, "POST", "/admin/customers/"+id+"/status", review("suspended", "chargebacks"))
		events, _ = rcv.wait(t, 4)
		if events[3].Type != "customer.suspended" || events[3].Sequence != 3 {
			t.Errorf("after rotation got %+v", events[3])
		}

		// Another partner cannot touch the endpoint; its owner can delete it.
		for _, r := range []struct{ method, path string }{{"DELETE", "/api/webhooks/endpoints/" + ep.ID}, {"POST", "/api/webhooks/endpoints/" + ep.ID + "/rotate-secret"}} {
			if resp := ts.request(t, r.method, r.path, &other, ""); resp.StatusCode != 404 {
				t.Errorf("%s %s by another partner = %d, want 404", r.method, r.path, resp.StatusCode)
			}
		}
		if resp := ts.request(t, "DELETE", "/api/webhooks/endpoints/"+ep.ID, &creds, ""); resp.StatusCode != 200 {
			t.Errorf("delete = %d: %s", resp.StatusCode, resp.Body)
		}
		if resp := ts.request(t, "DELETE", "/api/webhooks/endpoints/"+ep.ID, &creds, ""); resp.StatusCode != 404 {
			t.Errorf("second delete = %d, want 404", resp.StatusCode)
		}
	})
}

func TestWebhookEndpointValidation(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	tests := []struct {
		body   string
		status int
		code   string
	}{
		{`{"url":"http://example.com/hooks"}`, 400, "invalid_format"},
		{`{"url":"https://127.0.0.1/hooks"}`, 400, "invalid_value"},
		{`{"url":"https://10.1.2.3/hooks"}`, 400, "invalid_value"},
		{`{"url":"https://169.254.169.254/latest/meta-data"}`, 400, "invalid_value"},
		{`{"url":"https://localhost:8443/hooks"}`, 400, "invalid_value"},
		{`{"url":"https://user:secret@example.com/hooks"}`, 400, "invalid_format"},
		{`{"url":"example.com/hooks"}`, 400, "invalid_format"},
		{`{"url":""}`, 400, "required"},
		{`{"url":"https://example.com/hooks","events":["x"]}`, 400, "unknown_field"},
	}
	for _, tt := range tests {
		resp := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, tt.body)
		if resp.StatusCode != tt.status || !strings.Contains(string(resp.Body), `"code":"`+tt.code+`"`) {
			t.Errorf("create endpoint %s = %d %s, want %d %s", tt.body, resp.StatusCode, resp.Body, tt.status, tt.code)
		}
	}
	for range kyb.MaxEndpoints {
		if resp := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, `{"url":"https://hooks.example.com/x"}`); resp.StatusCode != 200 {
			t.Fatalf("create endpoint = %d: %s", resp.StatusCode, resp.Body)
		}
	}
	if resp := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, `{"url":"https://hooks.example.com/x"}`); resp.StatusCode != 409 {
		t.Errorf("endpoint beyond the limit = %d, want 409", resp.StatusCode)
	}
}

func TestAdminManagesWebhookEndpoints(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	token := ts.operator(t)
	creds := ts.partner(t)
	resp := ts.admin(t, token, "POST", "/admin/partners/"+creds.PartnerID+"/webhooks/endpoints", `{"url":"https://hooks.example.com/onboard"}`)
	var ep endpointResponse
	json.Unmarshal(resp.Body, &ep)
	if resp.StatusCode != 200 || ep.Secret == "" {
		t.Fatalf("admin create endpoint = %d %s", resp.StatusCode, resp.Body)
	}
	if list := ts.request(t, "GET", "/api/webhooks/endpoints", &creds, ""); !strings.Contains(string(list.Body), ep.ID) {
		t.Errorf("partner does not see the endpoint the operator made: %s", list.Body)
	}
	base := "/admin/partners/" + creds.PartnerID + "/webhooks/endpoints"
	if resp := ts.admin(t, token, "GET", base, ""); !strings.Contains(string(resp.Body), ep.ID) {
		t.Errorf("admin list = %s", resp.Body)
	}
	if resp := ts.admin(t, token, "POST", base+"/"+ep.ID+"/rotate-secret", ""); resp.StatusCode != 200 || strings.Contains(string(resp.Body), ep.Secret) {
		t.Errorf("admin rotate = %d %s", resp.StatusCode, resp.Body)
	}
	if resp := ts.admin(t, token, "DELETE", base+"/"+ep.ID, ""); resp.StatusCode != 200 {
		t.Errorf("admin delete = %d %s", resp.StatusCode, resp.Body)
	}
	if resp := ts.admin(t, token, "POST", "/admin/partners/ptn_missing/webhooks/endpoints", `{"url":"https://hooks.example.com/x"}`); resp.StatusCode != 404 {
		t.Errorf("endpoint for a missing partner = %d, want 404", resp.StatusCode)
	}

	// The partner's own endpoint, then the trail: who did what to which
	// endpoint, the operator's actions under the operator's id.
	mine := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, `{"url":"https://hooks.example.com/mine"}`)
	var own endpointResponse
	json.Unmarshal(mine.Body, &own)
	var trail struct {
		Data []struct {
			Action    string `json:"action"`
			ActorType string `json:"actor_type"`
			TargetID  string `json:"target_id"`
		} `json:"data"`
	}
	body := ts.admin(t, token, "GET", "/admin/audit?partner_id="+creds.PartnerID, "").Body
	if err := json.Unmarshal(body, &trail); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range trail.Data {
		if a.TargetID != "" {
			got = append(got, a.Action+" by "+a.ActorType+" on "+a.TargetID)
		}
	}
	want := []string{
		"webhook_endpoint.created by operator on " + ep.ID,
		"webhook_endpoint.secret_rotated by operator on " + ep.ID,
		"webhook_endpoint.deleted by operator on " + ep.ID,
		"webhook_endpoint.created by partner on " + own.ID,
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit trail of endpoint changes = %q, want %q", got, want)
	}
}
