package kyb

import (
	"context"
	"time"
)

// Store is everything the service keeps. SQLite and PostgreSQL implement it
// with the same behaviour; one test suite proves both.
type Store interface {
	PartnerStore
	CustomerStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// PartnerStore keeps partners and their API keys.
type PartnerStore interface {
	// CreatePartner stores a partner together with its first API key.
	CreatePartner(ctx context.Context, p Partner, key APIKey) error
	Partner(ctx context.Context, id string) (Partner, error)
	Partners(ctx context.Context) ([]Partner, error)
	// AddAPIKey stores another key for an existing partner; it fails with
	// a conflict when the partner already holds MaxLiveKeys live keys.
	AddAPIKey(ctx context.Context, key APIKey) error
	// RevokeAPIKey marks a live key revoked at the given time.
	RevokeAPIKey(ctx context.Context, keyID string, at time.Time) error
	APIKey(ctx context.Context, keyID string) (APIKey, error)
}

// CustomerStore keeps customers.
type CustomerStore interface {
	// CreateCustomer stores c unless its partner already has a customer
	// with the same partner_customer_id; then it stores nothing and returns
	// that customer with created false.
	CreateCustomer(ctx context.Context, c Customer) (stored Customer, created bool, err error)
	// Customer returns one of a partner's customers; a customer of another
	// partner is not found.
	Customer(ctx context.Context, partnerID, id string) (Customer, error)
}
