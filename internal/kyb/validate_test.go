package kyb_test

import (
	"errors"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// datedProfile is a valid profile with a business start and expiry date
// and a person with a birth date and an identity document.
func datedProfile(start, expiry, birth, issued string) api.Profile {
	return api.Profile{
		PartnerCustomerID: "validate-test-customer-1",
		BusinessDetails: &api.BusinessDetails{
			BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB",
			BusinessIdentifierStartDate: start, BusinessIdentifierExpiryDate: expiry,
		},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
		BusinessPersonList: []api.BusinessPerson{{
			BasicInfo:      &api.BasicInfo{FirstName: "Ada", LastName: "Lovelace", BirthDate: birth},
			Identification: &api.Identification{IDNumber: "E1", IssueDate: issued},
		}},
	}
}

// TestDateTimesStayWithinFourDigitYears: a date-time is echoed in UTC, so
// one whose offset moves it out of years 0001 to 9999 would come back as
// -0001-… or 10000-…, which is not RFC 3339. Those are refused.
func TestDateTimesStayWithinFourDigitYears(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	const (
		start  = "business_details.business_identifier_start_date"
		expiry = "business_details.business_identifier_expiry_date"
	)
	tests := []struct {
		name                         string
		start, expiry, birth, issued string
		// wantField and wantCode name the one error; wantEcho, when there
		// is none, is the business date after Normalize.
		wantField, wantCode, wantEcho string
	}{
		{"year 0000 moved back by its offset", "0000-01-01T00:00:00+01:00", "", "", "", start, api.CodeInvalidValue, ""},
		{"year 0000 in UTC", "0000-06-01T00:00:00Z", "", "", "", start, api.CodeInvalidValue, ""},
		{"year 9999 moved on by its offset", "2019-03-01T00:00:00Z", "9999-12-31T23:00:00-02:00", "", "", expiry, api.CodeInvalidValue, ""},
		{"issue date moved into year 10000", "", "", "", "9999-12-31T23:30:00-00:31", "business_person_list[0].identification.id_issue_date", api.CodeInvalidValue, ""},
		{"birth date in year 0000", "", "", "0000-12-31T23:59:59+01:00", "", "business_person_list[0].basic_info.birth_date", api.CodeInvalidValue, ""},
		{"five-digit year", "", "10000-01-01T00:00:00+01:00", "", "", expiry, api.CodeInvalidFormat, ""},
		{"first second of year 0001", "0001-01-01T00:00:00Z", "", "", "", "", "", "0001-01-01T00:00:00Z"},
		{"year 0001 reached through an offset", "0000-12-31T23:00:00-01:00", "", "", "", "", "", "0001-01-01T00:00:00Z"},
		{"last second of year 9999", "", "9999-12-31T23:59:59Z", "", "", "", "", "9999-12-31T23:59:59Z"},
		{"year 9999 reached through an offset", "", "9999-12-31T22:00:00-01:00", "", "", "", "", "9999-12-31T23:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := datedProfile(tt.start, tt.expiry, tt.birth, tt.issued)
			err := kyb.ValidateProfile(&p, now)
			if tt.wantField != "" {
				var ke *kyb.Error
				if !errors.As(err, &ke) || len(ke.Fields) != 1 || ke.Fields[0].Field != tt.wantField || ke.Fields[0].Code != tt.wantCode {
					t.Fatalf("Validate = %v, want only %s %s", err, tt.wantField, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate = %v, want nil", err)
			}
			kyb.NormalizeProfile(&p)
			if d := p.BusinessDetails; d.BusinessIdentifierStartDate+d.BusinessIdentifierExpiryDate != tt.wantEcho {
				t.Errorf("echo = %q and %q, want %s", d.BusinessIdentifierStartDate, d.BusinessIdentifierExpiryDate, tt.wantEcho)
			}
		})
	}
}

// TestFreeTextRefusesControlAndFormatCharacters puts each character that
// could break a log or make text display as other text into every free-text
// field of a profile: each is refused at its field, while the joiners some
// scripts need to be spelled pass.
func TestFreeTextRefusesControlAndFormatCharacters(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	type setter func(p *api.Profile, v string)
	fields := map[string]setter{
		"business_details.business_name_english":                func(p *api.Profile, v string) { p.BusinessDetails.BusinessNameEnglish = v },
		"business_details.website":                              func(p *api.Profile, v string) { p.BusinessDetails.Website = "https://www.example.com/" + v },
		"business_details.business_identifier_number":           func(p *api.Profile, v string) { p.BusinessDetails.BusinessIdentifierNumber = v },
		"business_details.business_identifier_document_list[0]": func(p *api.Profile, v string) { p.BusinessDetails.BusinessIdentifierDocumentList = []string{v} },
		"business_details.business_name":                        func(p *api.Profile, v string) { p.BusinessDetails.BusinessName = v },
		"registration_address.registration_address_line1":       func(p *api.Profile, v string) { p.RegistrationAddress.Line1 = v },
		"registration_address.registration_address_city":        func(p *api.Profile, v string) { p.RegistrationAddress.City = v },
		"registration_address.registration_address_state":       func(p *api.Profile, v string) { p.RegistrationAddress.State = v },
		"registration_address.registration_address_postcode":    func(p *api.Profile, v string) { p.RegistrationAddress.Postcode = v },
		"account_usage.goods_service_description":               func(p *api.Profile, v string) { p.AccountUsage.GoodsServiceDescription = v },
		"account_usage.industry_category_code":                  func(p *api.Profile, v string) { p.AccountUsage.IndustryCategoryCode = v },
		"primary_contact.contact_email":                         func(p *api.Profile, v string) { p.PrimaryContact.Email = "ada" + v + "@example.com" },
		"business_person_list[0].basic_info.first_name_english": func(p *api.Profile, v string) { p.BusinessPersonList[0].BasicInfo.FirstNameEnglish = v },
		"business_person_list[0].basic_info.last_name_english":  func(p *api.Profile, v string) { p.BusinessPersonList[0].BasicInfo.LastNameEnglish = v },
		"business_person_list[0].basic_info.first_name":         func(p *api.Profile, v string) { p.BusinessPersonList[0].BasicInfo.FirstName = v },
		"business_person_list[0].basic_info.last_name":          func(p *api.Profile, v string) { p.BusinessPersonList[0].BasicInfo.LastName = v },
		"business_person_list[0].residential_address.residential_address_line1": func(p *api.Profile, v string) {
			p.BusinessPersonList[0].ResidentialAddress.Line1 = v
		},
		"business_person_list[0].residential_address.residential_address_city": func(p *api.Profile, v string) {
			p.BusinessPersonList[0].ResidentialAddress.City = v
		},
		"business_person_list[0].residential_address.residential_address_postcode": func(p *api.Profile, v string) {
			p.BusinessPersonList[0].ResidentialAddress.Postcode = v
		},
		"business_person_list[0].residential_address.residential_address_state": func(p *api.Profile, v string) {
			p.BusinessPersonList[0].ResidentialAddress.State = v
		},
		"business_person_list[0].identification.id_number":                 func(p *api.Profile, v string) { p.BusinessPersonList[0].Identification.IDNumber = v },
		"business_person_list[0].identification.id_document_front_file_id": func(p *api.Profile, v string) { p.BusinessPersonList[0].Identification.DocumentFrontFileID = v },
		"business_person_list[0].identification.id_document_back_file_id":  func(p *api.Profile, v string) { p.BusinessPersonList[0].Identification.DocumentBackFileID = v },
	}
	// Every field whose rule is free text, a file id, a website or an
	// email address is in the table above.
	textual := 0
	for _, o := range kyb.ProfileObjects() {
		for _, f := range o.Fields {
			switch f.Kind {
			case kyb.FieldText, kyb.FieldFileID, kyb.FieldFileIDList, kyb.FieldWebsite, kyb.FieldEmail:
				textual++
			}
		}
	}
	if textual != len(fields) {
		t.Fatalf("the rules have %d free-text fields, the test %d", textual, len(fields))
	}
	tests := []struct {
		name    string
		char    string
		refused bool
	}{
		{"right-to-left override U+202E", "\u202e", true},
		{"left-to-right isolate U+2066", "\u2066", true},
		{"arabic letter mark U+061C", "\u061c", true},
		{"right-to-left mark U+200F", "\u200f", true},
		{"zero-width space U+200B", "\u200b", true},
		{"byte order mark U+FEFF", "\ufeff", true},
		{"soft hyphen U+00AD", "\u00ad", true},
		{"word joiner U+2060", "\u2060", true},
		{"a tag character U+E0041", "\U000e0041", true},
		{"line separator U+2028", "\u2028", true},
		{"paragraph separator U+2029", "\u2029", true},
		{"NUL", "\x00", true},
		{"escape", "\x1b", true},
		{"next line U+0085", "\u0085", true},
		{"zero-width non-joiner U+200C, as Persian spells with it", "\u200c", false},
		{"zero-width joiner U+200D, as emoji are made with it", "\u200d", false},
		{"a CJK letter", "张", false},
		{"no-break space U+00A0", "\u00a0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for path, set := range fields {
				p := datedProfile("", "", "", "")
				p.AccountUsage, p.PrimaryContact = &api.AccountUsage{}, &api.PrimaryContact{}
				p.BusinessPersonList[0].ResidentialAddress = &api.ResidentialAddress{Line1: "1 Main St", City: "London", CountryCode: "GB"}
				set(&p, "a"+tt.char+"b")
				err := kyb.ValidateProfile(&p, now)
				var ke *kyb.Error
				switch {
				case !tt.refused && err != nil:
					t.Errorf("%s: Validate = %v, want it accepted", path, err)
				case tt.refused && (!errors.As(err, &ke) || len(ke.Fields) != 1 || ke.Fields[0].Field != path || ke.Fields[0].Code != api.CodeInvalidFormat):
					t.Errorf("%s: Validate = %v, want only %s invalid_format", path, err, path)
				}
			}
		})
	}
}
