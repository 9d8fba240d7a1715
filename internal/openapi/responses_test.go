package openapi

import (
	"strings"
	"testing"
)

// TestAddStandardParts: each operation gets the answers of who may call it,
// the body answers when it takes one, the request id parameter and header
// (and a partner's successful answers the rate-limit headers), and keeps
// what it gives itself, with its responses in the order of their codes.
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
			`"200":{"description":"ok","headers":{"X-Request-Id":{"$ref":"#/components/headers/X-Request-Id"},` +
			`"X-RateLimit-Limit":{"$ref":"#/components/headers/X-RateLimit-Limit"},"X-RateLimit-Remaining":{"$ref":"#/components/headers/X-RateLimit-Remaining"},` +
			`"X-RateLimit-Reset":{"$ref":"#/components/headers/X-RateLimit-Reset"}},"content":{}},` +
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

// TestAddErrorBodies: a shared answer is an error with the Error object as
// its body, the example beside its description going into it, unless it
// has a body of its own or says it has none.
func TestAddErrorBodies(t *testing.T) {
	v, err := parse([]byte(`{"components": {"responses": {
		"Plain": {"description": "d"},
		"WithExample": {"description": "d", "headers": {}, "example": {"error": {}}},
		"Own": {"description": "d", "content": {"text/plain": {}}},
		"None": {"description": "d", "x-no-body": true}
	}}}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(*obj)
	addErrorBodies(doc)
	out, err := marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"components":{"responses":{` +
		`"Plain":{"description":"d","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},` +
		`"WithExample":{"description":"d","headers":{},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"},"example":{"error":{}}}}},` +
		`"Own":{"description":"d","content":{"text/plain":{}}},"None":{"description":"d"}}}}`
	if string(out) != want {
		t.Errorf("addErrorBodies made\n%s\nwant\n%s", out, want)
	}
}

// TestAddPathParameters: each {name} of a path is its component parameter,
// the /admin one where there is one, first and in the path's order; a
// path parameter the overlay lists itself, or one without a component,
// fails.
func TestAddPathParameters(t *testing.T) {
	components := `"components": {"parameters": {"CustomerId": {}, "AdminCustomerId": {}, "FileId": {}, "Limit": {}}}`
	v, err := parse([]byte(`{"paths": {
		"/api/customers/{customer_id}/files/{file_id}": {"get": {"description": "d", "responses": {}}},
		"/admin/customers/{customer_id}": {"get": {"parameters": [{"$ref": "#/components/parameters/Limit"}], "responses": {}}},
		"/admin/files/{file_id}": {"get": {"requestBody": {}, "responses": {}}},
		"/healthz": {"get": {"responses": {}}}
	}, ` + components + `}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(*obj)
	if err := addPathParameters(doc); err != nil {
		t.Fatal(err)
	}
	out, err := marshal(doc.child("paths"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"/api/customers/{customer_id}/files/{file_id}":{"get":{"description":"d","parameters":[{"$ref":"#/components/parameters/CustomerId"},{"$ref":"#/components/parameters/FileId"}],"responses":{}}},` +
		`"/admin/customers/{customer_id}":{"get":{"parameters":[{"$ref":"#/components/parameters/AdminCustomerId"},{"$ref":"#/components/parameters/Limit"}],"responses":{}}},` +
		`"/admin/files/{file_id}":{"get":{"parameters":[{"$ref":"#/components/parameters/FileId"}],"requestBody":{},"responses":{}}},` +
		`"/healthz":{"get":{"responses":{}}}}`
	if string(out) != want {
		t.Errorf("addPathParameters made\n%s\nwant\n%s", out, want)
	}
	for name, paths := range map[string]string{
		"listed by the overlay": `"/api/files/{file_id}": {"get": {"parameters": [{"$ref": "#/components/parameters/FileId"}], "responses": {}}}`,
		"without a component":   `"/api/partners/{partner_id}": {"get": {"responses": {}}}`,
	} {
		v, err := parse([]byte(`{"paths": {` + paths + `}, ` + components + `}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := addPathParameters(v.(*obj)); err == nil {
			t.Errorf("a path parameter %s: no error", name)
		}
	}
}
