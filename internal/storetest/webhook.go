package storetest

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// NewEndpoint stores an endpoint of a partner with a made-up sealed secret.
func NewEndpoint(t *testing.T, s kyb.Store, partnerID, url string) kyb.Endpoint {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	e := kyb.Endpoint{ID: kyb.NewID(kyb.PrefixEndpoint, now), PartnerID: partnerID, URL: url, CreatedAt: now}
	if err := s.CreateEndpoint(ctx, e, []byte("sealed-"+e.ID), AuditOf(kyb.ActionEndpointCreated, e.PartnerID, e.ID), kyb.AllowAnotherEndpoint); err != nil {
		t.Fatalf("CreateEndpoint: %v", err)
	}
	return e
}

func testEndpoints(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	other, _ := NewPartner(t, s)
	var made []kyb.Endpoint
	for i := range kyb.MaxEndpoints {
		made = append(made, NewEndpoint(t, s, p.ID, fmt.Sprintf("https://example.com/hook/%d", i)))
	}
	extra := kyb.Endpoint{ID: kyb.NewID(kyb.PrefixEndpoint, time.Now()), PartnerID: p.ID, URL: "https://example.com/x", CreatedAt: time.Now().UTC()}
	if err := s.CreateEndpoint(ctx, extra, []byte("x"), AuditOf(kyb.ActionEndpointCreated, extra.PartnerID, extra.ID), kyb.AllowAnotherEndpoint); !errors.Is(err, kyb.ErrTooManyEndpoints) {
		t.Errorf("CreateEndpoint beyond the cap: %v, want too many endpoints", err)
	}
	list, err := s.Endpoints(ctx, p.ID)
	if err != nil || len(list) != kyb.MaxEndpoints || list[0].ID != made[0].ID || list[0].URL != made[0].URL || !list[0].CreatedAt.Equal(made[0].CreatedAt) || list[0].Secret != "" {
		t.Errorf("Endpoints = %+v, %v; want the %d made, without secrets", list, err, kyb.MaxEndpoints)
	}
	if err := s.DeleteEndpoint(ctx, other.ID, made[0].ID, AuditOf(kyb.ActionEndpointDeleted, other.ID, made[0].ID)); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("DeleteEndpoint by another partner: %v, want not found", err)
	}
	if _, err := s.SetEndpointSecret(ctx, other.ID, made[0].ID, []byte("y"), time.Now(), AuditOf(kyb.ActionEndpointRotated, other.ID, made[0].ID)); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("SetEndpointSecret by another partner: %v, want not found", err)
	}
	if e, err := s.SetEndpointSecret(ctx, p.ID, made[0].ID, []byte("new"), time.Now(), AuditOf(kyb.ActionEndpointRotated, p.ID, made[0].ID)); err != nil || e.ID != made[0].ID || e.URL != made[0].URL {
		t.Errorf("SetEndpointSecret = %+v, %v", e, err)
	}
	if err := s.DeleteEndpoint(ctx, p.ID, made[0].ID, AuditOf(kyb.ActionEndpointDeleted, p.ID, made[0].ID)); err != nil {
		t.Fatalf("DeleteEndpoint: %v", err)
	}
	if err := s.DeleteEndpoint(ctx, p.ID, made[0].ID, AuditOf(kyb.ActionEndpointDeleted, p.ID, made[0].ID)); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("DeleteEndpoint twice: %v, want not found", err)
	}
	if list, _ := s.Endpoints(ctx, p.ID); len(list) != kyb.MaxEndpoints-1 {
		t.Errorf("after delete %d endpoints, want %d", len(list), kyb.MaxEndpoints-1)
	}
	if err := s.CreateEndpoint(ctx, extra, []byte("x"), AuditOf(kyb.ActionEndpointCreated, extra.PartnerID, extra.ID), kyb.AllowAnotherEndpoint); err != nil {
		t.Errorf("CreateEndpoint after a delete: %v", err)
	}

	// Each change that happened is in the partner's audit trail, once,
	// naming its endpoint; those that were refused left nothing.
	trail, err := s.AuditEvents(ctx, kyb.AuditFilter{PartnerID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, a := range trail {
		if a.Action != kyb.ActionPartnerCreated {
			counts[a.Action+" "+a.TargetID]++
		}
	}
	want := map[string]int{
		kyb.ActionEndpointRotated + " " + made[0].ID: 1,
		kyb.ActionEndpointDeleted + " " + made[0].ID: 1,
		kyb.ActionEndpointCreated + " " + extra.ID:   1,
	}
	for _, e := range made {
		want[kyb.ActionEndpointCreated+" "+e.ID] = 1
	}
	if !maps.Equal(counts, want) {
		t.Errorf("the partner's endpoint audit trail = %v, want %v", counts, want)
	}
	if trail, err := s.AuditEvents(ctx, kyb.AuditFilter{PartnerID: other.ID}); err != nil || len(trail) != 1 {
		t.Errorf("the other partner's audit trail = %+v, %v; want only its creation", trail, err)
	}
}

func testOutbox(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	a := NewEndpoint(t, s, p.ID, "https://a.example.com/hook")
	b := NewEndpoint(t, s, p.ID, "https://b.example.com/hook")
	// a's secret is rotated: its claims carry the secret it replaced too,
	// with the end of its grace; b, never rotated, has no previous one.
	graceEnd := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
	if _, err := s.SetEndpointSecret(ctx, p.ID, a.ID, []byte("rotated-"+a.ID), graceEnd, AuditOf(kyb.ActionEndpointRotated, p.ID, a.ID)); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]kyb.Endpoint{
		a.ID: {Secret: "rotated-" + a.ID, PreviousSecret: "sealed-" + a.ID, PreviousSecretExpiresAt: graceEnd},
		b.ID: {Secret: "sealed-" + b.ID},
	}
	c := NewCustomer(p.ID, "outbox-customer-000001")
	created := EventOf(c)
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), created); err != nil {
		t.Fatal(err)
	}
	change := statusAudit(c, kyb.StatusPending, kyb.StatusActive, "ok")
	changed := StatusEventOf(change)
	if _, err := s.UpdateCustomerStatus(ctx, change, changed, 0); err != nil {
		t.Fatal(err)
	}

	// Claim everything due for this test's events; other tests may share
	// the database, so look only at ours.
	now := time.Now().UTC().Add(time.Second)
	mine := func(jobs []kyb.Job) []kyb.Job {
		var out []kyb.Job
		for _, j := range jobs {
			if j.Event.PartnerID == p.ID {
				out = append(out, j)
			}
		}
		return out
	}
	jobs := mine(claimAll(t, s, now, time.Minute))
	if len(jobs) != 4 {
		t.Fatalf("claimed %d deliveries, want 4 (2 events x 2 endpoints): %+v", len(jobs), jobs)
	}
	for _, j := range jobs {
		want := map[string]kyb.Event{created.ID: created, changed.ID: changed}[j.Event.ID]
		seq := map[string]int64{created.ID: 1, changed.ID: 2}[j.Event.ID]
		if j.Event.Type != want.Type || j.Event.Sequence != seq || string(j.Event.Data) != string(want.Data) || j.Event.CustomerID != c.ID || !j.Event.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("claimed event %+v, want %+v with sequence %d", j.Event, want, seq)
		}
		w, ok := secrets[j.Endpoint.ID]
		if j.Attempt != 1 || !ok || j.Endpoint.Secret != w.Secret || j.Endpoint.PreviousSecret != w.PreviousSecret || !j.Endpoint.PreviousSecretExpiresAt.Equal(w.PreviousSecretExpiresAt) {
			t.Errorf("claimed job %+v: want attempt 1 to one of the endpoints with its sealed secrets %+v", j, w)
		}
	}
	// Leased deliveries are not claimed again until the lease ends.
	if again := mine(claimAll(t, s, now, time.Minute)); len(again) != 0 {
		t.Errorf("claimed %d leased deliveries again", len(again))
	}
	if again := mine(claimAll(t, s, now.Add(2*time.Minute), time.Minute)); len(again) != 4 || again[0].Attempt != 2 {
		t.Errorf("after the lease: claimed %+v, want all 4 again as attempt 2", again)
	}

	// Record outcomes: one succeeds, one retries later, one fails for good.
	at := now.Add(2 * time.Minute).Truncate(time.Microsecond)
	ok := kyb.Attempt{At: at, StatusCode: 200, Latency: 15 * time.Millisecond}
	bad := kyb.Attempt{At: at, StatusCode: 500, Latency: 20 * time.Millisecond, Error: "http status 500"}
	if err := s.RecordAttempt(ctx, created.ID, a.ID, 2, ok, kyb.DeliverySucceeded, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, created.ID, b.ID, 2, bad, kyb.DeliveryPending, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, changed.ID, a.ID, 2, bad, kyb.DeliveryFailed, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// The failed delivery is listed for the console, the pending one not.
	failed, err := s.FailedDeliveries(ctx, 100)
	var found, pendingListed bool
	for _, d := range failed {
		found = found || d.EventID == changed.ID && d.EndpointID == a.ID && len(d.Attempts) == 1 && d.Attempts[0] == bad && d.URL == a.URL
		pendingListed = pendingListed || d.EventID == created.ID
	}
	if err != nil || !found || pendingListed {
		t.Errorf("FailedDeliveries = %+v, %v; want the failed delivery of %s with its attempt, nothing of %s", failed, err, changed.ID, created.ID)
	}
	deliveries, err := s.Deliveries(ctx, p.ID, created.ID)
	if err != nil || len(deliveries) != 2 {
		t.Fatalf("Deliveries = %+v, %v; want 2", deliveries, err)
	}
	byEndpoint := map[string]kyb.Delivery{deliveries[0].EndpointID: deliveries[0], deliveries[1].EndpointID: deliveries[1]}
	if d := byEndpoint[a.ID]; d.Status != kyb.DeliverySucceeded || len(d.Attempts) != 1 || d.Attempts[0] != ok || d.URL != a.URL {
		t.Errorf("delivery to a = %+v, want succeeded with one attempt %+v", d, ok)
	}
	if d := byEndpoint[b.ID]; d.Status != kyb.DeliveryPending || !d.NextAttemptAt.Equal(at.Add(time.Hour)) || len(d.Attempts) != 1 || d.Attempts[0] != bad {
		t.Errorf("delivery to b = %+v, want pending until %v with one failed attempt", d, at.Add(time.Hour))
	}
	other, _ := NewPartner(t, s)
	if d, err := s.Deliveries(ctx, other.ID, created.ID); err != nil || len(d) != 0 {
		t.Errorf("another partner's Deliveries = %+v, %v; want none", d, err)
	}
	// Not due yet, so not claimed; a redelivery makes everything due now.
	if again := mine(claimAll(t, s, at.Add(time.Minute), time.Hour)); len(again) != 1 || again[0].Event.ID != changed.ID || again[0].Endpoint.ID != b.ID {
		t.Errorf("claimed %+v, want only the untried delivery of %s to b", again, changed.ID)
	}
	redelivery := AuditAt(at.Add(2*time.Minute), kyb.ActionEventRedelivered)
	redelivery.TargetID = created.ID
	if n, err := s.Redeliver(ctx, created.ID, redelivery); err != nil || n != 2 {
		t.Errorf("Redeliver = %d, %v; want 2", n, err)
	}
	if again := mine(claimAll(t, s, at.Add(2*time.Minute), time.Minute)); len(again) != 2 {
		t.Errorf("after Redeliver claimed %d, want 2", len(again))
	}
	trail, err := s.AuditEvents(ctx, kyb.AuditFilter{TargetID: created.ID})
	if err != nil || len(trail) != 1 || trail[0].Action != kyb.ActionEventRedelivered || trail[0].PartnerID != p.ID || trail[0].CustomerID != c.ID {
		t.Errorf("the redelivered event's audit trail = %+v, %v; want one redelivery naming its partner and customer", trail, err)
	}
	if n, err := s.Redeliver(ctx, "evt_00000000000000000000000000000000", AuditOf(kyb.ActionEventRedelivered, "", "evt_00000000000000000000000000000000")); err != nil || n != 0 {
		t.Errorf("Redeliver of no event = %d, %v; want 0", n, err)
	}
	if trail, _ := s.AuditEvents(ctx, kyb.AuditFilter{TargetID: "evt_00000000000000000000000000000000"}); len(trail) != 0 {
		t.Errorf("a redelivery of nothing was audited: %+v", trail)
	}

	// An outcome of a claim that is no longer current is recorded as an
	// attempt but changes nothing: here the redelivery above made a third
	// claim, so a late result of the second does not end the delivery.
	if err := s.RecordAttempt(ctx, created.ID, b.ID, 2, ok, kyb.DeliverySucceeded, time.Time{}); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Deliveries(ctx, p.ID, created.ID)
	for _, x := range d {
		if x.EndpointID == b.ID && (x.Status != kyb.DeliveryPending || len(x.Attempts) != 1) {
			t.Errorf("a stale outcome changed the delivery to b: %+v, want pending with the one attempt of claim 2", x)
		}
	}

	// Deleting an endpoint ends its pending deliveries.
	if err := s.DeleteEndpoint(ctx, p.ID, b.ID, AuditOf(kyb.ActionEndpointDeleted, p.ID, b.ID)); err != nil {
		t.Fatal(err)
	}
	d, _ = s.Deliveries(ctx, p.ID, created.ID)
	for _, x := range d {
		if x.EndpointID == b.ID && x.Status != kyb.DeliveryFailed {
			t.Errorf("delivery to a deleted endpoint is %s, want failed", x.Status)
		}
	}
}

// claimAll claims every delivery due at now.
func claimAll(t *testing.T, s kyb.Store, now time.Time, lease time.Duration) []kyb.Job {
	t.Helper()
	var all []kyb.Job
	for {
		jobs, err := s.ClaimDeliveries(ctx, now, lease, 100)
		if err != nil {
			t.Fatalf("ClaimDeliveries: %v", err)
		}
		all = append(all, jobs...)
		if len(jobs) < 100 {
			return all
		}
	}
}
