package kyb_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// TestProfileRulesCoverTheProfile wants one rule for every JSON field of
// every profile type, every object a profile holds to have its table, and the references between rules to hold: an expiry
// follows the date it must come after (validation walks in order), a
// field required with another names one of its object, and every nested
// object has its table.
func TestProfileRulesCoverTheProfile(t *testing.T) {
	objects := kyb.ProfileObjects()
	types := map[string]reflect.Type{}
	for _, o := range objects {
		types[o.Name] = o.Type
	}
	for _, o := range objects {
		typ := o.Type
		if typ.Name() != o.Name || typ.PkgPath() != reflect.TypeFor[api.Profile]().PkgPath() {
			t.Errorf("the object %s is the type %s", o.Name, typ)
		}
		var want, got []string
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			want = append(want, name)
		}
		for i, f := range o.Fields {
			got = append(got, f.Name)
			earlier := func(name string, kind kyb.FieldKind) bool {
				return slices.ContainsFunc(o.Fields[:i], func(e kyb.Field) bool { return e.Name == name && e.Kind == kind })
			}
			if f.Kind == kyb.FieldExpiryDate && !earlier(f.After, kyb.FieldPastDate) {
				t.Errorf("%s.%s must come after %q, which is no earlier past date", o.Name, f.Name, f.After)
			}
			if f.RequiredWith != "" && !slices.ContainsFunc(o.Fields, func(e kyb.Field) bool { return e.Name == f.RequiredWith }) {
				t.Errorf("%s.%s is required with %q, which is not a field of %s", o.Name, f.Name, f.RequiredWith, o.Name)
			}
			if (f.Kind == kyb.FieldObject || f.Kind == kyb.FieldObjectList) && types[f.Object] == nil {
				t.Errorf("%s.%s holds %q, which has no table", o.Name, f.Name, f.Object)
			}
			if f.Kind != kyb.FieldObject && f.Description == "" {
				t.Errorf("%s.%s has no description", o.Name, f.Name)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the rules are for %q, the type has %q", o.Name, got, want)
		}
	}
}
