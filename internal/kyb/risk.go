package kyb

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/screening"
)

// Risk levels, from a customer's flags and screening hits.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// RiskLevels lists the risk levels, lowest first.
var RiskLevels = []string{RiskLow, RiskMedium, RiskHigh}

// Risk is how risky a customer looks to operators, and why: each flag
// with a code, the field it is about and a sentence. Partners never see it.
type Risk struct {
	Level string
	Flags []RiskFlag
}

// RiskFlag is one reason a customer is riskier than a clean one.
type RiskFlag struct {
	Code    string
	Level   string
	Field   string
	Message string
}

// RiskPolicy is what the flags that need no list compare with.
type RiskPolicy struct {
	// HighRiskCountries are ISO 3166-1 alpha-2 codes of jurisdictions
	// whose ties make a customer high risk.
	HighRiskCountries []string
	// MinRegistrationAge is how long a company must have been registered
	// not to be flagged as new.
	MinRegistrationAge time.Duration
	// ScreeningThreshold is the score from which a list entry a name
	// resembles is a hit; 0 is screening.DefaultThreshold.
	ScreeningThreshold float64
}

// DefaultThreshold is the screening threshold unless the policy sets one.
const DefaultThreshold = screening.DefaultThreshold

// MinThreshold is the lowest threshold a policy or a search may set:
// below it, most names resemble some listed one.
const MinThreshold = 0.5

// ValidThreshold reports whether a threshold is from MinThreshold to 1.
func ValidThreshold(t float64) bool { return t >= MinThreshold && t <= 1 }

// threshold is the policy's screening threshold.
func (p RiskPolicy) threshold() float64 {
	return cmp.Or(p.ScreeningThreshold, DefaultThreshold)
}

// DefaultHighRiskCountries are the jurisdictions the FATF calls on its
// members to apply countermeasures to ("high-risk jurisdictions subject to
// a call for action", its public statements of 2024 and 2025): North Korea,
// Iran and Myanmar. Operators extend the list with --high-risk-countries,
// for example with the FATF's jurisdictions under increased monitoring.
var DefaultHighRiskCountries = []string{"KP", "IR", "MM"}

// DefaultMinRegistrationAge flags companies registered less than 90 days
// before they are reviewed.
const DefaultMinRegistrationAge = 90 * 24 * time.Hour

// WithRiskPolicy sets the policy of the risk flags.
func WithRiskPolicy(p RiskPolicy) Option { return func(s *Service) { s.risk = p } }

// Risk assesses a customer now: the flags of its profile and its screening
// hits. It is computed when an operator reads the customer, so that a
// document that has expired since the create is flagged.
func (s *Service) Risk(c Customer) Risk {
	if !c.ErasedAt.IsZero() {
		return Risk{Level: RiskLow, Flags: []RiskFlag{}}
	}
	flags := append(riskFlags(c.Profile, s.Now().UTC(), s.risk), rejectedFlags(c.RejectedMatches)...)
	level := RiskLow
	for _, f := range flags {
		if f.Level == RiskHigh || level == RiskLow && f.Level == RiskMedium {
			level = f.Level
		}
	}
	if c.Screening != nil && len(c.Screening.Hits) > 0 {
		level = RiskHigh
	}
	return Risk{Level: level, Flags: flags}
}

// riskFlags are the flags of a profile that need no list.
func riskFlags(p api.Profile, now time.Time, policy RiskPolicy) []RiskFlag {
	flags := []RiskFlag{}
	add := func(code, level, field, message string) {
		flags = append(flags, RiskFlag{Code: code, Level: level, Field: field, Message: message})
	}
	highRisk := func(field, country string) {
		if country != "" && slices.Contains(policy.HighRiskCountries, country) {
			add("high_risk_country", RiskHigh, field, fmt.Sprintf("%s is a high-risk jurisdiction.", country))
		}
	}
	expired := func(field, v, what string) {
		if t, err := time.Parse(time.RFC3339, v); err == nil && t.Before(now) {
			add("document_expired", RiskMedium, field, what+" expired on "+t.UTC().Format("2006-01-02")+".")
		}
	}
	if d := p.BusinessDetails; d != nil {
		highRisk("business_details.business_identifier_country_code", d.BusinessIdentifierCountryCode)
		expired("business_details.business_identifier_expiry_date", d.BusinessIdentifierExpiryDate, "The business registration")
		if t, err := time.Parse(time.RFC3339, d.BusinessIdentifierStartDate); err == nil && now.Sub(t) < policy.MinRegistrationAge {
			add("recently_registered", RiskMedium, "business_details.business_identifier_start_date",
				fmt.Sprintf("The company was registered %d days ago, less than %d.", int(now.Sub(t).Hours()/24), int(policy.MinRegistrationAge.Hours()/24)))
		}
		if len(d.BusinessIdentifierDocumentList) == 0 {
			add("document_missing", RiskMedium, "business_details.business_identifier_document_list", "No business registration document was given.")
		}
	}
	registered := ""
	if a := p.RegistrationAddress; a != nil {
		registered = a.CountryCode
		highRisk("registration_address.registration_address_country_code", a.CountryCode)
	}
	if u := p.AccountUsage; u != nil {
		highRisk("account_usage.operating_country", u.OperatingCountry)
		if u.OperatingCountry != "" && registered != "" && u.OperatingCountry != registered {
			add("operating_country_differs", RiskLow, "account_usage.operating_country",
				fmt.Sprintf("The company operates in %s but is registered in %s.", u.OperatingCountry, registered))
		}
	}
	for i, bp := range p.BusinessPersonList {
		at := "business_person_list[" + strconv.Itoa(i) + "]."
		if b := bp.BasicInfo; b != nil {
			highRisk(at+"basic_info.nationality", b.Nationality)
			if born, err := time.Parse(time.RFC3339, b.BirthDate); err == nil {
				switch age := yearsBetween(born, now); {
				case age < 18:
					add("person_under_18", RiskHigh, at+"basic_info.birth_date", fmt.Sprintf("The person is %d, under 18.", age))
				case age > 100:
					add("person_over_100", RiskMedium, at+"basic_info.birth_date", fmt.Sprintf("The person would be %d, over 100.", age))
				}
			}
		}
		if a := bp.ResidentialAddress; a != nil {
			highRisk(at+"residential_address.residential_address_country_code", a.CountryCode)
		}
		id := bp.Identification
		switch {
		case id == nil || id.DocumentFrontFileID == "":
			add("document_missing", RiskMedium, at+"identification.id_document_front_file_id", "The person's ID document was not given.")
		default:
			highRisk(at+"identification.id_issuing_country_code", id.IssuingCountryCode)
			expired(at+"identification.id_expiration_date", id.ExpirationDate, "The person's ID document")
		}
	}
	return flags
}

// yearsBetween is a person's age in whole years.
func yearsBetween(born, now time.Time) int {
	years := now.Year() - born.Year()
	if now.YearDay() < born.YearDay() {
		years--
	}
	return years
}

// ParseCountries reads a comma-separated list of ISO 3166-1 alpha-2 codes.
func ParseCountries(s string) ([]string, error) {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		var ch checker
		if ch.country("country", c, true); len(ch.errs) > 0 {
			return nil, fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code in upper case", c)
		}
		out = append(out, c)
	}
	return out, nil
}
