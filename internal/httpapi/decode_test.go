package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzParseValid checks the fast parser of valid bodies against the
// tokenizer it stands in for: the same value, or the same error.
func FuzzParseValid(f *testing.F) {
	for _, seed := range []string{
		`{"a":1,"b":[true,false,null,"x\\u00e9\\n",{"c":-1.5e3}],"a":{}}`,
		` { "partner_customer_id" : "partner-customer-000001" , "x" : [ ] } `,
		`{"\\u0061":1,"a":2}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`"just a string"`, `0`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) || !utf8.Valid(body) { // decodeJSON refuses invalid UTF-8 first
			return
		}
		fast, fastErr := parseValid(body)
		slow, slowErr := parseInvalid(body)
		if (fastErr == nil) != (slowErr == nil) || (fastErr != nil && fastErr.Error() != slowErr.Error()) {
			t.Fatalf("errors differ: fast %v, tokenizer %v", fastErr, slowErr)
		}
		if !reflect.DeepEqual(fast, slow) {
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(slow)
			if !bytes.Equal(a, b) {
				t.Fatalf("values differ:\nfast      %s\ntokenizer %s", a, b)
			}
			t.Fatalf("values differ: %#v vs %#v", fast, slow)
		}
	})
}
