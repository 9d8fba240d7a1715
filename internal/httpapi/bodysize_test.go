package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/storetest"
)

// wide is a letter of four UTF-8 bytes (U+20000, CJK Extension B), the
// most a character of free text can take unescaped.
const wide = "\U00020000"

// largestProfile builds, from the field rules, the customer with the most
// of everything the rules allow: every object and field given, every list
// full, every text as long as allowed and written in four-byte letters.
// fileID gives the id each file field holds: the real ones to create it,
// ids of kyb.MaxFileIDLength characters to measure the most it can take.
func largestProfile(fileID func(field string) string) map[string]any {
	objects := map[string]kyb.Object{}
	for _, o := range kyb.ProfileObjects() {
		objects[o.Name] = o
	}
	var build func(o kyb.Object) map[string]any
	build = func(o kyb.Object) map[string]any {
		out := map[string]any{}
		for _, f := range o.Fields {
			var v any
			switch f.Kind {
			case kyb.FieldText:
				v = strings.Repeat(wide, f.Max)
			case kyb.FieldFileID:
				v = fileID(f.Name)
			case kyb.FieldFileIDList:
				ids := make([]any, f.Max)
				for i := range ids {
					ids[i] = fileID(f.Name)
				}
				v = ids
			case kyb.FieldPartnerCustomerID:
				v = strings.Repeat("p", kyb.MaxPartnerCustomerID)
			case kyb.FieldCountry:
				v = "CN"
			case kyb.FieldCurrency:
				v = "USD"
			case kyb.FieldAmount:
				v = json.Number(strings.Repeat("9", f.Max))
			case kyb.FieldPhone:
				v = "+8613800138000"
			case kyb.FieldEmail:
				// 64 + 1 + 189 bytes: the longest address the rule allows.
				v = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 61) + "." + strings.Repeat("c", 61) + "." + strings.Repeat("d", 61) + ".com"
			case kyb.FieldWebsite:
				v = "https://www.example.com/" + strings.Repeat(wide, f.Max-len("https://www.example.com/"))
			case kyb.FieldPastDate, kyb.FieldBirthDate:
				v = "1985-06-15T00:00:00.999999999+08:00"
			case kyb.FieldExpiryDate:
				v = "2039-02-28T00:00:00.999999999+08:00"
			case kyb.FieldObject:
				v = build(objects[f.Object])
			case kyb.FieldObjectList:
				items := make([]any, f.Max)
				for i := range items {
					items[i] = build(objects[f.Object])
				}
				v = items
			default:
				panic(fmt.Sprintf("largestProfile: no value for kind %d of %s", f.Kind, f.Name))
			}
			out[f.Name] = v
		}
		return out
	}
	return build(objects["Profile"])
}

// asciiOnly escapes every non-ASCII character of JSON text as \uXXXX (a
// pair of them beyond the BMP), as Python's json.dumps does by default.
func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
}

// TestLargestValidCustomerFits measures the largest customer the rules
// allow, as clients commonly write it, and checks that the create body
// limit takes each form; the figures are in the README and RELIABILITY.md.
func TestLargestValidCustomerFits(t *testing.T) {
	longIDs := largestProfile(func(string) string { return "file_" + strings.Repeat("f", kyb.MaxFileIDLength-len("file_")) })
	compact, _ := json.Marshal(longIDs)
	indented, _ := json.MarshalIndent(longIDs, "", "  ")
	forms := []struct {
		name string
		size int
	}{
		{"compact UTF-8", len(compact)},
		{"indented UTF-8", len(indented)},
		{"compact, non-ASCII escaped", len(asciiOnly(string(compact)))},
		{"indented, non-ASCII escaped", len(asciiOnly(string(indented)))},
	}
	for _, f := range forms {
		t.Logf("largest valid customer, %s: %d bytes (%.0f%% of the %d-byte limit)", f.name, f.size, 100*float64(f.size)/float64(httpapi.MaxJSONBodyBytes), httpapi.MaxJSONBodyBytes)
		if f.size > httpapi.MaxJSONBodyBytes {
			t.Errorf("largest valid customer, %s: %d bytes, over the limit of %d", f.name, f.size, httpapi.MaxJSONBodyBytes)
		}
	}

	// And it is valid: created with the files the partner uploaded.
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	fileIDs := map[string]string{"business_identifier_document_list": validBodyFiles[0].id, "id_document_front_file_id": validBodyFiles[1].id, "id_document_back_file_id": validBodyFiles[2].id}
	real, _ := json.MarshalIndent(largestProfile(func(field string) string { return fileIDs[field] }), "", "  ")
	resp := ts.create(t, creds, asciiOnly(string(real)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create the largest customer = %d, want 200: %.1000s", resp.StatusCode, resp.Body)
	}
}
