package kyb

import (
	"context"
	"fmt"
	"time"
)

// Approval is one operator's approval of a customer that needs two
// (the two-person rule), of its activation or of clearing its mark for
// review: recorded as an audit event, counted since the customer last
// changed status and was last updated, re-screened with other hits or
// cleared (ActionCustomerUpdated, ActionCustomerRescreened,
// ActionCustomerReviewCleared): an approval is of what the operator saw.
type Approval struct {
	// OperatorID is the approving actor's id: an operator's, or "cli" for
	// the command line, which counts as one person.
	OperatorID string
	Reason     string
	At         time.Time
}

// The audit actions of approvals that do not, on their own, decide.
const (
	// ActionCustomerApprovalRecorded is an approval of a customer's
	// activation (or reactivation).
	ActionCustomerApprovalRecorded = "customer.approval_recorded"
	// ActionCustomerReviewClearanceRecorded is an approval of clearing an
	// active customer's mark for review.
	ActionCustomerReviewClearanceRecorded = "customer.review_clearance_recorded"
)

// ApprovalStore keeps the approvals of customers that need two.
type ApprovalStore interface {
	// RecordApproval records audit, an approval (of audit.Action) of
	// audit.CustomerID by audit.Actor, and returns the customer's
	// approvals of that action that count (see Approval), this one last.
	// A customer no longer in audit.FromStatus is a conflict from
	// ErrTransition, one whose mark for review an approval of clearing it
	// finds cleared is ErrNotMarked; an actor who approved it already is
	// ErrSameApprover, and nothing is recorded.
	RecordApproval(ctx context.Context, audit AuditEvent) ([]Approval, error)
	// Approvals returns a customer's approvals of action that count,
	// oldest first.
	Approvals(ctx context.Context, customerID, action string) ([]Approval, error)
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
// active (pending or suspended), or of clearing an active customer's mark
// for review, for operators.
func (s *Service) withApprovals(ctx context.Context, c Customer) (Customer, error) {
	action := ActionCustomerApprovalRecorded
	switch {
	case !c.ErasedAt.IsZero():
		return c, nil
	case c.Status == StatusActive && c.NeedsReview:
		action = ActionCustomerReviewClearanceRecorded
	case c.Status != StatusPending && c.Status != StatusSuspended:
		return c, nil
	}
	approvals, err := s.store.Approvals(ctx, c.ID, action)
	if err != nil {
		return Customer{}, fmt.Errorf("read approvals of %s: %w", c.ID, err)
	}
	c.Approvals = approvals
	return c, nil
}
