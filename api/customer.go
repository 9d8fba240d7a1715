package api

import (
	"encoding/json"
	"time"
)

// Profile is what a partner tells us about a business customer: the body of
// POST /api/customers/create, echoed back in every customer object.
//
// An empty string means the field was not given, exactly like null or an
// absent key, so optional strings are omitted from the echo when empty.
type Profile struct {
	PartnerCustomerID   string               `json:"partner_customer_id"`
	BusinessDetails     *BusinessDetails     `json:"business_details,omitempty"`
	RegistrationAddress *RegistrationAddress `json:"registration_address,omitempty"`
	AccountUsage        *AccountUsage        `json:"account_usage,omitempty"`
	PrimaryContact      *PrimaryContact      `json:"primary_contact,omitempty"`
	BusinessPersonList  []BusinessPerson     `json:"business_person_list,omitempty"`
}

// BusinessDetails identifies the company.
type BusinessDetails struct {
	BusinessNameEnglish            string   `json:"business_name_english,omitempty"`
	Website                        string   `json:"website,omitempty"`
	BusinessIdentifierNumber       string   `json:"business_identifier_number,omitempty"`
	BusinessIdentifierCountryCode  string   `json:"business_identifier_country_code,omitempty"`
	BusinessIdentifierDocumentList []string `json:"business_identifier_document_list,omitempty"`
	BusinessName                   string   `json:"business_name,omitempty"`
	BusinessIdentifierStartDate    string   `json:"business_identifier_start_date,omitempty"`
	BusinessIdentifierExpiryDate   string   `json:"business_identifier_expiry_date,omitempty"`
}

// RegistrationAddress is where the company is registered.
type RegistrationAddress struct {
	Line1       string `json:"registration_address_line1,omitempty"`
	City        string `json:"registration_address_city,omitempty"`
	State       string `json:"registration_address_state,omitempty"`
	Postcode    string `json:"registration_address_postcode,omitempty"`
	CountryCode string `json:"registration_address_country_code,omitempty"`
}

// AccountUsage says how the customer expects to use its account. The
// amount is a json.Number so that it is echoed with the digits it was sent
// with (100.50 stays 100.50).
type AccountUsage struct {
	OperatingCountry                string      `json:"operating_country,omitempty"`
	GoodsServiceDescription         string      `json:"goods_service_description,omitempty"`
	IndustryCategoryCode            string      `json:"industry_category_code,omitempty"`
	EstimatedMonthlyRevenueCurrency string      `json:"estimated_monthly_revenue_currency,omitempty"`
	EstimatedMonthlyRevenueAmount   json.Number `json:"estimated_monthly_revenue_amount,omitempty"`
}

// PrimaryContact is how to reach the customer.
type PrimaryContact struct {
	Phone string `json:"contact_phone,omitempty"`
	Email string `json:"contact_email,omitempty"`
}

// BusinessPerson is one legal representative of the company.
type BusinessPerson struct {
	BasicInfo          *BasicInfo          `json:"basic_info,omitempty"`
	ResidentialAddress *ResidentialAddress `json:"residential_address,omitempty"`
	Identification     *Identification     `json:"identification,omitempty"`
}

// BasicInfo names a person.
type BasicInfo struct {
	FirstNameEnglish string `json:"first_name_english,omitempty"`
	LastNameEnglish  string `json:"last_name_english,omitempty"`
	BirthDate        string `json:"birth_date,omitempty"`
	Nationality      string `json:"nationality,omitempty"`
	FirstName        string `json:"first_name,omitempty"`
	LastName         string `json:"last_name,omitempty"`
}

// ResidentialAddress is where a person lives.
type ResidentialAddress struct {
	Line1       string `json:"residential_address_line1,omitempty"`
	City        string `json:"residential_address_city,omitempty"`
	Postcode    string `json:"residential_address_postcode,omitempty"`
	CountryCode string `json:"residential_address_country_code,omitempty"`
	State       string `json:"residential_address_state,omitempty"`
}

// Identification is a person's identity document. The file ids refer to
// uploaded images of its pages.
type Identification struct {
	IDNumber            string `json:"id_number,omitempty"`
	IssuingCountryCode  string `json:"id_issuing_country_code,omitempty"`
	ExpirationDate      string `json:"id_expiration_date,omitempty"`
	IssueDate           string `json:"id_issue_date,omitempty"`
	DocumentFrontFileID string `json:"id_document_front_file_id,omitempty"`
	DocumentBackFileID  string `json:"id_document_back_file_id,omitempty"`
}

// Status is where a customer stands in review.
type Status string

// The customer statuses of the contract.
const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusRejected  Status = "rejected"
	StatusSuspended Status = "suspended"
)

// Customer is a customer as the API shows it to its partner: the profile
// as submitted (normalised) plus what the service assigned. It is also the
// data of every webhook event about the customer.
type Customer struct {
	Profile
	CustomerID string    `json:"customer_id"`
	Status     Status    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	// StatusReason and StatusUpdatedAt are set once review changed the
	// status.
	StatusReason    string    `json:"status_reason,omitempty"`
	StatusUpdatedAt time.Time `json:"status_updated_at,omitzero"`
	// ErasedAt is set once the customer's personal data was erased: its
	// profile then holds partner_customer_id alone.
	ErasedAt time.Time `json:"erased_at,omitzero"`
	// Version is 1 at create and one more with each update of the
	// profile; the ETag header of the customer carries it, and If-Match
	// on an update names the version the update was made on.
	Version int `json:"version"`
	// Requirements are the open information requests of an operator,
	// absent when there are none: see Requirement.
	Requirements []Requirement `json:"requirements,omitempty"`
}

// List is one page of a list, newest first. NextCursor, set when HasMore,
// is the starting_after of the next page.
type List[T any] struct {
	Data       []T    `json:"data"`
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Data wraps a list that is not paginated.
type Data[T any] struct {
	Data []T `json:"data"`
}

// Time renders t as the API does: UTC, whole seconds.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
