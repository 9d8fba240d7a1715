package kyb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// DefaultRetainRejected is how long a rejected customer's personal data is
// kept: anti-money-laundering rules (the EU directives, FATF
// recommendation 11) keep customer records five years.
const DefaultRetainRejected = 5 * 365 * 24 * time.Hour

// ActionCustomerErased records an erasure of a customer's personal data.
const ActionCustomerErased = "customer.erased"

// ErasureStore erases customers' personal data.
type ErasureStore interface {
	// EraseCustomer destroys the customer's data key, so that its profile,
	// its versions, its requirements' texts and its events' data can never
	// be opened again, clears its keyed
	// hashes, deletes its partner's files fileIDs, stops the pending
	// deliveries of its events and records audit, in one transaction.
	// The customer keeps its ids, status and history. It is
	// ErrCustomerChanged when the customer is no longer at version (an
	// update may have named another file) or at audit.FromStatus, or is
	// erased already.
	EraseCustomer(ctx context.Context, audit AuditEvent, version int, fileIDs []string) (Customer, error)
	// ErasableCustomers returns up to limit customers rejected before
	// cutoff whose data is not yet erased, oldest first.
	ErasableCustomers(ctx context.Context, rejectedBefore time.Time, limit int) ([]string, error)
}

// Erasure is a request to erase a customer's personal data.
type Erasure struct {
	Reason string `json:"reason"`
}

// Validate checks the request on its own: a reason is required.
func (e Erasure) Validate() error { return requireReason(e.Reason) }

// requireReason checks a request whose only field is the reason.
func requireReason(reason string) error {
	var ch checker
	if ch.reason(reason); len(ch.errs) > 0 {
		return Invalid(ch.errs)
	}
	return nil
}

// ErrErased is the conflict of changing a customer whose personal data
// was erased.
func ErrErased(customerID string) *Error {
	e := Conflict("customer_erased", "the customer's personal data was erased; it can no longer change")
	e.CustomerID = customerID
	return e
}

// changeable reads a customer that is about to change: any partner's, and
// not erased.
func (s *Service) changeable(ctx context.Context, customerID string) (Customer, error) {
	c, err := s.store.CustomerByID(ctx, customerID)
	if err == nil && !c.ErasedAt.IsZero() {
		return Customer{}, ErrErased(c.ID)
	}
	return c, err
}

// EraseCustomer erases a customer's personal data (crypto-shredding: its
// data key is destroyed) and the documents its profile names, keeping its
// ids, status history and audit trail. An active customer cannot be
// erased: suspend or reject it first.
func (s *Service) EraseCustomer(ctx context.Context, actor Actor, customerID string, req Erasure) (Customer, error) {
	if err := req.Validate(); err != nil {
		return Customer{}, err
	}
	// The files are gathered from the versions before the erasure's
	// transaction; it erases only the version they were gathered from, so
	// that a file an update names meanwhile is not left behind: the
	// customer is read again and the files gathered again.
	for attempt := 1; ; attempt++ {
		c, err := s.changeable(ctx, customerID)
		if err != nil {
			return Customer{}, err
		}
		if c.Status == StatusActive {
			e := Conflict("customer_active", "an active customer cannot be erased; suspend or reject it first")
			e.CustomerID = c.ID
			return Customer{}, e
		}
		audit := newAuditEvent(s.Now().UTC(), actor, ActionCustomerErased)
		audit.PartnerID, audit.CustomerID, audit.FromStatus, audit.Reason = c.PartnerID, c.ID, c.Status, req.Reason
		files, err := s.filesOfEveryVersion(ctx, c)
		if err != nil {
			return Customer{}, fmt.Errorf("erase customer %s: %w", customerID, err)
		}
		erased, err := s.store.EraseCustomer(ctx, audit, c.Version, files)
		if errors.Is(err, ErrCustomerChanged) && attempt < 5 {
			continue
		}
		if err != nil {
			return Customer{}, fmt.Errorf("erase customer %s: %w", customerID, err)
		}
		return erased, nil
	}
}

// EraseExpired erases the personal data of customers rejected longer than
// retain ago, in batches, and returns how many it erased. A retain of 0
// keeps everything.
func (s *Service) EraseExpired(ctx context.Context, retain time.Duration) (int, error) {
	if retain <= 0 {
		return 0, nil
	}
	actor := Actor{Type: ActorSystem, ID: "retention"}
	reason := "retention period of " + retain.String() + " after rejection ended"
	n := 0
	for {
		ids, err := s.store.ErasableCustomers(ctx, s.Now().Add(-retain), 100)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		erased := 0
		for _, id := range ids {
			_, err := s.EraseCustomer(ctx, actor, id, Erasure{Reason: reason})
			switch {
			case ErrorKind(err) == KindConflict:
				// Another instance erased it first.
			case err != nil:
				return n, err
			default:
				erased++
			}
		}
		if n += erased; erased == 0 {
			return n, nil
		}
	}
}

// referencedFiles lists the files a profile names, each once.
func referencedFiles(p api.Profile) []string {
	var ids []string
	for _, r := range fileReferences(p) {
		if !slices.Contains(ids, r.id) {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// filesOfEveryVersion lists the files the customer's profile names now or
// named in any earlier version (a document an update replaced), each once.
func (s *Service) filesOfEveryVersion(ctx context.Context, c Customer) ([]string, error) {
	ids := referencedFiles(c.Profile)
	versions, err := s.store.CustomerVersions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if v.Number == c.Version {
			continue
		}
		full, err := s.store.CustomerVersion(ctx, c.ID, v.Number)
		if err != nil {
			return nil, err
		}
		for _, id := range referencedFiles(full.Profile) {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}
