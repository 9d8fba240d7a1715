package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// decodeJSON reads a JSON object into dst, a pointer to a struct, more
// strictly than encoding/json: every unknown field and every value of the
// wrong type is reported with its full path (all of them, up to
// kyb.MaxFieldErrors), invalid UTF-8, trailing data and nesting deeper
// than maxDepth are refused, a key given twice is a field error, and null
// means absent.
// Malformed JSON is an error; field problems are returned as a list so the
// caller can add the validation errors of the fields that did decode.
//
// It decodes straight into dst in one pass over the bytes and builds only
// what dst holds, bounded by the field rules of package kyb as it reads: a
// list keeps at most its rule's items (the rest are counted, and reported
// as too many, but not decoded), a string at most one character more than
// its rule allows, and the values of unknown fields and of fields of the
// wrong type are stepped over without being built. So a hostile body costs
// a scan of its bytes, not a tree of them.
func decodeJSON(body []byte, dst any) ([]api.FieldError, error) {
	if !utf8.Valid(body) {
		return nil, kyb.InvalidRequest("invalid_json", "the request body is not valid UTF-8")
	}
	if !wellFormed(body) {
		return nil, whyInvalid(body)
	}
	d := decoder{b: body}
	d.space()
	if d.b[d.i] != '{' {
		if err := d.skip(0); err != nil {
			return nil, err
		}
		return nil, kyb.InvalidRequest("invalid_json", "the request body must be a JSON object")
	}
	if err := d.value(reflect.ValueOf(dst).Elem(), "", 0, kyb.Field{}); err != nil {
		return nil, err
	}
	return d.errs, nil
}

// maxDepth is how deeply arrays and objects may nest. A profile needs four
// levels; the limit refuses a body of brackets before it costs anything.
const maxDepth = 32

// errTooDeep refuses a body nested deeper than maxDepth.
var errTooDeep = kyb.InvalidRequest("invalid_json", fmt.Sprintf("the request body nests arrays and objects more than %d levels deep", maxDepth))

// whyInvalid reads a body that wellFormed refused with encoding/json's
// tokenizer, keeping nothing, to report where and how it is wrong.
func whyInvalid(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := skipTokens(dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return kyb.InvalidRequest("invalid_json", "the request body has data after the JSON object")
	}
	return kyb.InvalidRequest("invalid_json", "the request body is not valid JSON")
}

// skipTokens reads the next JSON value from dec, which is depth arrays and
// objects deep.
func skipTokens(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth == maxDepth {
		return errTooDeep
	}
	for dec.More() {
		if delim == '{' {
			if _, err := dec.Token(); err != nil { // the key
				return syntaxError(err)
			}
		}
		if err := skipTokens(dec, depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ] or }
		return syntaxError(err)
	}
	return nil
}

func syntaxError(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return kyb.InvalidRequest("invalid_json", fmt.Sprintf("the request body is not valid JSON: %v (at byte %d)", se, se.Offset))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return kyb.InvalidRequest("invalid_json", "the request body is empty or cut short")
	default:
		return kyb.InvalidRequest("invalid_json", "the request body is not valid JSON")
	}
}

// decoder reads JSON that wellFormed accepted, so it checks only what
// that does not promise: types and the bounds of the rules.
type decoder struct {
	b    []byte
	i    int
	errs []api.FieldError
}

func (d *decoder) fail(path, code, message string) {
	// More errors than a response lists would only cost time.
	if len(d.errs) < kyb.MaxFieldErrors {
		d.errs = append(d.errs, api.FieldError{Field: path, Code: code, Message: message})
	}
}

func (d *decoder) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

// next steps past the comma after a member or item, if any.
func (d *decoder) next() {
	d.space()
	if d.b[d.i] == ',' {
		d.i++
		d.space()
	}
}

var numberType = reflect.TypeFor[json.Number]()

// value decodes the value at d.i, which is depth arrays and objects deep,
// into dst, whose path is path and whose rule is rule (zero for none).
func (d *decoder) value(dst reflect.Value, path string, depth int, rule kyb.Field) error {
	c := d.b[d.i]
	if c == 'n' {
		d.i += 4
		return nil // null is the same as absent
	}
	switch {
	case dst.Type() == numberType:
		if c != '-' && (c < '0' || c > '9') {
			d.fail(path, api.CodeInvalidType, "must be a number")
			return d.skip(depth)
		}
		dst.SetString(string(cut(d.number(), rule.MaxLength())))
		return nil
	case dst.Kind() == reflect.Pointer:
		elem := reflect.New(dst.Type().Elem())
		err := d.value(elem.Elem(), path, depth, rule)
		dst.Set(elem)
		return err
	}
	switch dst.Kind() {
	case reflect.String:
		if c != '"' {
			d.fail(path, api.CodeInvalidType, "must be a string")
			return d.skip(depth)
		}
		dst.SetString(d.str(rule.MaxLength()))
		return nil
	case reflect.Bool:
		switch c {
		case 't':
			dst.SetBool(true)
		case 'f':
			dst.SetBool(false)
		default:
			d.fail(path, api.CodeInvalidType, "must be true or false")
			return d.skip(depth)
		}
		return d.skip(depth)
	case reflect.Slice:
		if c != '[' {
			d.fail(path, api.CodeInvalidType, "must be an array")
			return d.skip(depth)
		}
		return d.list(dst, path, depth, rule)
	case reflect.Struct:
		if c != '{' {
			d.fail(path, api.CodeInvalidType, "must be an object")
			return d.skip(depth)
		}
		return d.object(dst, path, depth)
	default:
		panic("httpapi: cannot decode into " + dst.Type().String())
	}
}

// list decodes the array at d.i into the slice dst. Past the rule's most
// items the rest are only counted, and the list is reported as too long.
func (d *decoder) list(dst reflect.Value, path string, depth int, rule kyb.Field) error {
	if depth == maxDepth {
		return errTooDeep
	}
	limit := rule.MaxItems()
	item := kyb.Field{Kind: rule.Kind, Max: rule.Max} // a file id list's items keep its MaxLength
	if rule.Kind == kyb.FieldObjectList {
		item = kyb.Field{}
	}
	items := reflect.MakeSlice(dst.Type(), 0, 0)
	d.i++
	d.space()
	n := 0
	for ; d.b[d.i] != ']'; n++ {
		var err error
		if limit == 0 || n < limit {
			items = reflect.Append(items, reflect.Zero(dst.Type().Elem()))
			err = d.value(items.Index(n), path+"["+strconv.Itoa(n)+"]", depth+1, item)
		} else {
			err = d.skip(depth + 1)
		}
		if err != nil {
			return err
		}
		d.next()
	}
	d.i++
	dst.Set(items)
	if limit > 0 && n > limit {
		d.fail(path, api.CodeTooMany, kyb.TooManyItems(limit))
	}
	return nil
}

// object decodes the object at d.i into the struct dst. Its errors are
// listed in the order of its keys, so that the same body gets the same
// list whatever the order of its members.
func (d *decoder) object(dst reflect.Value, path string, depth int) error {
	if depth == maxDepth {
		return errTooDeep
	}
	fields := fieldsOf(dst.Type())
	var seen, given2 uint64 // by field index: given, given more than once
	var unknown map[string]bool
	// The members with errors, which d.errs[first:] holds in body order.
	var failed []member
	first := len(d.errs)
	d.i++
	d.space()
	for d.b[d.i] != '}' {
		key := d.key()
		d.space()
		d.i++ // the colon
		d.space()
		f, known := fields.byName[string(key)]
		start := len(d.errs)
		var err error
		switch bit := uint64(1) << f.index; {
		case !known:
			// Past the errors a response lists, a key is not even copied.
			if len(d.errs) < kyb.MaxFieldErrors && !unknown[string(key)] {
				if unknown == nil {
					unknown = map[string]bool{}
				}
				name := string(key)
				unknown[name] = true
				d.fail(join(path, name), api.CodeUnknownField, "is not a known field")
				failed = append(failed, member{name, start, len(d.errs)})
			}
			err = d.skip(depth + 1)
		case given2&bit != 0:
			err = d.skip(depth + 1)
		case seen&bit != 0:
			// encoding/json would silently keep the last value, where
			// another reader of the same body may keep the first.
			given2 |= bit
			dst.Field(f.index).SetZero()
			failed = append(failed, member{f.name, -1, -1})
			err = d.skip(depth + 1)
		default:
			seen |= bit
			err = d.value(dst.Field(f.index), join(path, f.name), depth+1, f.rule)
			if len(d.errs) > start {
				failed = append(failed, member{f.name, start, len(d.errs)})
			}
		}
		if err != nil {
			return err
		}
		d.next()
	}
	d.i++
	if len(failed) > 1 || len(failed) == 1 && failed[0].start < 0 {
		d.errs = append(d.errs[:first], sortedErrors(d.errs, path, failed)...)
		d.errs = d.errs[:min(len(d.errs), kyb.MaxFieldErrors)]
	}
	return nil
}

// member names the errors d.errs[start:end] of one object member; a start
// of -1 marks a key given more than once.
type member struct {
	key        string
	start, end int
}

// sortedErrors returns the errors of an object's failed members by key,
// with one error for a key given more than once in place of what its
// first value had.
func sortedErrors(errs []api.FieldError, path string, failed []member) []api.FieldError {
	slices.SortStableFunc(failed, func(a, b member) int { return strings.Compare(a.key, b.key) })
	var out []api.FieldError
	for i := 0; i < len(failed); {
		j := i + 1
		for j < len(failed) && failed[j].key == failed[i].key {
			j++
		}
		if failed[j-1].start < 0 {
			out = append(out, api.FieldError{Field: join(path, failed[i].key), Code: api.CodeInvalidValue, Message: "is given more than once"})
		} else {
			out = append(out, errs[failed[i].start:failed[i].end]...)
		}
		i = j
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// skip steps over the value at d.i, which is depth arrays and objects
// deep, building nothing.
func (d *decoder) skip(depth int) error {
	switch c := d.b[d.i]; c {
	case '{', '[':
		if depth == maxDepth {
			return errTooDeep
		}
		end := byte(']')
		if c == '{' {
			end = '}'
		}
		d.i++
		d.space()
		for d.b[d.i] != end {
			if c == '{' {
				d.rawString()
				d.space()
				d.i++ // the colon
				d.space()
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.next()
		}
		d.i++
	case '"':
		d.rawString()
	case 't', 'n':
		d.i += 4
	case 'f':
		d.i += 5
	default:
		d.number()
	}
	return nil
}

// number returns the number at d.i.
func (d *decoder) number() []byte {
	start := d.i
	for d.i < len(d.b) && strings.IndexByte("+-.0123456789eE", d.b[d.i]) >= 0 {
		d.i++
	}
	return d.b[start:d.i]
}

// rawString steps over the string at d.i and returns what lies between its
// quotes, and whether that has escapes.
func (d *decoder) rawString() (raw []byte, escaped bool) {
	d.i++
	start := d.i
	for d.b[d.i] != '"' {
		if d.b[d.i] == '\\' {
			escaped = true
			d.i++
		}
		d.i++
	}
	d.i++
	return d.b[start : d.i-1], escaped
}

// key returns the object key at d.i; only one with escapes is copied.
func (d *decoder) key() []byte {
	raw, escaped := d.rawString()
	if escaped {
		return []byte(unquote(raw, 0))
	}
	return raw
}

// str returns the string at d.i, cut to max+1 characters when max is not 0.
func (d *decoder) str(max int) string {
	raw, escaped := d.rawString()
	if escaped {
		return unquote(raw, max)
	}
	return string(cut(raw, max))
}

// cut returns the first max+1 characters of UTF-8 s, or all of s when max
// is 0 or s is no longer.
func cut(s []byte, max int) []byte {
	if max == 0 || len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if utf8.RuneStart(s[i]) {
			if n == max+1 {
				return s[:i]
			}
			n++
		}
	}
	return s
}

// unquote decodes the escapes of raw, the inside of a valid JSON string,
// as encoding/json does (an unpaired surrogate becomes U+FFFD), stopping
// after max+1 characters when max is not 0.
func unquote(raw []byte, max int) string {
	size := len(raw) // the most it can take: escapes only shorten text
	if max > 0 {
		size = min(size, utf8.UTFMax*(max+1))
	}
	out := make([]byte, 0, size)
	for n := 0; len(raw) > 0 && (max == 0 || n <= max); n++ {
		if raw[0] != '\\' {
			_, size := utf8.DecodeRune(raw)
			out, raw = append(out, raw[:size]...), raw[size:]
			continue
		}
		c := raw[1]
		raw = raw[2:]
		switch c {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(raw)
			raw = raw[4:]
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if len(raw) >= 6 && raw[0] == '\\' && raw[1] == 'u' {
					r2 = hex4(raw[2:])
				}
				if pair := utf16.DecodeRune(r, r2); pair != unicode.ReplacementChar {
					r, raw = pair, raw[6:]
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default: // " \ /
			out = append(out, c)
		}
	}
	return string(out)
}

// hex4 reads the four hex digits that follow \u in valid JSON.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// structField is a struct field the decoder fills: its index, JSON name
// and, for the objects of a profile, its rule.
type structField struct {
	index int
	name  string
	rule  kyb.Field
}

type structFields struct {
	byName map[string]structField
}

var fieldCache sync.Map // reflect.Type -> structFields

// rulesByType holds the rule of every field of every profile object.
var rulesByType = sync.OnceValue(func() map[reflect.Type]map[string]kyb.Field {
	m := map[reflect.Type]map[string]kyb.Field{}
	for _, o := range kyb.ProfileObjects() {
		m[o.Type] = map[string]kyb.Field{}
		for _, f := range o.Fields {
			m[o.Type][f.Name] = f
		}
	}
	return m
})

// fieldsOf maps the JSON names of a struct's fields to their indexes and
// rules.
func fieldsOf(t reflect.Type) structFields {
	if m, ok := fieldCache.Load(t); ok {
		return m.(structFields)
	}
	if t.NumField() > 64 {
		panic("httpapi: the decoder tracks at most 64 fields of " + t.String())
	}
	rules := rulesByType()[t]
	fs := structFields{byName: make(map[string]structField, t.NumField())}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs.byName[name] = structField{index: i, name: name, rule: rules[name]}
	}
	fieldCache.Store(t, fs)
	return fs
}
