package openapi

import (
	"fmt"
	"regexp"
	"strings"
)

// The overlay's prose names the server's limits as {{name}}, so that a
// limit is written once, in Go: Generate is given them as facts (see
// httpapi.DocumentedFacts) and puts each where it is named.
var factPattern = regexp.MustCompile(`\{\{([a-z_]+)\}\}`)

// jsonBodyKey on a request body is the noun its description starts with:
// every JSON body is read alike, so the rest of the sentence is written
// here.
const jsonBodyKey = "x-json-body"

// describeJSONBodies turns each request body's x-json-body into its
// description.
func describeJSONBodies(doc *obj) {
	paths := doc.child("paths")
	for _, p := range paths.keys {
		item := paths.child(p)
		for _, method := range item.keys {
			body := item.child(method).child("requestBody")
			if body == nil {
				continue
			}
			if noun, ok := body.get(jsonBodyKey).(string); ok {
				body.replace(jsonBodyKey, "description", noun+", as application/json (a charset parameter is allowed), at most {{json_body_limit}}.")
			}
		}
	}
}

// putFacts replaces each {{name}} in the document's strings with its fact;
// a name without one, or a fact named nowhere, fails.
func putFacts(doc *obj, facts map[string]string) error {
	used := map[string]bool{}
	var missing []string
	var put func(v any) any
	put = func(v any) any {
		switch v := v.(type) {
		case string:
			if !strings.Contains(v, "{{") {
				return v
			}
			return factPattern.ReplaceAllStringFunc(v, func(m string) string {
				name := m[2 : len(m)-2]
				fact, ok := facts[name]
				if !ok {
					missing = append(missing, name)
				}
				used[name] = true
				return fact
			})
		case []any:
			for i, e := range v {
				v[i] = put(e)
			}
		case *obj:
			for _, k := range v.keys {
				v.vals[k] = put(v.vals[k])
			}
		}
		return v
	}
	put(doc)
	if len(missing) > 0 {
		return fmt.Errorf("overlay.json names %v, which are not among the facts given", missing)
	}
	for name := range facts {
		if !used[name] {
			return fmt.Errorf("the fact %s is named nowhere in overlay.json", name)
		}
	}
	return nil
}
