package loadtest

import (
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
)

func TestProfilesAreValidAndUnique(t *testing.T) {
	now := time.Now()
	g := NewProfiles("test-0123abcd-w01", 42)
	seen := map[string]bool{}
	countries := map[string]bool{}
	for range 500 {
		p := g.Next(now)
		if err := kyb.ValidateProfile(&p, now); err != nil {
			t.Fatalf("profile %s is invalid: %v", p.PartnerCustomerID, err)
		}
		if seen[p.PartnerCustomerID] {
			t.Fatalf("partner_customer_id %s repeats", p.PartnerCustomerID)
		}
		seen[p.PartnerCustomerID] = true
		countries[p.RegistrationAddress.CountryCode] = true
	}
	if len(countries) < 5 {
		t.Errorf("profiles come from %d countries, want variety", len(countries))
	}
	for _, pl := range places {
		if len(pl.phones) < 5 {
			t.Errorf("%s has %d valid phone numbers, want variety", pl.country, len(pl.phones))
		}
	}
}
