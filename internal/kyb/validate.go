package kyb

import (
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/biter777/countries"
	"github.com/bojanz/currency"
	"github.com/onboardkyb/onboard/api"
)

// EarliestBirthDate is the oldest birth date we accept.
var EarliestBirthDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// ValidateProfile checks every field of the profile against the contract,
// the tables in rules.go, and returns an *Error of KindInvalid listing all
// failing fields, or nil. now is the reference for "not in the future"
// rules.
func ValidateProfile(p *api.Profile, now time.Time) error {
	c := checker{now: now}
	checkFields(&c, "", p, profileRules)
	if len(c.errs) > 0 {
		return Invalid(c.errs)
	}
	return nil
}

// NormalizeProfile rewrites every date-time to UTC with whole seconds, the form in
// which customers are stored and echoed. Call it after ValidateProfile succeeded.
func NormalizeProfile(p *api.Profile) {
	if d := p.BusinessDetails; d != nil {
		normalizeTime(&d.BusinessIdentifierStartDate)
		normalizeTime(&d.BusinessIdentifierExpiryDate)
	}
	for i := range p.BusinessPersonList {
		person := &p.BusinessPersonList[i]
		if b := person.BasicInfo; b != nil {
			normalizeTime(&b.BirthDate)
		}
		if id := person.Identification; id != nil {
			normalizeTime(&id.IssueDate)
			normalizeTime(&id.ExpirationDate)
		}
	}
}

// TimeFormat is how every date-time leaves the service: RFC 3339, UTC,
// whole seconds, as in the contract's examples.
const TimeFormat = "2006-01-02T15:04:05Z"

// FormatTime renders t in TimeFormat.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

func normalizeTime(s *string) {
	if t, err := time.Parse(time.RFC3339, *s); err == nil {
		*s = FormatTime(t)
	}
}

// checker collects field errors so that a partner sees all of them at once.
type checker struct {
	now time.Time
	// at is the JSON path, with its trailing dot, of the object whose
	// fields are being checked; field names are relative to it.
	at   string
	errs []api.FieldError
}

func (c *checker) add(field, code, message string) {
	c.errs = append(c.errs, api.FieldError{Field: c.at + field, Code: code, Message: message})
}

// text checks a free-text field: present when required, at most max
// characters, and free of control characters (see isControl). It reports
// whether the value is present and valid.
func (c *checker) text(field, v string, required bool, max int) bool {
	if v == "" {
		if required {
			c.add(field, api.CodeRequired, "is required")
		}
		return false
	}
	if n := utf8.RuneCountInString(v); n > max {
		c.add(field, api.CodeTooLong, "must be at most "+strconv.Itoa(max)+" characters")
		return false
	}
	if strings.ContainsFunc(v, isControl) {
		c.add(field, api.CodeInvalidFormat, "must not contain control characters or invisible format characters such as U+202E")
		return false
	}
	return true
}

// isControl reports a character free text must not hold: the C0 and C1
// controls and DEL, which break logs, terminals and PostgreSQL text; the
// line and paragraph separators; and the invisible format characters
// (Unicode category Cf), such as U+202E RIGHT-TO-LEFT OVERRIDE, which make
// a name display as another in an operator's console. The zero-width
// non-joiner and joiner are format characters too, but Persian and Indic
// names and emoji need them to be spelled, and they reorder nothing.
func isControl(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r < 0xa0, r == 0x200c, r == 0x200d:
		return false
	case r == 0x2028, r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

func (c *checker) partnerCustomerID(field, v string) {
	switch n := len(v); {
	case n == 0:
		c.add(field, api.CodeRequired, "is required")
	case n < MinPartnerCustomerID:
		c.add(field, api.CodeTooShort, "must be at least "+strconv.Itoa(MinPartnerCustomerID)+" characters")
	case n > MaxPartnerCustomerID:
		c.add(field, api.CodeTooLong, "must be at most "+strconv.Itoa(MaxPartnerCustomerID)+" characters")
	default:
		for i := 0; i < n; i++ {
			if v[i] < 0x21 || v[i] > 0x7e {
				c.add(field, api.CodeInvalidFormat, "must be printable ASCII without spaces")
				return
			}
		}
	}
}

// countryCodes holds the officially assigned ISO 3166-1 alpha-2 codes plus
// XK, which banks use for Kosovo.
var countryCodes = func() map[string]bool {
	set := make(map[string]bool, 256)
	for _, c := range countries.All() {
		set[c.Alpha2()] = true
	}
	// The library still lists two codes that ISO 3166-1 has withdrawn:
	// AN (Netherlands Antilles, 2010) and YU (Yugoslavia, 2003).
	delete(set, "AN")
	delete(set, "YU")
	return set
}()

// IsCountryCode reports whether code is an assigned ISO 3166-1 alpha-2
// code (uppercase) or XK.
func IsCountryCode(code string) bool { return countryCodes[code] }

func (c *checker) country(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, api.CodeRequired, "is required")
		}
		return
	}
	if !IsCountryCode(v) {
		c.add(field, api.CodeInvalidFormat, "must be an ISO 3166-1 alpha-2 country code in uppercase, such as US")
	}
}

func (c *checker) currency(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, api.CodeRequired, "is required when an amount is given")
		}
		return
	}
	// The library knows the active ISO 4217 codes and excludes the test
	// codes XTS and XXX.
	if len(v) != 3 || !currency.IsValid(v) {
		c.add(field, api.CodeInvalidFormat, "must be an active ISO 4217 currency code in uppercase, such as USD")
	}
}

func (c *checker) amount(field, v string, max int) {
	if v == "" {
		return
	}
	if len(v) > max {
		c.add(field, api.CodeTooLong, "must be at most "+strconv.Itoa(max)+" characters long")
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || math.IsInf(f, 0) || math.IsNaN(f):
		c.add(field, api.CodeInvalidValue, "must be a finite number")
	case f < 0:
		c.add(field, api.CodeInvalidValue, "must be zero or more")
	}
}

// isE164 reports whether s has the E.164 shape: a plus, then up to 15
// digits not starting with zero.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (c *checker) phone(field, v string) {
	if v == "" {
		return
	}
	if !isE164(v) {
		c.add(field, api.CodeInvalidFormat, "must be an E.164 phone number such as +14155550123")
		return
	}
	if !validPhone(v) {
		c.add(field, api.CodeInvalidFormat, "is not a valid phone number")
	}
}

func (c *checker) email(field, v string, max int) {
	if v == "" {
		return
	}
	if len(v) > max {
		c.add(field, api.CodeTooLong, "must be at most "+strconv.Itoa(max)+" characters")
		return
	}
	if !isEmail(v) {
		c.add(field, api.CodeInvalidFormat, "must be a single email address such as name@example.com")
	}
}

// isEmail accepts a bare address (no display name, no angle brackets) whose
// domain has at least two labels.
func isEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	domain := v[at+1:]
	if strings.ContainsFunc(v, isControl) || strings.ContainsAny(domain, "[]") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
	}
	return true
}

func (c *checker) website(field, v string, max int) {
	if !c.text(field, v, false, max) {
		return
	}
	u, err := url.Parse(v)
	if err != nil || !(strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) || u.Host == "" || u.Hostname() == "" || strings.ContainsAny(v, " \t") {
		c.add(field, api.CodeInvalidFormat, "must be an absolute http or https URL such as https://www.example.com")
	}
}

// date parses an RFC 3339 date-time, reporting a format error.
func (c *checker) date(field, v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		c.add(field, api.CodeInvalidFormat, "must be an RFC 3339 date-time such as 2023-11-07T05:31:56Z")
		return time.Time{}, false
	}
	// The echo is in UTC, where an offset can carry year 0000 or 9999
	// outside RFC 3339's four digits.
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		c.add(field, api.CodeInvalidValue, "must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z in UTC")
		return time.Time{}, false
	}
	// Compared as stored, in whole seconds: an expiry 0.8 s after its
	// start would be echoed equal to it.
	return t.Truncate(time.Second), true
}

// ParseDateTime reads an RFC 3339 date-time the way the profile's date
// fields are read, for query parameters: it returns the field's errors
// when v is not one.
func ParseDateTime(field, v string) (time.Time, []api.FieldError) {
	var c checker
	t, _ := c.date(field, v)
	return t, c.errs
}

// pastDate checks a date that cannot lie in the future, such as an issue
// date, and returns it when valid.
func (c *checker) pastDate(field, v string) (time.Time, bool) {
	t, ok := c.date(field, v)
	if ok && t.After(c.now) {
		c.add(field, api.CodeInvalidValue, "must not be in the future")
		return time.Time{}, false
	}
	return t, ok
}

// expiryDate checks that an expiry comes after its start. A document that
// has already expired is accepted: review flags it, validation does not.
func (c *checker) expiryDate(field, v string, start time.Time, hasStart bool, startName string) {
	t, ok := c.date(field, v)
	if ok && hasStart && !t.After(start) {
		c.add(field, api.CodeInvalidValue, "must be after "+startName)
	}
}

func (c *checker) birthDate(field, v string) {
	t, ok := c.date(field, v)
	switch {
	case !ok:
	case !t.Before(c.now):
		c.add(field, api.CodeInvalidValue, "must be in the past")
	case t.Before(EarliestBirthDate):
		c.add(field, api.CodeInvalidValue, "must be on or after 1900-01-01")
	}
}
