package httpapi

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
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
