package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// validBody is the contract's example with every field filled in.
const validBody = `{
  "partner_customer_id": "partner-customer-000001",
  "business_details": {
    "business_name_english": "Shenzhen Example Technology Co., Ltd.",
    "website": "https://www.example.com",
    "business_identifier_number": "91440300MA5FEXAMPLE",
    "business_identifier_country_code": "CN",
    "business_identifier_document_list": ["file_0123456789abcdef0123456789abcdef"],
    "business_name": "深圳市示例科技有限公司",
    "business_identifier_start_date": "2019-03-01T00:00:00Z",
    "business_identifier_expiry_date": "2039-02-28T00:00:00Z"
  },
  "registration_address": {
    "registration_address_line1": "1 Keyuan Road, Nanshan District",
    "registration_address_city": "Shenzhen",
    "registration_address_state": "Guangdong",
    "registration_address_postcode": "518057",
    "registration_address_country_code": "CN"
  },
  "account_usage": {
    "operating_country": "US",
    "goods_service_description": "Consumer electronics sold online",
    "industry_category_code": "5732",
    "estimated_monthly_revenue_currency": "USD",
    "estimated_monthly_revenue_amount": 99.99
  },
  "primary_contact": {
    "contact_phone": "+8613800138000",
    "contact_email": "service@gemini.com"
  },
  "business_person_list": [
    {
      "basic_info": {
        "first_name_english": "Wei",
        "last_name_english": "Zhang",
        "birth_date": "1985-06-15T00:00:00Z",
        "nationality": "CN",
        "first_name": "伟",
        "last_name": "张"
      },
      "residential_address": {
        "residential_address_line1": "88 Shennan Avenue",
        "residential_address_city": "Shenzhen",
        "residential_address_postcode": "518000",
        "residential_address_country_code": "CN",
        "residential_address_state": "Guangdong"
      },
      "identification": {
        "id_number": "E12345678",
        "id_issuing_country_code": "CN",
        "id_expiration_date": "2030-01-01T00:00:00Z",
        "id_issue_date": "2020-01-01T00:00:00Z",
        "id_document_front_file_id": "file_00000000000000000000000000000001",
        "id_document_back_file_id": "file_00000000000000000000000000000002"
      }
    }
  ]
}`

// deleted marks a field that with() removes.
var deleted = &struct{}{}

// with returns validBody changed at dotted paths ("a.b.0.c"), each
// followed by its new value or deleted.
func with(t *testing.T, changes ...any) string {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(validBody), &doc); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(changes); i += 2 {
		setPath(t, doc, strings.Split(changes[i].(string), "."), changes[i+1])
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func setPath(t *testing.T, doc any, path []string, value any) {
	t.Helper()
	key := path[0]
	switch d := doc.(type) {
	case map[string]any:
		if len(path) > 1 {
			setPath(t, d[key], path[1:], value)
		} else if value == deleted {
			delete(d, key)
		} else {
			d[key] = value
		}
	case []any:
		i, _ := strconv.Atoi(key)
		if len(path) > 1 {
			setPath(t, d[i], path[1:], value)
		} else {
			d[i] = value
		}
	default:
		t.Fatalf("cannot set %v in %T", path, doc)
	}
}

var idCounter atomic.Int64

// uniqueID returns a partner_customer_id that no other test uses.
func uniqueID(t *testing.T) string {
	return fmt.Sprintf("pcid-%d-%06d", time.Now().UnixNano(), idCounter.Add(1))
}

var customerIDPattern = regexp.MustCompile(`^cus_[0-9a-f]{32}$`)

func TestCreateCustomerEchoesTheRequest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		resp := ts.create(t, creds, validBody)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200: %s", resp.StatusCode, resp.Body)
		}
		got := resp.json(t)
		id, _ := got["customer_id"].(string)
		if !customerIDPattern.MatchString(id) {
			t.Errorf("customer_id = %q, want cus_ + 32 hex", id)
		}
		if got["status"] != "pending" {
			t.Errorf("status = %v, want pending", got["status"])
		}
		created, _ := got["created_at"].(string)
		if ct, err := time.Parse(time.RFC3339, created); err != nil || ct.Format(kyb.TimeFormat) != created || time.Since(ct) > time.Minute {
			t.Errorf("created_at = %q, want RFC 3339 UTC seconds, now", created)
		}
		// Everything the partner sent comes back as sent.
		for _, k := range []string{"customer_id", "status", "created_at", "version"} {
			delete(got, k)
		}
		var want map[string]any
		json.Unmarshal([]byte(withUploadedFiles(t, ts, creds, validBody)), &want)
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("echo differs from request:\n got %s\nwant %s", g, w)
		}
		if !strings.Contains(string(resp.Body), `"business_name":"深圳市示例科技有限公司"`) {
			t.Errorf("Chinese business_name not echoed verbatim: %s", resp.Body)
		}

		// Reading it back gives the same object.
		read := ts.request(t, "GET", "/api/customers/"+id, &creds, "")
		if read.StatusCode != http.StatusOK || string(read.Body) != string(resp.Body) {
			t.Errorf("GET = %d %s, want 200 %s", read.StatusCode, read.Body, resp.Body)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateCustomerEdgeRules(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	tests := []struct {
		name string
		body string
		// want are substrings of the response body.
		want    []string
		notWant []string
	}{
		{"date-times are normalised to UTC seconds",
			with(t, "business_details.business_identifier_start_date", "2019-03-01T13:31:56.789+08:00"),
			[]string{`"business_identifier_start_date":"2019-03-01T05:31:56Z"`}, nil},
		{"amount keeps its digits",
			strings.Replace(validBody, "99.99", "100.50", 1),
			[]string{`"estimated_monthly_revenue_amount":100.50`}, nil},
		{"amount in exponent form keeps its form",
			strings.Replace(validBody, "99.99", "1.5e3", 1),
			[]string{`"estimated_monthly_revenue_amount":1.5e3`}, nil},
		{"null optional field is absent",
			with(t, "business_details.website", nil),
			nil, []string{`"website"`}},
		{"null optional section is absent",
			with(t, "account_usage", nil, "primary_contact", nil, "business_person_list", nil),
			nil, []string{`"account_usage"`, `"primary_contact"`, `"business_person_list"`}},
		{"omitted sections are omitted",
			with(t, "account_usage", deleted, "primary_contact", deleted, "business_person_list", deleted),
			nil, []string{`"account_usage"`, `"primary_contact"`, `"business_person_list"`}},
		{"empty optional string is absent",
			with(t, "registration_address.registration_address_state", ""),
			nil, []string{`"registration_address_state"`}},
		{"expired document is accepted",
			with(t, "business_person_list.0.identification.id_expiration_date", "2021-01-01T00:00:00Z"),
			[]string{`"id_expiration_date":"2021-01-01T00:00:00Z"`}, nil},
		{"birth date on 1900-01-01",
			with(t, "business_person_list.0.basic_info.birth_date", "1900-01-01T00:00:00Z"),
			[]string{`"birth_date":"1900-01-01T00:00:00Z"`}, nil},
		{"Kosovo", with(t, "registration_address.registration_address_country_code", "XK"),
			[]string{`"registration_address_country_code":"XK"`}, nil},
		{"amount zero", strings.Replace(validBody, "99.99", "0", 1),
			[]string{`"estimated_monthly_revenue_amount":0`}, nil},
		{"twenty persons", withPersons(t, 20), []string{`"status":"pending"`}, nil},
		{"http website", with(t, "business_details.website", "http://example.co.uk/about?x=1"), []string{`"website":"http://example.co.uk/about?x=1"`}, nil},
		{"currency without amount", with(t, "account_usage.estimated_monthly_revenue_amount", deleted), []string{`"estimated_monthly_revenue_currency":"USD"`}, nil},
		{"new currency code XCG", with(t, "account_usage.estimated_monthly_revenue_currency", "XCG"), []string{`"XCG"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Replace the id textually: a round trip through a Go map would
			// change how numbers are written.
			body := strings.Replace(tt.body, `"partner-customer-000001"`, `"`+uniqueID(t)+`"`, 1)
			resp := ts.create(t, creds, body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200: %s", resp.StatusCode, resp.Body)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(resp.Body), w) {
					t.Errorf("response lacks %s: %s", w, resp.Body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(string(resp.Body), w) {
					t.Errorf("response has %s: %s", w, resp.Body)
				}
			}
		})
	}
}

// withPersons returns validBody with n copies of its person.
func withPersons(t *testing.T, n int) string {
	t.Helper()
	var doc map[string]any
	json.Unmarshal([]byte(validBody), &doc)
	person := doc["business_person_list"].([]any)[0]
	list := make([]any, n)
	for i := range list {
		list[i] = person
	}
	doc["business_person_list"] = list
	return mustJSON(t, doc)
}

// withDocuments returns validBody with n document ids.
func withDocuments(t *testing.T, n int) string {
	t.Helper()
	list := make([]any, n)
	for i := range list {
		list[i] = fmt.Sprintf("file_%032d", i)
	}
	return with(t, "business_details.business_identifier_document_list", list)
}

func TestCreateCustomerValidation(t *testing.T) {
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	long := func(n int) string { return strings.Repeat("a", n) }
	type fieldErr struct{ field, code string }
	tests := []struct {
		name string
		body string
		want []fieldErr
	}{
		{"partner_customer_id missing", with(t, "partner_customer_id", deleted), []fieldErr{{"partner_customer_id", "required"}}},
		{"partner_customer_id empty", with(t, "partner_customer_id", ""), []fieldErr{{"partner_customer_id", "required"}}},
		{"partner_customer_id too short", with(t, "partner_customer_id", long(19)), []fieldErr{{"partner_customer_id", "too_short"}}},
		{"partner_customer_id too long", with(t, "partner_customer_id", long(65)), []fieldErr{{"partner_customer_id", "too_long"}}},
		{"partner_customer_id with space", with(t, "partner_customer_id", "partner customer 00001"), []fieldErr{{"partner_customer_id", "invalid_format"}}},
		{"partner_customer_id not ASCII", with(t, "partner_customer_id", "客户客户客户客户客户客户客户"), []fieldErr{{"partner_customer_id", "invalid_format"}}},
		{"partner_customer_id a number", with(t, "partner_customer_id", 12345678901234567890.0), []fieldErr{{"partner_customer_id", "invalid_type"}}},
		{"business_details missing", with(t, "business_details", deleted), []fieldErr{{"business_details", "required"}}},
		{"business_details null", with(t, "business_details", nil), []fieldErr{{"business_details", "required"}}},
		{"business_details not an object", with(t, "business_details", "x"), []fieldErr{{"business_details", "invalid_type"}}},
		{"business_name missing", with(t, "business_details.business_name", deleted), []fieldErr{{"business_details.business_name", "required"}}},
		{"business_name empty", with(t, "business_details.business_name", ""), []fieldErr{{"business_details.business_name", "required"}}},
		{"business_name too long", with(t, "business_details.business_name", long(201)), []fieldErr{{"business_details.business_name", "too_long"}}},
		{"business_name control character", with(t, "business_details.business_name", "Acme\x00Ltd"), []fieldErr{{"business_details.business_name", "invalid_format"}}},
		{"last_name with a right-to-left override", with(t, "business_person_list.0.basic_info.last_name", "\u202egnahZ"), []fieldErr{{"business_person_list[0].basic_info.last_name", "invalid_format"}}},
		{"business_identifier_number missing", with(t, "business_details.business_identifier_number", deleted), []fieldErr{{"business_details.business_identifier_number", "required"}}},
		{"business_identifier_country_code missing", with(t, "business_details.business_identifier_country_code", deleted), []fieldErr{{"business_details.business_identifier_country_code", "required"}}},
		{"country XX", with(t, "business_details.business_identifier_country_code", "XX"), []fieldErr{{"business_details.business_identifier_country_code", "invalid_format"}}},
		{"country usa", with(t, "business_details.business_identifier_country_code", "usa"), []fieldErr{{"business_details.business_identifier_country_code", "invalid_format"}}},
		{"country lowercase", with(t, "business_details.business_identifier_country_code", "us"), []fieldErr{{"business_details.business_identifier_country_code", "invalid_format"}}},
		{"country UK", with(t, "registration_address.registration_address_country_code", "UK"), []fieldErr{{"registration_address.registration_address_country_code", "invalid_format"}}},
		{"country EU", with(t, "account_usage.operating_country", "EU"), []fieldErr{{"account_usage.operating_country", "invalid_format"}}},
		{"country UN", with(t, "business_person_list.0.basic_info.nationality", "UN"), []fieldErr{{"business_person_list[0].basic_info.nationality", "invalid_format"}}},
		{"country withdrawn AN", with(t, "business_person_list.0.identification.id_issuing_country_code", "AN"), []fieldErr{{"business_person_list[0].identification.id_issuing_country_code", "invalid_format"}}},
		{"website not a URL", with(t, "business_details.website", "www.example.com"), []fieldErr{{"business_details.website", "invalid_format"}}},
		{"website ftp", with(t, "business_details.website", "ftp://example.com"), []fieldErr{{"business_details.website", "invalid_format"}}},
		{"website javascript", with(t, "business_details.website", "javascript:alert(1)"), []fieldErr{{"business_details.website", "invalid_format"}}},
		{"too many documents", withDocuments(t, 21), []fieldErr{{"business_details.business_identifier_document_list", "too_many"}}},
		{"document id empty", with(t, "business_details.business_identifier_document_list", []any{""}), []fieldErr{{"business_details.business_identifier_document_list[0]", "required"}}},
		{"document id a number", with(t, "business_details.business_identifier_document_list", []any{1.0}), []fieldErr{{"business_details.business_identifier_document_list[0]", "invalid_type"}}},
		{"document list not a list", with(t, "business_details.business_identifier_document_list", "file_1"), []fieldErr{{"business_details.business_identifier_document_list", "invalid_type"}}},
		{"date only", with(t, "business_details.business_identifier_start_date", "2023-11-07"), []fieldErr{{"business_details.business_identifier_start_date", "invalid_format"}}},
		{"date without zone", with(t, "business_details.business_identifier_start_date", "2023-11-07T05:31:56"), []fieldErr{{"business_details.business_identifier_start_date", "invalid_format"}}},
		{"start date in the future", with(t, "business_details.business_identifier_start_date", future, "business_details.business_identifier_expiry_date", deleted), []fieldErr{{"business_details.business_identifier_start_date", "invalid_value"}}},
		{"expiry equal to start", with(t, "business_details.business_identifier_expiry_date", "2019-03-01T00:00:00Z"), []fieldErr{{"business_details.business_identifier_expiry_date", "invalid_value"}}},
		{"expiry before start", with(t, "business_details.business_identifier_expiry_date", "2018-03-01T00:00:00Z"), []fieldErr{{"business_details.business_identifier_expiry_date", "invalid_value"}}},
		{"start date in year 0 in UTC", with(t, "business_details.business_identifier_start_date", "0000-01-01T00:00:00+01:00"), []fieldErr{{"business_details.business_identifier_start_date", "invalid_value"}}},
		{"expiry in year 10000 in UTC", with(t, "business_details.business_identifier_expiry_date", "9999-12-31T23:00:00-02:00"), []fieldErr{{"business_details.business_identifier_expiry_date", "invalid_value"}}},
		{"id expiry in year 10000 in UTC", with(t, "business_person_list.0.identification.id_expiration_date", "9999-12-31T23:59:59-00:01"), []fieldErr{{"business_person_list[0].identification.id_expiration_date", "invalid_value"}}},
		{"birth date in year 0 in UTC", with(t, "business_person_list.0.basic_info.birth_date", "0000-12-31T23:59:59+01:00"), []fieldErr{{"business_person_list[0].basic_info.birth_date", "invalid_value"}}},
		{"expiry within the second of start", with(t, "business_details.business_identifier_start_date", "2019-03-01T00:00:00.1Z", "business_details.business_identifier_expiry_date", "2019-03-01T00:00:00.9Z"), []fieldErr{{"business_details.business_identifier_expiry_date", "invalid_value"}}},
		{"five-digit year", with(t, "business_details.business_identifier_expiry_date", "10000-01-01T00:00:00Z"), []fieldErr{{"business_details.business_identifier_expiry_date", "invalid_format"}}},
		{"registration_address missing", with(t, "registration_address", deleted), []fieldErr{{"registration_address", "required"}}},
		{"registration address core missing", with(t, "registration_address", map[string]any{}), []fieldErr{
			{"registration_address.registration_address_line1", "required"},
			{"registration_address.registration_address_city", "required"},
			{"registration_address.registration_address_country_code", "required"}}},
		{"postcode too long", with(t, "registration_address.registration_address_postcode", long(21)), []fieldErr{{"registration_address.registration_address_postcode", "too_long"}}},
		{"currency unknown", with(t, "account_usage.estimated_monthly_revenue_currency", "ABC"), []fieldErr{{"account_usage.estimated_monthly_revenue_currency", "invalid_format"}}},
		{"currency lowercase", with(t, "account_usage.estimated_monthly_revenue_currency", "usd"), []fieldErr{{"account_usage.estimated_monthly_revenue_currency", "invalid_format"}}},
		{"currency test code XTS", with(t, "account_usage.estimated_monthly_revenue_currency", "XTS"), []fieldErr{{"account_usage.estimated_monthly_revenue_currency", "invalid_format"}}},
		{"currency no-currency XXX", with(t, "account_usage.estimated_monthly_revenue_currency", "XXX"), []fieldErr{{"account_usage.estimated_monthly_revenue_currency", "invalid_format"}}},
		{"currency withdrawn HRK", with(t, "account_usage.estimated_monthly_revenue_currency", "HRK"), []fieldErr{{"account_usage.estimated_monthly_revenue_currency", "invalid_format"}}},
		{"amount without currency", with(t, "account_usage.estimated_monthly_revenue_currency", deleted), []fieldErr{{"account_usage.estimated_monthly_revenue_currency", "required"}}},
		{"amount negative", with(t, "account_usage.estimated_monthly_revenue_amount", -1.0), []fieldErr{{"account_usage.estimated_monthly_revenue_amount", "invalid_value"}}},
		{"amount beyond float range", strings.Replace(validBody, "99.99", "1e400", 1), []fieldErr{{"account_usage.estimated_monthly_revenue_amount", "invalid_value"}}},
		{"amount with a thousand digits", strings.Replace(validBody, "99.99", strings.Repeat("9", 1000), 1), []fieldErr{{"account_usage.estimated_monthly_revenue_amount", "too_long"}}},
		{"amount a string", with(t, "account_usage.estimated_monthly_revenue_amount", "99.99"), []fieldErr{{"account_usage.estimated_monthly_revenue_amount", "invalid_type"}}},
		{"phone without plus", with(t, "primary_contact.contact_phone", "8613800138000"), []fieldErr{{"primary_contact.contact_phone", "invalid_format"}}},
		{"phone with spaces", with(t, "primary_contact.contact_phone", "+86 138 0013 8000"), []fieldErr{{"primary_contact.contact_phone", "invalid_format"}}},
		{"phone not a real number", with(t, "primary_contact.contact_phone", "+1234"), []fieldErr{{"primary_contact.contact_phone", "invalid_format"}}},
		{"phone too long", with(t, "primary_contact.contact_phone", "+12345678901234567"), []fieldErr{{"primary_contact.contact_phone", "invalid_format"}}},
		{"email without domain dot", with(t, "primary_contact.contact_email", "service@localhost"), []fieldErr{{"primary_contact.contact_email", "invalid_format"}}},
		{"email with display name", with(t, "primary_contact.contact_email", "Service <service@gemini.com>"), []fieldErr{{"primary_contact.contact_email", "invalid_format"}}},
		{"email two addresses", with(t, "primary_contact.contact_email", "a@example.com, b@example.com"), []fieldErr{{"primary_contact.contact_email", "invalid_format"}}},
		{"email no at", with(t, "primary_contact.contact_email", "service.gemini.com"), []fieldErr{{"primary_contact.contact_email", "invalid_format"}}},
		{"too many persons", withPersons(t, 21), []fieldErr{{"business_person_list", "too_many"}}},
		// The decoder keeps the first 20 persons, and says what is wrong with them too.
		{"too many persons, the first invalid", strings.Replace(withPersons(t, 21), `"last_name":"张"`, `"last_name":""`, 1), []fieldErr{
			{"business_person_list", "too_many"}, {"business_person_list[0].basic_info.last_name", "required"}}},
		{"person without basic_info", with(t, "business_person_list.0.basic_info", deleted), []fieldErr{
			{"business_person_list[0].basic_info.first_name", "required"},
			{"business_person_list[0].basic_info.last_name", "required"}}},
		{"person without last_name", with(t, "business_person_list.0.basic_info.last_name", ""), []fieldErr{{"business_person_list[0].basic_info.last_name", "required"}}},
		{"birth date in the future", with(t, "business_person_list.0.basic_info.birth_date", future), []fieldErr{{"business_person_list[0].basic_info.birth_date", "invalid_value"}}},
		{"birth date before 1900", with(t, "business_person_list.0.basic_info.birth_date", "1899-12-31T23:59:59Z"), []fieldErr{{"business_person_list[0].basic_info.birth_date", "invalid_value"}}},
		{"residential address core missing", with(t, "business_person_list.0.residential_address", map[string]any{"residential_address_state": "X"}), []fieldErr{
			{"business_person_list[0].residential_address.residential_address_line1", "required"},
			{"business_person_list[0].residential_address.residential_address_city", "required"},
			{"business_person_list[0].residential_address.residential_address_country_code", "required"}}},
		{"id_number missing", with(t, "business_person_list.0.identification.id_number", deleted), []fieldErr{{"business_person_list[0].identification.id_number", "required"}}},
		{"id issue date in the future", with(t, "business_person_list.0.identification.id_issue_date", future, "business_person_list.0.identification.id_expiration_date", deleted), []fieldErr{{"business_person_list[0].identification.id_issue_date", "invalid_value"}}},
		{"id expiry not after issue", with(t, "business_person_list.0.identification.id_expiration_date", "2020-01-01T00:00:00Z"), []fieldErr{{"business_person_list[0].identification.id_expiration_date", "invalid_value"}}},
		{"person not an object", with(t, "business_person_list.0", "x"), []fieldErr{{"business_person_list[0]", "invalid_type"}}},
		{"unknown top-level field", with(t, "partner_customer_idd", "x"), []fieldErr{{"partner_customer_idd", "unknown_field"}}},
		{"unknown nested field", with(t, "business_person_list.0.identification.id_numbr", "x"), []fieldErr{{"business_person_list[0].identification.id_numbr", "unknown_field"}}},
		{"every problem at once", with(t,
			"partner_customer_id", "short",
			"business_details.business_name", deleted,
			"registration_address.registration_address_country_code", "XX",
			"primary_contact.contact_email", "nope",
			"business_person_list.0.identification.id_number", "",
			"extra", 1.0), []fieldErr{
			{"partner_customer_id", "too_short"},
			{"business_details.business_name", "required"},
			{"registration_address.registration_address_country_code", "invalid_format"},
			{"primary_contact.contact_email", "invalid_format"},
			{"business_person_list[0].identification.id_number", "required"},
			{"extra", "unknown_field"}}},
	}
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := ts.create(t, creds, tt.body)
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400: %s", resp.StatusCode, resp.Body)
				}
				var body struct {
					Error struct {
						Code    string
						Details []struct{ Field, Code, Message string }
					}
				}
				json.Unmarshal(resp.Body, &body)
				if body.Error.Code != "invalid_request" {
					t.Errorf("error code = %q, want invalid_request", body.Error.Code)
				}
				var got []fieldErr
				for _, d := range body.Error.Details {
					got = append(got, fieldErr{d.Field, d.Code})
					if d.Message == "" {
						t.Errorf("detail for %s has no message", d.Field)
					}
				}
				if !sameFieldErrs(got, tt.want) {
					t.Errorf("details = %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func sameFieldErrs[T comparable](got, want []T) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[T]int{}
	for _, g := range got {
		seen[g]++
	}
	for _, w := range want {
		if seen[w] == 0 {
			return false
		}
		seen[w]--
	}
	return true
}

func TestIdempotency(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		first := ts.create(t, creds, validBody)
		if first.StatusCode != http.StatusOK {
			t.Fatalf("first create = %d: %s", first.StatusCode, first.Body)
		}
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("first create has Idempotent-Replayed")
		}
		want := first.json(t)

		// The same fields and values in another order, other whitespace,
		// a date in another zone and an amount with a trailing zero.
		var doc map[string]any
		json.Unmarshal([]byte(validBody), &doc)
		reordered := "{\n\t\"registration_address\": " + mustJSON(t, doc["registration_address"]) + ",\n" +
			`"business_person_list":` + mustJSON(t, doc["business_person_list"]) + `,` +
			`"account_usage":` + strings.Replace(mustJSON(t, doc["account_usage"]), "99.99", "99.990", 1) + `,` +
			`"primary_contact":` + mustJSON(t, doc["primary_contact"]) + `,` +
			`"business_details":` + strings.Replace(mustJSON(t, doc["business_details"]), "2019-03-01T00:00:00Z", "2019-03-01T08:00:00+08:00", 1) + `,` +
			`   "partner_customer_id" :"partner-customer-000001"}`
		again := ts.create(t, creds, reordered)
		if again.StatusCode != http.StatusOK {
			t.Fatalf("repeat create = %d: %s", again.StatusCode, again.Body)
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("repeat create lacks Idempotent-Replayed: true")
		}
		got := again.json(t)
		if got["customer_id"] != want["customer_id"] || got["created_at"] != want["created_at"] {
			t.Errorf("repeat create = %v %v, want %v %v", got["customer_id"], got["created_at"], want["customer_id"], want["created_at"])
		}

		// A different body is a conflict naming the existing customer.
		conflict := ts.create(t, creds, with(t, "business_details.business_name", "Another Company Ltd"))
		if conflict.StatusCode != http.StatusConflict {
			t.Fatalf("conflicting create = %d, want 409: %s", conflict.StatusCode, conflict.Body)
		}
		errObj := conflict.json(t)["error"].(map[string]any)
		if errObj["code"] != "duplicate_partner_customer_id" || errObj["customer_id"] != want["customer_id"] {
			t.Errorf("conflict error = %v, want duplicate_partner_customer_id with customer_id %v", errObj, want["customer_id"])
		}

		// Validation comes first, even when the id exists.
		invalid := ts.create(t, creds, with(t, "registration_address.registration_address_country_code", "XX"))
		if invalid.StatusCode != http.StatusBadRequest {
			t.Errorf("invalid body with an existing id = %d, want 400", invalid.StatusCode)
		}

		// Another partner may use the same partner_customer_id.
		other := ts.partner(t)
		theirs := ts.create(t, other, validBody)
		if theirs.StatusCode != http.StatusOK || theirs.json(t)["customer_id"] == want["customer_id"] {
			t.Errorf("other partner's create = %d %s, want 200 with a new id", theirs.StatusCode, theirs.Body)
		}
	})
}

func TestConcurrentCreatesMakeOneCustomer(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		const n = 50
		ids := make([]string, n)
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := ts.create(t, creds, validBody)
				statuses[i] = resp.StatusCode
				var c struct {
					CustomerID string `json:"customer_id"`
				}
				json.Unmarshal(resp.Body, &c)
				ids[i] = c.CustomerID
			}()
		}
		wg.Wait()
		for i := range n {
			if statuses[i] != http.StatusOK || ids[i] != ids[0] {
				t.Errorf("create #%d = %d %s, want 200 %s", i, statuses[i], ids[i], ids[0])
			}
		}
	})
}

func TestCustomersAreIsolatedBetweenPartners(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		owner, other := ts.partner(t), ts.partner(t)
		id := ts.create(t, owner, validBody).json(t)["customer_id"].(string)

		theirs := ts.request(t, "GET", "/api/customers/"+id, &other, "")
		missing := ts.request(t, "GET", "/api/customers/cus_00000000000000000000000000000000", &other, "")
		if theirs.StatusCode != http.StatusNotFound || missing.StatusCode != http.StatusNotFound {
			t.Fatalf("other partner's customer = %d, missing = %d; want 404 for both", theirs.StatusCode, missing.StatusCode)
		}
		a, b := theirs.json(t)["error"].(map[string]any), missing.json(t)["error"].(map[string]any)
		if a["code"] != b["code"] || a["message"] != b["message"] {
			t.Errorf("other partner's customer answers %v, a missing one %v; want the same", a, b)
		}
	})
}

func TestAuthentication(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		creds := ts.partner(t)
		revoked, err := ts.Service.CreateAPIKey(t.Context(), testActor, creds.PartnerID)
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.Service.RevokeAPIKey(t.Context(), testActor, revoked.APIKey); err != nil {
			t.Fatal(err)
		}
		other := ts.partner(t)
		tests := []struct {
			name        string
			key, secret string
		}{
			{"no headers", "", ""},
			{"key only", creds.APIKey, ""},
			{"secret only", "", creds.APISecret},
			{"unknown key", "ak_00000000000000000000000000000000", creds.APISecret},
			{"wrong secret", creds.APIKey, creds.APISecret + "x"},
			{"another partner's secret", creds.APIKey, other.APISecret},
			{"revoked key", revoked.APIKey, revoked.APISecret},
			{"oversized key", strings.Repeat("a", 10000), creds.APISecret},
		}
		var first []byte
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := ts.request(t, "POST", "/api/customers/create", nil, validBody,
					"X-API-Key", tt.key, "X-API-Secret", tt.secret, "X-Request-Id", "same-id")
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status = %d, want 401: %s", resp.StatusCode, resp.Body)
				}
				if first == nil {
					first = resp.Body
				} else if string(resp.Body) != string(first) {
					t.Errorf("body = %s, want the same as every other failure: %s", resp.Body, first)
				}
			})
		}
		if resp := ts.create(t, creds, validBody); resp.StatusCode != http.StatusOK {
			t.Errorf("valid credentials = %d, want 200: %s", resp.StatusCode, resp.Body)
		}
	})
}

func TestHTTPErrors(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		status  int
		code    string
		allow   string
	}{
		{"unknown path", "GET", "/nope", "", nil, 404, "not_found", ""},
		{"GET on create", "GET", "/api/customers/create", "", nil, 405, "method_not_allowed", "POST"},
		{"DELETE on create", "DELETE", "/api/customers/create", "", nil, 405, "method_not_allowed", "POST"},
		{"POST on healthz", "POST", "/healthz", "{}", nil, 405, "method_not_allowed", "GET, HEAD"},
		{"text body", "POST", "/api/customers/create", validBody, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
		{"form body", "POST", "/api/customers/create", "a=b", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"body over 1 MiB", "POST", "/api/customers/create", `{"partner_customer_id":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413, "request_too_large", ""},
		{"not JSON", "POST", "/api/customers/create", "{not json", nil, 400, "invalid_json", ""},
		{"JSON array", "POST", "/api/customers/create", "[]", nil, 400, "invalid_json", ""},
		{"trailing data", "POST", "/api/customers/create", validBody + "{}", nil, 400, "invalid_json", ""},
		{"invalid UTF-8", "POST", "/api/customers/create", strings.Replace(validBody, "Shenzhen", "Shen\xffzhen", 1), nil, 400, "invalid_json", ""},
		{"deep nesting", "POST", "/api/customers/create", strings.Repeat("[", 100000) + strings.Repeat("]", 100000), nil, 400, "invalid_json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := ts.request(t, tt.method, tt.path, &creds, tt.body, tt.headers...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			errObj, _ := resp.json(t)["error"].(map[string]any)
			if errObj["code"] != tt.code {
				t.Errorf("code = %v, want %s", errObj["code"], tt.code)
			}
			if errObj["request_id"] != resp.Header.Get("X-Request-Id") || errObj["request_id"] == "" {
				t.Errorf("request_id = %v, header X-Request-Id = %q; want the same, non-empty", errObj["request_id"], resp.Header.Get("X-Request-Id"))
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	tests := []struct {
		sent string
		echo bool
	}{
		{"abc-123_DEF.456:789", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"has space", false},
		{"<script>", false},
		{"", false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		resp := ts.request(t, "GET", "/nope", nil, "", "X-Request-Id", tt.sent)
		got := resp.Header.Get("X-Request-Id")
		if tt.echo && got != tt.sent {
			t.Errorf("X-Request-Id %q came back as %q, want it echoed", tt.sent, got)
		}
		if !tt.echo && (got == tt.sent || !strings.HasPrefix(got, "req_") || seen[got]) {
			t.Errorf("X-Request-Id %q came back as %q, want a new generated id", tt.sent, got)
		}
		seen[got] = true
		if errObj := resp.json(t)["error"].(map[string]any); errObj["request_id"] != got {
			t.Errorf("error.request_id = %v, want %q", errObj["request_id"], got)
		}
	}
}

func TestLogsCarryIDsButNoPersonalData(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	resp := ts.create(t, creds, validBody)
	id := resp.json(t)["customer_id"].(string)
	ts.create(t, creds, with(t, "primary_contact.contact_email", "not-an-email", "business_person_list.0.identification.id_number", ""))
	logs := ts.Logs.String()
	for _, want := range []string{id, creds.PartnerID, resp.Header.Get("X-Request-Id"), `"status":200`, `"status":400`, `"latency_ms"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, pii := range []string{"伟", "Zhang", "1985-06-15", "E12345678", "service@gemini.com", "8613800138000", "not-an-email", "深圳", creds.APISecret} {
		if strings.Contains(logs, pii) {
			t.Errorf("logs contain personal data or secrets %q:\n%s", pii, logs)
		}
	}
}

func TestHealth(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		ts := newTestServer(t, e)
		for _, path := range []string{"/healthz", "/readyz"} {
			if resp := ts.request(t, "GET", path, nil, ""); resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d, want 200: %s", path, resp.StatusCode, resp.Body)
			}
		}
	})
}
