package storetest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// changeEvents renders one event of each type from the customer after a
// change, with its open requirements' ids as data.
func changeEvents(types ...string) func(kyb.Customer) []kyb.Event {
	return func(c kyb.Customer) []kyb.Event {
		var out []kyb.Event
		for _, typ := range types {
			var ids []string
			for _, r := range c.Requirements {
				ids = append(ids, r.ID)
			}
			data := `{"customer_id":"` + c.ID + `","open":"` + strings.Join(ids, "") + `"}`
			out = append(out, kyb.Event{ID: kyb.NewID(kyb.PrefixEvent, time.Now()), PartnerID: c.PartnerID, CustomerID: c.ID, Type: typ,
				CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Data: []byte(data)})
		}
		return out
	}
}

// profileUpdate is the change of a customer's profile to p, its next
// version.
func profileUpdate(c kyb.Customer, p api.Profile, changed ...string) kyb.CustomerChange {
	now := time.Now().UTC().Truncate(time.Second)
	a := Audit(kyb.ActionCustomerUpdated)
	a.PartnerID, a.CustomerID = c.PartnerID, c.ID
	return kyb.CustomerChange{CustomerID: c.ID, Version: c.Version, Status: c.Status, Audit: []kyb.AuditEvent{a},
		Update: &kyb.ProfileUpdate{Profile: p, Fingerprint: kyb.Fingerprint(p), Version: kyb.Version{Number: c.Version + 1, CreatedAt: now,
			Actor: kyb.Actor{Type: kyb.ActorPartner, ID: c.PartnerID}, BaseVersion: c.Version, Changed: changed, PatchDigest: "digest"}},
		Events: changeEvents(api.EventCustomerUpdated)}
}

func testCustomerChanges(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "changed-customer-000001")
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
		t.Fatal(err)
	}
	c, err := s.Customer(ctx, p.ID, c.ID)
	if err != nil || c.Version != 1 || len(c.Requirements) != 0 {
		t.Fatalf("new customer = version %d, %d requirements, %v; want version 1 and none", c.Version, len(c.Requirements), err)
	}
	if vs, err := s.CustomerVersions(ctx, c.ID); err != nil || len(vs) != 0 {
		t.Errorf("versions before an update = %v, %v; want none", vs, err)
	}

	// An update stores the version before it and its own.
	first := c.Profile
	next := first
	details := *first.BusinessDetails
	details.BusinessName = "Renamed Ltd"
	next.BusinessDetails = &details
	updated, err := s.ChangeCustomer(ctx, profileUpdate(c, next, "business_details.business_name"))
	if err != nil {
		t.Fatalf("ChangeCustomer(update): %v", err)
	}
	if updated.Version != 2 || updated.Profile.BusinessDetails.BusinessName != "Renamed Ltd" || updated.Fingerprint != kyb.Fingerprint(next) {
		t.Errorf("updated = version %d, name %q; want version 2, Renamed Ltd", updated.Version, updated.Profile.BusinessDetails.BusinessName)
	}
	if got, _ := s.Customer(ctx, p.ID, c.ID); got.Version != 2 || got.Profile.BusinessDetails.BusinessName != "Renamed Ltd" {
		t.Errorf("read back = version %d, name %q", got.Version, got.Profile.BusinessDetails.BusinessName)
	}
	vs, err := s.CustomerVersions(ctx, c.ID)
	if err != nil || len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 || vs[1].BaseVersion != 1 ||
		!slices.Equal(vs[1].Changed, []string{"business_details.business_name"}) || len(vs[0].Changed) != 0 {
		t.Fatalf("versions = %+v, %v; want 1 and 2 with its changed path", vs, err)
	}
	for n, want := range map[int]string{1: first.BusinessDetails.BusinessName, 2: "Renamed Ltd"} {
		v, err := s.CustomerVersion(ctx, c.ID, n)
		if err != nil || v.Profile.BusinessDetails == nil || v.Profile.BusinessDetails.BusinessName != want {
			t.Errorf("version %d = %+v, %v; want the name %q", n, v.Profile.BusinessDetails, err, want)
		}
	}
	if _, err := s.CustomerVersion(ctx, c.ID, 3); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("version 3: %v, want not found", err)
	}

	// A change computed on a stale version, or status, changes nothing.
	if _, err := s.ChangeCustomer(ctx, profileUpdate(c, first)); !errors.Is(err, kyb.ErrCustomerChanged) {
		t.Errorf("ChangeCustomer(stale version): %v, want ErrCustomerChanged", err)
	}
	stale := profileUpdate(updated, first)
	stale.Status = kyb.StatusActive
	if _, err := s.ChangeCustomer(ctx, stale); !errors.Is(err, kyb.ErrCustomerChanged) {
		t.Errorf("ChangeCustomer(stale status): %v, want ErrCustomerChanged", err)
	}
	if got, _ := s.Customer(ctx, p.ID, c.ID); got.Version != 2 {
		t.Errorf("after refused changes, version %d, want 2", got.Version)
	}

	// Requirements: added with the customer's count, listed open, resolved
	// once.
	now := time.Now().UTC().Truncate(time.Second)
	reqs := []kyb.Requirement{
		{ID: kyb.NewID(kyb.PrefixRequirement, now), Kind: api.RequirementField, Field: "business_details.business_name", Message: "Spell it as registered", CreatedAt: now, CreatedBy: "opr_1", DueAt: now.Add(time.Hour)},
		{ID: kyb.NewID(kyb.PrefixRequirement, now), Kind: api.RequirementQuestion, Message: "Which marketplaces?", CreatedAt: now, CreatedBy: "opr_1"},
	}
	a := Audit(kyb.ActionRequirementRequested)
	a.PartnerID, a.CustomerID = p.ID, c.ID
	asked, err := s.ChangeCustomer(ctx, kyb.CustomerChange{CustomerID: c.ID, Version: 2, Status: kyb.StatusPending, Add: reqs, Audit: []kyb.AuditEvent{a},
		Events: changeEvents(api.EventCustomerRequirementsUpdated)})
	if err != nil || len(asked.Requirements) != 2 || asked.OpenRequirements != 2 {
		t.Fatalf("ChangeCustomer(add) = %d open, %v; want 2", len(asked.Requirements), err)
	}
	got, _ := s.Customer(ctx, p.ID, c.ID)
	if len(got.Requirements) != 2 || got.Requirements[0].Message != "Spell it as registered" || !got.Requirements[0].DueAt.Equal(now.Add(time.Hour)) ||
		got.Requirements[1].Kind != api.RequirementQuestion {
		t.Errorf("requirements read back = %+v", got.Requirements)
	}
	awaiting := true
	page, err := s.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: p.ID, Limit: 10, AwaitingPartner: &awaiting})
	if err != nil || len(page.Customers) != 1 || len(page.Customers[0].Requirements) != 2 {
		t.Errorf("list awaiting the partner = %+v, %v; want the customer with its requirements", page.Customers, err)
	}
	awaiting = false
	if page, err := s.ListCustomers(ctx, kyb.CustomerQuery{PartnerID: p.ID, Limit: 10, AwaitingPartner: &awaiting}); err != nil || len(page.Customers) != 0 {
		t.Errorf("list not awaiting the partner = %d customers, %v; want none", len(page.Customers), err)
	}
	answer := reqs[1]
	answer.ResolvedAt, answer.Resolution, answer.ResolvedBy, answer.Answer = now, kyb.ResolvedByAnswer, kyb.Actor{Type: kyb.ActorPartner, ID: p.ID}, "Amazon and eBay"
	resolve := kyb.CustomerChange{CustomerID: c.ID, Version: 2, Status: kyb.StatusPending, Resolve: []kyb.Requirement{answer}, Events: changeEvents(api.EventCustomerRequirementsUpdated)}
	if after, err := s.ChangeCustomer(ctx, resolve); err != nil || len(after.Requirements) != 1 || after.Requirements[0].ID != reqs[0].ID {
		t.Errorf("ChangeCustomer(resolve) = %+v, %v; want the field item left", after.Requirements, err)
	}
	if _, err := s.ChangeCustomer(ctx, resolve); !errors.Is(err, kyb.ErrRequirementResolved) {
		t.Errorf("resolving again: %v, want ErrRequirementResolved", err)
	}
	all, err := s.Requirements(ctx, c.ID)
	if err != nil || len(all) != 2 || all[1].Answer != "Amazon and eBay" || all[1].Resolution != kyb.ResolvedByAnswer || all[1].ResolvedBy.ID != p.ID || all[0].ResolvedAt.IsZero() != true {
		t.Errorf("every requirement = %+v, %v", all, err)
	}

	// Every change wrote its events in sequence, rendered after it.
	events, err := s.CustomerEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, e := range events {
		types = append(types, e.Type)
		if e.Sequence != int64(i+1) {
			t.Errorf("event %d has sequence %d", i, e.Sequence)
		}
	}
	if want := []string{api.EventCustomerCreated, api.EventCustomerUpdated, api.EventCustomerRequirementsUpdated, api.EventCustomerRequirementsUpdated}; !slices.Equal(types, want) {
		t.Errorf("events = %q, want %q", types, want)
	}
	if d := string(events[2].Data); d != `{"customer_id":"`+c.ID+`","open":"`+reqs[0].ID+reqs[1].ID+`"}` {
		t.Errorf("the requirements event's data = %s, want it rendered with both open", d)
	}

	// Erasure destroys the versions' profiles and the requirements' texts.
	reject := statusAudit(c, kyb.StatusPending, kyb.StatusRejected, "no")
	// A decision on version 1 after the update to version 2 changes
	// nothing: nobody decided on what version 2 says.
	if _, err := s.UpdateCustomerStatus(ctx, reject, StatusEventOf(reject), 1); !errors.Is(err, kyb.ErrCustomerChanged) {
		t.Errorf("a status change on a stale version = %v, want ErrCustomerChanged", err)
	}
	if got, _ := s.CustomerByID(ctx, c.ID); got.Status != kyb.StatusPending {
		t.Errorf("after the refused change the customer is %s, want pending", got.Status)
	}
	current, err := s.CustomerByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCustomerStatus(ctx, reject, StatusEventOf(reject), current.Version); err != nil {
		t.Fatal(err)
	}
	erase := Audit(kyb.ActionCustomerErased)
	erase.PartnerID, erase.CustomerID, erase.FromStatus = p.ID, c.ID, kyb.StatusRejected
	// An erasure of the version before the update changes nothing: the
	// files it was given are those of what it read.
	if _, err := s.EraseCustomer(ctx, erase, current.Version-1, nil); !errors.Is(err, kyb.ErrCustomerChanged) {
		t.Errorf("an erasure of a stale version = %v, want ErrCustomerChanged", err)
	}
	if got, _ := s.CustomerByID(ctx, c.ID); !got.ErasedAt.IsZero() || got.Profile.BusinessDetails == nil {
		t.Errorf("after the refused erasure the customer is %+v, want it whole", got)
	}
	if _, err := s.EraseCustomer(ctx, erase, current.Version, nil); err != nil {
		t.Fatalf("EraseCustomer: %v", err)
	}
	for _, n := range []int{1, 2} {
		v, err := s.CustomerVersion(ctx, c.ID, n)
		if err != nil || v.Profile.BusinessDetails != nil || v.Profile.PartnerCustomerID != c.Profile.PartnerCustomerID || v.PatchDigest != "" {
			t.Errorf("erased version %d = %+v, %v; want partner_customer_id alone", n, v, err)
		}
	}
	all, err = s.Requirements(ctx, c.ID)
	if err != nil || len(all) != 2 || all[0].Message != "" || all[1].Answer != "" || all[0].Field != "business_details.business_name" {
		t.Errorf("erased requirements = %+v, %v; want kinds and paths alone", all, err)
	}
	if _, err := s.ChangeCustomer(ctx, profileUpdate(updated, first)); !errors.Is(err, kyb.ErrCustomerChanged) {
		t.Errorf("changing an erased customer: %v, want ErrCustomerChanged", err)
	}
}

// testConcurrentUpdates makes two updates of one version at once: one
// wins, the other finds the customer changed.
func testConcurrentUpdates(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "raced-customer-0000001")
	if _, _, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c)); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Customer(ctx, p.ID, c.ID)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		next := c.Profile
		details := *c.Profile.BusinessDetails
		details.BusinessName = []string{"First Ltd", "Second Ltd"}[i]
		next.BusinessDetails = &details
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.ChangeCustomer(ctx, profileUpdate(c, next, "business_details.business_name"))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, kyb.ErrCustomerChanged):
			t.Errorf("the losing update: %v, want ErrCustomerChanged", err)
		}
	}
	if won != 1 {
		t.Errorf("%d updates of version 1 won, want 1 (%v)", won, errs)
	}
	if vs, _ := s.CustomerVersions(ctx, c.ID); len(vs) != 2 {
		t.Errorf("%d versions stored, want 2", len(vs))
	}
}
