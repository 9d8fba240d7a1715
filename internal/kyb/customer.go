// Package kyb is the domain of the onboarding service: partners and their
// API keys, customers and the profile a partner submits for them, the rules
// that validate a profile, the error vocabulary, and the interfaces that the
// storage engines implement. It imports nothing else from the project.
package kyb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Status is where a customer stands in review.
type Status string

// The customer statuses of the contract.
const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusRejected  Status = "rejected"
	StatusSuspended Status = "suspended"
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
	Profile         Profile
	// Fingerprint identifies the profile's content, so that a repeated
	// create can be told apart from a conflicting one.
	Fingerprint string
}

// CustomerView is a customer as the API shows it to its partner: the
// profile as submitted (normalised), plus what the service assigned. It is
// also the data of every webhook event about the customer.
type CustomerView struct {
	Profile
	CustomerID      string `json:"customer_id"`
	Status          Status `json:"status"`
	CreatedAt       string `json:"created_at"`
	StatusReason    string `json:"status_reason,omitempty"`
	StatusUpdatedAt string `json:"status_updated_at,omitempty"`
}

// View returns the customer as the API shows it.
func (c Customer) View() CustomerView {
	v := CustomerView{
		Profile:      c.Profile,
		CustomerID:   c.ID,
		Status:       c.Status,
		CreatedAt:    FormatTime(c.CreatedAt),
		StatusReason: c.StatusReason,
	}
	if !c.StatusUpdatedAt.IsZero() {
		v.StatusUpdatedAt = FormatTime(c.StatusUpdatedAt)
	}
	return v
}

// Fingerprint returns a digest of the profile's fields and values. Key
// order and whitespace of the original request do not matter, because the
// digest is taken over the decoded, normalised profile; amounts compare by
// value, so 100.5 and 100.50 are the same.
func (p Profile) Fingerprint() string {
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
