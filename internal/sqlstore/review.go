package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// StatusCounts counts a partner's customers (every partner's when
// partnerID is empty) by status; a status no customer has counts 0.
func (c *Core) StatusCounts(ctx context.Context, partnerID string) (map[kyb.Status]int, error) {
	query, args := "SELECT status, count(*) FROM customers GROUP BY status", []any(nil)
	if partnerID != "" {
		query, args = "SELECT status, count(*) FROM customers WHERE partner_id = ? GROUP BY status", []any{partnerID}
	}
	rows, err := c.Read.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	defer rows.Close()
	counts := map[kyb.Status]int{kyb.StatusPending: 0, kyb.StatusActive: 0, kyb.StatusRejected: 0, kyb.StatusSuspended: 0}
	for rows.Next() {
		var status kyb.Status
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("count customers: %w", err)
		}
		counts[status] = n
	}
	return counts, rows.Err()
}

// StatusChangeRefused is why a status change found its customer moved on:
// another status (a transition conflict naming it), or, in the same
// status, a newer version.
func StatusChangeRefused(current kyb.Customer, audit kyb.AuditEvent) error {
	if current.Status == audit.FromStatus {
		return kyb.ErrCustomerChanged
	}
	return kyb.ErrTransition(current.Status, audit.ToStatus)
}

// approvalsSince reads a customer's approvals of an action (audit events)
// since it last changed status (since its status_updated_at, or its
// creation) and was last updated, re-screened with other hits or cleared
// of a mark for review: an approval is of what the operator saw.
const approvalsSince = `SELECT a.actor_id, a.reason, a.created_at FROM audit_events a JOIN customers c ON c.id = a.customer_id
	WHERE a.customer_id = ? AND a.action = ? AND a.created_at >= COALESCE(c.status_updated_at, c.created_at)
	AND NOT EXISTS (SELECT 1 FROM audit_events u WHERE u.customer_id = a.customer_id AND u.action IN (?, ?, ?) AND u.created_at >= a.created_at)
	ORDER BY a.created_at, a.id`

// RecordApproval records an approval of a pending customer unless its
// actor approved it already; see kyb.ApprovalStore.
func (c *Core) RecordApproval(ctx context.Context, audit kyb.AuditEvent) ([]kyb.Approval, error) {
	var approvals []kyb.Approval
	err := c.transactAudited(ctx, func(tx Queryer) error {
		// The customer's row is locked first, so that two operators
		// approving at once take turns and the second sees the first.
		var status kyb.Status
		var marked bool
		err := tx.QueryRow(ctx, "SELECT status, needs_review FROM customers WHERE id = ?"+c.Dialect.ForUpdate, audit.CustomerID).Scan(&status, &marked)
		if errors.Is(err, ErrNoRows) {
			return kyb.NotFound("customer")
		}
		if err != nil {
			return fmt.Errorf("lock customer: %w", err)
		}
		if status != audit.FromStatus {
			return kyb.ErrTransition(status, audit.ToStatus)
		}
		if audit.Action == kyb.ActionCustomerReviewClearanceRecorded && !marked {
			return kyb.ErrNotMarked
		}
		if approvals, err = c.approvals(ctx, tx, audit.CustomerID, audit.Action); err != nil {
			return err
		}
		for _, a := range approvals {
			if a.OperatorID == audit.Actor.ID {
				return kyb.ErrSameApprover
			}
		}
		if err := InsertAudit(ctx, c.Dialect, tx, audit); err != nil {
			return err
		}
		approvals = append(approvals, kyb.Approval{OperatorID: audit.Actor.ID, Reason: audit.Reason, At: audit.At})
		return nil
	})
	return approvals, err
}

// Approvals returns a customer's approvals of action that count.
func (c *Core) Approvals(ctx context.Context, customerID, action string) ([]kyb.Approval, error) {
	return c.approvals(ctx, c.Read, customerID, action)
}

func (c *Core) approvals(ctx context.Context, q Queryer, customerID, action string) ([]kyb.Approval, error) {
	rows, err := q.Query(ctx, approvalsSince, customerID, action, kyb.ActionCustomerUpdated, kyb.ActionCustomerRescreened, kyb.ActionCustomerReviewCleared)
	if err != nil {
		return nil, fmt.Errorf("select approvals: %w", err)
	}
	defer rows.Close()
	approvals := []kyb.Approval{}
	for rows.Next() {
		var a kyb.Approval
		var at Time
		if err := rows.Scan(&a.OperatorID, &a.Reason, &at); err != nil {
			return nil, fmt.Errorf("scan approval: %w", err)
		}
		a.At = at.T
		approvals = append(approvals, a)
	}
	return approvals, rows.Err()
}
