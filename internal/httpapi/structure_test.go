package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// nested returns n arrays nested in one another around value.
func nested(n int, value string) string {
	return strings.Repeat("[", n) + value + strings.Repeat("]", n)
}

// nestedObjects returns n objects nested in one another around value.
func nestedObjects(n int, value string) string {
	return strings.Repeat(`{"a":`, n) + value + strings.Repeat("}", n)
}

// repeated returns a JSON array of n copies of item.
func repeated(n int, item string) string {
	return "[" + strings.Repeat(item+",", n-1) + item + "]"
}

// TestHostileBodyShapes sends create bodies built to cost the server: deep
// nesting, long lists, long strings and numbers, bad encodings, duplicate
// keys. Each gets a 400 or 413 with the right code, never a 500, and an
// answer within seconds.
func TestHostileBodyShapes(t *testing.T) {
	const name = "business_details.business_name"
	body := func(path string, rawValue string) string {
		return strings.Replace(with(t, path, "PLACEHOLDER"), `"PLACEHOLDER"`, rawValue, 1)
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   string // the error's code
		field  string // with invalid_request: the field of the first detail
		detail string // and its code
	}{
		// business_name is two objects deep: 30 arrays make the 32 levels allowed.
		{"arrays 30 deep in a field, the most allowed", body(name, nested(30, "1")), 400, "invalid_request", name, "invalid_type"},
		{"arrays 31 deep in a field", body(name, nested(31, "1")), 400, "invalid_json", "", ""},
		{"arrays 9 999 deep in a field", body(name, nested(9999, "1")), 400, "invalid_json", "", ""},
		{"arrays 250 000 deep", nested(250000, ""), 400, "invalid_json", "", ""},
		{"objects 80 000 deep in a field", body(name, nestedObjects(80000, "1")), 400, "invalid_json", "", ""},
		{"21 persons", withPersons(t, 21), 400, "invalid_request", "business_person_list", "too_many"},
		{"10 000 document ids", withDocuments(t, 10000), 400, "invalid_request", "business_details.business_identifier_document_list", "too_many"},
		{"100 000 empty persons", body("business_person_list", repeated(100000, "{}")), 400, "invalid_request", "business_person_list", "too_many"},
		// The answer lists the first kyb.MaxFieldErrors problems: decoding
		// problems come first.
		{"200 000 numbers for document ids", body("business_details.business_identifier_document_list", repeated(200000, "1")), 400, "invalid_request", "business_details.business_identifier_document_list[0]", "invalid_type"},
		{"40 000 unknown fields", "{" + unknownFields(40000) + "}", 400, "invalid_request", "x0", "unknown_field"},
		{"a name of 500 000 characters", with(t, name, strings.Repeat("a", 500000)), 400, "invalid_request", name, "too_long"},
		{"a name past the body limit", with(t, name, strings.Repeat("a", 1<<20)), 413, "request_too_large", "", ""},
		{"a number of 100 000 digits for a string", body(name, strings.Repeat("9", 100000)), 400, "invalid_request", name, "invalid_type"},
		{"an amount of 100 000 digits", body("account_usage.estimated_monthly_revenue_amount", strings.Repeat("9", 100000)), 400, "invalid_request", "account_usage.estimated_monthly_revenue_amount", "too_long"},
		{"an amount with a huge exponent", body("account_usage.estimated_monthly_revenue_amount", "1e999999999"), 400, "invalid_request", "account_usage.estimated_monthly_revenue_amount", "invalid_value"},
		{"invalid UTF-8 in a string", strings.Replace(validBody, "Keyuan", "Key\xed\xa0\x80uan", 1), 400, "invalid_json", "", ""},
		{"invalid UTF-8 in a key", strings.Replace(validBody, `"business_name"`, "\"business\xffname\"", 1), 400, "invalid_json", "", ""},
		{"a second object after the first", validBody + validBody, 400, "invalid_json", "", ""},
		{"a stray bracket after the object", validBody + "]", 400, "invalid_json", "", ""},
		{"a duplicate key", strings.Replace(validBody, `"business_name": "深圳市示例科技有限公司",`, `"business_name": "A", "business_name": "B",`, 1), 400, "invalid_request", name, "invalid_value"},
		{"a duplicate top-level key", strings.Replace(validBody, "{", `{"partner_customer_id": "another-customer-00000001",`, 1), 400, "invalid_request", "partner_customer_id", "invalid_value"},
		{"a duplicate key, once null", strings.Replace(validBody, "{", `{"business_details": null,`, 1), 400, "invalid_request", "business_details", "invalid_value"},
		{"null", "null", 400, "invalid_json", "", ""},
		{"a string", `"{}"`, 400, "invalid_json", "", ""},
		{"nothing but 500 000 spaces", strings.Repeat(" ", 500000), 400, "invalid_json", "", ""},
		{"spaces past the body limit", strings.Repeat(" ", 1<<20) + validBody, 413, "request_too_large", "", ""},
	}
	ts := newTestServer(t, storetest.Engines()[0], withoutRateLimit())
	creds := ts.partner(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			resp := ts.request(t, "POST", "/api/customers/create", &creds, tt.body)
			elapsed := time.Since(start)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %.300s", resp.StatusCode, tt.status, resp.Body)
			}
			t.Logf("%d bytes in, %d bytes out, %v", len(tt.body), len(resp.Body), elapsed)
			errObj, _ := resp.json(t)["error"].(map[string]any)
			if errObj["code"] != tt.code {
				t.Errorf("code = %v, want %s: %.300s", errObj["code"], tt.code, resp.Body)
			}
			if tt.field != "" {
				details, _ := errObj["details"].([]any)
				var first map[string]any
				if len(details) > 0 {
					first, _ = details[0].(map[string]any)
				}
				if first["field"] != tt.field || first["code"] != tt.detail || len(details) > kyb.MaxFieldErrors {
					t.Errorf("%d details = %.300v, want first %s %s and at most %d", len(details), details, tt.field, tt.detail, kyb.MaxFieldErrors)
				}
			}
			if elapsed > 10*time.Second {
				t.Errorf("answered in %v, want well under 10s", elapsed)
			}
		})
	}
}

func unknownFields(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"x%d":1`, i)
	}
	return b.String()
}
