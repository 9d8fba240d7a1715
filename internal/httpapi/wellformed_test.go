package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// wellFormedByLibrary is what wellFormed stands in for: json.Valid, and
// no array or object nested deeper than maxDepth.
func wellFormedByLibrary(b []byte) bool {
	if !json.Valid(b) {
		return false
	}
	depth, inString := 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return false
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return true
}

var wellFormedCases = []string{
	``, ` `, `{}`, ` {} `, "\t{\n}\r\n", `[]`, `[ ]`, `{ }`, `"x"`, `0`, `-0`, `-`, `01`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`,
	`-1.25e-3`, `2.`, `true`, `false`, `null`, `tru`, `nul`, `nulll`, `True`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`,
	`[1,2]`, `[1,]`, `[,1]`, `[1 2]`, `{"a":[1,{"b":null}]}`, `{}{}`, `{} x`, `"\u00e9"`, `"\u00E9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\\\""`,
	`"a` + "\x01" + `"`, `"a` + "\x7f" + `"`, "\"\xff\xfe\"", `"unterminated`, `"\`, `{"a":"b"`, `[`, `{`, `]`, `}`, `[[]]`, `{"a":{"b":{}}}`,
	`{"business_person_list":[{"basic_info":{"first_name":"Ωmega","birth_date":"1980-01-01T00:00:00Z"}}],"amount":100.50}`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth),
	strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1),
	strings.Repeat("[", 100000),
	`"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["`,
}

func TestWellFormed(t *testing.T) {
	for _, c := range wellFormedCases {
		if got, want := wellFormed([]byte(c)), wellFormedByLibrary([]byte(c)); got != want {
			t.Errorf("wellFormed(%.60q) = %v, json.Valid and the depth say %v", c, got, want)
		}
	}
}

// FuzzWellFormed holds wellFormed to json.Valid and the depth limit on any
// bytes.
func FuzzWellFormed(f *testing.F) {
	for _, c := range wellFormedCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := wellFormed(b), wellFormedByLibrary(b); got != want {
			t.Errorf("wellFormed(%q) = %v, json.Valid and the depth say %v", b, got, want)
		}
	})
}

// BenchmarkWellFormed reads a body of a create's size, against
// json.Valid.
func BenchmarkWellFormed(b *testing.B) {
	person := map[string]any{"basic_info": map[string]any{"first_name": "Jane", "last_name": "Doe", "birth_date": "1980-05-17T00:00:00Z", "nationality": "GB"},
		"residential_address": map[string]any{"residential_address_line1": "2 Sample Road", "residential_address_city": "London", "residential_address_country_code": "GB"},
		"identification":      map[string]any{"id_type": "Passport", "id_number": "123456789", "id_issuing_country_code": "GB", "id_expiry_date": "2030-01-01T00:00:00Z"}}
	body, err := json.Marshal(map[string]any{"partner_customer_id": "ptn-cust-000000000001",
		"business_details":     map[string]any{"business_name": "Example Trading Ltd", "business_identifier_number": "12345678", "business_identifier_country_code": "GB"},
		"registration_address": map[string]any{"registration_address_line1": "1 Example Street", "registration_address_city": "London", "registration_address_country_code": "GB"},
		"account_usage":        map[string]any{"operating_country": "GB", "estimated_monthly_revenue_amount": 25000.5},
		"business_person_list": []any{person, person}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.Run("wellFormed", func(b *testing.B) {
		for b.Loop() {
			wellFormed(body)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		for b.Loop() {
			json.Valid(body)
		}
	})
}
