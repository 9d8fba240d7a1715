package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// customerAudit is the event that records a customer's creation.
func customerAudit(c kyb.Customer) kyb.AuditEvent {
	e := Audit(kyb.ActionCustomerCreated)
	e.Actor = kyb.Actor{Type: kyb.ActorPartner, ID: c.PartnerID}
	e.PartnerID, e.CustomerID, e.ToStatus = c.PartnerID, c.ID, c.Status
	return e
}

// EventOf is the webhook event of a customer's creation.
func EventOf(c kyb.Customer) kyb.Event {
	return kyb.Event{ID: kyb.NewID(kyb.PrefixEvent, time.Now()), PartnerID: c.PartnerID, CustomerID: c.ID,
		Type: api.EventCustomerCreated, CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Data: []byte(`{"customer_id":"` + c.ID + `"}`)}
}

// StatusEventOf is the webhook event of the status change an audit event
// records.
func StatusEventOf(a kyb.AuditEvent) kyb.Event {
	return kyb.Event{ID: kyb.NewID(kyb.PrefixEvent, a.At), PartnerID: a.PartnerID, CustomerID: a.CustomerID,
		Type: "customer." + string(a.ToStatus), CreatedAt: a.At, Data: []byte(`{"customer_id":"` + a.CustomerID + `"}`)}
}

// statusAudit is the event of a status change.
func statusAudit(c kyb.Customer, from, to kyb.Status, reason string) kyb.AuditEvent {
	e := Audit(kyb.ActionCustomerStatusChanged)
	e.Actor = kyb.Actor{Type: kyb.ActorOperator, ID: "opr_test"}
	e.PartnerID, e.CustomerID, e.FromStatus, e.ToStatus, e.Reason = c.PartnerID, c.ID, from, to, reason
	return e
}

func testStatusChanges(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "status-customer-000001")
	created := customerAudit(c)
	if _, _, err := s.CreateCustomer(ctx, c, created, EventOf(c)); err != nil {
		t.Fatal(err)
	}
	change := statusAudit(c, kyb.StatusPending, kyb.StatusActive, "documents verified")
	got, err := s.UpdateCustomerStatus(ctx, change, StatusEventOf(change), 0)
	if err != nil {
		t.Fatalf("UpdateCustomerStatus: %v", err)
	}
	if got.Status != kyb.StatusActive || got.StatusReason != "documents verified" || !got.StatusUpdatedAt.Equal(change.At) || got.ID != c.ID {
		t.Errorf("updated customer = %s %q %v, want active, the reason, %v", got.Status, got.StatusReason, got.StatusUpdatedAt, change.At)
	}
	read, err := s.Customer(ctx, p.ID, c.ID)
	if err != nil || read.Status != kyb.StatusActive || read.StatusReason != "documents verified" {
		t.Errorf("Customer after update = %+v, %v", read, err)
	}

	// A change from a status the customer no longer has changes nothing.
	stale := statusAudit(c, kyb.StatusPending, kyb.StatusRejected, "too late")
	if _, err := s.UpdateCustomerStatus(ctx, stale, StatusEventOf(stale), 0); !errors.Is(err, kyb.ErrConflict) {
		t.Errorf("stale UpdateCustomerStatus error = %v, want conflict", err)
	}
	missing := statusAudit(kyb.Customer{ID: "cus_missing", PartnerID: p.ID}, kyb.StatusPending, kyb.StatusActive, "x")
	if _, err := s.UpdateCustomerStatus(ctx, missing, StatusEventOf(missing), 0); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("UpdateCustomerStatus(missing) error = %v, want not found", err)
	}

	events, err := s.AuditEvents(ctx, kyb.AuditFilter{CustomerID: c.ID})
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	want := []kyb.AuditEvent{created, change}
	if len(events) != len(want) {
		t.Fatalf("audit trail has %d events, want %d: %+v", len(events), len(want), events)
	}
	partnerEvents, err := s.AuditEvents(ctx, kyb.AuditFilter{PartnerID: p.ID})
	if err != nil {
		t.Fatalf("AuditEvents(partner): %v", err)
	}
	if len(partnerEvents) != 3 || partnerEvents[0].Action != kyb.ActionPartnerCreated {
		t.Errorf("partner's audit trail = %+v, want partner.created then the customer's two events", partnerEvents)
	}
	for i := range want {
		g, w := events[i], want[i]
		if g.Action != w.Action || g.Actor != w.Actor || g.FromStatus != w.FromStatus || g.ToStatus != w.ToStatus || g.Reason != w.Reason || g.PartnerID != w.PartnerID || !g.At.Equal(w.At) {
			t.Errorf("audit event %d = %+v, want %+v", i, g, w)
		}
	}
}

func testListCustomers(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	other, _ := NewPartner(t, s)
	base := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	var ids []string
	for i := range 7 {
		c := NewCustomer(p.ID, fmt.Sprintf("list-customer-%08d", i))
		// Pairs share a second, and are then ordered by id, which grows
		// with time.
		c.ID = kyb.NewID(kyb.PrefixCustomer, base.Add(time.Duration(i)*time.Millisecond))
		c.CreatedAt = base.Add(time.Duration(i/2) * time.Second)
		if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	o := NewCustomer(other.ID, "list-customer-other-001")
	if _, _, err := s.CreateCustomer(ctx, o, customerAudit(o), EventOf(o)); err != nil {
		t.Fatal(err)
	}
	rejected := statusAudit(kyb.Customer{ID: ids[3], PartnerID: p.ID}, kyb.StatusPending, kyb.StatusRejected, "no")
	if _, err := s.UpdateCustomerStatus(ctx, rejected, StatusEventOf(rejected), 0); err != nil {
		t.Fatal(err)
	}

	walk := func(q kyb.CustomerQuery) []string {
		t.Helper()
		var got []string
		for {
			page, err := s.ListCustomers(ctx, q)
			if err != nil {
				t.Fatalf("ListCustomers(%+v): %v", q, err)
			}
			if len(page.Customers) > q.Limit {
				t.Fatalf("page has %d customers, limit %d", len(page.Customers), q.Limit)
			}
			for _, c := range page.Customers {
				got = append(got, c.ID)
			}
			if !page.HasMore {
				return got
			}
			q.StartingAfter = page.Customers[len(page.Customers)-1].ID
		}
	}
	newestFirst := slices.Clone(ids)
	slices.Reverse(newestFirst)
	tests := []struct {
		name string
		q    kyb.CustomerQuery
		want []string
	}{
		{"newest first in pages of 2", kyb.CustomerQuery{PartnerID: p.ID, Limit: 2}, newestFirst},
		{"oldest first in pages of 3", kyb.CustomerQuery{PartnerID: p.ID, Limit: 3, OldestFirst: true}, ids},
		{"one page", kyb.CustomerQuery{PartnerID: p.ID, Limit: 100}, newestFirst},
		{"by status", kyb.CustomerQuery{PartnerID: p.ID, Limit: 2, Status: kyb.StatusRejected}, []string{ids[3]}},
		{"by partner_customer_id", kyb.CustomerQuery{PartnerID: p.ID, Limit: 2, PartnerCustomerID: "list-customer-00000005"}, []string{ids[5]}},
		{"created after, exclusive", kyb.CustomerQuery{PartnerID: p.ID, Limit: 2, CreatedAfter: base.Add(2 * time.Second)}, []string{ids[6]}},
		{"created before, exclusive", kyb.CustomerQuery{PartnerID: p.ID, Limit: 2, CreatedBefore: base.Add(time.Second)}, []string{ids[1], ids[0]}},
		{"other partner", kyb.CustomerQuery{PartnerID: other.ID, Limit: 5}, []string{o.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := walk(tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("walk = %v, want %v", got, tt.want)
			}
		})
	}

	// Every partner's customers, for operators, includes both partners'.
	all := walk(kyb.CustomerQuery{Limit: 100, OldestFirst: true, Status: kyb.StatusPending})
	if !slices.Contains(all, o.ID) || !slices.Contains(all, ids[0]) || slices.Contains(all, ids[3]) {
		t.Errorf("all pending customers = %v, want both partners' pending ones", all)
	}

	// A cursor from another partner's list, or of no customer, is refused.
	for _, cursor := range []string{o.ID, kyb.NewID(kyb.PrefixCustomer, time.Now())} {
		if _, err := s.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: p.ID, Limit: 2, StartingAfter: cursor}); !errors.Is(err, kyb.ErrBadCursor) {
			t.Errorf("ListCustomers(starting_after %s) error = %v, want bad cursor", cursor, err)
		}
	}
}

func testOperators(t *testing.T, s kyb.Store) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, hash := kyb.NewOperatorToken()
	op := kyb.Operator{ID: kyb.NewID(kyb.PrefixOperator, now), Name: "Olga", Admin: true, TokenHash: hash, CreatedAt: now, TokenIssuedAt: now}
	if err := s.CreateOperator(ctx, op, AuditOf(kyb.ActionOperatorCreated, "", op.ID)); err != nil {
		t.Fatalf("CreateOperator: %v", err)
	}
	if trail, err := s.AuditEvents(ctx, kyb.AuditFilter{TargetID: op.ID}); err != nil || len(trail) != 1 || trail[0].Action != kyb.ActionOperatorCreated {
		t.Errorf("the operator's audit trail = %+v, %v; want its creation", trail, err)
	}
	got, err := s.OperatorByTokenHash(ctx, hash)
	if err != nil || got != op {
		t.Errorf("OperatorByTokenHash = %+v, %v; want %+v", got, err, op)
	}
	if _, err := s.OperatorByTokenHash(ctx, kyb.HashSecret("wrong")); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("OperatorByTokenHash(wrong) error = %v, want not found", err)
	}
	all, err := s.Operators(ctx)
	if err != nil || !slices.Contains(all, op) {
		t.Errorf("Operators = %+v, %v; want it to hold %+v", all, err, op)
	}

	// A new token replaces the old one, issued at the audit's time.
	rotatedAt := now.Add(time.Minute)
	_, newHash := kyb.NewOperatorToken()
	rotation := AuditAt(rotatedAt, kyb.ActionOperatorTokenRotated)
	rotation.TargetID = op.ID
	if err := s.SetOperatorToken(ctx, op.ID, newHash, rotation); err != nil {
		t.Fatalf("SetOperatorToken: %v", err)
	}
	if _, err := s.OperatorByTokenHash(ctx, hash); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("the old token after rotation: %v, want not found", err)
	}
	want := op
	want.TokenHash, want.TokenIssuedAt = newHash, rotatedAt
	if got, err := s.OperatorByTokenHash(ctx, newHash); err != nil || got != want {
		t.Errorf("OperatorByTokenHash(new) = %+v, %v; want %+v", got, err, want)
	}
	if err := s.SetOperatorToken(ctx, "opr_nobody", newHash, rotation); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("SetOperatorToken(unknown) = %v, want not found", err)
	}

	// Disabling is recorded once; the token still finds the operator, who
	// is refused by the service.
	disabledAt := now.Add(2 * time.Minute)
	disable := AuditAt(disabledAt, kyb.ActionOperatorDisabled)
	disable.TargetID = op.ID
	want.DisabledAt = disabledAt
	for range 2 {
		if got, err := s.DisableOperator(ctx, op.ID, disable); err != nil || got != want {
			t.Errorf("DisableOperator = %+v, %v; want %+v", got, err, want)
		}
		disable = AuditAt(disabledAt.Add(time.Minute), kyb.ActionOperatorDisabled)
		disable.TargetID = op.ID
	}
	if got, err := s.OperatorByTokenHash(ctx, newHash); err != nil || got != want {
		t.Errorf("OperatorByTokenHash(disabled) = %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.DisableOperator(ctx, "opr_nobody", disable); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("DisableOperator(unknown) = %v, want not found", err)
	}
	trail, err := s.AuditEvents(ctx, kyb.AuditFilter{TargetID: op.ID})
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if wantActions := []string{kyb.ActionOperatorCreated, kyb.ActionOperatorTokenRotated, kyb.ActionOperatorDisabled}; err != nil || !slices.Equal(actions, wantActions) {
		t.Errorf("the operator's audit trail = %v, %v; want %v", actions, err, wantActions)
	}
}
