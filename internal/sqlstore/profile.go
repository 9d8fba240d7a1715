package sqlstore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/onboardkyb/onboard/api"
)

// The storage formats of the profile. Version 1 is storedProfile as JSON
// ({"v":1,...}); version 2, which EncodeProfile writes, is storedProfile
// in binary (appendStored), a byte holding the version first: reading it
// costs a fifth of reading JSON or less, and every read of a customer
// does. A new optional field goes at the end of its struct, and rows
// without it read as before; any other change to storedProfile (removing,
// reordering or renaming a field, or changing its type) needs a new
// version and a reader of the old one.
const (
	jsonProfileVersion   = 1
	binaryProfileVersion = 2
)

// storedProfile is how a customer's profile is stored: our own names,
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
	return appendStored([]byte{binaryProfileVersion}, reflect.ValueOf(storedOf(p))), nil
}

// storedOf returns the stored names of a profile.
func storedOf(p api.Profile) storedProfile {
	s := storedProfile{PartnerCustomerID: p.PartnerCustomerID}
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
	return s
}

// DecodeProfile reads a stored profile in any of its formats: binary,
// JSON, or the wire JSON that rows written before the format had a
// version hold.
func DecodeProfile(b []byte) (api.Profile, error) {
	var s storedProfile
	switch {
	case len(b) > 0 && b[0] == binaryProfileVersion:
		r := storedReader{b: string(b), at: 1}
		err := r.read(reflect.ValueOf(&s).Elem())
		if err == nil && r.at != len(r.b) {
			err = errStoredProfile
		}
		if err != nil {
			return api.Profile{}, fmt.Errorf("decode stored profile: %w", err)
		}
	case len(b) > 0 && b[0] > binaryProfileVersion && b[0] < '\t':
		// A binary format to come (JSON begins with '{' or a space).
		return api.Profile{}, fmt.Errorf("decode stored profile: format version %d is newer than this binary", b[0])
	default:
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
		case jsonProfileVersion:
		default:
			return api.Profile{}, fmt.Errorf("decode stored profile: JSON format version %d is not one this binary knows", s.V)
		}
	}
	return profileOf(s), nil
}

// profileOf returns the profile of its stored names.
func profileOf(s storedProfile) api.Profile {
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
	return p
}

// appendStored appends v (storedProfile or a part of it) in binary. A
// struct is its fields that are set, each as its number (1 for the first)
// and its value, then a 0; a string (or json.Number) is its length and
// bytes, a bool a byte, a set pointer what it points to, a slice its
// length and its elements. The version (an int) is not written: the first
// byte holds it.
func appendStored(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...)
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1)
		}
		return append(b, 0)
	case reflect.Pointer:
		return appendStored(b, v.Elem())
	case reflect.Slice:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		for i := range v.Len() {
			b = appendStored(b, v.Index(i))
		}
		return b
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() != reflect.Int && !f.IsZero() && !(f.Kind() == reflect.Slice && f.Len() == 0) {
				b = binary.AppendUvarint(b, uint64(i+1))
				b = appendStored(b, f)
			}
		}
		return append(b, 0)
	}
	panic("sqlstore: storedProfile holds a " + v.Kind().String())
}

// storedReader reads what appendStored wrote. Its strings share one copy
// of the input.
type storedReader struct {
	b  string
	at int
}

var (
	errStoredProfile = errors.New("binary profile is cut short or damaged")
	errNewerField    = errors.New("binary profile holds a field this binary does not know (written by a newer one)")
)

func (r *storedReader) read(v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		n, err := r.length()
		if err != nil {
			return err
		}
		v.SetString(r.b[r.at : r.at+n])
		r.at += n
	case reflect.Bool:
		if r.at >= len(r.b) || r.b[r.at] > 1 {
			return errStoredProfile
		}
		v.SetBool(r.b[r.at] == 1)
		r.at++
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		return r.read(v.Elem())
	case reflect.Slice:
		n, err := r.length()
		if err != nil || n == 0 {
			return err
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			if err := r.read(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for {
			field, err := r.uvarint()
			switch {
			case err != nil:
				return err
			case field == 0:
				return nil
			case field > uint64(v.NumField()) || v.Field(int(field)-1).Kind() == reflect.Int:
				return errNewerField
			}
			if err := r.read(v.Field(int(field) - 1)); err != nil {
				return err
			}
		}
	}
	return nil
}

// length reads a length, which cannot be more than what is left of the
// input: each element of a slice takes a byte at least.
func (r *storedReader) length() (int, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)-r.at) {
		return 0, errStoredProfile
	}
	return int(n), nil
}

func (r *storedReader) uvarint() (uint64, error) {
	n, size := binary.Uvarint([]byte(r.b[r.at:min(r.at+binary.MaxVarintLen64, len(r.b))]))
	if size <= 0 {
		return 0, errStoredProfile
	}
	r.at += size
	return n, nil
}
