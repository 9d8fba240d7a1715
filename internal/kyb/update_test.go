package kyb

import (
	"slices"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/api"
)

// TestMergePatch runs the examples of RFC 7396, appendix A, and keeps a
// number's digits.
func TestMergePatch(t *testing.T) {
	for _, tc := range []struct{ doc, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		{`{"amount":100.50}`, `{"other":1.10}`, `{"amount":100.50,"other":1.10}`},
	} {
		got, err := MergePatch([]byte(tc.doc), []byte(tc.patch))
		if err != nil || string(got) != tc.want {
			t.Errorf("MergePatch(%s, %s) = %s, %v; want %s", tc.doc, tc.patch, got, err, tc.want)
		}
	}
}

func TestChangedPaths(t *testing.T) {
	before := api.Profile{PartnerCustomerID: "p", BusinessDetails: &api.BusinessDetails{BusinessName: "A", Website: "https://a.example"},
		BusinessPersonList: []api.BusinessPerson{{BasicInfo: &api.BasicInfo{FirstName: "Ann"}}, {BasicInfo: &api.BasicInfo{FirstName: "Bo"}}}}
	after := api.Profile{PartnerCustomerID: "p", BusinessDetails: &api.BusinessDetails{BusinessName: "B"},
		BusinessPersonList: []api.BusinessPerson{{BasicInfo: &api.BasicInfo{FirstName: "Ann", LastName: "Lee"}}}}
	want := []string{"business_details.business_name", "business_details.website", "business_person_list[0].basic_info.last_name", "business_person_list[1].basic_info.first_name"}
	if got := ChangedPaths(before, after); !slices.Equal(got, want) {
		t.Errorf("ChangedPaths = %q, want %q", got, want)
	}
	if got := ChangedPaths(before, before); len(got) != 0 {
		t.Errorf("ChangedPaths of a profile with itself = %q, want none", got)
	}
}

func TestRiskyChange(t *testing.T) {
	for path, want := range map[string]bool{
		"business_details.website":                                         false,
		"primary_contact.contact_email":                                    false,
		"registration_address.registration_address_line1":                  false,
		"account_usage.estimated_monthly_revenue_amount":                   false,
		"business_details.business_name":                                   true,
		"business_details.business_identifier_number":                      true,
		"registration_address.registration_address_country_code":           true,
		"account_usage.operating_country":                                  true,
		"business_person_list[0].identification.id_document_front_file_id": true,
		"business_details.business_identifier_document_list[0]":            true,
	} {
		if got := riskyChange([]string{path}); got != want {
			t.Errorf("riskyChange(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestChangedReasonFits(t *testing.T) {
	var changed []string
	for i := range 200 {
		changed = append(changed, "business_person_list["+string(rune('0'+i%10))+"].residential_address.residential_address_line1")
	}
	r := changedReason(12, changed)
	if len(r) > MaxReasonLength || len(r) < 900 || !strings.HasSuffix(r, " more") {
		t.Errorf("the reason of 200 paths is %d long (%q), want nearly %d, saying how many more", len(r), r, MaxReasonLength)
	}
}
