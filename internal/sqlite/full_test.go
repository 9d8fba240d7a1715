package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// TestFullDatabaseIsUnavailable fills the database to a page limit, as a
// full disk would, and checks that writes then fail as unavailable (503
// with Retry-After to clients) and leave nothing half-written.
func TestFullDatabaseIsUnavailable(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "onboard.db"), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	p := kyb.Partner{ID: kyb.NewID(kyb.PrefixPartner, now), Name: "P", CreatedAt: now}
	key, _ := kyb.NewAPIKey(p.ID, now)
	audit := kyb.AuditEvent{ID: kyb.NewID(kyb.PrefixAuditEvent, now), At: now, Actor: kyb.Actor{Type: kyb.ActorSystem, ID: "test"}, Action: kyb.ActionPartnerCreated}
	if err := s.CreatePartner(ctx, p, key, audit); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := s.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The writer is a single connection, so the limit holds for every write.
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+8)); err != nil {
		t.Fatal(err)
	}
	var full error
	var lastOK string
	for i := 0; i < 1000 && full == nil; i++ {
		c := kyb.Customer{ID: kyb.NewID(kyb.PrefixCustomer, now), PartnerID: p.ID, Status: kyb.StatusPending, CreatedAt: now,
			Profile: api.Profile{PartnerCustomerID: fmt.Sprintf("full-customer-%010d", i), BusinessDetails: &api.BusinessDetails{BusinessName: string(make([]byte, 2000))}}}
		ev := audit
		ev.ID, ev.Action, ev.CustomerID = kyb.NewID(kyb.PrefixAuditEvent, now), kyb.ActionCustomerCreated, c.ID
		event := kyb.Event{ID: kyb.NewID(kyb.PrefixEvent, now), PartnerID: p.ID, CustomerID: c.ID, Type: api.EventCustomerCreated, CreatedAt: now, Data: []byte("{}")}
		if _, _, full = s.CreateCustomer(ctx, c, ev, event); full == nil {
			lastOK = c.ID
		} else {
			// Nothing of the failed write is visible.
			if _, err := s.CustomerByID(ctx, c.ID); !errors.Is(err, kyb.ErrNotFound) {
				t.Errorf("customer of the failed write: %v, want not found", err)
			}
			if events, _ := s.AuditEvents(ctx, kyb.AuditFilter{CustomerID: c.ID}); len(events) != 0 {
				t.Errorf("audit rows of the failed write: %d", len(events))
			}
		}
	}
	if !errors.Is(full, kyb.ErrUnavailable) {
		t.Fatalf("write to a full database: %v, want unavailable", full)
	}
	if _, err := s.CustomerByID(ctx, lastOK); err != nil {
		t.Errorf("the last acknowledged customer is gone: %v", err)
	}
	// Reads go on.
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping on a full database: %v", err)
	}
}

// testKeys is a keyring of one key.
func testKeys(t *testing.T) *envelope.Keyring {
	k, err := envelope.NewKeyring(envelope.Key{ID: 1, Secret: bytes.Repeat([]byte{9}, envelope.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	return k
}
