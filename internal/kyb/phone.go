package kyb

import (
	"regexp"
	"slices"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// validPhone reports whether v, already of the E.164 shape (see isE164),
// is a number libphonenumber holds valid. phonenumbers.Parse is written for
// any text a person might type (letters, extensions, punctuation, dialling
// prefixes) and runs a dozen regular expressions to learn what an E.164
// string says outright; it cost a create about 18 µs, more than checking
// the number itself. validPhone splits the string as Parse would and checks
// the number against the metadata itself (see validNational), leaving to
// Parse only what it might read differently: a calling code it does not
// know, a national number shorter than two digits or starting with 0
// (Italy's leading zeros), or one that starts with the region's national
// prefix, which Parse may strip. TestValidPhoneAgreesWithParse holds the
// two to the same answer.
func validPhone(v string) bool {
	if valid, decided := quickPhone(v); decided {
		return valid
	}
	n, err := phonenumbers.Parse(v, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}

// quickPhone is validPhone without Parse: decided is false where Parse's
// answer is needed.
func quickPhone(v string) (valid, decided bool) {
	digits := v[1:]
	if len(digits) < 3 {
		return false, false
	}
	codes := callingCodes()
	for i := 1; i <= 3; i++ {
		cc, _ := strconv.Atoi(digits[:i])
		code, known := codes[cc]
		if !known {
			continue // Parse tries the next length too
		}
		national := digits[i:]
		if !code.read || len(national) < 2 || national[0] == '0' || (code.nationalPrefix != nil && code.nationalPrefix.MatchString(national)) {
			return false, false
		}
		return code.validNational(national), true
	}
	return false, false
}

// callingCode is what Parse reads of a calling code's metadata.
type callingCode struct {
	// read is false where the metadata was not found: Parse decides.
	read bool
	// nationalPrefix matches the national prefix Parse looks for after the
	// calling code; nil where there is none.
	nationalPrefix *regexp.Regexp
	// regions are the rules of the code's regions, in the library's order
	// (the main region first), compiled on first use.
	regions func() []regionRules
}

// validNational is phonenumbers.IsValidNumber for a national number
// without leading zeros, written again for speed: the library builds each
// pattern's text and looks it up in a cache behind a lock every time it
// matches it, matches each pattern twice (for the possible and the valid
// number), and for a calling code of several regions (+1, +7, +44) works
// out the number's type twice over, some twenty matches for a number of
// the United States where this makes two. The answer is the same: the
// number's region is the first of the code's regions whose leading digits
// it starts with or whose rules it meets, and it is valid when it meets
// that region's rules.
func (c callingCode) validNational(national string) bool {
	regions := c.regions()
	if len(regions) == 1 {
		return regions[0].valid(national)
	}
	for _, r := range regions {
		if r.leadingDigits != nil {
			if r.leadingDigits.MatchString(national) {
				return r.valid(national)
			}
		} else if r.valid(national) {
			return true
		}
	}
	return false
}

// regionRules are what one region's metadata says a valid national number
// looks like.
type regionRules struct {
	// leadingDigits, where the region has them, tell its numbers from the
	// other regions' of the calling code.
	leadingDigits *regexp.Regexp
	general       numberRule
	// types are the rules of each kind of number (fixed line, mobile,
	// toll free...): a valid number meets the general rule and one of
	// these. Their order is free, as only whether one matches counts; the
	// common kinds come first.
	types []numberRule
}

func (r regionRules) valid(national string) bool {
	if !r.general.matches(national) {
		return false
	}
	for _, t := range r.types {
		if t.matches(national) {
			return true
		}
	}
	return false
}

// numberRule is a phonenumbers.PhoneNumberDesc: the lengths a number may
// have (any, when none are given) and the pattern it must match whole.
type numberRule struct {
	lengths []int32
	pattern *regexp.Regexp
}

func (n numberRule) matches(national string) bool {
	if len(n.lengths) > 0 && !slices.Contains(n.lengths, int32(len(national))) {
		return false
	}
	return n.pattern.MatchString(national)
}

// compileRegion reads m as phonenumbers.IsValidNumberForRegion does.
func compileRegion(m *phonenumbers.PhoneMetadata) regionRules {
	rule := func(d *phonenumbers.PhoneNumberDesc) numberRule {
		return numberRule{lengths: d.GetPossibleLength(), pattern: regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$")}
	}
	r := regionRules{general: rule(m.GetGeneralDesc()), types: []numberRule{rule(m.GetFixedLine())}}
	if p := m.GetLeadingDigits(); p != "" {
		r.leadingDigits = regexp.MustCompile("^(?:" + p + ")")
	}
	// Where mobile numbers share the fixed line's pattern, the library
	// does not look at the mobile rule.
	if !m.GetSameMobileAndFixedLinePattern() {
		r.types = append(r.types, rule(m.GetMobile()))
	}
	for _, d := range []*phonenumbers.PhoneNumberDesc{m.GetTollFree(), m.GetPremiumRate(), m.GetSharedCost(), m.GetVoip(),
		m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail()} {
		r.types = append(r.types, rule(d))
	}
	return r
}

// callingCodes holds each calling code libphonenumber knows, from the
// metadata Parse reads: its main region's, or for a code of no country
// (such as 800) its own.
var callingCodes = sync.OnceValue(func() map[int]callingCode {
	regions := map[string]*phonenumbers.PhoneMetadata{}
	nonGeographic := map[int32]*phonenumbers.PhoneMetadata{}
	if collection, err := phonenumbers.MetadataCollection(); err == nil {
		for _, m := range collection.GetMetadata() {
			if m.GetId() == "001" {
				nonGeographic[m.GetCountryCode()] = m
			} else {
				regions[m.GetId()] = m
			}
		}
	}
	codes := map[int]callingCode{}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		region := phonenumbers.GetRegionCodeForCountryCode(cc)
		m := regions[region]
		if region == "001" {
			m = nonGeographic[int32(cc)]
		}
		code := callingCode{read: m != nil}
		if p := m.GetNationalPrefixForParsing(); p != "" {
			code.nationalPrefix = regexp.MustCompile("^(?:" + p + ")")
		}
		var metadata []*phonenumbers.PhoneMetadata
		if region == "001" {
			metadata = append(metadata, m)
		} else {
			for _, r := range phonenumbers.GetRegionCodesForCountryCode(cc) {
				metadata = append(metadata, regions[r])
			}
		}
		code.read = code.read && !slices.Contains(metadata, nil)
		code.regions = sync.OnceValue(func() []regionRules {
			rules := make([]regionRules, len(metadata))
			for i, m := range metadata {
				rules[i] = compileRegion(m)
			}
			return rules
		})
		codes[cc] = code
	}
	return codes
})
