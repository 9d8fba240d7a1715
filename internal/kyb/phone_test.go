package kyb

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libraryValid is what validPhone stands in for.
func libraryValid(v string) bool {
	n, err := phonenumbers.Parse(v, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}

// phoneCases are E.164 strings near every example number libphonenumber
// has (each region's of each type, and each non-geographic code's): the
// number, its last digit changed, shortened, lengthened, and with a digit
// after the calling code (where a national prefix would be); then random
// digits after every calling code.
func phoneCases() []string {
	var examples []*phonenumbers.PhoneNumber
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	for region := range phonenumbers.GetSupportedRegions() {
		for _, t := range types {
			if n := phonenumbers.GetExampleNumberForType(region, t); n != nil {
				examples = append(examples, n)
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(cc); n != nil {
			examples = append(examples, n)
		}
	}
	var cases []string
	for _, n := range examples {
		v := phonenumbers.Format(n, phonenumbers.E164)
		cc := strconv.Itoa(int(n.GetCountryCode()))
		cases = append(cases, v, v[:len(v)-1], v[:len(v)-2], v+"0", v+"5", v+"12")
		for d := range 10 {
			digit := strconv.Itoa(d)
			cases = append(cases, v[:len(v)-1]+digit, "+"+cc+digit+v[1+len(cc):])
		}
	}
	random := rand.New(rand.NewPCG(1, 2))
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedCallingCodes())) {
		for range 60 {
			v := "+" + strconv.Itoa(cc)
			for length := random.IntN(16 - len(v)); length > 0; length-- {
				v += strconv.Itoa(random.IntN(10))
			}
			cases = append(cases, v)
		}
	}
	return cases
}

func TestValidPhoneAgreesWithParse(t *testing.T) {
	var checked, valid, quick int
	for _, v := range phoneCases() {
		if !isE164(v) {
			continue
		}
		checked++
		want := libraryValid(v)
		if got := validPhone(v); got != want {
			t.Errorf("validPhone(%q) = %v, libphonenumber says %v", v, got, want)
		}
		if want {
			valid++
			if _, decided := quickPhone(v); decided {
				quick++
			}
		}
	}
	t.Logf("%d numbers, %d valid, %d of them decided without Parse", checked, valid, quick)
	// The quick path is the point: most valid numbers must take it.
	if valid < 2000 || quick < valid*3/4 {
		t.Errorf("of %d valid numbers (of %d), %d were decided without Parse; want at least 2,000 valid and three quarters quick", valid, checked, quick)
	}
}

func TestValidPhone(t *testing.T) {
	for _, tc := range []struct {
		number string
		valid  bool
	}{
		{"+14155550123", true},
		{"+11235550123", false}, // no area code 123
		{"+442071838750", true},
		{"+4402071838750", true}, // the national prefix, which Parse strips
		{"+390612345678", true},  // Italy's leading zero
		{"+8613812345678", true},
		{"+80012345678", true}, // international freephone, no country
		{"+999123456", false},  // no such calling code
		{"+12", false},
		{"+4420", false},
	} {
		if got := validPhone(tc.number); got != tc.valid {
			t.Errorf("validPhone(%q) = %v, want %v", tc.number, got, tc.valid)
		}
		if got := libraryValid(tc.number); got != tc.valid {
			t.Errorf("libphonenumber on %q says %v, the table %v: fix the table", tc.number, got, tc.valid)
		}
	}
}

// BenchmarkValidPhone is a create's check of its contact phone, against
// libphonenumber's Parse and IsValidNumber.
func BenchmarkValidPhone(b *testing.B) {
	numbers := []string{"+14158586273", "+8613812345678", "+442071838750", "+4930123456", "+33123456789", "+6581234567", "+819012345678"}
	b.Run("validPhone", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			validPhone(numbers[i%len(numbers)])
		}
	})
	b.Run("Parse", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			libraryValid(numbers[i%len(numbers)])
		}
	})
}
