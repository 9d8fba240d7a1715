package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

func testRateLimits(t *testing.T, s kyb.Store) {
	p, key := NewPartner(t, s)
	if l, err := s.PartnerRateLimit(ctx, p.ID); err != nil || !l.IsZero() {
		t.Errorf("PartnerRateLimit of a new partner = %+v, %v; want zero", l, err)
	}
	set := func(l kyb.RateLimit) {
		t.Helper()
		audit := Audit(kyb.ActionPartnerRateLimitChanged)
		audit.PartnerID, audit.Reason = p.ID, l.String()
		if err := s.SetPartnerRateLimit(ctx, p.ID, l, audit); err != nil {
			t.Fatalf("SetPartnerRateLimit(%+v): %v", l, err)
		}
	}
	want := kyb.RateLimit{PerSecond: 2.5, Burst: 7}
	set(want)
	if l, err := s.PartnerRateLimit(ctx, p.ID); err != nil || l != want {
		t.Errorf("PartnerRateLimit = %+v, %v; want %+v", l, err, want)
	}
	// Authentication learns the limit with the key.
	if k, err := s.APIKey(ctx, key.ID); err != nil || k.RateLimit != want || k.PartnerID != p.ID {
		t.Errorf("APIKey = %+v, %v; want the partner's limit %+v", k, err, want)
	}
	events, err := s.AuditEvents(ctx, kyb.AuditFilter{PartnerID: p.ID})
	if err != nil || len(events) != 2 || events[1].Action != kyb.ActionPartnerRateLimitChanged || events[1].Reason != want.String() {
		t.Errorf("AuditEvents = %+v, %v; want the creation and the rate limit change", events, err)
	}
	set(kyb.RateLimit{})
	if k, err := s.APIKey(ctx, key.ID); err != nil || !k.RateLimit.IsZero() {
		t.Errorf("APIKey after removing the limit = %+v, %v; want no limit", k, err)
	}
	missing := kyb.NewID(kyb.PrefixPartner, time.Now())
	if err := s.SetPartnerRateLimit(ctx, missing, want, Audit(kyb.ActionPartnerRateLimitChanged)); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("SetPartnerRateLimit(unknown) error = %v, want not found", err)
	}
	if _, err := s.PartnerRateLimit(ctx, missing); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("PartnerRateLimit(unknown) error = %v, want not found", err)
	}
}

// testPendingDeliveries counts the outbox; other tests of the package may
// share the database, but not at the same time.
func testPendingDeliveries(t *testing.T, s kyb.Store) {
	before, err := s.PendingDeliveries(ctx)
	if err != nil {
		t.Fatalf("PendingDeliveries: %v", err)
	}
	p, _ := NewPartner(t, s)
	a := NewEndpoint(t, s, p.ID, "https://a.example.com/hook")
	NewEndpoint(t, s, p.ID, "https://b.example.com/hook")
	c := NewCustomer(p.ID, "pending-customer-00001")
	event := EventOf(c)
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), event); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PendingDeliveries(ctx); err != nil || n != before+2 {
		t.Errorf("PendingDeliveries after an event to 2 endpoints = %d, %v; want %d", n, err, before+2)
	}
	now := time.Now().UTC().Add(time.Second)
	for _, j := range claimAll(t, s, now, time.Minute) {
		if j.Event.ID == event.ID && j.Endpoint.ID == a.ID {
			ok := kyb.Attempt{At: now.Truncate(time.Microsecond), StatusCode: 200}
			if err := s.RecordAttempt(ctx, event.ID, a.ID, j.Attempt, ok, kyb.DeliverySucceeded, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.PendingDeliveries(ctx); err != nil || n != before+1 {
		t.Errorf("PendingDeliveries after one delivery succeeded = %d, %v; want %d", n, err, before+1)
	}
}
