package kyb

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// DecisionPolicy is what a partner's new customers get decided by.
type DecisionPolicy string

// The decision policies. The service never rejects on its own: a fuzzy
// match is for a person to judge.
const (
	// PolicyManual leaves every new customer pending, for review.
	PolicyManual DecisionPolicy = "manual"
	// PolicyAutoApproveClean makes a new customer active at create when
	// it was screened against the lists in force with no hit and has no
	// risk flag; any other stays pending.
	PolicyAutoApproveClean DecisionPolicy = "auto_approve_clean"
)

// Policies lists the decision policies, in the order the documentation
// gives them.
var Policies = []DecisionPolicy{PolicyManual, PolicyAutoApproveClean}

// ActionPartnerPolicyChanged records an operator setting a partner's
// decision policy.
const ActionPartnerPolicyChanged = "partner.policy_changed"

// PolicyStore keeps partners' decision policies.
type PolicyStore interface {
	// SetPartnerPolicy stores a partner's policy with the audit event.
	SetPartnerPolicy(ctx context.Context, partnerID string, p DecisionPolicy, audit AuditEvent) error
	// PartnerPolicy returns a partner's policy.
	PartnerPolicy(ctx context.Context, partnerID string) (DecisionPolicy, error)
}

// policyCache keeps partners' policies for a few seconds, so that a create
// does not pay a query for its partner's.
type policyCache struct {
	mu      sync.Mutex
	entries map[string]cachedPolicy
}

type cachedPolicy struct {
	policy DecisionPolicy
	at     time.Time
}

// policyTTL is how long a policy set on another instance may take to apply
// here.
const policyTTL = 5 * time.Second

// SetPolicy sets a partner's decision policy.
func (s *Service) SetPolicy(ctx context.Context, actor Actor, partnerID string, p DecisionPolicy) error {
	if !validPolicy(p) {
		return Invalid([]api.FieldError{{Field: "policy", Code: api.CodeInvalidValue, Message: "must be manual or auto_approve_clean"}})
	}
	audit := newAuditEvent(s.Now().UTC(), actor, ActionPartnerPolicyChanged)
	audit.PartnerID, audit.Reason = partnerID, string(p)
	if err := s.store.SetPartnerPolicy(ctx, partnerID, p, audit); err != nil {
		return fmt.Errorf("set policy of %s: %w", partnerID, err)
	}
	s.policies.mu.Lock()
	delete(s.policies.entries, partnerID)
	s.policies.mu.Unlock()
	return nil
}

func validPolicy(p DecisionPolicy) bool {
	for _, v := range Policies {
		if p == v {
			return true
		}
	}
	return false
}

// PartnerPolicy returns a partner's decision policy, from this instance's
// cache when it is fresh.
func (s *Service) PartnerPolicy(ctx context.Context, partnerID string) (DecisionPolicy, error) {
	c := &s.policies
	c.mu.Lock()
	e, ok := c.entries[partnerID]
	c.mu.Unlock()
	if ok && s.Now().Sub(e.at) < policyTTL {
		return e.policy, nil
	}
	p, err := s.store.PartnerPolicy(ctx, partnerID)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]cachedPolicy{}
	}
	c.entries[partnerID] = cachedPolicy{p, s.Now()}
	c.mu.Unlock()
	return p, nil
}

// decide applies a partner's policy to a customer it has just created:
// under auto_approve_clean, a customer screened with no hit and no risk
// flag becomes active, a status change by the system with its reasons in
// the audit trail. Otherwise, or if anything fails, it stays pending for
// review: the safe outcome.
func (s *Service) decide(ctx context.Context, c Customer) (Customer, error) {
	policy, err := s.PartnerPolicy(ctx, c.PartnerID)
	if err != nil || policy != PolicyAutoApproveClean || c.Screening == nil || len(c.Screening.Hits) > 0 {
		return c, err
	}
	if flags := s.Risk(c).Flags; len(flags) > 0 {
		return c, nil
	}
	// The partner reads the reason (status_reason): it says what was
	// checked, never against what (the snapshots are in the screening).
	const reason = "approved automatically by the partner's policy auto_approve_clean: no screening hit and no risk flag"
	now := s.Now().UTC()
	audit := newAuditEvent(now, Actor{Type: ActorSystem, ID: "policy"}, ActionCustomerStatusChanged)
	audit.PartnerID, audit.CustomerID = c.PartnerID, c.ID
	audit.FromStatus, audit.ToStatus, audit.Reason = StatusPending, StatusActive, reason
	after := c
	after.Status, after.StatusReason, after.StatusUpdatedAt = StatusActive, reason, now
	return s.store.UpdateCustomerStatus(ctx, audit, newEvent(after, statusEvent(StatusActive), now), c.Version)
}
