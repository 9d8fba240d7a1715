package openapi

import "fmt"

// The overlay writes an example once, under "x-examples", and uses it
// wherever it fits with {"x-example": "Name"}: the customer a create
// answers is the one a get answers, an event listed is the event a webhook
// delivers. Keys beside x-example replace the example's own (or follow
// them, when it has none), for the variant an answer shows: the same
// admin customer, now marked for review, say.
const (
	examplesKey   = "x-examples"
	exampleUseKey = "x-example"
)

// expandExamples puts each named example where the document uses it and
// drops the names.
func expandExamples(doc *obj) error {
	named := doc.child(examplesKey)
	doc.del(examplesKey)
	if named == nil {
		named = newObj()
	}
	used := map[string]bool{}
	var expand func(v any, path string, depth int) (any, error)
	expand = func(v any, path string, depth int) (any, error) {
		if depth > 16 {
			return nil, fmt.Errorf("%s: x-example goes round", path)
		}
		switch v := v.(type) {
		case []any:
			for i, e := range v {
				x, err := expand(e, fmt.Sprintf("%s[%d]", path, i), depth)
				if err != nil {
					return nil, err
				}
				v[i] = x
			}
			return v, nil
		case *obj:
			name, isUse := v.get(exampleUseKey).(string)
			if !isUse {
				for _, k := range v.keys {
					x, err := expand(v.get(k), path+"."+k, depth)
					if err != nil {
						return nil, err
					}
					v.vals[k] = x
				}
				return v, nil
			}
			if v.keys[0] != exampleUseKey {
				return nil, fmt.Errorf("%s: x-example comes first, before what it replaces", path)
			}
			base := named.get(name)
			if base == nil {
				return nil, fmt.Errorf("%s: no example %q under %s", path, name, examplesKey)
			}
			used[name] = true
			out, err := expand(clone(base), path+"("+name+")", depth+1)
			if err != nil {
				return nil, err
			}
			overrides := v.keys[1:]
			if len(overrides) > 0 {
				o, ok := out.(*obj)
				if !ok {
					return nil, fmt.Errorf("%s: the example %s is not an object, so nothing can replace its keys", path, name)
				}
				for _, k := range overrides {
					x, err := expand(v.get(k), path+"."+k, depth)
					if err != nil {
						return nil, err
					}
					o.set(k, x)
				}
			}
			return out, nil
		}
		return v, nil
	}
	for _, k := range doc.keys {
		x, err := expand(doc.get(k), k, 0)
		if err != nil {
			return err
		}
		doc.vals[k] = x
	}
	for _, name := range named.keys {
		if !used[name] {
			return fmt.Errorf("%s.%s is used nowhere", examplesKey, name)
		}
	}
	return nil
}
