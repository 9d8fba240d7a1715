package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// Run is the conformance suite every kyb.Store must pass. open returns a
// store; it may share a database with other tests, so the suite works
// only with the partners it creates.
func Run(t *testing.T, open func(t testing.TB) kyb.Store) {
	t.Run("partners", func(t *testing.T) { testPartners(t, open(t)) })
	t.Run("api keys", func(t *testing.T) { testAPIKeys(t, open(t)) })
	t.Run("customers", func(t *testing.T) { testCustomers(t, open(t)) })
	t.Run("concurrent creates", func(t *testing.T) { testConcurrentCreates(t, open(t)) })
	t.Run("status changes and audit", func(t *testing.T) { testStatusChanges(t, open(t)) })
	t.Run("list customers", func(t *testing.T) { testListCustomers(t, open(t)) })
	t.Run("operators", func(t *testing.T) { testOperators(t, open(t)) })
	t.Run("console accounts and sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("append audit", func(t *testing.T) { testAppendAudit(t, open(t)) })
	t.Run("audit chain", func(t *testing.T) { testAuditChain(t, open(t)) })
	t.Run("webhook endpoints", func(t *testing.T) { testEndpoints(t, open(t)) })
	t.Run("webhook outbox", func(t *testing.T) { testOutbox(t, open(t)) })
	t.Run("files", func(t *testing.T) { testFiles(t, open(t)) })
	t.Run("rate limits", func(t *testing.T) { testRateLimits(t, open(t)) })
	t.Run("pending deliveries", func(t *testing.T) { testPendingDeliveries(t, open(t)) })
	t.Run("customer changes", func(t *testing.T) { testCustomerChanges(t, open(t)) })
	t.Run("concurrent updates", func(t *testing.T) { testConcurrentUpdates(t, open(t)) })
	t.Run("save screening", func(t *testing.T) { testSaveScreening(t, open(t)) })
	t.Run("approvals", func(t *testing.T) { testApprovals(t, open(t)) })
	t.Run("re-screening after an update", func(t *testing.T) { testRescreenAfterUpdate(t, open(t)) })
}

var ctx = context.Background()

// Audit returns an audit event of an action by the system, now.
func Audit(action string) kyb.AuditEvent {
	return AuditAt(time.Now().UTC().Truncate(time.Microsecond), action)
}

// AuditAt returns an audit event of an action by the system at a time.
func AuditAt(at time.Time, action string) kyb.AuditEvent {
	return kyb.AuditEvent{ID: kyb.NewID(kyb.PrefixAuditEvent, at), At: at, Actor: kyb.Actor{Type: kyb.ActorSystem, ID: "test"}, Action: action}
}

// AuditOf returns an audit event of an action by the system on a
// partner's target, now.
func AuditOf(action, partnerID, targetID string) kyb.AuditEvent {
	a := Audit(action)
	a.PartnerID, a.TargetID = partnerID, targetID
	return a
}

// NewPartner stores a partner with one key and returns both.
func NewPartner(t *testing.T, s kyb.Store) (kyb.Partner, kyb.APIKey) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	p := kyb.Partner{ID: kyb.NewID(kyb.PrefixPartner, now), Name: "Partner " + t.Name(), CreatedAt: now}
	key, _ := kyb.NewAPIKey(p.ID, now)
	audit := Audit(kyb.ActionPartnerCreated)
	audit.PartnerID, audit.APIKeyID = p.ID, key.ID
	if err := s.CreatePartner(ctx, p, key, audit); err != nil {
		t.Fatalf("CreatePartner: %v", err)
	}
	return p, key
}

func testPartners(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	got, err := s.Partner(ctx, p.ID)
	if err != nil {
		t.Fatalf("Partner: %v", err)
	}
	if got != p {
		t.Errorf("Partner = %+v, want %+v", got, p)
	}
	all, err := s.Partners(ctx)
	if err != nil {
		t.Fatalf("Partners: %v", err)
	}
	found := false
	for _, q := range all {
		found = found || q == p
	}
	if !found {
		t.Errorf("Partners does not list %+v", p)
	}
	if _, err := s.Partner(ctx, kyb.NewID(kyb.PrefixPartner, time.Now())); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("Partner(unknown) error = %v, want not found", err)
	}
}

func testAPIKeys(t *testing.T, s kyb.Store) {
	p, first := NewPartner(t, s)
	got, err := s.APIKey(ctx, first.ID)
	if err != nil {
		t.Fatalf("APIKey: %v", err)
	}
	if got != first {
		t.Errorf("APIKey = %+v, want %+v", got, first)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	second, _ := kyb.NewAPIKey(p.ID, now)
	if err := s.AddAPIKey(ctx, second, Audit(kyb.ActionAPIKeyCreated), kyb.AllowAnotherKey); err != nil {
		t.Fatalf("AddAPIKey(second): %v", err)
	}
	third, _ := kyb.NewAPIKey(p.ID, now)
	if err := s.AddAPIKey(ctx, third, Audit(kyb.ActionAPIKeyCreated), kyb.AllowAnotherKey); !errors.Is(err, kyb.ErrTooManyKeys) {
		t.Errorf("AddAPIKey(third) error = %v, want too many keys", err)
	}
	if err := s.RevokeAPIKey(ctx, first.ID, AuditAt(now, kyb.ActionAPIKeyRevoked)); err != nil {
		t.Fatalf("RevokeAPIKey: %v", err)
	}
	if err := s.RevokeAPIKey(ctx, first.ID, AuditAt(now.Add(time.Hour), kyb.ActionAPIKeyRevoked)); err != nil {
		t.Errorf("RevokeAPIKey again: %v, want nil", err)
	}
	revoked, err := s.APIKey(ctx, first.ID)
	if err != nil {
		t.Fatalf("APIKey(revoked): %v", err)
	}
	if revoked.Live() || !revoked.RevokedAt.Equal(now) {
		t.Errorf("revoked key RevokedAt = %v, want %v", revoked.RevokedAt, now)
	}
	// The rule is given the live keys (the revoked one is not), and what it
	// says is what the store does.
	var counted []int
	rule := func(live int) error { counted = append(counted, live); return kyb.AllowAnotherKey(live) }
	if err := s.AddAPIKey(ctx, third, Audit(kyb.ActionAPIKeyCreated), rule); err != nil {
		t.Errorf("AddAPIKey after revoke: %v", err)
	}
	if !slices.Equal(counted, []int{1}) {
		t.Errorf("the rule was given %v live keys, want [1]", counted)
	}
	if err := s.RevokeAPIKey(ctx, "ak_missing", AuditAt(now, kyb.ActionAPIKeyRevoked)); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("RevokeAPIKey(unknown) error = %v, want not found", err)
	}
	if _, err := s.APIKey(ctx, "ak_missing"); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("APIKey(unknown) error = %v, want not found", err)
	}
	orphan, _ := kyb.NewAPIKey("ptn_missing", now)
	if err := s.AddAPIKey(ctx, orphan, Audit(kyb.ActionAPIKeyCreated), kyb.AllowAnotherKey); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("AddAPIKey(unknown partner) error = %v, want not found", err)
	}
}

// NewCustomer returns a valid customer of a partner, not yet stored.
func NewCustomer(partnerID, partnerCustomerID string) kyb.Customer {
	now := time.Now().UTC().Truncate(time.Second)
	p := api.Profile{
		PartnerCustomerID:   partnerCustomerID,
		BusinessDetails:     &api.BusinessDetails{BusinessName: "深圳市示例科技有限公司", BusinessIdentifierNumber: "91440300MA5EXAMPLE", BusinessIdentifierCountryCode: "CN"},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 Example Road", City: "Shenzhen", CountryCode: "CN"},
		AccountUsage:        &api.AccountUsage{EstimatedMonthlyRevenueCurrency: "USD", EstimatedMonthlyRevenueAmount: "100.50"},
	}
	return kyb.Customer{
		ID:          kyb.NewID(kyb.PrefixCustomer, now),
		PartnerID:   partnerID,
		Status:      kyb.StatusPending,
		CreatedAt:   now,
		Profile:     p,
		Fingerprint: kyb.Fingerprint(p),
	}
}

func testCustomers(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	other, _ := NewPartner(t, s)
	c := NewCustomer(p.ID, "partner-customer-0001")
	stored, created, err := s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c))
	if err != nil || !created {
		t.Fatalf("CreateCustomer = created %v, %v; want created", created, err)
	}
	got, err := s.Customer(ctx, p.ID, c.ID)
	if err != nil {
		t.Fatalf("Customer: %v", err)
	}
	for name, g := range map[string]kyb.Customer{"stored": stored, "read back": got} {
		if g.ID != c.ID || g.Status != c.Status || !g.CreatedAt.Equal(c.CreatedAt) || g.Fingerprint != c.Fingerprint ||
			g.Profile.BusinessDetails.BusinessName != "深圳市示例科技有限公司" || g.Profile.AccountUsage.EstimatedMonthlyRevenueAmount != "100.50" {
			t.Errorf("%s customer = %+v, want %+v", name, g, c)
		}
	}

	again := NewCustomer(p.ID, "partner-customer-0001")
	again.Profile.BusinessDetails.BusinessName = "Another name"
	existing, created, err := s.CreateCustomer(ctx, again, customerAudit(again), EventOf(again))
	if err != nil || created {
		t.Fatalf("CreateCustomer(same partner_customer_id) = created %v, %v; want existing", created, err)
	}
	if existing.ID != c.ID || existing.Fingerprint != c.Fingerprint {
		t.Errorf("existing customer = %s %s, want %s %s", existing.ID, existing.Fingerprint, c.ID, c.Fingerprint)
	}

	// Another partner may use the same partner_customer_id and cannot see
	// the first partner's customer.
	theirs := NewCustomer(other.ID, "partner-customer-0001")
	if _, created, err := s.CreateCustomer(ctx, theirs, customerAudit(theirs), EventOf(theirs)); err != nil || !created {
		t.Errorf("CreateCustomer(other partner) = created %v, %v; want created", created, err)
	}
	if _, err := s.Customer(ctx, other.ID, c.ID); !errors.Is(err, kyb.ErrNotFound) {
		t.Errorf("Customer(other partner) error = %v, want not found", err)
	}
}

func testConcurrentCreates(t *testing.T, s kyb.Store) {
	p, _ := NewPartner(t, s)
	const n = 50
	var wg sync.WaitGroup
	results := make([]kyb.Customer, n)
	createdCount := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := NewCustomer(p.ID, "concurrent-customer-0001")
			results[i], createdCount[i], errs[i] = s.CreateCustomer(ctx, c, customerAudit(c), EventOf(c))
		}()
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("CreateCustomer #%d: %v", i, errs[i])
		}
		if createdCount[i] {
			created++
		}
		if results[i].ID != results[0].ID {
			t.Errorf("CreateCustomer #%d returned %s, #0 returned %s", i, results[i].ID, results[0].ID)
		}
	}
	if created != 1 {
		t.Errorf("%d creates reported created, want 1", created)
	}
}
