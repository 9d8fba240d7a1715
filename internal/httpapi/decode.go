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
func decodeJSON(body []byte, dst any) ([]api.FieldError, error) {
	if !utf8.Valid(body) {
		return nil, kyb.InvalidRequest("invalid_json", "the request body is not valid UTF-8")
	}
	var v any
	var err error
	if json.Valid(body) {
		v, err = parseValid(body)
	} else {
		v, err = parseInvalid(body) // only to say what is wrong
	}
	if err != nil {
		return nil, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, kyb.InvalidRequest("invalid_json", "the request body must be a JSON object")
	}
	var d decoder
	d.value(v, reflect.ValueOf(dst).Elem(), "")
	return d.errs, nil
}

// maxDepth is how deeply arrays and objects may nest. A profile needs four
// levels; the limit refuses a body of brackets before it costs anything.
const maxDepth = 32

// duplicate stands for the value of a key that an object has more than
// once, so that the decoder reports it at its path: encoding/json would
// silently keep the last value, where another reader of the same body may
// keep the first.
type duplicate struct{}

// parseInvalid reads a body that json.Valid refused with encoding/json's
// tokenizer, to report where and how it is wrong.
func parseInvalid(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, kyb.InvalidRequest("invalid_json", "the request body has data after the JSON object")
	}
	return v, nil
}

// readValue reads the next JSON value from dec, which is depth arrays and
// objects deep, numbers as json.Number.
func readValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth == maxDepth {
		return nil, errTooDeep
	}
	var v any
	if delim == '[' {
		items := []any{}
		for dec.More() {
			item, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
		v = items
	} else {
		obj := map[string]any{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, syntaxError(err)
			}
			item, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			name := key.(string) // Token reads only a string where a key belongs
			if _, seen := obj[name]; seen {
				item = duplicate{}
			}
			obj[name] = item
		}
		v = obj
	}
	if _, err := dec.Token(); err != nil { // the closing ] or }
		return nil, syntaxError(err)
	}
	return v, nil
}

// errTooDeep refuses a body nested deeper than maxDepth.
var errTooDeep = kyb.InvalidRequest("invalid_json", fmt.Sprintf("the request body nests arrays and objects more than %d levels deep", maxDepth))

// parseValid builds the value of a body that json.Valid accepted, the
// way readValue would, in one pass over the bytes: it is the hot path of
// every create, where the tokenizer's allocations showed in profiles.
func parseValid(body []byte) (any, error) {
	p := validParser{b: body}
	p.space()
	return p.value(0)
}

// validParser reads JSON known to be valid, so it checks nothing but depth.
type validParser struct {
	b []byte
	i int
}

func (p *validParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// value reads the value at p.i, which is depth arrays and objects deep.
func (p *validParser) value(depth int) (any, error) {
	switch c := p.b[p.i]; c {
	case '{', '[':
		if depth == maxDepth {
			return nil, errTooDeep
		}
		p.i++
		p.space()
		if c == '[' {
			items := []any{}
			for p.b[p.i] != ']' {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				items = append(items, item)
				p.space()
				if p.b[p.i] == ',' {
					p.i++
					p.space()
				}
			}
			p.i++
			return items, nil
		}
		obj := map[string]any{}
		for p.b[p.i] != '}' {
			name := p.str()
			p.space()
			p.i++ // the colon
			p.space()
			item, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, seen := obj[name]; seen {
				item = duplicate{}
			}
			obj[name] = item
			p.space()
			if p.b[p.i] == ',' {
				p.i++
				p.space()
			}
		}
		p.i++
		return obj, nil
	case '"':
		return p.str(), nil
	case 't':
		p.i += 4
		return true, nil
	case 'f':
		p.i += 5
		return false, nil
	case 'n':
		p.i += 4
		return nil, nil
	default: // a number
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("+-.0123456789eE", p.b[p.i]) >= 0 {
			p.i++
		}
		return json.Number(p.b[start:p.i]), nil
	}
}

// str reads the string at p.i; only one with escapes needs decoding.
func (p *validParser) str() string {
	start := p.i
	p.i++
	escaped := false
	for p.b[p.i] != '"' {
		if p.b[p.i] == '\\' {
			escaped = true
			p.i++
		}
		p.i++
	}
	p.i++
	raw := p.b[start:p.i]
	if !escaped {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	json.Unmarshal(raw, &s) // valid JSON string: cannot fail
	return s
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

type decoder struct {
	errs []api.FieldError
}

func (d *decoder) fail(path, code, message string) {
	// More errors than a response lists would only cost time.
	if len(d.errs) < kyb.MaxFieldErrors {
		d.errs = append(d.errs, api.FieldError{Field: path, Code: code, Message: message})
	}
}

var numberType = reflect.TypeFor[json.Number]()

// value stores the decoded JSON value v into dst, whose path is path.
func (d *decoder) value(v any, dst reflect.Value, path string) {
	if v == nil {
		return // null is the same as absent
	}
	if _, ok := v.(duplicate); ok {
		d.fail(path, api.CodeInvalidValue, "is given more than once")
		return
	}
	switch {
	case dst.Type() == numberType:
		n, ok := v.(json.Number)
		if !ok {
			d.fail(path, api.CodeInvalidType, "must be a number")
			return
		}
		dst.SetString(string(n))
		return
	case dst.Kind() == reflect.Pointer:
		elem := reflect.New(dst.Type().Elem())
		d.value(v, elem.Elem(), path)
		dst.Set(elem)
		return
	}
	switch dst.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			d.fail(path, api.CodeInvalidType, "must be a string")
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.fail(path, api.CodeInvalidType, "must be true or false")
			return
		}
		dst.SetBool(b)
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			d.fail(path, api.CodeInvalidType, "must be an array")
			return
		}
		s := reflect.MakeSlice(dst.Type(), len(items), len(items))
		for i, item := range items {
			d.value(item, s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		dst.Set(s)
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			d.fail(path, api.CodeInvalidType, "must be an object")
			return
		}
		fields := fieldsOf(dst.Type())
		// Sorted keys make the error list the same for the same body.
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := k
			if path != "" {
				child = path + "." + k
			}
			i, ok := fields[k]
			if !ok {
				d.fail(child, api.CodeUnknownField, "is not a known field")
				continue
			}
			d.value(obj[k], dst.Field(i), child)
		}
	default:
		panic("httpapi: cannot decode into " + dst.Type().String())
	}
}

var fieldCache sync.Map // reflect.Type -> map[string]int

// fieldsOf maps the JSON names of a struct's fields to their indexes.
func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}
