package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/onboardkyb/onboard/api"
)

// FuzzUnquote checks the decoder's reading of JSON strings against
// encoding/json's: the same text, and when cut, its first characters.
func FuzzUnquote(f *testing.F) {
	for _, seed := range []string{
		`"plain"`, `"x\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r"`, `"\\ud83d\\ude00 pair"`, `"\\ud83d alone"`,
		`"\\ude00\\ud83d reversed"`, `"\\ud83d\\u0041 high then not low"`, `"深圳市示例科技有限公司"`, `""`,
	} {
		f.Add([]byte(seed), 3)
	}
	f.Fuzz(func(t *testing.T, quoted []byte, max int) {
		var want string
		if !utf8.Valid(quoted) || json.Unmarshal(quoted, &want) != nil || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return
		}
		max = max & 0xff
		d := decoder{b: quoted}
		got := d.str(max)
		if d.i != len(quoted) {
			t.Fatalf("read %d of %d bytes of %q", d.i, len(quoted), quoted)
		}
		if max > 0 {
			if r := []rune(want); len(r) > max+1 {
				want = string(r[:max+1])
			}
		}
		if got != want {
			t.Fatalf("str(%d) of %s = %q, want %q", max, quoted, got, want)
		}
	})
}

// TestDecodeErrorsInKeyOrder: the errors of an object come in the order of
// its keys, whatever the order of its members in the body, and a key given
// twice has one error in place of what its first value had.
func TestDecodeErrorsInKeyOrder(t *testing.T) {
	bodies := []string{
		`{"zz":1,"business_details":{"website":1,"business_name":2,"business_name":3},"aa":[1],"partner_customer_id":true}`,
		`{"partner_customer_id":true,"aa":[1],"business_details":{"business_name":[1],"website":1,"business_name":3},"zz":1}`,
	}
	want := []string{
		"aa unknown_field",
		"business_details.business_name invalid_value",
		"business_details.website invalid_type",
		"partner_customer_id invalid_type",
		"zz unknown_field",
	}
	for _, body := range bodies {
		var p api.Profile
		errs, err := decodeJSON([]byte(body), &p)
		if err != nil {
			t.Fatalf("decodeJSON(%s) = %v", body, err)
		}
		var got []string
		for _, fe := range errs {
			got = append(got, fe.Field+" "+fe.Code)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("decodeJSON(%s) errors:\n%s\nwant:\n%s", body, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
