package kyb

import (
	"fmt"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// transitions lists, for each status, the statuses review may move a
// customer to. Rejected is final.
var transitions = map[Status][]Status{
	StatusPending:   {StatusActive, StatusRejected},
	StatusActive:    {StatusSuspended},
	StatusSuspended: {StatusActive},
}

// Valid reports whether s is one of the contract's statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusActive, StatusRejected, StatusSuspended:
		return true
	}
	return false
}

// CanBecome reports whether review may move a customer from s to next.
func (s Status) CanBecome(next Status) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// MaxReasonLength bounds the reason given for a status change.
const MaxReasonLength = 1000

// StatusChange is an operator's decision on a customer.
type StatusChange struct {
	Status Status `json:"status"`
	Reason string `json:"reason"`
	// IfMatch is the version the operator decided on (If-Match, or the
	// console's page); 0 decides on whichever is current.
	IfMatch int `json:"-"`
}

// Validate checks the change on its own, before the customer is known.
func (c StatusChange) Validate() error {
	var ch checker
	switch {
	case c.Status == "":
		ch.add("status", api.CodeRequired, "is required")
	case !c.Status.Valid() || c.Status == StatusPending:
		ch.add("status", api.CodeInvalidValue, "must be active, rejected or suspended")
	}
	ch.reason(c.Reason)
	if len(ch.errs) > 0 {
		return Invalid(ch.errs)
	}
	return nil
}

// reason checks the reason of a decision: present, not blank, plain text.
func (c *checker) reason(v string) {
	if strings.TrimSpace(v) == "" {
		c.add("reason", api.CodeRequired, "is required")
		return
	}
	c.text("reason", v, true, MaxReasonLength)
}

// ErrTransition reports a status change the lifecycle forbids, naming the
// customer's current status.
func ErrTransition(from, to Status) *Error {
	return Conflict("invalid_status_transition", fmt.Sprintf("the customer is %s and cannot become %s", from, to))
}

// ActorType says who made a change.
type ActorType string

// The kinds of actor in the audit trail.
const (
	ActorPartner  ActorType = "partner"
	ActorOperator ActorType = "operator"
	ActorSystem   ActorType = "system"
)

// Actor is who made a change: a partner (by its id), an operator (by
// theirs) or the system (e.g. "cli").
type Actor struct {
	Type ActorType
	ID   string
}

// Audit actions.
const (
	ActionCustomerCreated       = "customer.created"
	ActionCustomerStatusChanged = "customer.status_changed"
	ActionPartnerCreated        = "partner.created"
	ActionAPIKeyCreated         = "api_key.created"
	ActionAPIKeyRevoked         = "api_key.revoked"
	ActionOperatorCreated       = "operator.created"
	ActionOperatorDisabled      = "operator.disabled"
	ActionOperatorTokenRotated  = "operator.token_rotated"
	ActionEndpointCreated       = "webhook_endpoint.created"
	ActionEndpointDeleted       = "webhook_endpoint.deleted"
	ActionEndpointRotated       = "webhook_endpoint.secret_rotated"
	ActionEventRedelivered      = "event.redelivered"
	ActionFileUploaded          = "file.uploaded"
	// Operators' reads of personal data: a customer's profile (one event
	// per customer shown, lists included), its events, a document.
	ActionCustomerViewed       = "customer.viewed"
	ActionCustomerEventsViewed = "customer.events_viewed"
	ActionFileViewed           = "file.viewed"
)

// AuditActions lists every audit action, in the order the documentation
// gives them.
var AuditActions = []string{
	ActionCustomerCreated, ActionCustomerStatusChanged, ActionCustomerApprovalRecorded, ActionPartnerCreated, ActionAPIKeyCreated, ActionAPIKeyRevoked,
	ActionPartnerRateLimitChanged, ActionOperatorCreated, ActionOperatorDisabled, ActionOperatorTokenRotated, ActionEndpointCreated, ActionEndpointDeleted, ActionEndpointRotated,
	ActionEventRedelivered, ActionFileUploaded, ActionCustomerViewed, ActionCustomerEventsViewed, ActionFileViewed, ActionCustomerErased, ActionListImported, ActionPartnerPolicyChanged,
	ActionCustomerUpdated, ActionCustomerRescreened, ActionRequirementRequested, ActionRequirementAnswered, ActionRequirementResolved,
	ActionOperatorAccountReset, ActionOperatorAccountSetUp, ActionOperatorLoggedIn, ActionOperatorLoggedOut,
	ActionRescreenStarted, ActionRescreenFinished, ActionCustomerReviewCleared, ActionCustomerReviewClearanceRecorded,
}

// PrefixAuditEvent starts every audit event id.
const PrefixAuditEvent = "aud_"

// AuditEvent is one entry of the append-only audit trail, written in the
// same transaction as the change it records.
type AuditEvent struct {
	ID         string
	At         time.Time
	Actor      Actor
	Action     string
	PartnerID  string
	CustomerID string
	APIKeyID   string
	// TargetID names what else the action was on: the webhook endpoint,
	// the event redelivered, the operator created or the file uploaded.
	TargetID   string
	FromStatus Status
	ToStatus   Status
	Reason     string
}

// newAuditEvent starts an event of an action by an actor at a time.
func newAuditEvent(at time.Time, actor Actor, action string) AuditEvent {
	return AuditEvent{ID: NewID(PrefixAuditEvent, at), At: at, Actor: actor, Action: action}
}

// AuditFilter selects audit events: of one customer, of one partner, or
// of one other target (an endpoint, an event, an operator, a file).
// Exactly one is set.
type AuditFilter struct {
	CustomerID string
	PartnerID  string
	TargetID   string
}

// Page sizes of customer lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// CustomerQuery selects a page of customers. Newest first unless
// OldestFirst; StartingAfter is the id of the last customer of the previous
// page.
type CustomerQuery struct {
	// PartnerID limits the list to one partner; empty lists every
	// partner's customers, which only operators may do.
	PartnerID         string
	Status            Status
	PartnerCustomerID string
	CreatedAfter      time.Time // exclusive
	CreatedBefore     time.Time // exclusive
	// RiskLevel and HasHits filter on what the last screening found
	// (Customer.RiskLevel); operators only.
	RiskLevel     string
	HasHits       *bool
	Limit         int
	StartingAfter string
	OldestFirst   bool
	// AwaitingPartner, when set, keeps the customers with open
	// requirements (true) or without (false): the review queue without
	// those waiting for their partner.
	AwaitingPartner *bool
	// NeedsReview lists only the customers monitoring marked for review.
	NeedsReview bool
}

// CustomerPage is one page of a customer list.
type CustomerPage struct {
	Customers []Customer
	HasMore   bool
}

// ErrBadCursor reports a starting_after that names no customer in the
// list's scope.
var ErrBadCursor = Invalid([]api.FieldError{{Field: "starting_after", Code: api.CodeInvalidValue, Message: "names no customer of this list"}})
