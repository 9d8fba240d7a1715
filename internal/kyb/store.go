package kyb

import "context"

// Store is everything the service keeps. SQLite and PostgreSQL implement it
// with the same behaviour; one test suite proves both.
type Store interface {
	PartnerStore
	CustomerStore
	FileStore
	OperatorStore
	SessionStore
	WebhookStore
	RateLimitStore
	ErasureStore
	ChangeStore
	ListStore
	PolicyStore
	MonitorStore
	DuplicateStore
	EncryptionStore
	AuditStore
	AuditChainStore
	ApprovalStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// PartnerStore keeps partners and their API keys.
type PartnerStore interface {
	// CreatePartner stores a partner together with its first API key.
	CreatePartner(ctx context.Context, p Partner, key APIKey, audit AuditEvent) error
	Partner(ctx context.Context, id string) (Partner, error)
	Partners(ctx context.Context) ([]Partner, error)
	// AddAPIKey stores another key for an existing partner, unless allow,
	// given how many live keys the partner holds, refuses it (its error
	// is returned). The count is taken in the transaction that adds the
	// key, with the partner locked, so that the rule holds when keys are
	// issued at once.
	AddAPIKey(ctx context.Context, key APIKey, audit AuditEvent, allow func(live int) error) error
	// RevokeAPIKey marks a live key revoked at audit.At, filling in the
	// event's partner; revoking a revoked key changes nothing.
	RevokeAPIKey(ctx context.Context, keyID string, audit AuditEvent) error
	APIKey(ctx context.Context, keyID string) (APIKey, error)
}

// CustomerStore keeps customers.
type CustomerStore interface {
	// CreateCustomer stores c, its audit event and its webhook event
	// (sequence 1, with a delivery to each of the partner's endpoints) in
	// one transaction, unless its partner already has a customer with the
	// same partner_customer_id; then it stores nothing and returns that
	// customer with created false.
	CreateCustomer(ctx context.Context, c Customer, audit AuditEvent, event Event) (stored Customer, created bool, err error)
	// Customer returns one of a partner's customers; a customer of another
	// partner is not found.
	Customer(ctx context.Context, partnerID, id string) (Customer, error)
	// CustomerByID returns any partner's customer, for operators.
	CustomerByID(ctx context.Context, id string) (Customer, error)
	// ListCustomers returns a page of customers; a StartingAfter outside
	// the query's scope is ErrBadCursor.
	ListCustomers(ctx context.Context, q CustomerQuery) (CustomerPage, error)
	// UpdateCustomerStatus moves a customer from audit.FromStatus to
	// audit.ToStatus with audit.Reason at audit.At, and records the audit
	// event and the webhook event (with the customer's next sequence) in
	// the same transaction. When the customer's status is no longer
	// FromStatus it changes nothing and returns a conflict from
	// ErrTransition; when version is not 0 and the customer's version is
	// no longer it (an update came in between), ErrCustomerChanged.
	UpdateCustomerStatus(ctx context.Context, audit AuditEvent, event Event, version int) (Customer, error)
	// SaveScreening replaces what a customer's screening found, with
	// the risk level assessed from it (Customer.RiskLevel); an erased
	// customer is left alone. Every screening after the create is saved
	// through it.
	SaveScreening(ctx context.Context, customerID string, sc *Screening, riskLevel string) error
	// StatusCounts counts a partner's customers (every partner's when
	// partnerID is empty) by status, each of the four present.
	StatusCounts(ctx context.Context, partnerID string) (map[Status]int, error)
	// AuditEvents returns the audit trail of a customer or of a partner
	// (its customers and its keys), oldest first.
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
}

// OperatorStore keeps compliance operators.
type OperatorStore interface {
	// CreateOperator stores an operator with the audit event of its
	// creation.
	CreateOperator(ctx context.Context, op Operator, audit AuditEvent) error
	// OperatorByTokenHash finds the operator holding a token, disabled or
	// not.
	OperatorByTokenHash(ctx context.Context, hash string) (Operator, error)
	// Operators lists every operator, oldest first.
	Operators(ctx context.Context) ([]Operator, error)
	// DisableOperator marks an operator disabled at audit.At with the
	// audit event and ends their console sessions, and returns it; an operator already disabled is
	// returned unchanged and nothing is recorded.
	DisableOperator(ctx context.Context, id string, audit AuditEvent) (Operator, error)
	// SetOperatorToken replaces an operator's token hash, issued at
	// audit.At, with the audit event.
	SetOperatorToken(ctx context.Context, id, hash string, audit AuditEvent) error
}

// AuditStore appends to the audit trail what is recorded without a change
// of its own: operators' reads of personal data.
type AuditStore interface {
	// AppendAudit records events in one transaction.
	AppendAudit(ctx context.Context, events ...AuditEvent) error
}

// AuditChainStore reads the chain back, for verification.
type AuditChainStore interface {
	// AuditChain returns up to limit links with Seq above afterSeq, in
	// order of Seq.
	AuditChain(ctx context.Context, afterSeq int64, limit int) ([]AuditLink, error)
	// AuditCount counts every audit event, in the chain or not.
	AuditCount(ctx context.Context) (int64, error)
}
