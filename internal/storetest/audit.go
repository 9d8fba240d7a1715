package storetest

import (
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// testAppendAudit checks that events recorded on their own (operators'
// reads) are in the trail, all of them or none.
func testAppendAudit(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "append-audit-customer-0001")
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	first, second := AuditOf(kyb.ActionCustomerViewed, p.ID, ""), AuditOf(kyb.ActionCustomerViewed, p.ID, "")
	first.CustomerID, second.CustomerID = c.ID, c.ID
	if err := s.AppendAudit(ctx, first, second); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	// A duplicate id fails the whole batch.
	third := AuditOf(kyb.ActionCustomerViewed, p.ID, "")
	third.CustomerID = c.ID
	if err := s.AppendAudit(ctx, third, first); err == nil {
		t.Errorf("AppendAudit with a duplicate id succeeded")
	}
	trail, err := s.AuditEvents(ctx, kyb.AuditFilter{CustomerID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range trail {
		if e.Action == kyb.ActionCustomerViewed {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) != 2 || ids[0] != first.ID || ids[1] != second.ID {
		t.Errorf("recorded reads = %v, want %s and %s only", ids, first.ID, second.ID)
	}
}
