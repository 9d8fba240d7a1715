package loadtest_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/loadtest"
	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestSeed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s := e.Open(t)
		p, _ := storetest.NewPartner(t, s)
		now := time.Now().UTC().Truncate(time.Second)
		const n, spread = 250, 30 * 24 * time.Hour
		var progress []int
		err := loadtest.Seed(ctx, s, loadtest.SeedOptions{
			PartnerID: p.ID, Customers: n, Spread: spread, Now: now, Workers: 16,
			Progress: func(done int) { progress = append(progress, done) },
		})
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		if len(progress) == 0 || progress[len(progress)-1] != n || !slices.IsSorted(progress) {
			t.Errorf("progress = %v, want counts ascending to %d", progress, n)
		}

		// Every customer comes back through the store's pages, newest
		// first, spread over the period.
		var all []kyb.Customer
		q := kyb.CustomerQuery{PartnerID: p.ID, Limit: kyb.MaxPageSize}
		for {
			page, err := s.ListCustomers(ctx, q)
			if err != nil {
				t.Fatalf("ListCustomers: %v", err)
			}
			all = append(all, page.Customers...)
			if !page.HasMore {
				break
			}
			q.StartingAfter = page.Customers[len(page.Customers)-1].ID
		}
		if len(all) != n {
			t.Fatalf("listed %d customers, want %d", len(all), n)
		}
		ids, pcids := map[string]bool{}, map[string]bool{}
		for i, c := range all {
			ids[c.ID], pcids[c.Profile.PartnerCustomerID] = true, true
			if i > 0 && c.CreatedAt.After(all[i-1].CreatedAt) {
				t.Fatalf("customer %d (%v) is newer than the one before (%v)", i, c.CreatedAt, all[i-1].CreatedAt)
			}
			if c.CreatedAt.Before(now.Add(-spread)) || c.CreatedAt.After(now) || !kyb.IsID(c.ID, kyb.PrefixCustomer) {
				t.Fatalf("customer %s created at %v, want an id and a time within the %v before %v", c.ID, c.CreatedAt, spread, now)
			}
		}
		if len(ids) != n || len(pcids) != n {
			t.Errorf("%d ids and %d partner_customer_ids, want %d distinct of each", len(ids), len(pcids), n)
		}
		if span := all[0].CreatedAt.Sub(all[n-1].CreatedAt); span < spread*9/10 {
			t.Errorf("created_at spans %v, want most of %v", span, spread)
		}

		// Each reads back whole by id: valid, pending, with its profile's
		// fingerprint, its audit event and its webhook event.
		for _, listed := range all[:10] {
			c, err := s.Customer(ctx, p.ID, listed.ID)
			if err != nil {
				t.Fatalf("Customer(%s): %v", listed.ID, err)
			}
			if err := kyb.ValidateProfile(&c.Profile, now); err != nil {
				t.Errorf("customer %s is invalid: %v", c.ID, err)
			}
			if c.Status != kyb.StatusPending || c.Fingerprint != kyb.Fingerprint(c.Profile) || !c.CreatedAt.Equal(listed.CreatedAt) {
				t.Errorf("customer %s: status %s, fingerprint %s (profile's %s), created %v", c.ID, c.Status, c.Fingerprint, kyb.Fingerprint(c.Profile), c.CreatedAt)
			}
			audit, err := s.AuditEvents(ctx, kyb.AuditFilter{CustomerID: c.ID})
			if err != nil || len(audit) != 1 || audit[0].Action != kyb.ActionCustomerCreated || !audit[0].At.Truncate(time.Second).Equal(c.CreatedAt) {
				t.Errorf("audit of %s = %+v, %v; want its creation", c.ID, audit, err)
			}
			events, err := s.CustomerEvents(ctx, c.ID)
			if err != nil || len(events) != 1 || events[0].Type != api.EventCustomerCreated || events[0].Sequence != 1 {
				t.Fatalf("events of %s = %+v, %v; want customer.created", c.ID, events, err)
			}
			var data api.Customer
			if err := json.Unmarshal(events[0].Data, &data); err != nil || data.CustomerID != c.ID || data.PartnerCustomerID != c.Profile.PartnerCustomerID {
				t.Errorf("event data of %s = %s, %v", c.ID, events[0].Data, err)
			}
		}

		// A partner sending one of them again gets a replay.
		c := all[n/2]
		stored, created, err := kyb.NewService(s).CreateCustomer(ctx, p.ID, c.Profile)
		if err != nil || created || stored.ID != c.ID {
			t.Errorf("CreateCustomer of a seeded partner_customer_id = %s, %v, %v; want %s, not created", stored.ID, created, err, c.ID)
		}

		// A second load for the same partner adds to the first.
		if err := loadtest.Seed(ctx, s, loadtest.SeedOptions{PartnerID: p.ID, Customers: 5, Spread: time.Hour}); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		page, err := s.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: p.ID, Limit: 10})
		if err != nil || len(page.Customers) != 10 || !page.HasMore {
			t.Errorf("after a second load: %d customers, has_more %v, %v", len(page.Customers), page.HasMore, err)
		}
	})
}
