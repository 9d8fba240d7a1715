package kyb

import (
	"context"
	"fmt"
)

// An operator's every read of personal data is in the audit trail, written
// before the data is returned: a read that cannot be recorded fails.

// ViewCustomer returns any partner's customer to an operator, recording
// the read.
func (s *Service) ViewCustomer(ctx context.Context, actor Actor, id string) (Customer, error) {
	c, err := s.store.CustomerByID(ctx, id)
	if err != nil {
		return Customer{}, err
	}
	if err := s.recordViews(ctx, actor, ActionCustomerViewed, c); err != nil {
		return Customer{}, err
	}
	if err := s.withRejectedMatches(ctx, &c); err != nil {
		return Customer{}, err
	}
	return s.withApprovals(ctx, c)
}

// ViewCustomers returns a page of customers to an operator, recording one
// read for each customer on it, in one transaction.
func (s *Service) ViewCustomers(ctx context.Context, actor Actor, q CustomerQuery) (CustomerPage, error) {
	page, err := s.store.ListCustomers(ctx, q)
	if err != nil {
		return CustomerPage{}, err
	}
	if err := s.recordViews(ctx, actor, ActionCustomerViewed, page.Customers...); err != nil {
		return CustomerPage{}, err
	}
	if err := s.withRejectedMatches(ctx, pointers(page.Customers)...); err != nil {
		return CustomerPage{}, err
	}
	return page, nil
}

// ViewCustomerEvents returns any partner's customer's events, which carry
// its profile, to an operator, recording the read.
func (s *Service) ViewCustomerEvents(ctx context.Context, actor Actor, customerID string) ([]Event, error) {
	c, err := s.store.CustomerByID(ctx, customerID)
	if err != nil {
		return nil, err
	}
	events, err := s.store.CustomerEvents(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if err := s.recordViews(ctx, actor, ActionCustomerEventsViewed, c); err != nil {
		return nil, err
	}
	return events, nil
}

// ViewFileContent returns a partner's document (any partner's when
// partnerID is empty) to an operator, recording the read.
func (s *Service) ViewFileContent(ctx context.Context, actor Actor, partnerID, id string) (File, []byte, error) {
	f, content, err := s.FileContent(ctx, partnerID, id)
	if err != nil {
		return File{}, nil, err
	}
	audit := newAuditEvent(s.Now().UTC(), actor, ActionFileViewed)
	audit.PartnerID, audit.TargetID = f.PartnerID, f.ID
	if err := s.store.AppendAudit(ctx, audit); err != nil {
		return File{}, nil, fmt.Errorf("record the read of %s: %w", f.ID, err)
	}
	return f, content, nil
}

func (s *Service) recordViews(ctx context.Context, actor Actor, action string, customers ...Customer) error {
	if len(customers) == 0 {
		return nil
	}
	now := s.Now().UTC()
	events := make([]AuditEvent, len(customers))
	for i, c := range customers {
		events[i] = newAuditEvent(now, actor, action)
		events[i].PartnerID, events[i].CustomerID = c.PartnerID, c.ID
	}
	if err := s.store.AppendAudit(ctx, events...); err != nil {
		return fmt.Errorf("record the read of %d customer(s): %w", len(customers), err)
	}
	return nil
}
