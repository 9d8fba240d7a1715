package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// ChainMigration is the migration that makes the audit trail a chain.
const ChainMigration = "0008_operators_audit_chain.sql"

// LegacyAudit checks that ChainMigration links the audit events an older
// binary wrote, oldest first, and that new ones follow them. insert
// writes an event as that binary did (before ChainMigration); open then
// opens the store, which migrates the database.
func LegacyAudit(t *testing.T, insert func(kyb.AuditEvent) error, open func() kyb.Store) {
	t.Helper()
	base := time.Now().UTC().Truncate(time.Microsecond).Add(-time.Hour)
	var legacy []kyb.AuditEvent
	for i := range 3 {
		// Written out of order: the chain follows created_at.
		e := AuditAt(base.Add(time.Duration(2-i)*time.Minute), kyb.ActionPartnerCreated)
		e.PartnerID, e.Reason = fmt.Sprintf("ptn_legacy_%d", i), "before the chain"
		if err := insert(e); err != nil {
			t.Fatalf("insert a legacy audit event: %v", err)
		}
		legacy = append(legacy, e)
	}
	s := open()
	if err := s.AppendAudit(ctx, Audit(kyb.ActionCustomerViewed)); err != nil {
		t.Fatalf("AppendAudit after the migration: %v", err)
	}
	links, err := s.AuditChain(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range links {
		ids = append(ids, l.Event.ID)
	}
	if len(ids) != 4 || ids[0] != legacy[2].ID || ids[1] != legacy[1].ID || ids[2] != legacy[0].ID {
		t.Errorf("the chain after the migration = %v, want the legacy events oldest first, then the new one", ids)
	}
	VerifyIntact(t, s)
}

// VerifyIntact fails the test unless the store's audit chain verifies.
func VerifyIntact(t *testing.T, s kyb.Store) {
	t.Helper()
	v, err := kyb.NewService(s).VerifyAudit(ctx, kyb.AuditHead{})
	if err != nil || v.Broken != "" || v.Rows == 0 {
		t.Errorf("VerifyAudit = %+v, %v; want an intact chain", v, err)
	}
}

// testAuditChain checks that concurrent appends, through creates, status
// changes, key issues and recorded reads, make one chain without forks or gaps, and that writes that lock
// a partner (issuing a key) and creates of its customers (whose foreign
// key waits for that lock) never wait for each other.
func testAuditChain(t *testing.T, s kyb.Store) {
	shared, _ := NewPartner(t, s)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p, _ := NewPartner(t, s)
			for j, partnerID := range []string{p.ID, shared.ID} {
				c := NewCustomer(partnerID, fmt.Sprintf("audit-chain-store-%02d-%d", i, j))
				if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
					t.Errorf("CreateCustomer: %v", err)
				}
				change := statusAudit(c, kyb.StatusPending, kyb.StatusActive, "verified")
				if _, err := s.UpdateCustomerStatus(ctx, change, StatusEventOf(change), 0); err != nil {
					t.Errorf("UpdateCustomerStatus: %v", err)
				}
				view := AuditOf(kyb.ActionCustomerViewed, partnerID, "")
				view.CustomerID = c.ID
				if err := s.AppendAudit(ctx, view); err != nil {
					t.Errorf("AppendAudit: %v", err)
				}
			}
			key, _ := kyb.NewAPIKey(shared.ID, time.Now())
			issued := AuditOf(kyb.ActionAPIKeyCreated, shared.ID, "")
			issued.APIKeyID = key.ID
			switch err := s.AddAPIKey(ctx, key, issued, kyb.AllowAnotherKey); {
			case err == nil:
				if err := s.RevokeAPIKey(ctx, key.ID, Audit(kyb.ActionAPIKeyRevoked)); err != nil {
					t.Errorf("RevokeAPIKey: %v", err)
				}
			case !errors.Is(err, kyb.ErrTooManyKeys):
				t.Errorf("AddAPIKey: %v", err)
			}
		})
	}
	wg.Wait()
	links, err := s.AuditChain(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range links {
		if l.Seq != int64(i+1) || l.Hash != kyb.ChainHash(l.PrevHash, l.Digest) || (i > 0 && l.PrevHash != links[i-1].Hash) {
			t.Fatalf("link %d = seq %d, prev %s, hash %s; want seq %d chained to the one before", i, l.Seq, l.PrevHash, l.Hash, i+1)
		}
	}
	VerifyIntact(t, s)
}
