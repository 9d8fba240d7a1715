package kyb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// Status is where a customer stands in review. Its values are the
// contract's (api.Status); the domain adds the lifecycle (review.go).
type Status string

// The customer statuses of the contract.
const (
	StatusPending   = Status(api.StatusPending)
	StatusActive    = Status(api.StatusActive)
	StatusRejected  = Status(api.StatusRejected)
	StatusSuspended = Status(api.StatusSuspended)
)

// Customer is a partner's business customer: the profile the partner
// submitted plus what the service assigned.
type Customer struct {
	ID        string
	PartnerID string
	Status    Status
	CreatedAt time.Time
	// StatusReason and StatusUpdatedAt are set once the status has changed.
	StatusReason    string
	StatusUpdatedAt time.Time
	Profile         api.Profile
	// Fingerprint identifies the profile's content, so that a repeated
	// create can be told apart from a conflicting one.
	Fingerprint string
	// ErasedAt is set once the customer's personal data was erased
	// (Service.EraseCustomer); Profile then holds PartnerCustomerID alone.
	ErasedAt time.Time
	// Screening is what screening found at create; nil when no list was
	// imported then (or the customer is erased). Never in View.
	Screening *Screening
	// Version is 1 at create and one more with each update of the
	// profile.
	Version int
	// OpenRequirements counts the open information requests; Requirements
	// holds them, oldest first.
	OpenRequirements int
	Requirements     []Requirement
	// RiskLevel is the risk level assessed when the customer was last
	// screened, kept plain for the review queue's filter; Service.Risk
	// assesses it again as of now. At create it weighs an identifier
	// shared with a rejected customer only for a partner that
	// auto-approves (the probe costs a query); re-screening weighs it
	// always. Never in View.
	RiskLevel string
	// Approvals are the approvals recorded since the customer last
	// changed status, when it needs two (Service.ChangeStatus); filled
	// when one customer is read for an operator.
	Approvals []Approval
	// NeedsReview marks an active customer that monitoring found a new
	// hit for, until an operator acts; ReviewReason says why. Neither is
	// personal, and partners see neither.
	NeedsReview  bool
	ReviewReason string
	// RejectedMatches are the identifiers of the profile also on a
	// rejected customer of the partner, found when an operator reads the
	// customer (Service.withRejectedMatches); never stored, never in View.
	RejectedMatches []RejectedMatch
}

// View returns the customer as the API shows it to its partner. The
// domain renders it, not the HTTP layer, because the same view is the data
// of every webhook event, written to the outbox with the change.
func (c Customer) View() api.Customer {
	v := api.Customer{
		Profile:      c.Profile,
		CustomerID:   c.ID,
		Status:       api.Status(c.Status),
		CreatedAt:    api.Time(c.CreatedAt),
		StatusReason: c.StatusReason,
	}
	if !c.StatusUpdatedAt.IsZero() {
		v.StatusUpdatedAt = api.Time(c.StatusUpdatedAt)
	}
	if !c.ErasedAt.IsZero() {
		v.ErasedAt = api.Time(c.ErasedAt)
	}
	v.Version = max(c.Version, 1)
	// Requirements are the partner's to meet only while the customer can
	// be updated: a rejected or suspended customer's wait, unshown.
	if c.Status == StatusPending || c.Status == StatusActive {
		for _, r := range c.Requirements {
			v.Requirements = append(v.Requirements, r.View())
		}
	}
	return v
}

// Fingerprint returns a digest of the profile's fields and values. Key
// order and whitespace of the original request do not matter, because the
// digest is taken over the decoded, normalised profile; amounts compare by
// value, so 100.5 and 100.50 are the same.
func Fingerprint(p api.Profile) string {
	if u := p.AccountUsage; u != nil && u.EstimatedMonthlyRevenueAmount != "" {
		canonical := *u
		if f, err := strconv.ParseFloat(string(u.EstimatedMonthlyRevenueAmount), 64); err == nil {
			canonical.EstimatedMonthlyRevenueAmount = json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
		p.AccountUsage = &canonical
	}
	b, err := json.Marshal(p)
	if err != nil {
		// A Profile holds only strings, slices and pointers to structs of
		// them; Marshal cannot fail on it.
		panic("kyb: marshal profile: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
