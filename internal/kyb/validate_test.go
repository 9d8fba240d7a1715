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
