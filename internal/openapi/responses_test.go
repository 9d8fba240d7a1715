package openapi

import (
	"strings"
	"testing"
)

// TestAddStandardParts: each operation gets the answers of who may call it,
// the body answers when it takes one, the request id parameter and header,
// and keeps what it gives itself, with its responses in the order of
// their codes.
func TestAddStandardParts(t *testing.T) {
	v, err := parse([]byte(`{"paths": {
		"/a": {"post": {"requestBody": {}, "responses": {"200": {"description": "ok", "content": {}}, "400": {"$ref": "#/components/responses/Mine"}, "413": {"$ref": "#/components/responses/MyTooLarge"}}}},
		"/b": {"get": {"security": [{"operatorToken": []}], "parameters": [{"$ref": "#/components/parameters/RequestId"}, {"$ref": "#/components/parameters/Last"}], "responses": {"200": {"description": "ok", "headers": {"ETag": {}}}}}},
		"/c": {"get": {"security": [], "responses": {"503": {"$ref": "#/components/responses/NotReady"}, "200": {"description": "ok"}}}}
	}, "components": {"responses": {"Mine": {"description": "mine", "content": {}}, "ForWebhooks": {"description": "a receiver's"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(*obj)
	addStandardParts(doc)
	out, err := marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		// A partner's operation with a body: the parameter goes before the
		// body, its own 400 and 413 stay.
		`"/a":{"post":{"parameters":[{"$ref":"#/components/parameters/RequestId"}],"requestBody":{},"responses":{` +
			`"200":{"description":"ok","headers":{"X-Request-Id":{"$ref":"#/components/headers/X-Request-Id"}},"content":{}},` +
			`"400":{"$ref":"#/components/responses/Mine"},"401":{"$ref":"#/components/responses/Unauthorized"},` +
			`"405":{"$ref":"#/components/responses/MethodNotAllowed"},"413":{"$ref":"#/components/responses/MyTooLarge"},` +
			`"415":{"$ref":"#/components/responses/UnsupportedMediaType"},"429":{"$ref":"#/components/responses/TooManyRequests"},` +
			`"500":{"$ref":"#/components/responses/InternalError"},"503":{"$ref":"#/components/responses/ServiceUnavailable"}}}}`,
		// An operator's, whose request id parameter stays where it is.
		`"parameters":[{"$ref":"#/components/parameters/RequestId"},{"$ref":"#/components/parameters/Last"}]`,
		`"200":{"description":"ok","headers":{"X-Request-Id":{"$ref":"#/components/headers/X-Request-Id"},"ETag":{}}},` +
			`"401":{"$ref":"#/components/responses/OperatorUnauthorized"},"405":{"$ref":"#/components/responses/MethodNotAllowed"},` +
			`"429":{"$ref":"#/components/responses/OperatorTooManyRequests"},"500":{"$ref":"#/components/responses/InternalError"},` +
			`"503":{"$ref":"#/components/responses/ServiceUnavailable"}}`,
		// A public one: no 401 or 429, and only its own 503.
		`"/c":{"get":{"security":[],"parameters":[{"$ref":"#/components/parameters/RequestId"}],"responses":{` +
			`"200":{"description":"ok","headers":{"X-Request-Id":{"$ref":"#/components/headers/X-Request-Id"}}},` +
			`"405":{"$ref":"#/components/responses/MethodNotAllowed"},"500":{"$ref":"#/components/responses/InternalError"},` +
			`"503":{"$ref":"#/components/responses/NotReady"}}}}`,
		// The answers an operation refers to carry the header; others not.
		`"Mine":{"description":"mine","headers":{"X-Request-Id":{"$ref":"#/components/headers/X-Request-Id"}},"content":{}}`,
		`"ForWebhooks":{"description":"a receiver's"}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the document lacks\n%s\nin\n%s", want, got)
		}
	}
}

// TestAddSecurity: /admin takes an operator's token, /api the document's
// default, anything else nothing; an overlay that says so itself fails.
func TestAddSecurity(t *testing.T) {
	v, err := parse([]byte(`{"paths": {
		"/admin/a": {"get": {"description": "d", "parameters": [], "responses": {}}},
		"/api/b": {"post": {"requestBody": {}, "responses": {}}},
		"/healthz": {"get": {"responses": {}}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(*obj)
	if err := addSecurity(doc); err != nil {
		t.Fatal(err)
	}
	out, err := marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"paths":{"/admin/a":{"get":{"description":"d","security":[{"operatorToken":[]}],"parameters":[],"responses":{}}},` +
		`"/api/b":{"post":{"requestBody":{},"responses":{}}},"/healthz":{"get":{"security":[],"responses":{}}}}}`
	if string(out) != want {
		t.Errorf("addSecurity made\n%s\nwant\n%s", out, want)
	}
	if err := addSecurity(doc); err == nil || !strings.Contains(err.Error(), "/admin/a") {
		t.Errorf("addSecurity over an operation with security = %v, want an error naming it", err)
	}
}
