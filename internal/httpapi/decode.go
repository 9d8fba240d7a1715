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

	"github.com/onboardkyb/onboard/internal/kyb"
)

// decodeJSON reads a JSON object into dst, a pointer to a struct, more
// strictly than encoding/json: every unknown field and every value of the
// wrong type is reported with its full path (all of them, not the first),
// invalid UTF-8 and trailing data are refused, and null means absent.
// Malformed JSON is an error; field problems are returned as a list so the
// caller can add the validation errors of the fields that did decode.
func decodeJSON(body []byte, dst any) ([]kyb.FieldError, error) {
	if !utf8.Valid(body) {
		return nil, kyb.InvalidRequest("invalid_json", "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, syntaxError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, kyb.InvalidRequest("invalid_json", "the request body has data after the JSON object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, kyb.InvalidRequest("invalid_json", "the request body must be a JSON object")
	}
	var d decoder
	d.value(v, reflect.ValueOf(dst).Elem(), "")
	return d.errs, nil
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
	errs []kyb.FieldError
}

func (d *decoder) fail(path, code, message string) {
	d.errs = append(d.errs, kyb.FieldError{Field: path, Code: code, Message: message})
}

var numberType = reflect.TypeFor[json.Number]()

// value stores the decoded JSON value v into dst, whose path is path.
func (d *decoder) value(v any, dst reflect.Value, path string) {
	if v == nil {
		return // null is the same as absent
	}
	switch {
	case dst.Type() == numberType:
		n, ok := v.(json.Number)
		if !ok {
			d.fail(path, kyb.CodeInvalidType, "must be a number")
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
			d.fail(path, kyb.CodeInvalidType, "must be a string")
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.fail(path, kyb.CodeInvalidType, "must be true or false")
			return
		}
		dst.SetBool(b)
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			d.fail(path, kyb.CodeInvalidType, "must be an array")
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
			d.fail(path, kyb.CodeInvalidType, "must be an object")
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
				d.fail(child, kyb.CodeUnknownField, "is not a known field")
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
