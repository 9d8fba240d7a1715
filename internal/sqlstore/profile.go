package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/onboardkyb/onboard/api"
)

// profileVersion is the storage format of the profile that EncodeProfile
// writes. Change the stored names only together with a new version and a
// reader of the old one.
const profileVersion = 1

// storedProfile is how customers.profile holds a profile: our own names,
// versioned, so that the wire contract can rename a field without a data
// migration. Optional fields are omitted when empty, as on the wire.
type storedProfile struct {
	V                   int             `json:"v"`
	PartnerCustomerID   string          `json:"partner_customer_id"`
	Business            *storedBusiness `json:"business,omitempty"`
	RegistrationAddress *storedAddress  `json:"registration_address,omitempty"`
	Usage               *storedUsage    `json:"usage,omitempty"`
	Contact             *storedContact  `json:"contact,omitempty"`
	Persons             []storedPerson  `json:"persons,omitempty"`
}

type storedBusiness struct {
	NameEnglish       string   `json:"name_en,omitempty"`
	Website           string   `json:"website,omitempty"`
	IdentifierNumber  string   `json:"identifier,omitempty"`
	IdentifierCountry string   `json:"identifier_country,omitempty"`
	Documents         []string `json:"documents,omitempty"`
	Name              string   `json:"name,omitempty"`
	RegisteredAt      string   `json:"registered_at,omitempty"`
	ExpiresAt         string   `json:"expires_at,omitempty"`
}

type storedAddress struct {
	Line1    string `json:"line1,omitempty"`
	City     string `json:"city,omitempty"`
	State    string `json:"state,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Country  string `json:"country,omitempty"`
}

type storedUsage struct {
	OperatingCountry string      `json:"operating_country,omitempty"`
	Description      string      `json:"description,omitempty"`
	IndustryCode     string      `json:"industry_code,omitempty"`
	RevenueCurrency  string      `json:"revenue_currency,omitempty"`
	RevenueAmount    json.Number `json:"revenue_amount,omitempty"`
}

type storedContact struct {
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

type storedPerson struct {
	FirstNameEnglish string          `json:"first_name_en,omitempty"`
	LastNameEnglish  string          `json:"last_name_en,omitempty"`
	BirthDate        string          `json:"birth_date,omitempty"`
	Nationality      string          `json:"nationality,omitempty"`
	FirstName        string          `json:"first_name,omitempty"`
	LastName         string          `json:"last_name,omitempty"`
	HasBasicInfo     bool            `json:"has_basic_info,omitempty"`
	Address          *storedAddress  `json:"address,omitempty"`
	ID               *storedIdentity `json:"id,omitempty"`
}

type storedIdentity struct {
	Number    string `json:"number,omitempty"`
	Country   string `json:"country,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty"`
	IssuedAt  string `json:"issued_at,omitempty"`
	FrontFile string `json:"front_file,omitempty"`
	BackFile  string `json:"back_file,omitempty"`
}

// EncodeProfile returns the stored form of a profile.
func EncodeProfile(p api.Profile) ([]byte, error) {
	s := storedProfile{V: profileVersion, PartnerCustomerID: p.PartnerCustomerID}
	if d := p.BusinessDetails; d != nil {
		s.Business = &storedBusiness{d.BusinessNameEnglish, d.Website, d.BusinessIdentifierNumber, d.BusinessIdentifierCountryCode,
			d.BusinessIdentifierDocumentList, d.BusinessName, d.BusinessIdentifierStartDate, d.BusinessIdentifierExpiryDate}
	}
	if a := p.RegistrationAddress; a != nil {
		s.RegistrationAddress = &storedAddress{a.Line1, a.City, a.State, a.Postcode, a.CountryCode}
	}
	if u := p.AccountUsage; u != nil {
		s.Usage = &storedUsage{u.OperatingCountry, u.GoodsServiceDescription, u.IndustryCategoryCode, u.EstimatedMonthlyRevenueCurrency, u.EstimatedMonthlyRevenueAmount}
	}
	if c := p.PrimaryContact; c != nil {
		s.Contact = &storedContact{c.Phone, c.Email}
	}
	for _, bp := range p.BusinessPersonList {
		var sp storedPerson
		if b := bp.BasicInfo; b != nil {
			sp.HasBasicInfo = true
			sp.FirstNameEnglish, sp.LastNameEnglish, sp.BirthDate, sp.Nationality, sp.FirstName, sp.LastName =
				b.FirstNameEnglish, b.LastNameEnglish, b.BirthDate, b.Nationality, b.FirstName, b.LastName
		}
		if a := bp.ResidentialAddress; a != nil {
			sp.Address = &storedAddress{Line1: a.Line1, City: a.City, State: a.State, Postcode: a.Postcode, Country: a.CountryCode}
		}
		if id := bp.Identification; id != nil {
			sp.ID = &storedIdentity{id.IDNumber, id.IssuingCountryCode, id.ExpirationDate, id.IssueDate, id.DocumentFrontFileID, id.DocumentBackFileID}
		}
		s.Persons = append(s.Persons, sp)
	}
	return json.Marshal(s)
}

// DecodeProfile reads a stored profile: the current format, or the wire
// JSON that rows written before the format had a version hold.
func DecodeProfile(b []byte) (api.Profile, error) {
	var s storedProfile
	if err := json.Unmarshal(b, &s); err != nil {
		return api.Profile{}, fmt.Errorf("decode stored profile: %w", err)
	}
	switch s.V {
	case 0:
		var p api.Profile
		if err := json.Unmarshal(b, &p); err != nil {
			return api.Profile{}, fmt.Errorf("decode stored profile: %w", err)
		}
		return p, nil
	case profileVersion:
	default:
		return api.Profile{}, fmt.Errorf("decode stored profile: format version %d is newer than this binary", s.V)
	}
	p := api.Profile{PartnerCustomerID: s.PartnerCustomerID}
	if d := s.Business; d != nil {
		p.BusinessDetails = &api.BusinessDetails{
			BusinessNameEnglish: d.NameEnglish, Website: d.Website, BusinessIdentifierNumber: d.IdentifierNumber,
			BusinessIdentifierCountryCode: d.IdentifierCountry, BusinessIdentifierDocumentList: d.Documents, BusinessName: d.Name,
			BusinessIdentifierStartDate: d.RegisteredAt, BusinessIdentifierExpiryDate: d.ExpiresAt,
		}
	}
	if a := s.RegistrationAddress; a != nil {
		p.RegistrationAddress = &api.RegistrationAddress{Line1: a.Line1, City: a.City, State: a.State, Postcode: a.Postcode, CountryCode: a.Country}
	}
	if u := s.Usage; u != nil {
		p.AccountUsage = &api.AccountUsage{
			OperatingCountry: u.OperatingCountry, GoodsServiceDescription: u.Description, IndustryCategoryCode: u.IndustryCode,
			EstimatedMonthlyRevenueCurrency: u.RevenueCurrency, EstimatedMonthlyRevenueAmount: u.RevenueAmount,
		}
	}
	if c := s.Contact; c != nil {
		p.PrimaryContact = &api.PrimaryContact{Phone: c.Phone, Email: c.Email}
	}
	for _, sp := range s.Persons {
		var bp api.BusinessPerson
		if sp.HasBasicInfo {
			bp.BasicInfo = &api.BasicInfo{
				FirstNameEnglish: sp.FirstNameEnglish, LastNameEnglish: sp.LastNameEnglish, BirthDate: sp.BirthDate,
				Nationality: sp.Nationality, FirstName: sp.FirstName, LastName: sp.LastName,
			}
		}
		if a := sp.Address; a != nil {
			bp.ResidentialAddress = &api.ResidentialAddress{Line1: a.Line1, City: a.City, Postcode: a.Postcode, CountryCode: a.Country, State: a.State}
		}
		if id := sp.ID; id != nil {
			bp.Identification = &api.Identification{
				IDNumber: id.Number, IssuingCountryCode: id.Country, ExpirationDate: id.ExpiresAt, IssueDate: id.IssuedAt,
				DocumentFrontFileID: id.FrontFile, DocumentBackFileID: id.BackFile,
			}
		}
		p.BusinessPersonList = append(p.BusinessPersonList, bp)
	}
	return p, nil
}
