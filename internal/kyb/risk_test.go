package kyb_test

import (
	"testing"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

// cleanProfile is a profile with no risk flag on 2026-12-03.
func cleanProfile() api.Profile {
	return api.Profile{
		PartnerCustomerID: "risk-customer-0000000001",
		BusinessDetails: &api.BusinessDetails{BusinessName: "Example Ltd", BusinessIdentifierNumber: "12345678", BusinessIdentifierCountryCode: "GB",
			BusinessIdentifierDocumentList: []string{"file_1"}, BusinessIdentifierStartDate: "2019-03-01T00:00:00Z", BusinessIdentifierExpiryDate: "2039-02-28T00:00:00Z"},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 High Street", City: "London", CountryCode: "GB"},
		AccountUsage:        &api.AccountUsage{OperatingCountry: "GB"},
		BusinessPersonList: []api.BusinessPerson{{
			BasicInfo:          &api.BasicInfo{FirstNameEnglish: "Ann", LastNameEnglish: "Smith", BirthDate: "1985-06-15T00:00:00Z", Nationality: "GB"},
			ResidentialAddress: &api.ResidentialAddress{CountryCode: "GB"},
			Identification:     &api.Identification{IssuingCountryCode: "GB", ExpirationDate: "2030-01-01T00:00:00Z", DocumentFrontFileID: "file_2"},
		}},
	}
}

func TestRiskFlags(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	svc := kyb.NewService(nil, kyb.WithClock(func() time.Time { return now }))
	tests := []struct {
		name  string
		edit  func(p *api.Profile)
		code  string // the one flag expected, "" for none
		field string
		level string
	}{
		{"clean", func(*api.Profile) {}, "", "", kyb.RiskLow},
		{"a minor", func(p *api.Profile) { p.BusinessPersonList[0].BasicInfo.BirthDate = "2010-01-01T00:00:00Z" },
			"person_under_18", "business_person_list[0].basic_info.birth_date", kyb.RiskHigh},
		{"over 100", func(p *api.Profile) { p.BusinessPersonList[0].BasicInfo.BirthDate = "1920-01-01T00:00:00Z" },
			"person_over_100", "business_person_list[0].basic_info.birth_date", kyb.RiskMedium},
		{"an expired ID", func(p *api.Profile) { p.BusinessPersonList[0].Identification.ExpirationDate = "2026-01-01T00:00:00Z" },
			"document_expired", "business_person_list[0].identification.id_expiration_date", kyb.RiskMedium},
		{"an expired registration", func(p *api.Profile) { p.BusinessDetails.BusinessIdentifierExpiryDate = "2025-01-01T00:00:00Z" },
			"document_expired", "business_details.business_identifier_expiry_date", kyb.RiskMedium},
		{"registered last month", func(p *api.Profile) { p.BusinessDetails.BusinessIdentifierStartDate = "2026-11-01T00:00:00Z" },
			"recently_registered", "business_details.business_identifier_start_date", kyb.RiskMedium},
		{"no registration document", func(p *api.Profile) { p.BusinessDetails.BusinessIdentifierDocumentList = nil },
			"document_missing", "business_details.business_identifier_document_list", kyb.RiskMedium},
		{"a person without an ID", func(p *api.Profile) { p.BusinessPersonList[0].Identification = nil },
			"document_missing", "business_person_list[0].identification.id_document_front_file_id", kyb.RiskMedium},
		{"a high-risk nationality", func(p *api.Profile) { p.BusinessPersonList[0].BasicInfo.Nationality = "KP" },
			"high_risk_country", "business_person_list[0].basic_info.nationality", kyb.RiskHigh},
		{"operating elsewhere", func(p *api.Profile) { p.AccountUsage.OperatingCountry = "US" },
			"operating_country_differs", "account_usage.operating_country", kyb.RiskLow},
	}
	for _, tt := range tests {
		p := cleanProfile()
		tt.edit(&p)
		r := svc.Risk(kyb.Customer{Profile: p})
		switch {
		case tt.code == "" && len(r.Flags) != 0:
			t.Errorf("%s: flags %+v, want none", tt.name, r.Flags)
		case tt.code != "" && (len(r.Flags) != 1 || r.Flags[0].Code != tt.code || r.Flags[0].Field != tt.field || r.Flags[0].Message == ""):
			t.Errorf("%s: flags %+v, want one %s on %s", tt.name, r.Flags, tt.code, tt.field)
		case r.Level != tt.level:
			t.Errorf("%s: level %s, want %s", tt.name, r.Level, tt.level)
		}
	}
	// A screening hit makes any customer high risk; the policy is a setting.
	hit := kyb.Customer{Profile: cleanProfile(), Screening: &kyb.Screening{Hits: []screening.Hit{{EntryID: "1"}}}}
	if r := svc.Risk(hit); r.Level != kyb.RiskHigh {
		t.Errorf("a customer with a hit is %s, want high", r.Level)
	}
	strict := kyb.NewService(nil, kyb.WithClock(func() time.Time { return now }), kyb.WithRiskPolicy(kyb.RiskPolicy{HighRiskCountries: []string{"GB"}}))
	if r := strict.Risk(kyb.Customer{Profile: cleanProfile()}); r.Level != kyb.RiskHigh || len(r.Flags) != 6 {
		t.Errorf("with GB high-risk: %s %+v, want high with the six GB fields flagged", r.Level, r.Flags)
	}
}
