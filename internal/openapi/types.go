package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// wireTypes are the Go types that an overlay schema names with x-go. The
// caller adds the JSON types of internal/httpapi, which this package
// cannot see.
var wireTypes = map[string]reflect.Type{
	"api.Attempt":             reflect.TypeFor[api.Attempt](),
	"api.Customer":            reflect.TypeFor[api.Customer](),
	"api.Data":                reflect.TypeFor[api.Data[any]](),
	"api.Deleted":             reflect.TypeFor[api.Deleted](),
	"api.Delivery":            reflect.TypeFor[api.Delivery](),
	"api.Endpoint":            reflect.TypeFor[api.Endpoint](),
	"api.EndpointRequest":     reflect.TypeFor[api.EndpointRequest](),
	"api.ErrorInfo":           reflect.TypeFor[api.ErrorInfo](),
	"api.ErrorResponse":       reflect.TypeFor[api.ErrorResponse](),
	"api.Event":               reflect.TypeFor[api.Event[any]](),
	"api.FieldError":          reflect.TypeFor[api.FieldError](),
	"api.File":                reflect.TypeFor[api.File](),
	"api.List":                reflect.TypeFor[api.List[any]](),
	"api.Upload":              reflect.TypeFor[api.Upload](),
	"kyb.Credentials":         reflect.TypeFor[kyb.Credentials](),
	"kyb.OperatorCredentials": reflect.TypeFor[kyb.OperatorCredentials](),
	"kyb.OperatorView":        reflect.TypeFor[kyb.OperatorView](),
	"kyb.StatusChange":        reflect.TypeFor[kyb.StatusChange](),
	"kyb.Erasure":             reflect.TypeFor[kyb.Erasure](),
	// Updates and information requests.
	"api.Requirement":         reflect.TypeFor[api.Requirement](),
	"api.Answer":              reflect.TypeFor[api.Answer](),
	"kyb.RequirementsRequest": reflect.TypeFor[kyb.RequirementsRequest](),
	"kyb.RequirementItem":     reflect.TypeFor[kyb.RequirementItem](),
	"kyb.Resolution":          reflect.TypeFor[kyb.Resolution](),
	"kyb.ReviewClearance":     reflect.TypeFor[kyb.ReviewClearance](),
}

// wireEnums are the Go lists that an overlay property names with x-enum to
// take its enum from, so that a value added in Go is documented.
var wireEnums = map[string][]string{
	"api.EventTypes":   api.EventTypes,
	"kyb.AuditActions": kyb.AuditActions,
}

// goField is one JSON field of a Go type.
type goField struct {
	name string
	// omitted is whether encoding may leave the field out.
	omitted bool
	typ     reflect.Type
}

// goFields lists t's JSON fields in order, those of embedded structs in
// their place.
func goFields(t reflect.Type) ([]goField, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s is not a struct", t)
	}
	var out []goField
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			inner, err := goFields(f.Type)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if tag == "-" {
			continue // never on the wire, as encoding/json has it
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			return nil, fmt.Errorf("%s.%s has no JSON name", t, f.Name)
		}
		omitted := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
		out = append(out, goField{name: name, omitted: omitted, typ: f.Type})
	}
	return out, nil
}

// jsonType is the JSON Schema type of a Go type, or "" when the overlay
// must say (json.Number, structs, interfaces).
func jsonType(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Time]():
		return "string"
	case t == reflect.TypeFor[json.Number](), t == reflect.TypeFor[json.RawMessage]():
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Pointer:
		return jsonType(t.Elem())
	}
	return ""
}

// fromGo makes s describe the Go type it names with x-go: an object that
// refuses unknown fields, with exactly the type's fields in its order,
// requiring every field that encoding never leaves out (the overlay may
// require more: what the service always sets), each of the JSON type of
// its Go type unless the overlay says otherwise, and a time.Time a
// UTCDateTime.
func fromGo(s *obj, at string, types map[string]reflect.Type) error {
	name, _ := s.get("x-go").(string)
	t := types[name]
	if t == nil {
		return fmt.Errorf("%s: x-go names the unknown type %q", at, name)
	}
	fields, err := goFields(t)
	if err != nil {
		return fmt.Errorf("%s: %w", at, err)
	}
	props := s.child("properties")
	if props == nil {
		return fmt.Errorf("%s: no properties", at)
	}
	required := map[string]bool{}
	if r, ok := s.get("required").([]any); ok {
		for _, n := range r {
			required[n.(string)] = true
		}
	}
	ordered, req := newObj(), []any{}
	for _, f := range fields {
		p := props.child(f.name)
		if p == nil {
			return fmt.Errorf("%s: no property for %s's field %s", at, name, f.name)
		}
		if !p.has("type") && !p.has("$ref") {
			if jt := jsonType(f.typ); jt != "" {
				p = withType(p, jt)
			}
		}
		if isTime(f.typ) && !p.has("allOf") && !p.has("$ref") {
			p.set("allOf", []any{ref("schemas", "UTCDateTime")})
		}
		ordered.set(f.name, p)
		if !f.omitted || required[f.name] {
			req = append(req, f.name)
			delete(required, f.name)
		}
	}
	if len(ordered.keys) != len(props.keys) || len(required) > 0 {
		return fmt.Errorf("%s: the properties %q or required %v are not the fields of %s", at, props.keys, required, name)
	}
	out := newObj("type", "object")
	for _, k := range []string{"description"} {
		if s.has(k) {
			out.set(k, s.get(k))
		}
	}
	out.set("required", req)
	out.set("additionalProperties", false)
	out.set("properties", ordered)
	for _, k := range s.keys {
		switch k {
		case "x-go", "type", "description", "required", "additionalProperties", "properties":
		default:
			out.set(k, s.get(k))
		}
	}
	*s = *out
	return nil
}

// isTime tells a time.Time field, written as a UTC date-time.
func isTime(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == reflect.TypeFor[time.Time]()
}

func withType(p *obj, t string) *obj {
	out := newObj("type", t)
	for _, k := range p.keys {
		out.set(k, p.get(k))
	}
	return out
}

// applyGo resolves every x-go under v.
func applyGo(v any, at string, types map[string]reflect.Type) error {
	switch v := v.(type) {
	case *obj:
		for _, k := range v.keys {
			if err := applyGo(v.get(k), at+"/"+k, types); err != nil {
				return err
			}
		}
		if name, ok := v.get("x-enum").(string); ok {
			values, known := wireEnums[name]
			if !known {
				return fmt.Errorf("%s: x-enum names the unknown list %q", at, name)
			}
			enum := make([]any, len(values))
			for i, s := range values {
				enum[i] = s
			}
			v.replace("x-enum", "enum", enum)
		}
		if v.has("x-go") {
			return fromGo(v, at, types)
		}
	case []any:
		for i, e := range v {
			if err := applyGo(e, fmt.Sprintf("%s/%d", at, i), types); err != nil {
				return err
			}
		}
	}
	return nil
}
