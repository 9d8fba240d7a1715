package kyb

import (
	"context"
	"fmt"
	"time"
)

// Approval is one operator's approval of a customer that needs two
// (the two-person rule): recorded as an audit event, counted since the
// customer last changed status and was last updated (ActionCustomerUpdated):
// an approval is of what the operator saw.
type Approval struct {
	// OperatorID is the approving actor's id: an operator's, or "cli" for
	// the command line, which counts as one person.
	OperatorID string
	Reason     string
	At         time.Time
}

// ActionCustomerApprovalRecorded is the audit action of an approval that
// does not, on its own, approve the customer.
const ActionCustomerApprovalRecorded = "customer.approval_recorded"

// ApprovalStore keeps the approvals of customers that need two.
type ApprovalStore interface {
	// RecordApproval records audit, an approval of audit.CustomerID by
	// audit.Actor, and returns the customer's approvals that count
	// (see Approval), this one last. A customer that is no longer pending
	// is a conflict from ErrTransition; an actor who approved it already
	// is ErrSameApprover, and nothing is recorded.
	RecordApproval(ctx context.Context, audit AuditEvent) ([]Approval, error)
	// Approvals returns a customer's approvals that count, oldest first.
	Approvals(ctx context.Context, customerID string) ([]Approval, error)
}

// ErrSameApprover refuses a second approval by the operator who gave the
// first.
var ErrSameApprover = Conflict("second_approval_same_operator",
	"you approved this customer already; its risk is high, so a second operator must give the other approval")

// RequiredApprovals is how many different operators must approve a
// customer: two when its risk as of now is high (a screening hit makes it
// so), one otherwise.
func (s *Service) RequiredApprovals(c Customer) int {
	if s.Risk(c).Level == RiskHigh {
		return 2
	}
	return 1
}

// approve records an operator's approval of a pending customer that needs
// two, and reports whether it is now approved by enough of them. The
// customer comes back with its approvals.
func (s *Service) approve(ctx context.Context, actor Actor, c Customer, reason string, now time.Time) (Customer, bool, error) {
	audit := newAuditEvent(now, actor, ActionCustomerApprovalRecorded)
	audit.PartnerID, audit.CustomerID = c.PartnerID, c.ID
	audit.FromStatus, audit.ToStatus, audit.Reason = c.Status, StatusActive, reason
	approvals, err := s.store.RecordApproval(ctx, audit)
	if err != nil {
		return Customer{}, false, fmt.Errorf("record approval of %s: %w", c.ID, err)
	}
	c.Approvals = approvals
	return c, len(approvals) >= s.RequiredApprovals(c), nil
}

// withApprovals fills in the approvals of a customer that may become
// active (pending or suspended), for operators.
func (s *Service) withApprovals(ctx context.Context, c Customer) (Customer, error) {
	if (c.Status != StatusPending && c.Status != StatusSuspended) || !c.ErasedAt.IsZero() {
		return c, nil
	}
	approvals, err := s.store.Approvals(ctx, c.ID)
	if err != nil {
		return Customer{}, fmt.Errorf("read approvals of %s: %w", c.ID, err)
	}
	c.Approvals = approvals
	return c, nil
}
