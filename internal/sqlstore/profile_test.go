package sqlstore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/api"
)

// fullProfile has every field of every object set, each to a value of its
// own, so that a field the codec forgets is seen.
func fullProfile(t testing.TB) api.Profile {
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

// TestProfileReadsTheJSONFormat reads rows written in version 1, the
// stored names as JSON.
func TestProfileReadsTheJSONFormat(t *testing.T) {
	p := fullProfile(t)
	s := storedOf(p)
	s.V = jsonProfileVersion
	b, _ := json.Marshal(s)
	if got, err := DecodeProfile(b); err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("DecodeProfile(%s) = %+v, %v; want %+v", b, got, err, p)
	}
}

// TestProfileRefusesDamagedBinary: a binary profile cut short anywhere, or
// with bytes after its end, is an error, never a panic or a profile.
func TestProfileRefusesDamagedBinary(t *testing.T) {
	b, err := EncodeProfile(fullProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n < len(b); n++ {
		if _, err := DecodeProfile(b[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decoded", n, len(b))
		}
	}
	if _, err := DecodeProfile(append(b, 0)); err == nil {
		t.Error("a profile with a byte after its end decoded")
	}
	for name, b := range map[string][]byte{
		"a newer binary version":               {3},
		"a field a newer binary added at last": {binaryProfileVersion, 99, 1, 'x', 0},
	} {
		if _, err := DecodeProfile(b); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("%s: %v, want an error saying so", name, err)
		}
	}
}

// TestProfileFieldsAreNumbered: a binary profile names each field by its
// place in its struct and leaves out those not set, so that a field added
// at the end of a struct leaves the rows written before it readable.
func TestProfileFieldsAreNumbered(t *testing.T) {
	b, err := EncodeProfile(api.Profile{PartnerCustomerID: "p", PrimaryContact: &api.PrimaryContact{Email: "e"}})
	if err != nil {
		t.Fatal(err)
	}
	// partner_customer_id is field 2 of storedProfile (after the version),
	// contact field 6, and email field 2 of storedContact.
	if want := []byte{binaryProfileVersion, 2, 1, 'p', 6, 2, 1, 'e', 0, 0}; !bytes.Equal(b, want) {
		t.Errorf("EncodeProfile = %v, want %v", b, want)
	}
}

// BenchmarkDecodeProfile reads a full profile, as every read of a customer
// does.
func BenchmarkDecodeProfile(b *testing.B) {
	stored, err := EncodeProfile(fullProfile(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeProfile(stored); err != nil {
			b.Fatal(err)
		}
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
