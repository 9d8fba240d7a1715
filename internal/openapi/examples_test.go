package openapi

import (
	"strings"
	"testing"
)

// TestExpandExamples: a named example goes where it is used, named
// examples inside it too, the keys beside x-example replacing its own in
// place or following them; the names leave the document, and an unknown
// or unused name fails.
func TestExpandExamples(t *testing.T) {
	v, err := parse([]byte(`{"x-examples": {
		"Person": {"name": "Jane", "age": 40},
		"Customer": {"id": "c1", "people": [{"x-example": "Person"}], "status": "pending"}
	}, "paths": {
		"/a": {"example": {"x-example": "Customer"}},
		"/b": {"example": {"x-example": "Customer", "status": "active", "version": 2}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(*obj)
	if err := expandExamples(doc); err != nil {
		t.Fatal(err)
	}
	out, err := marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"paths":{"/a":{"example":{"id":"c1","people":[{"name":"Jane","age":40}],"status":"pending"}},` +
		`"/b":{"example":{"id":"c1","people":[{"name":"Jane","age":40}],"status":"active","version":2}}}}`
	if string(out) != want {
		t.Errorf("expandExamples made\n%s\nwant\n%s", out, want)
	}
	for overlay, wantErr := range map[string]string{
		`{"x-examples": {}, "paths": {"/a": {"example": {"x-example": "Nobody"}}}}`:               `no example "Nobody"`,
		`{"x-examples": {"Spare": {}}, "paths": {}}`:                                              "Spare is used nowhere",
		`{"x-examples": {"Loop": {"x-example": "Loop"}}, "paths": {"/a": {"x-example": "Loop"}}}`: "goes round",
		`{"x-examples": {"A": {"k": 1}}, "paths": {"/a": {"k": 2, "x-example": "A"}}}`:            "comes first",
	} {
		v, err := parse([]byte(overlay))
		if err != nil {
			t.Fatal(err)
		}
		if err := expandExamples(v.(*obj)); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("expandExamples(%s) = %v, want an error saying %q", overlay, err, wantErr)
		}
	}
}
