// Package openapi generates onboard's OpenAPI document: the profile schemas
// from kyb's rule tables and api's types, everything else from the overlay
// (overlay.json) that holds what Go cannot say: paths, prose, examples.
//
// Keywords understood only here join the two:
//
//   - "x-generated": "Object input" (or "output", or "patch": its merge
//     patch) marks where a schema built
//     from kyb.ProfileObjects goes; the placeholder's other keys are laid
//     over the generated ones (a longer description, say).
//   - "x-go": "api.File" makes a schema describe that Go type: its
//     properties must be the type's JSON fields, which fix their order,
//     the fields encoding never omits are required, and a property gets
//     the JSON type of its field unless the overlay gives one (and a
//     time.Time field the UTCDateTime schema).
//   - "x-enum": "kyb.AuditActions" gives a property the values of that Go
//     list (see wireEnums) as its enum.
//   - "x-extends": "Name" makes a schema the named one (a component, or a
//     generated response object) with more properties: its required and
//     properties are appended to the base's, its other keys replace them.
//     Every object refuses unknown fields, which rules out allOf.
//   - "x-erasable": "erased_at", beside x-extends, makes the base's required
//     properties (but partner_customer_id) required only while the named
//     one is absent: an erased customer keeps its ids alone.
//
// The webhooks section is built from api.EventTypes (webhooks.go): the
// overlay gives each event its summary, description and example, and once,
// under "x-webhook-delivery", how every event is delivered.
//
// A JSON request body gives the noun its description starts with
// (x-json-body), and the prose names the server's limits as {{name}}:
// facts.go.
//
// Examples are written once, under "x-examples", and used by name
// (examples.go); a shared answer without a body of its own is an error
// with the Error object as its body (addErrorBodies in responses.go).
//
// Who may call an operation (its security) follows from its path, as do
// its path parameters: addSecurity and addPathParameters in responses.go.
//
// The answers and parts every operation shares (401, 405, 429, 500 and
// 503, 413 and 415 where it takes a body, the X-Request-Id parameter and
// header) are not in the overlay either: responses.go adds them by who may
// call the operation.
//
// Run it with go generate ./... (see internal/httpapi/health.go).
package openapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
)

//go:embed overlay.json
var overlay []byte

// Generate returns the document as internal/httpapi serves it. types adds
// to the Go types that x-go may name (those of package api and kyb);
// facts are the limits the prose names as {{name}} (facts.go).
func Generate(types map[string]reflect.Type, facts map[string]string) ([]byte, error) {
	all := maps.Clone(wireTypes)
	maps.Copy(all, types)
	types = all
	v, err := parse(overlay)
	if err != nil {
		return nil, fmt.Errorf("read overlay.json: %w", err)
	}
	doc, ok := v.(*obj)
	schemas := doc.path("components", "schemas")
	if !ok || schemas == nil {
		return nil, fmt.Errorf("overlay.json has no components.schemas")
	}
	if err := expandExamples(doc); err != nil {
		return nil, fmt.Errorf("overlay.json: %w", err)
	}
	addErrorBodies(doc)
	describeJSONBodies(doc)
	if err := putFacts(doc, facts); err != nil {
		return nil, err
	}
	generated, err := profileSchemas()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, name := range schemas.keys {
		s := schemas.child(name)
		mark, ok := s.get("x-generated").(string)
		if !ok {
			continue
		}
		object, variant, _ := strings.Cut(mark, " ")
		generatedName := schemaName(object, variant == "input")
		if variant == "patch" {
			generatedName = patchName(object)
		}
		g := generated[generatedName]
		if g == nil || (variant != "input" && variant != "output" && variant != "patch") {
			return nil, fmt.Errorf("components.schemas.%s: nothing generated for %q", name, mark)
		}
		used[generatedName] = true
		for _, k := range s.keys {
			if k != "x-generated" {
				g.set(k, s.get(k))
			}
		}
		schemas.set(name, g)
	}
	for name := range generated {
		if !used[name] && name != schemaName("Profile", false) {
			return nil, fmt.Errorf("the generated schema %s has no x-generated place in overlay.json", name)
		}
	}
	for _, name := range schemas.keys {
		s, err := extend(schemas, generated, types, name, 0)
		if err != nil {
			return nil, err
		}
		schemas.set(name, s)
	}
	if err := expandWebhooks(doc); err != nil {
		return nil, err
	}
	if err := addSecurity(doc); err != nil {
		return nil, err
	}
	if err := addPathParameters(doc); err != nil {
		return nil, err
	}
	addStandardParts(doc)
	if err := applyGo(doc, "#", types); err != nil {
		return nil, err
	}
	out, err := marshal(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// extend resolves the x-extends and x-go of the named schema.
func extend(schemas *obj, generated map[string]*obj, types map[string]reflect.Type, name string, depth int) (*obj, error) {
	s := schemas.child(name)
	if s == nil {
		s = generated[name]
	}
	if s == nil {
		return nil, fmt.Errorf("no schema %s to extend", name)
	}
	base, ok := s.get("x-extends").(string)
	if !ok {
		if s.has("x-go") {
			return s, fromGo(s, "#/components/schemas/"+name, types)
		}
		return s, nil
	}
	if depth > 8 {
		return nil, fmt.Errorf("components.schemas.%s: x-extends goes round", name)
	}
	b, err := extend(schemas, generated, types, base, depth+1)
	if err != nil {
		return nil, fmt.Errorf("components.schemas.%s: %w", name, err)
	}
	out := clone(b).(*obj)
	if erasedBy, ok := s.get("x-erasable").(string); ok {
		erasable(out, erasedBy)
	}
	for _, k := range s.keys {
		switch k {
		case "x-extends", "x-erasable":
		case "required":
			out.set(k, append(out.get(k).([]any), s.get(k).([]any)...))
		case "properties":
			props := out.child(k)
			for _, p := range s.child(k).keys {
				if props.has(p) {
					return nil, fmt.Errorf("components.schemas.%s: %s repeats the property %s", name, base, p)
				}
				props.set(p, s.child(k).get(p))
			}
		default:
			out.set(k, s.get(k))
		}
	}
	if out.has("x-go") {
		return out, fromGo(out, "#/components/schemas/"+name, types)
	}
	return out, nil
}

// erasable moves the required properties of s but partner_customer_id
// into an anyOf that the property erasedBy satisfies too.
func erasable(s *obj, erasedBy string) {
	var kept, erased []any
	for _, r := range s.get("required").([]any) {
		if r == "partner_customer_id" {
			kept = append(kept, r)
		} else {
			erased = append(erased, r)
		}
	}
	s.set("required", kept)
	either := func(names []any) *obj {
		o := newObj()
		o.set("required", names)
		return o
	}
	s.set("anyOf", []any{either(erased), either([]any{erasedBy})})
}

// clone copies objects and arrays deeply.
func clone(v any) any {
	switch v := v.(type) {
	case *obj:
		c := newObj()
		for _, k := range v.keys {
			c.set(k, clone(v.get(k)))
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = clone(e)
		}
		return c
	}
	return v
}
