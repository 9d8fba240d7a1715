package openapi

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// Shared schemas that generated fields refer to rather than repeat.
const (
	refPlainText   = "#/components/schemas/PlainText"
	refUTCDateTime = "#/components/schemas/UTCDateTime"
	refCountryCode = "#/components/schemas/CountryCode"
)

// Texts the documentation repeats for every field of a presence.
const (
	notGiven       = "null, an empty string and an absent key all mean the field is not given."
	requiredString = "Required; an empty string counts as missing."
	listNotGiven   = "null and [] mean the list is not given."
)

// schemaName is the component name of an object's request (input) or
// response variant.
func schemaName(object string, input bool) string {
	switch {
	case object == "Profile" && input:
		return "CustomerRequest"
	case input:
		return object + "Input"
	}
	return object
}

// profileSchemas builds the request and response schema of every profile
// object from kyb's rule tables, keyed by component name.
func profileSchemas() (map[string]*obj, error) {
	objects := kyb.ProfileObjects()
	// How each object is used by the object that holds it.
	holder := map[string]kyb.Field{}
	for _, o := range objects {
		for _, f := range o.Fields {
			if f.Object != "" {
				holder[f.Object] = f
			}
		}
	}
	out := map[string]*obj{}
	for _, o := range objects {
		jsonFields, err := goFields(o.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		var names []string
		for _, f := range jsonFields {
			names = append(names, f.name)
		}
		fields := map[string]kyb.Field{}
		for _, f := range o.Fields {
			fields[f.Name] = f
		}
		if len(fields) != len(names) {
			return nil, fmt.Errorf("%s: api has the fields %q, the rule table %d fields", o.Name, names, len(fields))
		}
		in, err := objectSchema(o, holder[o.Name], names, fields, true)
		if err != nil {
			return nil, err
		}
		resp, err := objectSchema(o, holder[o.Name], names, fields, false)
		if err != nil {
			return nil, err
		}
		if o.Name != "Profile" {
			// The customer adds properties to the profile, which a
			// closed request object would refuse.
			resp, err = narrowed(schemaName(o.Name, true), in, resp)
			if err != nil {
				return nil, err
			}
		}
		out[schemaName(o.Name, true)], out[schemaName(o.Name, false)] = in, resp
		out[patchName(o.Name)] = patchSchema(o, in)
	}
	return out, nil
}

// patchName is the component name of an object's merge patch, the body
// of updateCustomer.
func patchName(object string) string {
	if object == "Profile" {
		return "CustomerUpdateRequest"
	}
	return object + "Patch"
}

// patchSchema is the merge patch (RFC 7396) of an object, from its request
// schema: every property optional, a nested object a patch of its own that
// null removes, anything else (lists too) as in the request, replacing the
// current value whole.
func patchSchema(o kyb.Object, in *obj) *obj {
	s := newObj()
	s.set("type", typ("object", o.Name != "Profile"))
	s.set("description", sentences(o.Description, "A merge patch: the members given replace the customer's, null removes one (a required one is then reported as required), and one not given stays as it is."))
	s.set("additionalProperties", false)
	props, inProps := newObj(), in.child("properties")
	for _, name := range inProps.keys {
		p := clone(inProps.get(name))
		for _, f := range o.Fields {
			if f.Name == name && f.Kind == kyb.FieldObject {
				p = newObj("$ref", "#/components/schemas/"+patchName(f.Object))
			}
		}
		props.set(name, p)
	}
	s.set("properties", props)
	return s
}

// narrowed writes a response object as its request object, which allows
// everything the response does and more (null, "", any time-zone offset),
// with only what the response says differently: it is the request's
// schema (allOf) narrowed.
func narrowed(request string, in, resp *obj) (*obj, error) {
	out := newObj("type", resp.get("type"), "description", resp.get("description"),
		"allOf", []any{newObj("$ref", "#/components/schemas/"+request)},
		"additionalProperties", false)
	props := newObj()
	inProps := in.child("properties")
	for _, name := range resp.child("properties").keys {
		p, err := difference(inProps.child(name), resp.child("properties").child(name))
		if err != nil {
			return nil, err
		}
		props.set(name, p)
	}
	out.set("properties", props)
	for _, k := range resp.keys {
		if out.has(k) || k == "required" {
			continue
		}
		if same, err := equal(in.get(k), resp.get(k)); err != nil {
			return nil, err
		} else if !same {
			out.set(k, resp.get(k))
		}
	}
	return out, nil
}

// difference is b without the keys that a has with the same value.
func difference(a, b *obj) (*obj, error) {
	out := newObj()
	for _, k := range b.keys {
		same, err := equal(a.get(k), b.get(k))
		if err != nil {
			return nil, err
		}
		if !same {
			out.set(k, b.get(k))
		}
	}
	return out, nil
}

func equal(a, b any) (bool, error) {
	ja, err := marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := marshal(b)
	return bytes.Equal(ja, jb), err
}

func objectSchema(o kyb.Object, held kyb.Field, names []string, fields map[string]kyb.Field, input bool) (*obj, error) {
	var required []string
	for _, f := range o.Fields {
		if f.Required {
			required = append(required, f.Name)
		}
	}
	s := newObj()
	nullable := input && held.Name != "" && !held.Required && held.Kind == kyb.FieldObject
	s.set("type", typ("object", nullable))
	s.set("description", objectDescription(o, held, required, input))
	if len(required) > 0 {
		s.set("required", strs(required))
	}
	s.set("additionalProperties", false)
	props := newObj()
	for _, name := range names {
		f, ok := fields[name]
		if !ok {
			return nil, fmt.Errorf("%s.%s has no rule", o.Name, name)
		}
		p, err := fieldSchema(f, input)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", o.Name, name, err)
		}
		props.set(name, p)
	}
	s.set("properties", props)
	for _, f := range o.Fields {
		if f.RequiredWith == "" {
			continue
		}
		if !input {
			s.set("dependentRequired", newObj(f.RequiredWith, strs([]string{f.Name})))
			continue
		}
		// A null amount is no amount, so the rule applies to a number only.
		s.set("if", newObj("required", strs([]string{f.RequiredWith}),
			"properties", newObj(f.RequiredWith, newObj("type", "number"))))
		s.set("then", newObj("required", strs([]string{f.Name}),
			"properties", newObj(f.Name, newObj("type", "string", "minLength", 1))))
	}
	return s, nil
}

func objectDescription(o kyb.Object, held kyb.Field, required []string, input bool) string {
	d := o.Description
	switch {
	case held.Name == "":
		// The profile itself: the overlay says more.
	case held.Kind == kyb.FieldObjectList:
		if input {
			d += " An item may not be null."
		}
	case held.Required && held.MissingReportsFields:
		if input {
			d += " Required; null counts as missing (" + and(required) + " are then reported as required)."
		}
	case held.Required:
		if input {
			d += " Required; null counts as missing."
		}
	case !input && len(required) == 0:
		d += " It is {} when the request sent an empty object."
	case !input:
	case len(required) == 0:
		d += " Optional; null means not given."
	case len(required) == 1:
		d += " Optional; null means not given, but when given its " + required[0] + " is required."
	default:
		d += " Optional; null means not given, but when given its " + and(required) + " are required."
	}
	return d
}

// and joins names as prose: "a", "a and b", "a, b and c".
func and(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func fieldSchema(f kyb.Field, input bool) (*obj, error) {
	optional := !f.Required
	// what the kind adds to the field's description, and its schema.
	var (
		what  string
		s     = newObj()
		valid *obj // the constraints a given value meets, besides the type
	)
	switch f.Kind {
	case kyb.FieldObject:
		if f.Description != "" {
			return nil, fmt.Errorf("an object field is described by its object")
		}
		return newObj("$ref", "#/components/schemas/"+schemaName(f.Object, input)), nil
	case kyb.FieldObjectList:
		s.set("type", typ("array", input))
		s.set("description", sentences(f.Description, "At most "+strconv.Itoa(f.Max)+".", listPresence(input)))
		if !input {
			s.set("minItems", 1)
		}
		s.set("maxItems", f.Max)
		s.set("items", newObj("$ref", "#/components/schemas/"+schemaName(f.Object, input)))
		return s, nil
	case kyb.FieldFileIDList:
		s.set("type", typ("array", input))
		what = "At most " + strconv.Itoa(f.Max) + " ids of at most " + strconv.Itoa(kyb.MaxFileIDLength) + " characters each."
		if input {
			what += " Items may be neither empty nor null."
		}
		s.set("description", sentences(f.Description, what, listPresence(input)))
		if !input {
			s.set("minItems", 1)
		}
		s.set("maxItems", f.Max)
		s.set("items", textSchema(kyb.MaxFileIDLength, true))
		return s, nil
	case kyb.FieldText, kyb.FieldFileID:
		what = "At most " + strconv.Itoa(f.Max) + " characters."
		s.set("type", typ("string", input && optional))
		lengths(s, !input || !optional, f.Max)
		s.set("allOf", []any{newObj("$ref", refPlainText)})
	case kyb.FieldPartnerCustomerID:
		what = fmt.Sprintf("%d to %d printable ASCII characters (U+0021 to U+007E, so no spaces).", kyb.MinPartnerCustomerID, kyb.MaxPartnerCustomerID)
		s.set("type", "string")
		s.set("minLength", kyb.MinPartnerCustomerID)
		s.set("maxLength", kyb.MaxPartnerCustomerID)
		s.set("pattern", fmt.Sprintf(`^[\x21-\x7E]{%d,%d}$`, kyb.MinPartnerCustomerID, kyb.MaxPartnerCustomerID))
		s.set("examples", []any{"ptn-cust-000000000001"})
	case kyb.FieldCountry:
		what = "An ISO 3166-1 alpha-2 country code."
		if input {
			what = "An ISO 3166-1 alpha-2 country code in uppercase, such as US. Only officially assigned codes are accepted, plus XK (Kosovo); withdrawn codes such as AN and YU are rejected with invalid_format."
		}
		valid = newObj("$ref", refCountryCode)
		s.set("examples", []any{"US"})
	case kyb.FieldCurrency:
		what = "An active ISO 4217 code in uppercase, such as USD (the test codes XTS and XXX are rejected)."
		valid = newObj("pattern", "^[A-Z]{3}$")
		s.set("examples", []any{"USD"})
	case kyb.FieldAmount:
		what = fmt.Sprintf("A JSON number of zero or more, written in at most %d characters. It is returned with exactly the digits it was sent with (100.50 stays 100.50).", f.Max)
		s.set("type", typ("number", input))
		s.set("minimum", 0)
		s.set("examples", []any{99.99})
	case kyb.FieldPhone:
		what = "In E.164 form (a plus, then up to 15 digits, the first not zero) and a valid number of its country, such as +14155550123."
		valid = newObj("pattern", `^\+[1-9][0-9]{1,14}$`)
		s.set("examples", []any{"+14155550123"})
	case kyb.FieldEmail:
		what = fmt.Sprintf("A single bare address (no display name, no angle brackets) whose domain has at least two labels, such as name@example.com. At most %d bytes.", f.Max)
		lengths(s, !input, f.Max)
		valid = newObj("format", "email")
		s.set("examples", []any{"compliance@example.com"})
	case kyb.FieldWebsite:
		what = fmt.Sprintf("An absolute http or https URL with a host (the scheme is case-insensitive), without spaces, tabs or control characters, at most %d characters, such as https://www.example.com.", f.Max)
		lengths(s, !input, f.Max)
		valid = newObj("format", "uri", "pattern", `^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7F-\x9F]+$`)
		s.set("examples", []any{"https://www.example.com"})
	case kyb.FieldPastDate, kyb.FieldExpiryDate, kyb.FieldBirthDate:
		switch f.Kind {
		case kyb.FieldPastDate:
			what = "It must not lie in the future."
		case kyb.FieldExpiryDate:
			what = "It must be later than " + f.After + " when both are given. A date in the past is accepted."
		case kyb.FieldBirthDate:
			what = "It must lie in the past, on or after " + kyb.FormatTime(kyb.EarliestBirthDate) + "."
		}
		if input {
			what += " An RFC 3339 date-time with a time-zone offset, such as 2023-11-07T05:31:56Z or 2023-11-07T13:31:56+08:00. Fractional seconds are accepted and dropped: the customer object returns it in UTC with whole seconds."
			valid = newObj("format", "date-time")
			s.set("examples", []any{"2023-11-07T05:31:56Z"})
		} else {
			what += " In UTC with whole seconds, such as 2023-11-07T05:31:56Z."
			s.set("allOf", []any{newObj("$ref", refUTCDateTime)})
		}
	default:
		return nil, fmt.Errorf("unknown kind %d", f.Kind)
	}
	if f.RequiredWith != "" {
		what += " Required when " + f.RequiredWith + " is given."
	}
	if !s.has("type") {
		s.set("type", typ("string", input && optional))
	}
	if valid != nil {
		// A given value is valid; an optional one may also be "" on the way in.
		if input && optional {
			s.set("anyOf", []any{valid, newObj("const", "")})
		} else {
			for _, k := range valid.keys {
				if k == "$ref" {
					s.set("allOf", []any{valid})
				} else {
					s.set(k, valid.get(k))
				}
			}
		}
	}
	var absent string
	switch {
	case !input:
		// A response leaves out what was not given.
	case f.Required && (f.Kind == kyb.FieldText || f.Kind == kyb.FieldFileID):
		absent = requiredString
	case f.Required:
		absent = "Required."
	case f.Kind == kyb.FieldAmount:
		absent = "null means not given."
	default:
		absent = notGiven
	}
	return withDescription(s, sentences(f.Description, what, absent)), nil
}

// textSchema is free text of at most max characters.
func textSchema(max int, required bool) *obj {
	s := newObj("type", "string")
	lengths(s, required, max)
	s.set("allOf", []any{newObj("$ref", refPlainText)})
	return s
}

// lengths bounds a string to max characters, and to at least one when it
// must not be empty.
func lengths(s *obj, nonEmpty bool, max int) {
	if nonEmpty {
		s.set("minLength", 1)
	}
	s.set("maxLength", max)
}

// withDescription puts d right after the type and the examples last,
// where the document keeps them.
func withDescription(s *obj, d string) *obj {
	out := newObj("type", s.get("type"), "description", d)
	for _, k := range s.keys {
		if k != "type" && k != "examples" {
			out.set(k, s.get(k))
		}
	}
	if s.has("examples") {
		out.set("examples", s.get("examples"))
	}
	return out
}

// listPresence is what a list's description says about leaving it out:
// responses leave out what was not given and say nothing.
func listPresence(input bool) string {
	if input {
		return listNotGiven
	}
	return ""
}

func sentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// typ is a JSON Schema type, with null when nullable.
func typ(t string, nullable bool) any {
	if nullable {
		return []any{t, "null"}
	}
	return t
}

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
