package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// testSaveScreening replaces a customer's screening: the sealed result
// reads back, and the queue's filters follow its hit count and level.
func testSaveScreening(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "screened-customer-0001")
	c.RiskLevel = kyb.RiskLow
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
		t.Fatal(err)
	}
	hits := func(has bool) []string {
		t.Helper()
		page, err := s.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: p.ID, HasHits: &has, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range page.Customers {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if got := hits(true); len(got) != 0 {
		t.Errorf("has_hits before screening = %v, want none", got)
	}
	sc := &kyb.Screening{ScreenedAt: time.Now().UTC().Truncate(time.Second), Snapshots: []string{"lst_test"},
		Hits: []screening.Hit{{Source: "ofac-sdn", EntryID: "1572", ListName: "NORIEGA, Manuel Antonio", Score: 0.97}}}
	if err := s.SaveScreening(ctx, c.ID, sc, kyb.RiskHigh); err != nil {
		t.Fatalf("SaveScreening: %v", err)
	}
	got, err := s.CustomerByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Screening == nil || len(got.Screening.Hits) != 1 || got.Screening.Hits[0].EntryID != "1572" || got.RiskLevel != kyb.RiskHigh {
		t.Errorf("customer after SaveScreening: screening %+v, risk level %q; want the hit and high", got.Screening, got.RiskLevel)
	}
	if ids := hits(true); len(ids) != 1 || ids[0] != c.ID {
		t.Errorf("has_hits after a hit was saved = %v, want the customer", ids)
	}
	page, err := s.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: p.ID, RiskLevel: kyb.RiskHigh, Limit: 10})
	if err != nil || len(page.Customers) != 1 {
		t.Errorf("risk=high after SaveScreening = %d customers, %v; want 1", len(page.Customers), err)
	}
	if err := s.SaveScreening(ctx, kyb.NewID(kyb.PrefixCustomer, time.Now()), sc, kyb.RiskHigh); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("SaveScreening of no customer = %v, want not found", err)
	}
}

// testApprovals records approvals of a pending customer: each actor once,
// counted since the customer last changed status.
func testApprovals(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "approved-customer-0001")
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
		t.Fatal(err)
	}
	approval := func(operator string) kyb.AuditEvent {
		e := statusAudit(c, kyb.StatusPending, kyb.StatusActive, "ok by "+operator)
		e.Action, e.Actor.ID = kyb.ActionCustomerApprovalRecorded, operator
		return e
	}
	got, err := s.RecordApproval(ctx, approval("op_a"))
	if err != nil || len(got) != 1 || got[0].OperatorID != "op_a" || got[0].Reason != "ok by op_a" {
		t.Fatalf("first RecordApproval = %+v, %v; want op_a's", got, err)
	}
	if _, err := s.RecordApproval(ctx, approval("op_a")); !errors.Is(err, kyb.ErrSameApprover) {
		t.Errorf("the same operator's second approval = %v, want ErrSameApprover", err)
	}
	if got, err := s.Approvals(ctx, c.ID, kyb.ActionCustomerApprovalRecorded); err != nil || len(got) != 1 {
		t.Errorf("Approvals = %+v, %v; want op_a's alone", got, err)
	}
	if got, err := s.RecordApproval(ctx, approval("op_b")); err != nil || len(got) != 2 || got[1].OperatorID != "op_b" {
		t.Errorf("second operator's RecordApproval = %+v, %v; want both, op_b last", got, err)
	}
	// An update after an approval voids it: it approved what was shown.
	updated := AuditAt(time.Now().UTC(), kyb.ActionCustomerUpdated)
	updated.Actor, updated.PartnerID, updated.CustomerID = kyb.Actor{Type: kyb.ActorPartner, ID: p.ID}, p.ID, c.ID
	if err := s.AppendAudit(ctx, updated); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Approvals(ctx, c.ID, kyb.ActionCustomerApprovalRecorded); err != nil || len(got) != 0 {
		t.Errorf("Approvals after an update = %+v, %v; want none", got, err)
	}
	time.Sleep(2 * time.Millisecond) // the next approval comes after the update
	if got, err := s.RecordApproval(ctx, approval("op_a")); err != nil || len(got) != 1 {
		t.Errorf("approving again after the update = %+v, %v; want the one new approval", got, err)
	}
	// Once it has changed status, earlier approvals no longer count, and
	// a customer no longer pending takes none.
	change := statusAudit(c, kyb.StatusPending, kyb.StatusRejected, "no")
	change.At = time.Now().UTC().Add(time.Second)
	if _, err := s.UpdateCustomerStatus(ctx, change, StatusEventOf(change), 0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Approvals(ctx, c.ID, kyb.ActionCustomerApprovalRecorded); err != nil || len(got) != 0 {
		t.Errorf("Approvals after a status change = %+v, %v; want none", got, err)
	}
	if _, err := s.RecordApproval(ctx, approval("op_c")); !errors.Is(err, kyb.ErrConflict) {
		t.Errorf("approving a rejected customer = %v, want a conflict", err)
	}
}

// testRescreenAfterUpdate: a re-screening result of a customer that was
// updated after the batch read it is not written: the update screened
// the new profile, which the old one's result must not overwrite.
func testRescreenAfterUpdate(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "rescreened-after-update1")
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	job, err := s.StartRescreen(ctx, kyb.RescreenJob{ID: kyb.NewID(kyb.PrefixRescreenJob, now), Snapshots: []string{"lst_" + kyb.NewID("", now)}, StartedAt: now},
		kyb.RescreenBatchSize, Audit(kyb.ActionRescreenStarted))
	if err != nil {
		t.Fatal(err)
	}
	var b kyb.RescreenBatch
	var read kyb.Customer
	// Other tests' customers share the database: find this one's batch.
	for read.ID != c.ID {
		if b, err = s.ClaimRescreenBatch(ctx, job.ID, "worker", now, now.Add(time.Minute)); err != nil {
			t.Fatalf("ClaimRescreenBatch: %v", err)
		}
		customers, err := s.RescreenCustomers(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, cust := range customers {
			if cust.ID == c.ID {
				read = cust
			}
		}
		if read.ID != c.ID {
			if err := s.CompleteRescreenBatch(ctx, b, now, nil, Audit(kyb.ActionRescreenFinished)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The partner updates the customer between the read and the write.
	next := read.Profile
	details := *next.BusinessDetails
	details.BusinessName = "Renamed After Read Ltd"
	next.BusinessDetails = &details
	if _, err := s.ChangeCustomer(ctx, profileUpdate(read, next, "business_details.business_name")); err != nil {
		t.Fatal(err)
	}
	hit := &kyb.Screening{ScreenedAt: now.Truncate(time.Second), Snapshots: job.Snapshots, Hits: []screening.Hit{{Source: "un", EntryID: "QDi.1", ListName: "OLD NAME", Score: 0.95}}}
	result := kyb.RescreenResult{CustomerID: c.ID, Version: read.Version, Screening: hit, Risk: kyb.Risk{Level: kyb.RiskHigh}, Review: "a stale hit"}
	if err := s.CompleteRescreenBatch(ctx, b, now, []kyb.RescreenResult{result}, Audit(kyb.ActionRescreenFinished)); err != nil {
		t.Fatalf("CompleteRescreenBatch: %v", err)
	}
	got, err := s.CustomerByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Screening != nil || got.NeedsReview || got.RiskLevel == kyb.RiskHigh {
		t.Errorf("after a stale re-screening: screening %+v, needs_review %t, risk %q; want the update's left alone", got.Screening, got.NeedsReview, got.RiskLevel)
	}
}
