package kyb

import (
	"context"
	"fmt"
	"time"
)

// Service carries out the use cases on top of a Store.
type Service struct {
	Store Store
	Now   func() time.Time
	keys  keyCache
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
	p.Normalize()
	c = Customer{
		ID:          NewID(PrefixCustomer, now),
		PartnerID:   partnerID,
		Status:      StatusPending,
		CreatedAt:   now.Truncate(time.Second),
		Profile:     p,
		Fingerprint: p.Fingerprint(),
	}
	stored, created, err := s.Store.CreateCustomer(ctx, c)
	if err != nil {
		return Customer{}, false, fmt.Errorf("create customer: %w", err)
	}
	if !created && stored.Fingerprint != c.Fingerprint {
		e := Conflict("duplicate_partner_customer_id", "a customer with this partner_customer_id already exists with different details")
		e.CustomerID = stored.ID
		return Customer{}, false, e
	}
	return stored, created, nil
}

// CreatePartner creates a partner with its first API key.
func (s *Service) CreatePartner(ctx context.Context, name string, sandbox bool) (Credentials, error) {
	if name == "" {
		return Credentials{}, Invalid([]FieldError{{Field: "name", Code: CodeRequired, Message: "is required"}})
	}
	now := s.Now().UTC()
	p := Partner{ID: NewID(PrefixPartner, now), Name: name, Sandbox: sandbox, CreatedAt: now}
	key, secret := NewAPIKey(p.ID, now)
	if err := s.Store.CreatePartner(ctx, p, key); err != nil {
		return Credentials{}, fmt.Errorf("create partner: %w", err)
	}
	return Credentials{PartnerID: p.ID, APIKey: key.ID, APISecret: secret}, nil
}

// CreateAPIKey issues another key for a partner, for rotation.
func (s *Service) CreateAPIKey(ctx context.Context, partnerID string) (Credentials, error) {
	key, secret := NewAPIKey(partnerID, s.Now().UTC())
	if err := s.Store.AddAPIKey(ctx, key); err != nil {
		return Credentials{}, fmt.Errorf("create api key: %w", err)
	}
	return Credentials{PartnerID: partnerID, APIKey: key.ID, APISecret: secret}, nil
}

// RevokeAPIKey revokes a key now.
func (s *Service) RevokeAPIKey(ctx context.Context, keyID string) error {
	if err := s.Store.RevokeAPIKey(ctx, keyID, s.Now().UTC()); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	s.keys.forget(keyID)
	return nil
}
