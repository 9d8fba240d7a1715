package kyb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// Service carries out the use cases on top of a Store. It is the only way
// to storage: the HTTP layer and the command line call its methods, never
// the store's, so that every write is validated, timed by one clock and
// audited.
type Service struct {
	store Store
	now   func() time.Time
	// cipher seals uploaded documents and webhook secrets at rest; those
	// features fail without it.
	cipher *Cipher
	// allowInsecureWebhooks accepts http endpoints on any address, for
	// local development and tests.
	allowInsecureWebhooks bool
	// eventsAdded, when set, is called after a commit that added webhook
	// events, to wake the relay.
	eventsAdded func()
	keys        keyCache
	// lists is the index of the sanctions lists in force.
	lists listCache
	// risk is the policy of the risk flags.
	risk RiskPolicy
	// policies caches partners' decision policies.
	policies policyCache
	// rescreenBatch is how many customers a re-screening batch holds,
	// rescreenDelay how long after an import re-screening starts, and
	// rescreenLease how long a worker holds a batch.
	rescreenBatch int
	rescreenDelay time.Duration
	rescreenLease time.Duration
	// secretGrace is how long a rotated webhook secret keeps signing.
	secretGrace time.Duration
	// operatorTokenTTL is how long an operator token works after it was
	// issued.
	operatorTokenTTL time.Duration
	// console is the policy of console accounts and sessions.
	console ConsolePolicy
}

// Option configures a Service at construction.
type Option func(*Service)

// WithClock makes the service read the time from now instead of the wall
// clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithCipher seals uploaded documents and webhook secrets with c.
func WithCipher(c *Cipher) Option { return func(s *Service) { s.cipher = c } }

// WithInsecureWebhooks accepts http webhook endpoints on loopback and
// private addresses, for local development and tests.
func WithInsecureWebhooks(allow bool) Option {
	return func(s *Service) { s.allowInsecureWebhooks = allow }
}

// WithEventNotifier calls notify after every commit that added webhook
// events, so that the relay sends them at once instead of at its next poll.
func WithEventNotifier(notify func()) Option { return func(s *Service) { s.eventsAdded = notify } }

// DefaultWebhookSecretGrace is how long a webhook secret replaced by a
// rotation keeps signing deliveries beside the new one, unless
// WithWebhookSecretGrace says otherwise: a day, as long as a delivery is
// retried.
const DefaultWebhookSecretGrace = 24 * time.Hour

// WithWebhookSecretGrace sets how long a rotated webhook secret keeps
// signing deliveries beside the new one; 0 ends it at the rotation.
func WithWebhookSecretGrace(d time.Duration) Option {
	return func(s *Service) { s.secretGrace = max(d, 0) }
}

// NewService returns a Service on store, using the wall clock unless an
// option says otherwise.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, secretGrace: DefaultWebhookSecretGrace, operatorTokenTTL: DefaultOperatorTokenTTL, rescreenBatch: RescreenBatchSize, rescreenDelay: DefaultRescreenDelay, rescreenLease: DefaultRescreenLease,
		console: ConsolePolicy{SessionIdle: DefaultSessionIdle, SessionLifetime: DefaultSessionLifetime, Password: DefaultPasswordParams}, risk: RiskPolicy{HighRiskCountries: DefaultHighRiskCountries, MinRegistrationAge: DefaultMinRegistrationAge}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Now is the service's clock, the reference of every "not in the future"
// rule and every timestamp it writes.
func (s *Service) Now() time.Time { return s.now() }

// Ping reports whether the database answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// CreateCustomer validates a profile and stores a new pending customer for
// the partner. partner_customer_id makes it idempotent: the same profile
// again returns the stored customer; a different one is a conflict naming
// the existing customer.
func (s *Service) CreateCustomer(ctx context.Context, partnerID string, p api.Profile) (c Customer, created bool, err error) {
	now := s.Now().UTC()
	if err := ValidateProfile(&p, now); err != nil {
		return Customer{}, false, err
	}
	if err := s.checkFileReferences(ctx, partnerID, p); err != nil {
		return Customer{}, false, err
	}
	NormalizeProfile(&p)
	c = Customer{
		ID:          NewID(PrefixCustomer, now),
		PartnerID:   partnerID,
		Status:      StatusPending,
		CreatedAt:   now.Truncate(time.Second),
		Profile:     p,
		Fingerprint: Fingerprint(p),
	}
	if c.Screening, err = s.screenProfile(ctx, p, now.Truncate(time.Second)); err != nil {
		return Customer{}, false, err
	}
	// The rejected-identifier probe costs a query on every create: only an
	// auto-approving partner's decision needs it now; operators' reads and
	// the two-person rule look again (see Customer.RiskLevel).
	if policy, err := s.PartnerPolicy(ctx, partnerID); err == nil && policy == PolicyAutoApproveClean {
		if err := s.withRejectedMatches(ctx, &c); err != nil {
			return Customer{}, false, err
		}
	}
	c.RiskLevel = s.Risk(c).Level
	audit := newAuditEvent(now, Actor{ActorPartner, partnerID}, ActionCustomerCreated)
	audit.PartnerID, audit.CustomerID, audit.ToStatus = partnerID, c.ID, c.Status
	stored, created, err := s.store.CreateCustomer(ctx, c, audit, newEvent(c, api.EventCustomerCreated, now))
	if err != nil {
		return Customer{}, false, fmt.Errorf("create customer: %w", err)
	}
	if created {
		// A failed decision leaves the customer pending, for review.
		if decided, err := s.decide(ctx, stored); err == nil {
			stored = decided
		}
		s.notifyEvents()
	}
	if !created && stored.Fingerprint != c.Fingerprint {
		e := Conflict("duplicate_partner_customer_id", "a customer with this partner_customer_id already exists with different details")
		e.CustomerID = stored.ID
		return Customer{}, false, e
	}
	return stored, created, nil
}

func (s *Service) notifyEvents() {
	if s.eventsAdded != nil {
		s.eventsAdded()
	}
}

// CreatePartner creates a partner with its first API key.
func (s *Service) CreatePartner(ctx context.Context, actor Actor, name string, sandbox bool) (Credentials, error) {
	var ch checker
	ch.name("name", name)
	if len(ch.errs) > 0 {
		return Credentials{}, Invalid(ch.errs)
	}
	now := s.Now().UTC()
	p := Partner{ID: NewID(PrefixPartner, now), Name: name, Sandbox: sandbox, CreatedAt: now}
	key, secret := NewAPIKey(p.ID, now)
	audit := newAuditEvent(now, actor, ActionPartnerCreated)
	audit.PartnerID, audit.APIKeyID = p.ID, key.ID
	if err := s.store.CreatePartner(ctx, p, key, audit); err != nil {
		return Credentials{}, fmt.Errorf("create partner: %w", err)
	}
	return Credentials{PartnerID: p.ID, APIKey: key.ID, APISecret: secret}, nil
}

// CreateAPIKey issues another key for a partner, for rotation.
func (s *Service) CreateAPIKey(ctx context.Context, actor Actor, partnerID string) (Credentials, error) {
	now := s.Now().UTC()
	key, secret := NewAPIKey(partnerID, now)
	audit := newAuditEvent(now, actor, ActionAPIKeyCreated)
	audit.PartnerID, audit.APIKeyID = partnerID, key.ID
	if err := s.store.AddAPIKey(ctx, key, audit, AllowAnotherKey); err != nil {
		return Credentials{}, fmt.Errorf("create api key: %w", err)
	}
	return Credentials{PartnerID: partnerID, APIKey: key.ID, APISecret: secret}, nil
}

// RevokeAPIKey revokes a key now.
func (s *Service) RevokeAPIKey(ctx context.Context, actor Actor, keyID string) error {
	audit := newAuditEvent(s.Now().UTC(), actor, ActionAPIKeyRevoked)
	audit.APIKeyID = keyID
	if err := s.store.RevokeAPIKey(ctx, keyID, audit); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	s.keys.forget(keyID)
	return nil
}

// ChangeStatus moves a customer through review: pending to active or
// rejected, active to suspended, suspended back to active. Any other move
// is a conflict naming the current status.
func (s *Service) ChangeStatus(ctx context.Context, actor Actor, customerID string, change StatusChange) (Customer, error) {
	if err := change.Validate(); err != nil {
		return Customer{}, err
	}
	c, err := s.changeable(ctx, customerID)
	if err != nil {
		return Customer{}, err
	}
	if change.IfMatch != 0 && change.IfMatch != c.Version {
		// The customer changed since the operator read it: a decision
		// is of what they saw.
		return Customer{}, ErrVersionMismatch(c.Version)
	}
	if !c.Status.CanBecome(change.Status) {
		return Customer{}, ErrTransition(c.Status, change.Status)
	}
	// The two-person rule weighs every flag, the rejected identifiers' too.
	if err := s.withRejectedMatches(ctx, &c); err != nil {
		return Customer{}, err
	}
	now := s.Now().UTC()
	if change.Status == StatusActive && s.RequiredApprovals(c) > 1 {
		// The two-person rule, for approving and for reactivating: the
		// first approval is recorded and the customer keeps its status,
		// awaiting another operator's.
		approved, enough, err := s.approve(ctx, actor, c, change.Reason, now)
		if err != nil || !enough {
			return approved, err
		}
		c = approved
	}
	audit := newAuditEvent(now, actor, ActionCustomerStatusChanged)
	audit.PartnerID, audit.CustomerID = c.PartnerID, c.ID
	audit.FromStatus, audit.ToStatus, audit.Reason = c.Status, change.Status, change.Reason
	after := c
	after.Status, after.StatusReason, after.StatusUpdatedAt = change.Status, change.Reason, now
	// Decided on the version read: an update in between is a conflict, not
	// a decision on details nobody reviewed.
	updated, err := s.store.UpdateCustomerStatus(ctx, audit, newEvent(after, statusEvent(change.Status), now), c.Version)
	if err != nil {
		return Customer{}, fmt.Errorf("change status of %s: %w", customerID, err)
	}
	updated.Requirements = c.Requirements
	s.notifyEvents()
	updated.Approvals, updated.RejectedMatches = c.Approvals, c.RejectedMatches
	return updated, nil
}

// name checks the name of a partner or an operator: present, not blank.
func (c *checker) name(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.add(field, api.CodeRequired, "is required")
		return
	}
	c.text(field, v, true, maxNameLength)
}

// Customer returns one of a partner's customers; another partner's
// customer is not found, so partners learn nothing of each other.
func (s *Service) Customer(ctx context.Context, partnerID, id string) (Customer, error) {
	return s.store.Customer(ctx, partnerID, id)
}

// CustomerForOperator returns any partner's customer, for operators.
func (s *Service) CustomerForOperator(ctx context.Context, id string) (Customer, error) {
	return s.store.CustomerByID(ctx, id)
}

// ListCustomers returns a page of customers; q.PartnerID empty lists every
// partner's, which only operators may ask for.
func (s *Service) ListCustomers(ctx context.Context, q CustomerQuery) (CustomerPage, error) {
	return s.store.ListCustomers(ctx, q)
}

// StatusCounts counts a partner's customers by status; partnerID empty
// counts every partner's, which only operators may ask for.
func (s *Service) StatusCounts(ctx context.Context, partnerID string) (map[Status]int, error) {
	return s.store.StatusCounts(ctx, partnerID)
}

// AuditTrail returns the audit events of a customer or of a partner,
// oldest first.
func (s *Service) AuditTrail(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	return s.store.AuditEvents(ctx, f)
}

// Partner returns a partner.
func (s *Service) Partner(ctx context.Context, id string) (Partner, error) {
	return s.store.Partner(ctx, id)
}

// Partners lists every partner.
func (s *Service) Partners(ctx context.Context) ([]Partner, error) {
	return s.store.Partners(ctx)
}
