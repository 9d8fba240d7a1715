package sqlstore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/api"
)

// fullProfile has every field of every object set, each to a value of its
// own, so that a field the codec forgets is seen.
func fullProfile(t *testing.T) api.Profile {
	t.Helper()
	var p api.Profile
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range 2 {
				fill(v.Index(i))
			}
		case reflect.String:
			n++
			v.SetString(strings.Repeat("x", n))
			if v.Type() == reflect.TypeFor[json.Number]() {
				v.SetString("100.50")
			}
		default:
			t.Fatalf("the codec test does not know %s", v.Type())
		}
	}
	fill(reflect.ValueOf(&p).Elem())
	return p
}

func TestProfileRoundTrips(t *testing.T) {
	person := api.BusinessPerson{Identification: &api.Identification{IDNumber: "E1"}}
	for name, p := range map[string]api.Profile{
		"every field":                 fullProfile(t),
		"only the required":           {PartnerCustomerID: "ptn-cust-000000000001", BusinessDetails: &api.BusinessDetails{BusinessName: "A"}},
		"a person without basic_info": {PartnerCustomerID: "ptn-cust-000000000001", BusinessPersonList: []api.BusinessPerson{person}},
		"an empty person":             {PartnerCustomerID: "ptn-cust-000000000001", BusinessPersonList: []api.BusinessPerson{{}}},
		"empty sections":              {BusinessDetails: &api.BusinessDetails{}, RegistrationAddress: &api.RegistrationAddress{}, AccountUsage: &api.AccountUsage{}, PrimaryContact: &api.PrimaryContact{}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := EncodeProfile(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeProfile(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("round trip changed the profile:\n got %+v\nwant %+v", got, p)
			}
			if wire, _ := json.Marshal(p); strings.Contains(string(b), "business_details") || string(b) == string(wire) {
				t.Errorf("stored form %s uses the wire names", b)
			}
		})
	}
}

// TestProfileReadsTheWireFormat reads rows written before the stored
// format had a version: they hold the profile as the wire has it.
func TestProfileReadsTheWireFormat(t *testing.T) {
	p := fullProfile(t)
	wire, _ := json.Marshal(p)
	got, err := DecodeProfile(wire)
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("DecodeProfile(wire JSON) = %+v, %v; want %+v", got, err, p)
	}
	if _, err := DecodeProfile([]byte(`{"v":2}`)); err == nil {
		t.Error("a newer format version was read, want an error")
	}
}
