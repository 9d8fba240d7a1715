package kyb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Service carries out the use cases on top of a Store.
type Service struct {
	Store Store
	Now   func() time.Time
	// Cipher seals uploaded documents and webhook secrets at rest; those
	// features fail without it.
	Cipher *Cipher
	// AllowInsecureWebhooks accepts http endpoints on any address, for
	// local development and tests.
	AllowInsecureWebhooks bool
	// EventsAdded, when set, is called after a commit that added webhook
	// events, to wake the relay.
	EventsAdded func()
	keys        keyCache
}

// NewService returns a Service using the wall clock.
func NewService(store Store) *Service {
	return &Service{Store: store, Now: time.Now}
}

// CreateCustomer validates a profile and stores a new pending customer for
// the partner. partner_customer_id makes it idempotent: the same profile
// again returns the stored customer; a different one is a conflict naming
// the existing customer.
func (s *Service) CreateCustomer(ctx context.Context, partnerID string, p Profile) (c Customer, created bool, err error) {
	now := s.Now().UTC()
	if err := p.Validate(now); err != nil {
		return Customer{}, false, err
	}
	if err := s.checkFileReferences(ctx, partnerID, p); err != nil {
		return Customer{}, false, err
	}
	p.Normalize()
	c = Customer{
		ID:          NewID(PrefixCustomer, now),
		PartnerID:   partnerID,
		Status:      StatusPending,
		CreatedAt:   now.Truncate(time.Second),
		Profile:     p,
		Fingerprint: p.Fingerprint(),
	}
	audit := newAuditEvent(now, Actor{ActorPartner, partnerID}, ActionCustomerCreated)
	audit.PartnerID, audit.CustomerID, audit.ToStatus = partnerID, c.ID, c.Status
	stored, created, err := s.Store.CreateCustomer(ctx, c, audit, newEvent(c, EventCustomerCreated, now))
	if err != nil {
		return Customer{}, false, fmt.Errorf("create customer: %w", err)
	}
	if created {
		s.eventsAdded()
	}
	if !created && stored.Fingerprint != c.Fingerprint {
		e := Conflict("duplicate_partner_customer_id", "a customer with this partner_customer_id already exists with different details")
		e.CustomerID = stored.ID
		return Customer{}, false, e
	}
	return stored, created, nil
}

func (s *Service) eventsAdded() {
	if s.EventsAdded != nil {
		s.EventsAdded()
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
	if err := s.Store.CreatePartner(ctx, p, key, audit); err != nil {
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
	if err := s.Store.AddAPIKey(ctx, key, audit); err != nil {
		return Credentials{}, fmt.Errorf("create api key: %w", err)
	}
	return Credentials{PartnerID: partnerID, APIKey: key.ID, APISecret: secret}, nil
}

// RevokeAPIKey revokes a key now.
func (s *Service) RevokeAPIKey(ctx context.Context, actor Actor, keyID string) error {
	audit := newAuditEvent(s.Now().UTC(), actor, ActionAPIKeyRevoked)
	audit.APIKeyID = keyID
	if err := s.Store.RevokeAPIKey(ctx, keyID, audit); err != nil {
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
	c, err := s.Store.CustomerByID(ctx, customerID)
	if err != nil {
		return Customer{}, err
	}
	if !c.Status.CanBecome(change.Status) {
		return Customer{}, ErrTransition(c.Status, change.Status)
	}
	now := s.Now().UTC()
	audit := newAuditEvent(now, actor, ActionCustomerStatusChanged)
	audit.PartnerID, audit.CustomerID = c.PartnerID, c.ID
	audit.FromStatus, audit.ToStatus, audit.Reason = c.Status, change.Status, change.Reason
	after := c
	after.Status, after.StatusReason, after.StatusUpdatedAt = change.Status, change.Reason, now
	updated, err := s.Store.UpdateCustomerStatus(ctx, audit, newEvent(after, statusEvent(change.Status), now))
	if err != nil {
		return Customer{}, fmt.Errorf("change status of %s: %w", customerID, err)
	}
	s.eventsAdded()
	return updated, nil
}

// CreateOperator creates a compliance operator and returns their token,
// which exists only in this return value.
func (s *Service) CreateOperator(ctx context.Context, name string) (OperatorCredentials, error) {
	var ch checker
	ch.name("name", name)
	if len(ch.errs) > 0 {
		return OperatorCredentials{}, Invalid(ch.errs)
	}
	now := s.Now().UTC()
	token, hash := NewOperatorToken()
	op := Operator{ID: NewID(PrefixOperator, now), Name: name, TokenHash: hash, CreatedAt: now}
	if err := s.Store.CreateOperator(ctx, op); err != nil {
		return OperatorCredentials{}, fmt.Errorf("create operator: %w", err)
	}
	return OperatorCredentials{OperatorID: op.ID, Token: token}, nil
}

// AuthenticateOperator returns the operator holding token. The lookup is
// by the token's hash, so its timing says nothing about the token.
func (s *Service) AuthenticateOperator(ctx context.Context, token string) (Operator, error) {
	if token == "" {
		return Operator{}, ErrBadToken
	}
	op, err := s.Store.OperatorByTokenHash(ctx, HashSecret(token))
	if ErrorKind(err) == KindNotFound {
		return Operator{}, ErrBadToken
	}
	if err != nil {
		return Operator{}, fmt.Errorf("authenticate operator: %w", err)
	}
	return op, nil
}

// name checks the name of a partner or an operator: present, not blank.
func (c *checker) name(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.add(field, CodeRequired, "is required")
		return
	}
	c.text(field, v, true, maxNameLength)
}
