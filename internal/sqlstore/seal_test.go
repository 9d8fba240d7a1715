package sqlstore

import (
	"bytes"
	"testing"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/screening"
)

func testCore(t testing.TB) *Core {
	t.Helper()
	keys, err := envelope.NewKeyring(envelope.Key{ID: 1, Secret: bytes.Repeat([]byte{1}, envelope.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	index, _ := keys.NewIndexKey(nil)
	return &Core{Keys: keys, index: index}
}

// readmeLike is a profile the size of the README's customer.
func readmeLike() api.Profile {
	person := api.BusinessPerson{
		BasicInfo:          &api.BasicInfo{FirstNameEnglish: "Wei", LastNameEnglish: "Zhang", BirthDate: "1985-06-15T00:00:00Z", Nationality: "CN", FirstName: "伟", LastName: "张"},
		ResidentialAddress: &api.ResidentialAddress{Line1: "88 Shennan Avenue", City: "Shenzhen", Postcode: "518000", CountryCode: "CN", State: "Guangdong"},
		Identification: &api.Identification{IDNumber: "E12345678", IssuingCountryCode: "CN", ExpirationDate: "2030-01-01T00:00:00Z", IssueDate: "2020-01-01T00:00:00Z",
			DocumentFrontFileID: "file_0123456789abcdef0123456789abcdef", DocumentBackFileID: "file_0123456789abcdef0123456789abcdee"},
	}
	return api.Profile{
		PartnerCustomerID: "readme-customer-000001",
		BusinessDetails: &api.BusinessDetails{BusinessNameEnglish: "Shenzhen Example Technology Co., Ltd.", Website: "https://www.example.com",
			BusinessIdentifierNumber: "91440300MA5FEXAMPLE", BusinessIdentifierCountryCode: "CN", BusinessName: "深圳市示例科技有限公司",
			BusinessIdentifierDocumentList: []string{"file_0123456789abcdef0123456789abcdec"}},
		RegistrationAddress: &api.RegistrationAddress{Line1: "1 Keyuan Road, Nanshan District", City: "Shenzhen", State: "Guangdong", Postcode: "518057", CountryCode: "CN"},
		PrimaryContact:      &api.PrimaryContact{Phone: "+8613800138000", Email: "service@gemini.com"},
		BusinessPersonList:  []api.BusinessPerson{person},
	}
}

func TestSealedCustomerOpensOnlyInItsRow(t *testing.T) {
	c := testCore(t)
	cust := kyb.Customer{ID: "cus_a", Profile: readmeLike(), Screening: &kyb.Screening{Snapshots: []string{"lst_1"},
		Hits: []screening.Hit{{Source: "un", EntryID: "1", ListName: "ZHANG, Wei", Field: "business_person_list[0].basic_info", Value: "Wei Zhang", Score: 0.95}}}}
	event := kyb.Event{ID: "evt_a", CustomerID: cust.ID, Data: []byte(`{"last_name_english":"Zhang"}`)}
	s, err := c.SealNew(cust, event)
	if err != nil {
		t.Fatal(err)
	}
	for what, b := range map[string][]byte{"profile": s.Profile, "data key": s.DataKey, "event": s.Event, "screening": s.Screening} {
		if bytes.Contains(b, []byte("Zhang")) || bytes.Contains(b, []byte("E12345678")) {
			t.Errorf("the sealed %s holds plaintext", what)
		}
	}
	if s.BusinessIdentifier == nil || s.IDNumbers == nil {
		t.Errorf("no keyed hashes: %v %v", s.BusinessIdentifier, s.IDNumbers)
	}
	opened := kyb.Customer{ID: cust.ID}
	if err := c.openProfile(&opened, nil, s.Profile, s.DataKey, s.Screening, ""); err != nil || opened.Profile.BusinessPersonList[0].BasicInfo.LastNameEnglish != "Zhang" ||
		opened.Screening == nil || opened.Screening.Hits[0].Value != "Wei Zhang" {
		t.Fatalf("openProfile = %+v %+v, %v", opened.Profile, opened.Screening, err)
	}
	if err := c.openProfile(&kyb.Customer{ID: cust.ID}, nil, s.Profile, s.DataKey, s.Profile, ""); err == nil {
		t.Error("the sealed profile opened as the screening")
	}
	e := kyb.Event{ID: event.ID, CustomerID: cust.ID}
	if err := c.OpenEvent(&e, nil, s.Event, s.DataKey); err != nil || !bytes.Equal(e.Data, event.Data) {
		t.Fatalf("OpenEvent = %s, %v", e.Data, err)
	}
	other := kyb.Customer{ID: "cus_b"}
	if err := c.openProfile(&other, nil, s.Profile, s.DataKey, nil, ""); err == nil {
		t.Error("the profile opened in another customer's row")
	}
	moved := kyb.Event{ID: "evt_b", CustomerID: cust.ID}
	if err := c.OpenEvent(&moved, nil, s.Event, s.DataKey); err == nil {
		t.Error("the event's data opened as another event's")
	}
	if err := c.OpenEvent(&e, nil, s.Profile, s.DataKey); err == nil {
		t.Error("the profile opened as the event's data")
	}
}

// BenchmarkEncryption measures what encryption adds to a create (a data
// key, the profile and the event sealed, two keyed hashes) and to a read
// (the data key unwrapped, the profile opened), for a customer the size of
// the README's.
func BenchmarkEncryption(b *testing.B) {
	c := testCore(b)
	cust := kyb.Customer{ID: "cus_a", Profile: readmeLike()}
	data := bytes.Repeat([]byte("x"), 1500)
	event := kyb.Event{ID: "evt_a", CustomerID: cust.ID, Data: data}
	stored, _ := EncodeProfile(cust.Profile)
	b.Run("encode only (no encryption)", func(b *testing.B) {
		for b.Loop() {
			EncodeProfile(cust.Profile)
		}
	})
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.SealNew(cust, event); err != nil {
				b.Fatal(err)
			}
		}
	})
	s, _ := c.SealNew(cust, event)
	b.Run("decode only (no encryption)", func(b *testing.B) {
		for b.Loop() {
			DecodeProfile(stored)
		}
	})
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			opened := kyb.Customer{ID: cust.ID}
			if err := c.openProfile(&opened, nil, s.Profile, s.DataKey, s.Screening, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
