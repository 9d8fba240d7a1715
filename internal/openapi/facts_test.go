package openapi

import (
	"strings"
	"testing"
)

// TestPutFacts: each {{name}} becomes its fact, a JSON body's noun its
// description; a name without a fact, or a fact named nowhere, fails.
func TestPutFacts(t *testing.T) {
	overlay := `{"info": {"description": "at most {{limit}}, {{limit}} again"}, "paths": {"/a": {"post": {"requestBody": {"x-json-body": "The reason", "required": true}}}}}`
	v, err := parse([]byte(overlay))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(*obj)
	describeJSONBodies(doc)
	if err := putFacts(doc, map[string]string{"limit": "512 KiB", "json_body_limit": "64 KiB"}); err != nil {
		t.Fatal(err)
	}
	out, err := marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"info":{"description":"at most 512 KiB, 512 KiB again"},"paths":{"/a":{"post":{"requestBody":` +
		`{"description":"The reason, as application/json (a charset parameter is allowed), at most 64 KiB.","required":true}}}}}`
	if got := string(out); got != want {
		t.Errorf("the document is\n%s\nwant\n%s", out, want)
	}
	for facts, wantErr := range map[string]map[string]string{
		"not among the facts": {},
		"named nowhere":       {"limit": "1", "spare": "2"},
	} {
		v, err := parse([]byte(`{"info": {"description": "{{limit}}"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := putFacts(v.(*obj), wantErr); err == nil || !strings.Contains(err.Error(), facts) {
			t.Errorf("putFacts with %v = %v, want an error saying %q", wantErr, err, facts)
		}
	}
}
