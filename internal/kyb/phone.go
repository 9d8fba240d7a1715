package kyb

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// validPhone reports whether v, already of the E.164 shape (see isE164),
// is a number libphonenumber holds valid. phonenumbers.Parse is written for
// any text a person might type (letters, extensions, punctuation, dialling
// prefixes) and runs a dozen regular expressions to learn what an E.164
// string says outright; it cost a create about 18 µs, more than checking
// the number itself. validPhone splits the string as Parse would and hands
// the number straight to phonenumbers.IsValidNumber, leaving to Parse only
// what it might read differently: a calling code it does not know, a
// national number shorter than two digits or starting with 0 (Italy's
// leading zeros), or one that starts with the region's national prefix,
// which Parse may strip. TestValidPhoneAgreesWithParse holds the two to the
// same answer.
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
		number, _ := strconv.ParseUint(national, 10, 64)
		country := int32(cc)
		return phonenumbers.IsValidNumber(&phonenumbers.PhoneNumber{CountryCode: &country, NationalNumber: &number}), true
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
		codes[cc] = code
	}
	return codes
})
