package httpapi_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/httpapi"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/openapi"
	"github.com/onboardkyb/onboard/internal/ratelimit"
	"github.com/onboardkyb/onboard/internal/storetest"
	"github.com/onboardkyb/onboard/internal/webhook"
)

// checkAgainstOpenAPI fails the test when a response does not match the
// OpenAPI document. The request helper calls it for every response, so
// every test that talks to the server also checks the document.
func checkAgainstOpenAPI(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if resp.Request != nil {
		// The response answers the last request made, after any redirect.
		req = resp.Request
	}
	if err := validateResponse(t.Context(), req, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, err, shownBody(resp.Header, body))
	}
}

// shownBody is as much of a body as an error message shows: the start of a
// JSON or text body, and only the size of any other.
func shownBody(header http.Header, body []byte) string {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if len(body) > 0 && mt != "application/json" && !strings.HasPrefix(mt, "text/") {
		return fmt.Sprintf("(%d bytes of %s)", len(body), header.Get("Content-Type"))
	}
	const max = 2000
	if len(body) > max {
		body = body[:max]
	}
	return string(body)
}

// openAPI is the embedded document, loaded once per test binary.
var openAPI struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// loadOpenAPI returns the embedded document, validated, and a router for
// it; the document must not be changed.
func loadOpenAPI() (*openapi3.T, routers.Router, error) {
	openAPI.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPIDocument())
		if err != nil {
			openAPI.err = fmt.Errorf("load the OpenAPI document: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			openAPI.err = fmt.Errorf("the OpenAPI document is invalid: %w", err)
			return
		}
		// The router would match the documented server's host and port,
		// and test servers listen on random ports: route by path alone.
		doc.Servers = nil
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			openAPI.err = fmt.Errorf("route the OpenAPI document: %w", err)
			return
		}
		openAPI.doc, openAPI.router = doc, router
	})
	return openAPI.doc, openAPI.router, openAPI.err
}

// formatValidators check the formats that kin-openapi leaves unchecked.
var formatValidators = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("email", openapi3.NewCallbackValidator(checkEmail)),
	openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(checkURI)),
}

// responseOptions check responses only: tests send invalid and
// unauthenticated requests on purpose, so requests are never validated.
var responseOptions = func() *openapi3filter.Options {
	o := &openapi3filter.Options{
		IncludeResponseStatus:   true,
		MultiError:              true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: formatValidators,
	}
	// The default message repeats the whole schema and value; the body is
	// printed once anyway.
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return fmt.Sprintf("at /%s: %s", strings.Join(err.JSONPointer(), "/"), err.Reason)
	})
	return o
}()

// checkEmail accepts what the server's email rule accepts in its shape: a
// bare address, without display name or angle brackets.
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%q is not a bare email address", s)
	}
	return nil
}

// checkURI accepts an absolute URI as Go parses it.
func checkURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URI", s)
	}
	return nil
}

// validateResponse reports how a response to req departs from the OpenAPI
// document: an undocumented status, a missing or malformed documented
// header, or a body that does not match its schema. A response on a path
// the document does not have must be an error with an Error body, and one
// for a method its path lacks must be a 405 with Allow.
func validateResponse(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	doc, router, err := loadOpenAPI()
	if err != nil {
		return err
	}
	routed := req
	if req.Method == http.MethodHead {
		// The server answers HEAD wherever it answers GET.
		routed = req.Clone(ctx)
		routed.Method = http.MethodGet
	}
	route, params, err := router.FindRoute(routed)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		if status < 400 {
			return fmt.Errorf("the path is not in the document, yet the status is %d rather than an error", status)
		}
		route = syntheticRoute(doc, req, "default", genericErrorResponse(doc))
	case errors.Is(err, routers.ErrMethodNotAllowed):
		if status != http.StatusMethodNotAllowed {
			return fmt.Errorf("the document has no %s operation on this path, yet the status is %d rather than 405", req.Method, status)
		}
		route = syntheticRoute(doc, req, "405", doc.Components.Responses["MethodNotAllowed"].Value)
	case err != nil:
		return fmt.Errorf("find the route: %w", err)
	}
	if req.Method == http.MethodHead {
		// ValidateResponse skips HEAD, whose response has no body.
		if route.Operation.Responses.Status(status) == nil && route.Operation.Responses.Default() == nil {
			return fmt.Errorf("status %d is not documented for GET %s", status, route.Path)
		}
		if header.Get("X-Request-Id") == "" {
			return errors.New("no X-Request-Id header")
		}
		return nil
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    responseOptions,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: responseOptions,
	})
	if err != nil {
		return err
	}
	return checkBinaryContent(route, status, header, body)
}

// checkBinaryContent checks what kin-openapi cannot in a body that is not
// JSON. The document describes such a body, a file's content, as a string
// with a contentMediaType; kin-openapi then only reads it as a string.
// Here the bytes must be of that media type, as the server itself would
// judge them, so that a PDF served as image/png is caught.
func checkBinaryContent(route *routers.Route, status int, header http.Header, body []byte) error {
	response := route.Operation.Responses.Status(status)
	if response == nil {
		response = route.Operation.Responses.Default()
	}
	if response == nil || response.Value == nil {
		return nil
	}
	mt := response.Value.Content.Get(header.Get("Content-Type"))
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || mt.Schema.Value.ContentMediaType == "" {
		return nil
	}
	declared, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("Content-Type %q: %w", header.Get("Content-Type"), err)
	}
	if want := mt.Schema.Value.ContentMediaType; declared != want {
		return fmt.Errorf("Content-Type %q, but the document describes the body as %s", declared, want)
	}
	if sniffed := kyb.SniffContentType(body); sniffed != declared {
		return fmt.Errorf("the body is served as %s, but its bytes are %s", declared, cmp.Or(sniffed, "of no accepted format"))
	}
	return nil
}

// genericErrorResponse is what every response outside the document must
// look like: an Error body with a request id.
func genericErrorResponse(doc *openapi3.T) *openapi3.Response {
	r := openapi3.NewResponse().
		WithDescription("Any error").
		WithJSONSchemaRef(doc.Components.Schemas["Error"])
	r.Headers = openapi3.Headers{"X-Request-Id": doc.Components.Headers["X-Request-Id"]}
	return r
}

// syntheticRoute is a route for a request the document has no operation
// for, answered only by response under the key status.
func syntheticRoute(doc *openapi3.T, req *http.Request, status string, response *openapi3.Response) *routers.Route {
	op := openapi3.NewOperation()
	op.Responses = openapi3.NewResponses(openapi3.WithName(status, response))
	return &routers.Route{Spec: doc, Path: req.URL.Path, Method: req.Method, Operation: op}
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPIDocument())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(t.Context(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}

	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			// Every response of every operation documents X-Request-Id.
			for status, r := range op.Responses.Map() {
				if r.Value.Headers["X-Request-Id"] == nil {
					t.Errorf("%s %s: response %s does not document X-Request-Id", method, path, status)
				}
			}
			// /admin takes an operator's bearer token, and only /admin
			// does; /api takes the partner's key and secret, the default.
			switch {
			case strings.HasPrefix(path, "/admin/"):
				if op.Security == nil || len(*op.Security) != 1 || len((*op.Security)[0]) != 1 || (*op.Security)[0]["operatorToken"] == nil {
					t.Errorf("%s %s: security is not operatorToken alone", method, path)
				}
				r := op.Responses.Status(http.StatusUnauthorized)
				if r == nil || r.Value.Headers["WWW-Authenticate"] == nil || !r.Value.Headers["WWW-Authenticate"].Value.Required {
					t.Errorf("%s %s: no 401 with a required WWW-Authenticate", method, path)
				}
				checkLimitHeaders(t, method, path, op, false)
			case strings.HasPrefix(path, "/api/"):
				if op.Security != nil {
					t.Errorf("%s %s: security is not the default (X-API-Key and X-API-Secret)", method, path)
				}
				if op.Responses.Status(http.StatusUnauthorized) == nil {
					t.Errorf("%s %s: no 401", method, path)
				}
				checkLimitHeaders(t, method, path, op, true)
			default:
				if op.Security == nil || len(*op.Security) != 0 {
					t.Errorf("%s %s: an operational endpoint that needs credentials", method, path)
				}
			}
		}
	}
	if doc.Security == nil || len(doc.Security) != 1 || doc.Security[0]["ApiKey"] == nil || doc.Security[0]["ApiSecret"] == nil {
		t.Errorf("the default security is not ApiKey and ApiSecret")
	}

	// Every object, at every level and wherever it is defined, refuses
	// unknown fields.
	for location, s := range documentSchemas(doc) {
		if location == openAPIDocumentSchema {
			// This document is described by the OpenAPI specification,
			// not by itself.
			continue
		}
		checkClosedObjects(t, location, s)
	}
}

// openAPIDocumentSchema is where documentSchemas finds the schema of this
// document's own 200 response.
const openAPIDocumentSchema = "#/paths/~1openapi.json/get/responses/200/content/application~1json/schema"

// documentSchemas returns every schema the document defines, by location:
// components, and the inline schemas of parameters, headers, request
// bodies and responses, of paths and of webhooks alike.
func documentSchemas(doc *openapi3.T) map[string]*openapi3.SchemaRef {
	out := map[string]*openapi3.SchemaRef{}
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }
	content := func(at string, c openapi3.Content) {
		for media, mt := range c {
			if mt != nil && mt.Schema != nil {
				out[at+"/content/"+esc(media)+"/schema"] = mt.Schema
			}
		}
	}
	response := func(at string, r *openapi3.ResponseRef) {
		if r == nil || r.Ref != "" || r.Value == nil {
			return
		}
		content(at, r.Value.Content)
		for name, h := range r.Value.Headers {
			if h.Ref == "" && h.Value != nil && h.Value.Schema != nil {
				out[at+"/headers/"+esc(name)+"/schema"] = h.Value.Schema
			}
		}
	}
	parameters := func(at string, ps openapi3.Parameters) {
		for i, p := range ps {
			if p.Ref == "" && p.Value != nil && p.Value.Schema != nil {
				out[at+"/parameters/"+strconv.Itoa(i)+"/schema"] = p.Value.Schema
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		out["#/components/schemas/"+esc(name)] = s
	}
	for name, r := range doc.Components.Responses {
		response("#/components/responses/"+esc(name), r)
	}
	for name, p := range doc.Components.Parameters {
		if p.Value != nil && p.Value.Schema != nil {
			out["#/components/parameters/"+esc(name)+"/schema"] = p.Value.Schema
		}
	}
	for name, h := range doc.Components.Headers {
		if h.Value != nil && h.Value.Schema != nil {
			out["#/components/headers/"+esc(name)+"/schema"] = h.Value.Schema
		}
	}
	for name, b := range doc.Components.RequestBodies {
		if b.Value != nil {
			content("#/components/requestBodies/"+esc(name), b.Value.Content)
		}
	}
	pathItem := func(at string, item *openapi3.PathItem) {
		parameters(at, item.Parameters)
		for method, op := range item.Operations() {
			at := at + "/" + strings.ToLower(method)
			parameters(at, op.Parameters)
			if b := op.RequestBody; b != nil && b.Ref == "" && b.Value != nil {
				content(at+"/requestBody", b.Value.Content)
			}
			for status, r := range op.Responses.Map() {
				response(at+"/responses/"+status, r)
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		pathItem("#/paths/"+esc(path), item)
	}
	// The requests the service sends to partners' endpoints.
	for name, item := range doc.Webhooks {
		pathItem("#/webhooks/"+esc(name), item)
	}
	return out
}

// checkClosedObjects reports every object schema under s, not followed
// through references, that allows additional properties.
func checkClosedObjects(t *testing.T, at string, s *openapi3.SchemaRef) {
	t.Helper()
	if s == nil || s.Ref != "" || s.Value == nil {
		return
	}
	v := s.Value
	if v.Type.Includes(openapi3.TypeObject) {
		if ap := v.AdditionalProperties.Has; ap == nil || *ap {
			t.Errorf("%s: an object without additionalProperties: false", at)
		}
	}
	for name, p := range v.Properties {
		checkClosedObjects(t, at+"/properties/"+name, p)
	}
	checkClosedObjects(t, at+"/items", v.Items)
	checkClosedObjects(t, at+"/additionalProperties", v.AdditionalProperties.Schema)
	for keyword, list := range map[string]openapi3.SchemaRefs{"allOf": v.AllOf, "anyOf": v.AnyOf, "oneOf": v.OneOf} {
		for i, sub := range list {
			checkClosedObjects(t, at+"/"+keyword+"/"+strconv.Itoa(i), sub)
		}
	}
	for keyword, sub := range map[string]*openapi3.SchemaRef{"not": v.Not, "if": v.If, "then": v.Then, "else": v.Else} {
		checkClosedObjects(t, at+"/"+keyword, sub)
	}
}

// TestOpenAPIDocumentGenerated fails when the embedded document, or the
// README's table of field rules, is not what the generator makes of kyb's
// rule tables, the Go types and the overlay.
func TestOpenAPIDocumentGenerated(t *testing.T) {
	want, err := openapi.Generate(httpapi.DocumentedTypes(), httpapi.DocumentedFacts())
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if !bytes.Equal(httpapi.OpenAPIDocument(), want) {
		t.Error("internal/httpapi/openapi.json is not what internal/openapi generates: run go generate ./...")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want, err := openapi.Readme(readme); err != nil || !bytes.Equal(readme, want) {
		t.Errorf("the README's field rules are not what internal/openapi generates (%v): run go generate ./...", err)
	}
}

// TestOpenAPIDocumentLimits ties the limits written in the overlay to the
// code's. The profile's limits need no check: they are generated from
// kyb's rule tables.
func TestOpenAPIDocumentLimits(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	prop := func(s *openapi3.Schema, name string) *openapi3.Schema { return s.Properties[name].Value }
	for _, tc := range []struct {
		what      string
		got, want uint64
	}{
		{"EndpointList.data maxItems", *prop(schema("EndpointList"), "data").MaxItems, kyb.MaxEndpoints},
		// An event is delivered to the endpoints its partner had when it
		// happened, and a partner never has more than MaxEndpoints.
		{"DeliveryList.data maxItems", *prop(schema("DeliveryList"), "data").MaxItems, kyb.MaxEndpoints},
		{"Redelivery.deliveries maximum", uint64(*prop(schema("Redelivery"), "deliveries").Max), kyb.MaxEndpoints},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.what, tc.got, tc.want)
		}
	}
	limit := doc.Components.Parameters["Limit"].Value.Schema.Value
	for _, tc := range []struct {
		what      string
		got, want uint64
	}{
		{"Limit minimum", uint64(*limit.Min), 1},
		{"Limit maximum", uint64(*limit.Max), kyb.MaxPageSize},
		{"Limit default", uint64(limit.Default.(float64)), kyb.DefaultPageSize},
		{"CustomerList.data maxItems", *prop(schema("CustomerList"), "data").MaxItems, kyb.MaxPageSize},
		{"AdminCustomerList.data maxItems", *prop(schema("AdminCustomerList"), "data").MaxItems, kyb.MaxPageSize},
		{"StatusChangeRequest.reason maxLength", *prop(schema("StatusChangeRequest"), "reason").MaxLength, kyb.MaxReasonLength},
		{"Customer.status_reason maxLength", *prop(schema("Customer"), "status_reason").MaxLength, kyb.MaxReasonLength},
		{"AuditEvent.reason maxLength", *prop(schema("AuditEvent"), "reason").MaxLength, kyb.MaxReasonLength},
		{"File.size maximum", uint64(*prop(schema("File"), "size").Max), kyb.MaxFileSize},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.what, tc.got, tc.want)
		}
	}
	for _, tc := range []struct {
		response string
		limits   []int
	}{
		{"PayloadTooLarge", []int{httpapi.MaxJSONBodyBytes}},
		{"UploadTooLarge", []int{httpapi.MaxUploadBytes, kyb.MaxFileSize}},
		{"TooManyEndpoints", []int{kyb.MaxEndpoints}},
	} {
		desc := doc.Components.Responses[tc.response].Value.Description
		for _, n := range tc.limits {
			if desc == nil || !strings.Contains(*desc, strconv.Itoa(n)) {
				t.Errorf("the %s response does not mention the limit %d", tc.response, n)
			}
		}
	}
	// Every request body's description gives its limit.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			body := op.RequestBody.Value
			limit := fmt.Sprintf("at most %d KiB", httpapi.MaxJSONBodyBytes>>10)
			if body.Content.Get("multipart/form-data") != nil {
				limit = fmt.Sprintf("at most %d MiB", httpapi.MaxUploadBytes>>20)
			}
			if !strings.Contains(body.Description, limit) {
				t.Errorf("%s %s: the request body's description %q does not say %q", method, path, body.Description, limit)
			}
		}
	}
	for _, tc := range []struct{ what, text, phrase string }{
		{"the TooManyEndpoints response", *doc.Components.Responses["TooManyEndpoints"].Value.Description, fmt.Sprintf("has %d webhook endpoints", kyb.MaxEndpoints)},
		{"the document's description", doc.Info.Description, fmt.Sprintf("up to %d https endpoints", kyb.MaxEndpoints)},
		{"the createWebhookEndpoint operation", doc.Paths.Value("/api/webhooks/endpoints").Post.Description, fmt.Sprintf("at most %d endpoints", kyb.MaxEndpoints)},
	} {
		if !strings.Contains(tc.text, tc.phrase) {
			t.Errorf("%s does not say %q", tc.what, tc.phrase)
		}
	}

	// Enumerations are the code's.
	statuses := []string{string(kyb.StatusPending), string(kyb.StatusActive), string(kyb.StatusRejected), string(kyb.StatusSuspended)}
	var targets []string // the statuses a review may set
	for _, to := range statuses {
		for _, from := range statuses {
			if kyb.Status(from).CanBecome(kyb.Status(to)) {
				targets = append(targets, to)
				break
			}
		}
	}
	var fileTypes []string
	for _, ft := range kyb.FileTypes {
		fileTypes = append(fileTypes, string(ft))
	}
	// The content types of downloads: what the server sniffs from the
	// documents it accepts.
	var contentTypes []string
	for _, magic := range []string{"%PDF-", "\xff\xd8\xff", "\x89PNG\r\n\x1a\n"} {
		contentTypes = append(contentTypes, kyb.SniffContentType([]byte(magic)))
	}
	var downloads []string
	for media := range doc.Paths.Value("/api/files/{file_id}/content").Get.Responses.Status(http.StatusOK).Value.Content {
		downloads = append(downloads, media)
	}
	for _, tc := range []struct {
		what      string
		got, want []string
		ordered   bool
	}{
		{"Customer.status enum", enum(prop(schema("Customer"), "status")), statuses, true},
		{"AdminCustomer.status enum", enum(prop(schema("AdminCustomer"), "status")), statuses, true},
		{"the status parameter's enum", enum(doc.Components.Parameters["Status"].Value.Schema.Value), statuses, true},
		{"AuditEvent.from_status enum", enum(prop(schema("AuditEvent"), "from_status")), statuses, true},
		{"AuditEvent.to_status enum", enum(prop(schema("AuditEvent"), "to_status")), statuses, true},
		{"StatusChangeRequest.status enum", enum(prop(schema("StatusChangeRequest"), "status")), targets, true},
		{"FileType enum", enum(schema("FileType")), fileTypes, true},
		{"AuditEvent.actor_type enum", enum(prop(schema("AuditEvent"), "actor_type")), []string{string(kyb.ActorPartner), string(kyb.ActorOperator), string(kyb.ActorSystem)}, true},
		{"AuditEvent.action enum", enum(prop(schema("AuditEvent"), "action")), kyb.AuditActions, true},
		{"File.content_type enum", enum(prop(schema("File"), "content_type")), contentTypes, true},
		{"getFileContent's media types", downloads, contentTypes, false},
		{"WebhookEvent.type enum", enum(prop(schema("WebhookEvent"), "type")), api.EventTypes, true},
		{"the webhooks", slices.Collect(maps.Keys(doc.Webhooks)), api.EventTypes, false},
		{"Delivery.status enum", enum(prop(schema("Delivery"), "status")), []string{string(kyb.DeliveryPending), string(kyb.DeliverySucceeded), string(kyb.DeliveryFailed)}, true},
	} {
		got, want := slices.Clone(tc.got), slices.Clone(tc.want)
		if !tc.ordered {
			slices.Sort(got)
			slices.Sort(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", tc.what, tc.got, tc.want)
		}
	}
}

// enum returns a schema's enum as strings.
func enum(s *openapi3.Schema) []string {
	var out []string
	for _, v := range s.Enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// TestOpenAPIDocumentsEveryRoute wants the document's operations to be
// exactly the routes the package's source registers with s.handle, so that
// a new route cannot go undocumented, nor a removed one stay documented.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	handle := regexp.MustCompile(`s\.handle\("([A-Z]+)", "([^"]+)"`)
	routes := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range handle.FindAllStringSubmatch(string(src), -1) {
			routes[m[1]+" "+m[2]] = true
		}
	}
	if len(routes) == 0 {
		t.Fatal("found no s.handle calls in the package's source")
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for route := range routes {
		if !documented[route] {
			t.Errorf("the route %s is not in the document", route)
		}
	}
	for op := range documented {
		if !routes[op] {
			t.Errorf("the document has %s, which server.go does not route", op)
		}
	}
	// The webhooks are requests the service sends to partners, not routes
	// it serves: they are named by event type, never by a path, and the
	// router, which reads only the paths, never matches them.
	for name := range doc.Webhooks {
		if strings.HasPrefix(name, "/") || doc.Paths.Value(name) != nil {
			t.Errorf("the webhook %q looks like a path", name)
		}
	}
}

func TestOpenAPIDocumentServed(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	resp := ts.request(t, "GET", "/openapi.json", nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !bytes.Equal(resp.Body, httpapi.OpenAPIDocument()) {
		t.Errorf("the body (%d bytes) is not the embedded document (%d bytes)", len(resp.Body), len(httpapi.OpenAPIDocument()))
	}
}

// TestOpenAPIRejectsWrongResponse proves that the check catches responses
// that depart from the document, so that its silence elsewhere means
// something.
func TestOpenAPIRejectsWrongResponse(t *testing.T) {
	customer := `{
		"partner_customer_id": "ptn-cust-000000000001",
		"business_details": {
			"business_name": "Example Trading Ltd",
			"business_identifier_number": "12345678",
			"business_identifier_country_code": "GB",
			"website": "https://www.example.com",
			"business_identifier_start_date": "2019-03-01T00:00:00Z"
		},
		"registration_address": {
			"registration_address_line1": "1 Example Street",
			"registration_address_city": "London",
			"registration_address_country_code": "GB"
		},
		"account_usage": {"estimated_monthly_revenue_currency": "GBP", "estimated_monthly_revenue_amount": 100.50},
		"primary_contact": {"contact_email": "compliance@example.com"},
		"business_person_list": [{"basic_info": {"first_name": "Jane", "last_name": "Doe"}}],
		"customer_id": "cus_018c5a3b7e2f4a1b9c8d7e6f5a4b3c2d",
		"status": "pending",
		"created_at": "2024-01-15T09:30:00Z",
		"version": 1
	}`
	errorBody := `{"error": {"code": "not_found", "message": "customer not found", "request_id": "req_1"}}`
	const getPath = "/api/customers/cus_018c5a3b7e2f4a1b9c8d7e6f5a4b3c2d"
	const (
		partnerID = "ptn_018c5a3a1c0e4b7d8e9f0a1b2c3d4e5f"
		fileID    = "file_018c5a3b6d1e7f209a8b7c6d5e4f3a2b"
		adminPath = "/admin/customers/cus_018c5a3b7e2f4a1b9c8d7e6f5a4b3c2d"
		filePath  = "/api/files/" + fileID
		pdf       = "%PDF-1.4\n%%EOF\n"
	)
	// The decided customer, its page, and the operator's views of them.
	active := string(editJSON(t, customer, func(v map[string]any) {
		v["status"], v["status_reason"], v["status_updated_at"] = "active", "documents verified", "2024-01-16T11:02:37Z"
	}))
	page := `{"data": [` + active + `, ` + customer + `], "has_more": true, "next_cursor": "cus_018c5a3b7e2f4a1b9c8d7e6f5a4b3c2d"}`
	adminCustomer := string(editJSON(t, active, func(v map[string]any) {
		v["partner_id"], v["risk"] = partnerID, map[string]any{"level": "low", "flags": []any{}}
		v["awaiting_partner"], v["requirements_overdue"] = false, false
		v["needs_review"] = false
	}))
	adminPage := `{"data": [` + adminCustomer + `], "has_more": false}`
	event := `{"id": "aud_018c6a1f3b9d4c2e8a7b6c5d4e3f2a1b", "created_at": "2024-01-16T11:02:37Z", "actor_type": "operator",
		"actor_id": "opr_018c5a3a0b1c4d2e8f3a4b5c6d7e8f90", "action": "customer.status_changed", "partner_id": "` + partnerID + `",
		"customer_id": "cus_018c5a3b7e2f4a1b9c8d7e6f5a4b3c2d", "from_status": "pending", "to_status": "active", "reason": "documents verified"}`
	audit := `{"data": [` + event + `]}`
	adminDetail := string(editJSON(t, adminCustomer, func(v map[string]any) {
		var e any
		json.Unmarshal([]byte(event), &e)
		v["history"] = []any{e}
		v["requirement_history"] = []any{}
	}))
	file := `{"file_id": "` + fileID + `", "file_type": "Business Registration", "size": 15,
		"sha256": "68d3dbe223d4659eb030429ecc280a437eb6e9b042a59797cbbd9e16f56c1d56", "content_type": "application/pdf", "created_at": "2024-01-15T09:29:12Z"}`
	credentials := `{"partner_id": "` + partnerID + `", "api_key": "ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d", "api_secret": "sk_Xq3v9ZkP2mL8rT5wY1nB7cD4fG6hJ0sA2eU8iO3pK9l"}`
	partners := `{"data": [{"partner_id": "` + partnerID + `", "name": "Acme Payments", "sandbox": false, "created_at": "2024-01-10T08:00:00Z"}]}`
	download := []string{"Content-Type", "application/pdf", "Content-Disposition", `attachment; filename="` + fileID + `.pdf"`, "Content-Security-Policy", "sandbox; default-src 'none'"}
	bearer := []string{"WWW-Authenticate", `Bearer realm="onboard-admin"`}
	firstEvent := func(edit func(e map[string]any)) func(v map[string]any) {
		return func(v map[string]any) { edit(v["data"].([]any)[0].(map[string]any)) }
	}
	// Webhooks: endpoints, events and deliveries.
	const (
		endpointID  = "we_018d2f4c9a1b7e6d5c4b3a2f1e0d9c8b"
		eventID     = "evt_018c6a1f3b9d4c2e8a7b6c5d4e3f2a1c"
		endpoints   = "/api/webhooks/endpoints"
		adminHooks  = "/admin/partners/" + partnerID + "/webhooks/endpoints"
		deliveries  = "/api/webhooks/deliveries?event_id=" + eventID
		eventsPath  = getPath + "/events"
		secretValue = "whsec_bB8Knjt9TC6PWhttnDPn8KS4wtbg86exxdkuL2oLTNI="
	)
	endpoint := `{"id": "` + endpointID + `", "url": "https://hooks.example.com/onboard", "created_at": "2024-02-01T10:20:00Z"}`
	newEndpoint := string(editJSON(t, endpoint, func(v map[string]any) { v["secret"] = secretValue }))
	endpointList := `{"data": [` + endpoint + `]}`
	sixEndpoints := `{"data": [` + strings.Repeat(endpoint+", ", 5) + endpoint + `]}`
	customerEvent := func(eventType string, sequence int, c string) string {
		return `{"id": "` + eventID + `", "type": "` + eventType + `", "created_at": "2024-01-16T11:02:37Z", "sequence": ` + strconv.Itoa(sequence) + `, "data": ` + c + `}`
	}
	events := `{"data": [` + customerEvent("customer.created", 1, customer) + `, ` + customerEvent("customer.active", 2, active) + `]}`
	secondEvent := func(edit func(e map[string]any)) func(v map[string]any) {
		return func(v map[string]any) { edit(v["data"].([]any)[1].(map[string]any)) }
	}
	delivered := `{"data": [{"event_id": "` + eventID + `", "endpoint_id": "` + endpointID + `", "url": "https://hooks.example.com/onboard", "status": "succeeded",
		"attempts": [{"at": "2024-01-16T11:02:37Z", "status_code": 503, "latency_ms": 112, "error": "http status 503"},
			{"at": "2024-01-16T11:02:42Z", "status_code": 200, "latency_ms": 87}]}]}`
	firstAttempt := func(edit func(a map[string]any)) func(v map[string]any) {
		return firstEvent(func(d map[string]any) { edit(d["attempts"].([]any)[0].(map[string]any)) })
	}

	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		header  []string // name, value pairs beyond X-Request-Id
		noID    bool     // leave X-Request-Id out
		body    string
		edit    func(v map[string]any) // changes the decoded body
		wantErr bool
	}{
		{name: "valid customer", method: "GET", path: getPath, status: 200, body: customer},
		{name: "valid created customer", method: "POST", path: "/api/customers/create", status: 200, body: customer, header: []string{"Idempotent-Replayed", "true"}},
		{name: "valid error", method: "GET", path: getPath, status: 404, body: errorBody},
		{name: "valid error on an unknown path", method: "GET", path: "/nope", status: 404, body: errorBody},
		{name: "valid 405", method: "DELETE", path: "/healthz", status: 405, header: []string{"Allow", "GET, HEAD"}, body: errorBody},
		{name: "valid 405 for GET on the create path", method: "GET", path: "/api/customers/create", status: 405, header: []string{"Allow", "POST"}, body: errorBody},
		{name: "valid HEAD", method: "HEAD", path: "/healthz", status: 200},

		{name: "extra field", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["nickname"] = "x" }},
		{name: "extra nested field", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["business_details"].(map[string]any)["nickname"] = "x" }},
		{name: "extra field in a list item", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				v["business_person_list"].([]any)[0].(map[string]any)["basic_info"].(map[string]any)["age"] = 40
			}},
		{name: "missing customer_id", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { delete(v, "customer_id") }},
		{name: "missing nested business_name", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { delete(v["business_details"].(map[string]any), "business_name") }},
		{name: "bad status", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["status"] = "archived" }},
		{name: "null section", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["primary_contact"] = nil }},
		{name: "empty optional string", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["status_reason"] = "" }},
		{name: "amount without currency", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				delete(v["account_usage"].(map[string]any), "estimated_monthly_revenue_currency")
			}},
		{name: "date not in UTC seconds", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["created_at"] = "2024-01-15T10:30:00.5+01:00" }},
		{name: "malformed customer_id", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["customer_id"] = "cus_123" }},
		{name: "bad email", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				v["primary_contact"].(map[string]any)["contact_email"] = "Jane <jane@example.com>"
			}},
		// A response object is its request object narrowed: what a request
		// may say for "not given", or with any offset, a response may not.
		{name: "empty string in a section", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["business_details"].(map[string]any)["business_name_english"] = "" }},
		{name: "null in a section", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["registration_address"].(map[string]any)["registration_address_state"] = nil }},
		{name: "profile date with an offset", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				v["business_details"].(map[string]any)["business_identifier_start_date"] = "2019-03-01T08:00:00+08:00"
			}},
		{name: "empty document list", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				v["business_details"].(map[string]any)["business_identifier_document_list"] = []any{}
			}},
		{name: "empty country in a person", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				v["business_person_list"].([]any)[0].(map[string]any)["basic_info"].(map[string]any)["nationality"] = ""
			}},
		{name: "text too long in a section", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) {
				v["business_details"].(map[string]any)["business_name"] = strings.Repeat("x", 201)
			}},
		{name: "undocumented status", method: "GET", path: getPath, status: 418, body: errorBody, wantErr: true},
		{name: "no X-Request-Id", method: "GET", path: getPath, status: 200, body: customer, noID: true, wantErr: true},
		{name: "bad Idempotent-Replayed", method: "POST", path: "/api/customers/create", status: 200, body: customer, header: []string{"Idempotent-Replayed", "yes"}, wantErr: true},
		{name: "error with an extra field", method: "GET", path: getPath, status: 404, body: errorBody, wantErr: true,
			edit: func(v map[string]any) { v["error"].(map[string]any)["hint"] = "x" }},
		{name: "error without request_id", method: "GET", path: getPath, status: 404, body: errorBody, wantErr: true,
			edit: func(v map[string]any) { delete(v["error"].(map[string]any), "request_id") }},
		{name: "error detail with an extra field", method: "POST", path: "/api/customers/create", status: 400, body: errorBody, wantErr: true,
			edit: func(v map[string]any) {
				v["error"].(map[string]any)["details"] = []any{map[string]any{"field": "a", "code": "required", "message": "is required", "hint": "x"}}
			}},
		{name: "error body on an unknown path with an extra field", method: "GET", path: "/nope", status: 404, body: errorBody, wantErr: true,
			edit: func(v map[string]any) { v["extra"] = true }},
		{name: "success on an unknown path", method: "GET", path: "/nope", status: 200, body: `{"status":"ok"}`, wantErr: true},
		{name: "405 without Allow", method: "DELETE", path: "/healthz", status: 405, body: errorBody, wantErr: true},
		{name: "wrong status for an undocumented method", method: "DELETE", path: "/healthz", status: 404, body: errorBody, wantErr: true},
		{name: "HEAD with an undocumented status", method: "HEAD", path: "/healthz", status: 404, wantErr: true},

		// Lists.
		{name: "valid page", method: "GET", path: "/api/customers", status: 200, body: page},
		{name: "valid last page", method: "GET", path: "/api/customers", status: 200, body: page,
			edit: func(v map[string]any) { v["has_more"] = false; delete(v, "next_cursor") }},
		{name: "valid empty page", method: "GET", path: "/api/customers", status: 200, body: `{"data": [], "has_more": false}`},
		{name: "more without a cursor", method: "GET", path: "/api/customers", status: 200, body: page, wantErr: true,
			edit: func(v map[string]any) { delete(v, "next_cursor") }},
		{name: "a cursor on the last page", method: "GET", path: "/api/customers", status: 200, body: page, wantErr: true,
			edit: func(v map[string]any) { v["has_more"] = false }},
		{name: "more after an empty page", method: "GET", path: "/api/customers", status: 200, body: page, wantErr: true,
			edit: func(v map[string]any) { v["data"] = []any{} }},
		{name: "partner_id in the partner's list", method: "GET", path: "/api/customers", status: 200, body: page, wantErr: true,
			edit: firstEvent(func(c map[string]any) { c["partner_id"] = partnerID })},
		{name: "a list without has_more", method: "GET", path: "/api/customers", status: 200, body: page, wantErr: true,
			edit: func(v map[string]any) { delete(v, "has_more"); delete(v, "next_cursor") }},
		{name: "a bad list parameter", method: "GET", path: "/api/customers", status: 400, body: errorBody},

		// The status of a customer.
		{name: "valid decided customer", method: "GET", path: getPath, status: 200, body: active},
		{name: "decided without a reason", method: "GET", path: getPath, status: 200, body: active, wantErr: true,
			edit: func(v map[string]any) { delete(v, "status_reason") }},
		{name: "decided without a time", method: "GET", path: getPath, status: 200, body: active, wantErr: true,
			edit: func(v map[string]any) { delete(v, "status_updated_at") }},
		{name: "pending with a reason", method: "GET", path: getPath, status: 200, body: customer, wantErr: true,
			edit: func(v map[string]any) { v["status_reason"] = "why" }},
		{name: "reason with a control character", method: "GET", path: getPath, status: 200, body: active, wantErr: true,
			edit: func(v map[string]any) { v["status_reason"] = "a\nb" }},

		// The operator's API.
		{name: "valid review queue", method: "GET", path: "/admin/customers", status: 200, body: adminPage},
		{name: "queue item without partner_id", method: "GET", path: "/admin/customers", status: 200, body: adminPage, wantErr: true,
			edit: firstEvent(func(c map[string]any) { delete(c, "partner_id") })},
		{name: "queue item with history", method: "GET", path: "/admin/customers", status: 200, body: adminPage, wantErr: true,
			edit: firstEvent(func(c map[string]any) { c["history"] = []any{} })},
		{name: "valid admin customer", method: "GET", path: adminPath, status: 200, body: adminDetail},
		{name: "admin customer without history", method: "GET", path: adminPath, status: 200, body: adminDetail, wantErr: true,
			edit: func(v map[string]any) { delete(v, "history") }},
		{name: "valid decision", method: "POST", path: adminPath + "/status", status: 200, body: adminCustomer},
		{name: "decision answered with history", method: "POST", path: adminPath + "/status", status: 200, body: adminDetail, wantErr: true},
		{name: "valid transition conflict", method: "POST", path: adminPath + "/status", status: 409, body: errorBody},
		{name: "valid customer audit", method: "GET", path: adminPath + "/audit", status: 200, body: audit},
		{name: "valid audit", method: "GET", path: "/admin/audit", status: 200, body: audit},
		{name: "valid creation event", method: "GET", path: "/admin/audit", status: 200, body: audit,
			edit: firstEvent(func(e map[string]any) {
				e["action"], e["actor_type"], e["actor_id"] = "customer.created", "partner", partnerID
				delete(e, "from_status")
				delete(e, "reason")
				e["to_status"] = "pending"
			})},
		{name: "valid key event", method: "GET", path: "/admin/audit", status: 200, body: audit,
			edit: firstEvent(func(e map[string]any) {
				e["action"], e["api_key"] = "api_key.revoked", "ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d"
				for _, k := range []string{"customer_id", "from_status", "to_status", "reason"} {
					delete(e, k)
				}
			})},
		{name: "unknown action", method: "GET", path: "/admin/audit", status: 200, body: audit, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["action"] = "customer.deleted" })},
		{name: "status change without a reason", method: "GET", path: "/admin/audit", status: 200, body: audit, wantErr: true,
			edit: firstEvent(func(e map[string]any) { delete(e, "reason") })},
		{name: "status change with an empty reason", method: "GET", path: "/admin/audit", status: 200, body: audit, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["reason"] = "" })},
		{name: "creation event with a key", method: "GET", path: "/admin/audit", status: 200, body: audit, wantErr: true,
			edit: firstEvent(func(e map[string]any) {
				e["action"], e["api_key"] = "customer.created", "ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d"
				delete(e, "from_status")
				delete(e, "reason")
			})},
		{name: "event with an extra field", method: "GET", path: "/admin/audit", status: 200, body: audit, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["ip"] = "10.0.0.1" })},
		{name: "valid partners", method: "GET", path: "/admin/partners", status: 200, body: partners},
		{name: "partner without sandbox", method: "GET", path: "/admin/partners", status: 200, body: partners, wantErr: true,
			edit: firstEvent(func(p map[string]any) { delete(p, "sandbox") })},
		{name: "valid credentials", method: "POST", path: "/admin/partners", status: 200, body: credentials},
		{name: "valid rotated credentials", method: "POST", path: "/admin/partners/" + partnerID + "/keys", status: 200, body: credentials},
		{name: "credentials with a bad secret", method: "POST", path: "/admin/partners", status: 200, body: credentials, wantErr: true,
			edit: func(v map[string]any) { v["api_secret"] = "secret" }},
		{name: "valid too many keys", method: "POST", path: "/admin/partners/" + partnerID + "/keys", status: 409, body: errorBody},
		{name: "valid revocation", method: "POST", path: "/admin/keys/ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d/revoke", status: 200,
			body: `{"api_key": "ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d", "revoked": true}`},
		{name: "revocation that did not revoke", method: "POST", path: "/admin/keys/ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d/revoke", status: 200,
			body: `{"api_key": "ak_018c5a3a1c0f7a6b5c4d3e2f1a0b9c8d", "revoked": false}`, wantErr: true},
		{name: "valid admin 401", method: "GET", path: "/admin/customers", status: 401, body: errorBody, header: bearer},
		{name: "admin 401 without WWW-Authenticate", method: "GET", path: "/admin/customers", status: 401, body: errorBody, wantErr: true},
		{name: "admin 401 with another WWW-Authenticate", method: "GET", path: "/admin/partners", status: 401, body: errorBody, wantErr: true,
			header: []string{"WWW-Authenticate", "Basic"}},
		{name: "valid 405 for GET on a decision", method: "GET", path: adminPath + "/status", status: 405, header: []string{"Allow", "POST"}, body: errorBody},

		// Files.
		{name: "valid file", method: "GET", path: filePath, status: 200, body: file},
		{name: "valid uploaded file", method: "POST", path: "/api/files/upload", status: 200, body: file},
		{name: "file of an unknown type", method: "GET", path: filePath, status: 200, body: file, wantErr: true,
			edit: func(v map[string]any) { v["file_type"] = "Passport" }},
		{name: "empty file", method: "GET", path: filePath, status: 200, body: file, wantErr: true,
			edit: func(v map[string]any) { v["size"] = 0 }},
		{name: "file of an unknown content type", method: "GET", path: filePath, status: 200, body: file, wantErr: true,
			edit: func(v map[string]any) { v["content_type"] = "text/plain" }},
		{name: "valid unsupported file type", method: "POST", path: "/api/files/upload", status: 415, body: errorBody},
		{name: "valid file too large", method: "POST", path: "/api/files/upload", status: 413, body: errorBody},
		{name: "valid download", method: "GET", path: filePath + "/content", status: 200, body: pdf, header: download},
		{name: "valid HEAD of a download", method: "HEAD", path: filePath + "/content", status: 200, header: download},
		{name: "download without Content-Disposition", method: "GET", path: filePath + "/content", status: 200, body: pdf,
			header: []string{"Content-Type", "application/pdf"}, wantErr: true},
		{name: "download inline", method: "GET", path: filePath + "/content", status: 200, body: pdf,
			header: []string{"Content-Type", "application/pdf", "Content-Disposition", "inline"}, wantErr: true},
		{name: "download of an undocumented type", method: "GET", path: filePath + "/content", status: 200, body: pdf,
			header: []string{"Content-Type", "application/octet-stream", "Content-Disposition", download[3]}, wantErr: true},
		{name: "download as JSON", method: "GET", path: filePath + "/content", status: 200, body: file,
			header: []string{"Content-Type", "application/json", "Content-Disposition", download[3]}, wantErr: true},
		{name: "a PDF served as PNG", method: "GET", path: filePath + "/content", status: 200, body: pdf,
			header: []string{"Content-Type", "image/png", "Content-Disposition", download[3]}, wantErr: true},
		{name: "an empty download", method: "GET", path: filePath + "/content", status: 200, header: download, wantErr: true},
		{name: "valid download error", method: "GET", path: filePath + "/content", status: 404, body: errorBody},
		{name: "valid 405 for GET on upload", method: "GET", path: "/api/files/upload", status: 405, header: []string{"Allow", "POST"}, body: errorBody},
		{name: "valid 405 for POST on a file", method: "POST", path: filePath, status: 405, header: []string{"Allow", "GET, HEAD"}, body: errorBody},

		// Webhook endpoints.
		{name: "valid new endpoint", method: "POST", path: endpoints, status: 200, body: newEndpoint},
		{name: "valid operator's new endpoint", method: "POST", path: adminHooks, status: 200, body: newEndpoint},
		{name: "valid insecure endpoint", method: "POST", path: endpoints, status: 200, body: newEndpoint,
			edit: func(v map[string]any) { v["url"] = "http://127.0.0.1:8080/hooks" }},
		{name: "new endpoint without its secret", method: "POST", path: endpoints, status: 200, body: endpoint, wantErr: true},
		{name: "secret that is not whsec_ and 32 bytes", method: "POST", path: endpoints, status: 200, body: newEndpoint, wantErr: true,
			edit: func(v map[string]any) { v["secret"] = "whsec_c2hvcnQ=" }},
		{name: "endpoint with credentials", method: "POST", path: endpoints, status: 200, body: newEndpoint, wantErr: true,
			edit: func(v map[string]any) { v["url"] = "https://user:pass@hooks.example.com/onboard" }},
		{name: "endpoint with a fragment", method: "POST", path: endpoints, status: 200, body: newEndpoint, wantErr: true,
			edit: func(v map[string]any) { v["url"] = "https://hooks.example.com/onboard#top" }},
		{name: "endpoint of another scheme", method: "POST", path: endpoints, status: 200, body: newEndpoint, wantErr: true,
			edit: func(v map[string]any) { v["url"] = "ftp://hooks.example.com/onboard" }},
		{name: "malformed endpoint id", method: "POST", path: endpoints, status: 200, body: newEndpoint, wantErr: true,
			edit: func(v map[string]any) { v["id"] = "we_1" }},
		{name: "valid endpoint error", method: "POST", path: endpoints, status: 400, body: errorBody},
		{name: "valid too many endpoints", method: "POST", path: endpoints, status: 409, body: errorBody},
		{name: "valid endpoints", method: "GET", path: endpoints, status: 200, body: endpointList},
		{name: "valid no endpoints", method: "GET", path: endpoints, status: 200, body: `{"data": []}`},
		{name: "valid operator's endpoints", method: "GET", path: adminHooks, status: 200, body: endpointList},
		{name: "a listed endpoint with its secret", method: "GET", path: endpoints, status: 200, body: endpointList, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["secret"] = secretValue })},
		{name: "more endpoints than allowed", method: "GET", path: endpoints, status: 200, body: sixEndpoints, wantErr: true},
		{name: "valid rotated secret", method: "POST", path: endpoints + "/" + endpointID + "/rotate-secret", status: 200, body: newEndpoint},
		{name: "rotation without the secret", method: "POST", path: adminHooks + "/" + endpointID + "/rotate-secret", status: 200, body: endpoint, wantErr: true},
		{name: "valid rotation of a missing endpoint", method: "POST", path: endpoints + "/" + endpointID + "/rotate-secret", status: 404, body: errorBody},
		{name: "valid deletion", method: "DELETE", path: endpoints + "/" + endpointID, status: 200, body: `{"id": "` + endpointID + `", "deleted": true}`},
		{name: "deletion that did not delete", method: "DELETE", path: adminHooks + "/" + endpointID, status: 200, body: `{"id": "` + endpointID + `", "deleted": false}`, wantErr: true},
		{name: "valid 405 for GET on an endpoint", method: "GET", path: endpoints + "/" + endpointID, status: 405, header: []string{"Allow", "DELETE"}, body: errorBody},
		{name: "valid 405 for DELETE on the endpoints", method: "DELETE", path: endpoints, status: 405, header: []string{"Allow", "POST, GET, HEAD"}, body: errorBody},

		// Events.
		{name: "valid events", method: "GET", path: eventsPath, status: 200, body: events},
		{name: "valid operator's events", method: "GET", path: adminPath + "/events", status: 200, body: events},
		{name: "valid events error", method: "GET", path: eventsPath, status: 404, body: errorBody},
		{name: "event of an unknown type", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: secondEvent(func(e map[string]any) { e["type"] = "customer.approved" })},
		{name: "event whose customer has another status", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: secondEvent(func(e map[string]any) { e["type"] = "customer.rejected" })},
		{name: "creation event after the first", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["sequence"] = 2 })},
		{name: "valid events of a customer from before webhooks", method: "GET", path: eventsPath, status: 200, body: events,
			edit: func(v map[string]any) {
				v["data"] = v["data"].([]any)[1:]
				v["data"].([]any)[0].(map[string]any)["sequence"] = 1
			}},
		{name: "event of sequence 0", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: secondEvent(func(e map[string]any) { e["sequence"] = 0 })},
		{name: "event with an extra field", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["partner_id"] = partnerID })},
		{name: "event whose customer has an extra field", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: firstEvent(func(e map[string]any) { e["data"].(map[string]any)["partner_id"] = partnerID })},
		{name: "event without data", method: "GET", path: eventsPath, status: 200, body: events, wantErr: true,
			edit: firstEvent(func(e map[string]any) { delete(e, "data") })},

		// Deliveries.
		{name: "valid deliveries", method: "GET", path: deliveries, status: 200, body: delivered},
		{name: "valid operator's deliveries", method: "GET", path: "/admin/webhooks/deliveries?event_id=" + eventID, status: 200, body: delivered},
		{name: "valid no deliveries", method: "GET", path: deliveries, status: 200, body: `{"data": []}`},
		{name: "valid deliveries error", method: "GET", path: "/api/webhooks/deliveries", status: 400, body: errorBody},
		{name: "valid pending delivery", method: "GET", path: deliveries, status: 200, body: delivered,
			edit: firstEvent(func(d map[string]any) {
				d["status"], d["next_attempt_at"] = "pending", "2024-01-16T11:03:01Z"
				d["attempts"] = d["attempts"].([]any)[:1]
			})},
		{name: "valid failed delivery without attempts", method: "GET", path: deliveries, status: 200, body: delivered,
			edit: firstEvent(func(d map[string]any) { d["status"], d["attempts"] = "failed", []any{} })},
		{name: "pending delivery without its next attempt", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstEvent(func(d map[string]any) { d["status"] = "pending" })},
		{name: "finished delivery with a next attempt", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstEvent(func(d map[string]any) { d["next_attempt_at"] = "2024-01-16T11:03:01Z" })},
		{name: "succeeded delivery without attempts", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstEvent(func(d map[string]any) { d["attempts"] = []any{} })},
		{name: "succeeded delivery whose attempts failed", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstEvent(func(d map[string]any) { d["attempts"] = d["attempts"].([]any)[:1] })},
		{name: "delivery of an unknown status", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstEvent(func(d map[string]any) { d["status"] = "delivered" })},
		{name: "valid attempt without an answer", method: "GET", path: deliveries, status: 200, body: delivered,
			edit: firstAttempt(func(a map[string]any) {
				delete(a, "status_code")
				a["error"] = "connection failed"
			})},
		{name: "attempt with a raw network error", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstAttempt(func(a map[string]any) {
				delete(a, "status_code")
				a["error"] = "post: dial tcp: lookup hooks.example.com on 10.0.0.2:53: no such host"
			})},
		{name: "failed attempt with a 2xx", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstAttempt(func(a map[string]any) { a["status_code"] = 204 })},
		{name: "successful attempt with a 3xx", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstAttempt(func(a map[string]any) { a["status_code"] = 302; delete(a, "error") })},
		{name: "attempt with neither a status nor an error", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstAttempt(func(a map[string]any) { delete(a, "status_code"); delete(a, "error") })},
		{name: "attempt with an empty error", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstAttempt(func(a map[string]any) { a["error"] = "" })},
		{name: "attempt with a negative latency", method: "GET", path: deliveries, status: 200, body: delivered, wantErr: true,
			edit: firstAttempt(func(a map[string]any) { a["latency_ms"] = -1 })},
		{name: "valid redelivery", method: "POST", path: "/admin/events/" + eventID + "/redeliver", status: 200,
			body: `{"event_id": "` + eventID + `", "deliveries": 2}`},
		{name: "redelivery of nothing", method: "POST", path: "/admin/events/" + eventID + "/redeliver", status: 200,
			body: `{"event_id": "` + eventID + `", "deliveries": 0}`, wantErr: true},
		{name: "valid redelivery error", method: "POST", path: "/admin/events/" + eventID + "/redeliver", status: 404, body: errorBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if tc.edit != nil {
				body = editJSON(t, tc.body, tc.edit)
			}
			req, err := http.NewRequest(tc.method, "http://127.0.0.1:8083"+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			header := http.Header{}
			if len(body) > 0 {
				header.Set("Content-Type", "application/json")
			}
			if !tc.noID {
				header.Set("X-Request-Id", "req_1")
			}
			for i := 0; i+1 < len(tc.header); i += 2 {
				header.Set(tc.header[i], tc.header[i+1])
			}
			err = validateResponse(t.Context(), req, tc.status, header, body)
			switch {
			case tc.wantErr && err == nil:
				t.Errorf("validateResponse accepted it, want an error\nbody: %s", body)
			case !tc.wantErr && err != nil:
				t.Errorf("validateResponse: %v, want no error\nbody: %s", err, body)
			}
		})
	}
}

// editJSON decodes a JSON object, lets edit change it, and encodes it again.
// Numbers keep their digits.
func editJSON(t *testing.T, body string, edit func(v map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	edit(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenAPIRequestSchemaAgreesWithServer sends bodies both to the
// CustomerRequest schema and to the server, and wants the same verdict,
// except for the rules a JSON Schema cannot state, which are listed so that
// the document's descriptions of them stay true.
func TestOpenAPIRequestSchemaAgreesWithServer(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["CustomerRequest"].Value
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)

	const minimal = `{
		"partner_customer_id": "set-by-the-test-000000",
		"business_details": {
			"business_name": "Example Trading Ltd",
			"business_identifier_number": "12345678",
			"business_identifier_country_code": "GB"
		},
		"registration_address": {
			"registration_address_line1": "1 Example Street",
			"registration_address_city": "London",
			"registration_address_country_code": "GB"
		}
	}`
	set := func(section, field string, value any) func(v map[string]any) {
		return func(v map[string]any) {
			if section == "" {
				v[field] = value
				return
			}
			m, ok := v[section].(map[string]any)
			if !ok {
				m = map[string]any{}
				v[section] = m
			}
			m[field] = value
		}
	}
	person := func(p map[string]any) func(v map[string]any) {
		return func(v map[string]any) { v["business_person_list"] = []any{p} }
	}
	name := map[string]any{"first_name": "Jane", "last_name": "Doe"}
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	persons := make([]any, kyb.MaxBusinessPersons+1)
	for i := range persons {
		persons[i] = map[string]any{"basic_info": name}
	}

	tests := []struct {
		name string
		edit func(v map[string]any)
		// schemaOK and serverOK are the expected verdicts; they differ
		// only where the schema cannot state the server's rule.
		schemaOK, serverOK bool
	}{
		{"minimal", func(map[string]any) {}, true, true},
		{"optional country empty", set("account_usage", "operating_country", ""), true, true},
		{"optional country null", set("account_usage", "operating_country", nil), true, true},
		{"optional section null", set("", "primary_contact", nil), true, true},
		{"optional section empty", set("", "account_usage", map[string]any{}), true, true},
		{"optional date empty", set("business_details", "business_identifier_start_date", ""), true, true},
		{"date with offset and fraction", set("business_details", "business_identifier_start_date", "2019-03-01T08:00:00.25+08:00"), true, true},
		{"website with an uppercase scheme", set("business_details", "website", "HTTPS://WWW.EXAMPLE.COM/about"), true, true},
		{"amount with its currency", func(v map[string]any) {
			set("account_usage", "estimated_monthly_revenue_amount", json.Number("100.50"))(v)
			set("account_usage", "estimated_monthly_revenue_currency", "USD")(v)
		}, true, true},
		{"amount null without currency", set("account_usage", "estimated_monthly_revenue_amount", nil), true, true},
		{"currency without amount", set("account_usage", "estimated_monthly_revenue_currency", "EUR"), true, true},
		{"phone and email", func(v map[string]any) {
			set("primary_contact", "contact_phone", "+14155550123")(v)
			set("primary_contact", "contact_email", "compliance@example.com")(v)
		}, true, true},
		{"empty lists", func(v map[string]any) {
			v["business_person_list"] = []any{}
			set("business_details", "business_identifier_document_list", []any{})(v)
		}, true, true},
		{"a full person", person(map[string]any{
			"basic_info":          map[string]any{"first_name": "Jane", "last_name": "Doe", "birth_date": "1980-05-17T00:00:00Z", "nationality": "XK"},
			"residential_address": map[string]any{"residential_address_line1": "2 Sample Road", "residential_address_city": "London", "residential_address_country_code": "GB", "residential_address_state": nil},
			"identification":      map[string]any{"id_number": "123456789", "id_issue_date": "2018-01-10T00:00:00Z", "id_expiration_date": "2028-01-10T00:00:00Z"},
		}), true, true},

		{"unknown field", set("", "nickname", "x"), false, false},
		{"unknown nested field", set("registration_address", "nickname", "x"), false, false},
		{"required section null", set("", "business_details", nil), false, false},
		{"required field empty", set("business_details", "business_name", ""), false, false},
		{"required field null", set("registration_address", "registration_address_city", nil), false, false},
		{"text too long", set("business_details", "business_name", strings.Repeat("é", 201)), false, false},
		{"control character", set("business_details", "business_name", "Example\u0007Ltd"), false, false},
		{"wrong type", set("business_details", "business_name", 42), false, false},
		{"lowercase country", set("registration_address", "registration_address_country_code", "gb"), false, false},
		{"short partner_customer_id", set("", "partner_customer_id", "short-id"), false, false},
		{"partner_customer_id with a space", set("", "partner_customer_id", "with a space 000000000"), false, false},
		{"negative amount", func(v map[string]any) {
			set("account_usage", "estimated_monthly_revenue_amount", json.Number("-1"))(v)
			set("account_usage", "estimated_monthly_revenue_currency", "USD")(v)
		}, false, false},
		{"amount as a string", func(v map[string]any) {
			set("account_usage", "estimated_monthly_revenue_amount", "100")(v)
			set("account_usage", "estimated_monthly_revenue_currency", "USD")(v)
		}, false, false},
		{"amount without currency", set("account_usage", "estimated_monthly_revenue_amount", json.Number("5")), false, false},
		{"amount with an empty currency", func(v map[string]any) {
			set("account_usage", "estimated_monthly_revenue_amount", json.Number("5"))(v)
			set("account_usage", "estimated_monthly_revenue_currency", "")(v)
		}, false, false},
		{"phone not E.164", set("primary_contact", "contact_phone", "004420718387"), false, false},
		{"email with a display name", set("primary_contact", "contact_email", "Jane <jane@example.com>"), false, false},
		{"website not http", set("business_details", "website", "ftp://example.com"), false, false},
		{"website with a space", set("business_details", "website", "https://example.com/a b"), false, false},
		{"date without time", set("business_details", "business_identifier_start_date", "2019-03-01"), false, false},
		{"empty document id", set("business_details", "business_identifier_document_list", []any{""}), false, false},
		{"too many persons", func(v map[string]any) { v["business_person_list"] = persons }, false, false},
		{"null person", func(v map[string]any) { v["business_person_list"] = []any{nil} }, false, false},
		{"person without basic_info", person(map[string]any{}), false, false},
		{"empty residential address", person(map[string]any{"basic_info": name, "residential_address": map[string]any{}}), false, false},

		// Rules the schema states only in descriptions.
		{"unassigned country", set("registration_address", "registration_address_country_code", "ZZ"), true, false},
		{"unknown currency", set("account_usage", "estimated_monthly_revenue_currency", "ABC"), true, false},
		{"phone that is no number", set("primary_contact", "contact_phone", "+10000000000"), true, false},
		{"start date in the future", set("business_details", "business_identifier_start_date", future), true, false},
		{"expiry before start", func(v map[string]any) {
			set("business_details", "business_identifier_start_date", "2020-01-01T00:00:00Z")(v)
			set("business_details", "business_identifier_expiry_date", "2019-01-01T00:00:00Z")(v)
		}, true, false},
		{"birth date before 1900", person(map[string]any{"basic_info": map[string]any{"first_name": "Jane", "last_name": "Doe", "birth_date": "1899-12-31T23:59:59Z"}}), true, false},
		{"leap second", set("business_details", "business_identifier_start_date", "2016-12-31T23:59:60Z"), true, false},
		{"amount of more than 32 characters", func(v map[string]any) {
			set("account_usage", "estimated_monthly_revenue_amount", json.Number("1."+strings.Repeat("0", 31)))(v)
			set("account_usage", "estimated_monthly_revenue_currency", "USD")(v)
		}, true, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := editJSON(t, minimal, func(v map[string]any) {
				v["partner_customer_id"] = fmt.Sprintf("agreement-case-%06d", i)
				tc.edit(v)
			})
			var value any
			if err := json.Unmarshal(body, &value); err != nil {
				t.Fatal(err)
			}
			opts := append([]openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020(), openapi3.VisitAsRequest()}, formatValidators...)
			schemaErr := schema.VisitJSON(value, opts...)
			if got := schemaErr == nil; got != tc.schemaOK {
				t.Errorf("schema accepts = %v, want %v (%v)\nbody: %s", got, tc.schemaOK, schemaErr, body)
			}
			resp := ts.create(t, creds, string(body))
			if got := resp.StatusCode == http.StatusOK; got != tc.serverOK {
				t.Errorf("server accepts = %v (status %d), want %v\nbody: %s\nresponse: %s", got, resp.StatusCode, tc.serverOK, body, resp.Body)
			}
		})
	}
}

// openAPIOperator returns the bearer header of a new operator.
func openAPIOperator(t *testing.T, ts *testServer) []string {
	t.Helper()
	op, err := ts.Service.CreateOperator(t.Context(), testActor, "OpenAPI operator", true)
	if err != nil {
		t.Fatalf("CreateOperator: %v", err)
	}
	return []string{"Authorization", "Bearer " + op.Token}
}

var openAPICustomers atomic.Int64

// openAPICustomer creates a minimal customer for a partner and returns
// its customer_id and partner_customer_id.
func openAPICustomer(t *testing.T, ts *testServer, creds kyb.Credentials) (id, partnerCustomerID string) {
	t.Helper()
	partnerCustomerID = fmt.Sprintf("openapi-%d-%06d", time.Now().UnixNano(), openAPICustomers.Add(1))
	resp := ts.request(t, "POST", "/api/customers/create", &creds, `{
		"partner_customer_id": "`+partnerCustomerID+`",
		"business_details": {"business_name": "Example Ltd", "business_identifier_number": "1", "business_identifier_country_code": "GB"},
		"registration_address": {"registration_address_line1": "1 Street", "registration_address_city": "London", "registration_address_country_code": "GB"}
	}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create a customer = %d: %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["customer_id"].(string), partnerCustomerID
}

// openAPIUpload uploads content of a type as JSON, which must be
// accepted, and returns the file_id.
func openAPIUpload(t *testing.T, ts *testServer, creds kyb.Credentials, fileType kyb.FileType, content []byte) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"file": base64.StdEncoding.EncodeToString(content), "fileType": string(fileType)})
	resp := ts.request(t, "POST", "/api/files/upload", &creds, string(body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload a %s = %d: %s", fileType, resp.StatusCode, resp.Body)
	}
	return resp.json(t)["file_id"].(string)
}

// openAPIEndpoint registers a webhook endpoint for a partner and returns
// its id.
func openAPIEndpoint(t *testing.T, ts *testServer, creds kyb.Credentials) string {
	t.Helper()
	resp := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, `{"url":"https://hooks.example.com/onboard"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create an endpoint = %d: %s", resp.StatusCode, resp.Body)
	}
	return resp.json(t)["id"].(string)
}

// Documents of each accepted format, as the server judges formats: by
// their first bytes.
var (
	openAPIPDF = []byte("%PDF-1.4\n%%EOF\n")
	openAPIPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
)

// TestOpenAPIDescribesRareResponses provokes, on a real server, responses
// the other tests do not: HEAD, and 5xx when the database is gone or files
// cannot be stored. The request helper checks each against the document.
func TestOpenAPIDescribesRareResponses(t *testing.T) {
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	operator := openAPIOperator(t, ts)
	customerID, _ := openAPICustomer(t, ts, creds)
	fileID := openAPIUpload(t, ts, creds, kyb.FileInvoice, openAPIPDF)
	endpointID := openAPIEndpoint(t, ts, creds)
	const eventID = "evt_00000000000000000000000000000000"
	for _, path := range []string{"/healthz", "/readyz", "/openapi.json"} {
		if resp := ts.request(t, "HEAD", path, nil, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s = %d, want 200", path, resp.StatusCode)
		}
	}
	partnerGets := []string{"/api/customers", "/api/customers/" + customerID, "/api/files/" + fileID, "/api/files/" + fileID + "/content",
		"/api/customers/" + customerID + "/events", "/api/webhooks/endpoints", "/api/webhooks/deliveries?event_id=" + eventID}
	for _, path := range partnerGets {
		if resp := ts.request(t, "HEAD", path, &creds, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s = %d, want 200", path, resp.StatusCode)
		}
	}
	if resp := ts.request(t, "HEAD", "/api/customers/cus_00000000000000000000000000000000", &creds, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of a missing customer = %d, want 404", resp.StatusCode)
	}
	adminGets := []string{"/admin/customers", "/admin/customers/" + customerID, "/admin/customers/" + customerID + "/audit",
		"/admin/audit?customer_id=" + customerID, "/admin/partners", "/admin/customers/" + customerID + "/events",
		"/admin/partners/" + creds.PartnerID + "/webhooks/endpoints", "/admin/webhooks/deliveries?event_id=" + eventID}
	for _, path := range adminGets {
		if resp := ts.request(t, "HEAD", path, nil, "", operator...); resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s = %d, want 200", path, resp.StatusCode)
		}
	}
	if resp := ts.request(t, "HEAD", "/admin/customers", nil, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("HEAD /admin/customers without a token = %d, want 401", resp.StatusCode)
	}
	if resp := ts.request(t, "HEAD", "/api/webhooks/deliveries", &creds, ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("HEAD /api/webhooks/deliveries without an event_id = %d, want 400", resp.StatusCode)
	}

	// A server without a file cipher can neither store nor return files.
	bare := startTestServer(t, storetest.Engines()[0].Open(t), nil, nil)
	bareCreds := bare.partner(t)
	upload, _ := json.Marshal(map[string]string{"file": base64.StdEncoding.EncodeToString(openAPIPDF), "fileType": "Invoice"})
	if resp := bare.request(t, "POST", "/api/files/upload", &bareCreds, string(upload)); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("an upload without a file cipher = %d, want 500: %s", resp.StatusCode, resp.Body)
	}
	// Nor can it seal webhook secrets.
	if resp := bare.request(t, "POST", "/api/webhooks/endpoints", &bareCreds, `{"url":"https://hooks.example.com/onboard"}`); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("an endpoint without a cipher = %d, want 500: %s", resp.StatusCode, resp.Body)
	}
	if resp := bare.request(t, "POST", "/api/webhooks/endpoints/"+endpointID+"/rotate-secret", &bareCreds, ""); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("a rotation without a cipher = %d, want 500: %s", resp.StatusCode, resp.Body)
	}

	if err := ts.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if resp := ts.request(t, "GET", "/readyz", nil, ""); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the database closed = %d, want 503: %s", resp.StatusCode, resp.Body)
	}
	body := `{
		"partner_customer_id": "rare-responses-000000001",
		"business_details": {"business_name": "Example Ltd", "business_identifier_number": "1", "business_identifier_country_code": "GB"},
		"registration_address": {"registration_address_line1": "1 Street", "registration_address_city": "London", "registration_address_country_code": "GB"}
	}`
	for _, tc := range []struct {
		method, path, body string
		admin              bool
	}{
		{"GET", "/api/customers/cus_00000000000000000000000000000000", "", false},
		{"POST", "/api/customers/create", body, false},
		{"GET", "/api/customers", "", false},
		{"POST", "/api/files/upload", string(upload), false},
		{"GET", "/api/files/" + fileID, "", false},
		{"GET", "/api/files/" + fileID + "/content", "", false},
		{"GET", "/admin/customers", "", true},
		{"GET", "/admin/customers/" + customerID, "", true},
		{"GET", "/admin/customers/" + customerID + "/audit", "", true},
		{"POST", "/admin/customers/" + customerID + "/status", `{"status":"active","reason":"ok"}`, true},
		{"GET", "/admin/audit?customer_id=" + customerID, "", true},
		{"GET", "/admin/partners", "", true},
		{"POST", "/admin/partners", `{"name":"Acme"}`, true},
		{"POST", "/admin/partners/" + creds.PartnerID + "/keys", "", true},
		{"POST", "/admin/keys/" + creds.APIKey + "/revoke", "", true},
		{"GET", "/api/customers/" + customerID + "/events", "", false},
		{"POST", "/api/webhooks/endpoints", `{"url":"https://hooks.example.com/onboard"}`, false},
		{"GET", "/api/webhooks/endpoints", "", false},
		{"DELETE", "/api/webhooks/endpoints/" + endpointID, "", false},
		{"POST", "/api/webhooks/endpoints/" + endpointID + "/rotate-secret", "", false},
		{"GET", "/api/webhooks/deliveries?event_id=" + eventID, "", false},
		{"GET", "/admin/customers/" + customerID + "/events", "", true},
		{"POST", "/admin/partners/" + creds.PartnerID + "/webhooks/endpoints", `{"url":"https://hooks.example.com/onboard"}`, true},
		{"GET", "/admin/partners/" + creds.PartnerID + "/webhooks/endpoints", "", true},
		{"DELETE", "/admin/partners/" + creds.PartnerID + "/webhooks/endpoints/" + endpointID, "", true},
		{"POST", "/admin/partners/" + creds.PartnerID + "/webhooks/endpoints/" + endpointID + "/rotate-secret", "", true},
		{"GET", "/admin/webhooks/deliveries?event_id=" + eventID, "", true},
		{"POST", "/admin/events/" + eventID + "/redeliver", "", true},
		{"GET", "/admin/partners/" + creds.PartnerID + "/rate-limit", "", true},
		{"PUT", "/admin/partners/" + creds.PartnerID + "/rate-limit", `{"requests_per_second":1,"burst":1}`, true},
		{"DELETE", "/admin/partners/" + creds.PartnerID + "/rate-limit", "", true},
	} {
		// Which of 500 and 503 depends on how the store reports a closed
		// database; both are documented.
		var resp response
		if tc.admin {
			resp = ts.request(t, tc.method, tc.path, nil, tc.body, operator...)
		} else {
			resp = ts.request(t, tc.method, tc.path, &creds, tc.body)
		}
		if resp.StatusCode < 500 {
			t.Errorf("%s %s with the database closed = %d, want 5xx: %s", tc.method, tc.path, resp.StatusCode, resp.Body)
		}
	}
}

// TestOpenAPIListParameters sends each documented query parameter of the
// lists, the audit trail and the deliveries, alone and together, to a real
// server and wants it accepted; and an undocumented one rejected.
func TestOpenAPIListParameters(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	operator := openAPIOperator(t, ts)
	openAPICustomer(t, ts, creds)
	customerID, partnerCustomerID := openAPICustomer(t, ts, creds)
	sample := map[string]string{
		"status":              "pending",
		"partner_customer_id": partnerCustomerID,
		"created_after":       "2020-01-01T00:00:00+01:00",
		"created_before":      "2099-01-01T00:00:00Z",
		"limit":               "5",
		"starting_after":      customerID,
		"partner_id":          creds.PartnerID,
		"customer_id":         customerID,
		"event_id":            "evt_00000000000000000000000000000000",
		"awaiting_partner":    "false",
		"risk":                "medium",
		"has_hits":            "false",
		"needs_review":        "false",
	}
	for _, tc := range []struct {
		path     string
		headers  []string
		creds    *kyb.Credentials
		together bool // whether the parameters may be combined
	}{
		{"/api/customers", nil, &creds, true},
		{"/admin/customers", operator, nil, true},
		{"/admin/audit", operator, nil, false},
		{"/admin/customers/counts", operator, nil, true},
		{"/api/webhooks/deliveries", nil, &creds, true},
		{"/admin/webhooks/deliveries", operator, nil, true},
	} {
		var all []string
		for _, p := range doc.Paths.Value(tc.path).Get.Parameters {
			if p.Value.In != openapi3.ParameterInQuery {
				continue
			}
			value, ok := sample[p.Value.Name]
			if !ok {
				t.Errorf("%s: no sample value for the parameter %s", tc.path, p.Value.Name)
				continue
			}
			query := p.Value.Name + "=" + url.QueryEscape(value)
			all = append(all, query)
			if resp := ts.request(t, "GET", tc.path+"?"+query, tc.creds, "", tc.headers...); resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s?%s = %d, want 200: %s", tc.path, query, resp.StatusCode, resp.Body)
			}
		}
		if len(all) == 0 {
			t.Errorf("%s documents no query parameters", tc.path)
		}
		if tc.together {
			query := strings.Join(all, "&")
			if resp := ts.request(t, "GET", tc.path+"?"+query, tc.creds, "", tc.headers...); resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s?%s = %d, want 200: %s", tc.path, query, resp.StatusCode, resp.Body)
			}
		}
		if resp := ts.request(t, "GET", tc.path+"?"+all[0]+"&sort=asc", tc.creds, "", tc.headers...); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s with an undocumented parameter = %d, want 400: %s", tc.path, resp.StatusCode, resp.Body)
		}
	}
}

// TestOpenAPIExamplesAreReal sends the document's request examples to a
// real server and wants them accepted; the full customer, the PDF and the
// webhook endpoints are echoed as the documented response examples, apart
// from what the server assigns. The file ids in the customer examples stand for files that
// are uploaded first.
func TestOpenAPIExamplesAreReal(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, storetest.Engines()[0])
	creds := ts.partner(t)
	operator := openAPIOperator(t, ts)

	// sameExample reports how a response departs from an operation's
	// documented 200 example, apart from the assigned fields.
	sameExample := func(op *openapi3.Operation, resp response, replace *strings.Replacer, assigned ...string) {
		t.Helper()
		got := resp.json(t)
		// A copy, so that the shared document stays as loaded.
		var want map[string]any
		documented, _ := json.Marshal(op.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Example)
		if err := json.Unmarshal([]byte(replace.Replace(string(documented))), &want); err != nil {
			t.Fatalf("the %s 200 example: %v", op.OperationID, err)
		}
		for _, k := range assigned {
			delete(got, k)
			delete(want, k)
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("%s answers\n%s\nwant the documented response example\n%s", op.OperationID, gotJSON, wantJSON)
		}
	}

	// The file ids of the customer examples, uploaded as files of the
	// types their fields take.
	fileFields := map[string]kyb.FileType{
		"business_identifier_document_list": kyb.FileBusinessRegistration,
		"id_document_front_file_id":         kyb.FileMainPage,
		"id_document_back_file_id":          kyb.FileBackPage,
	}
	var pairs []string
	uploaded := map[string]bool{}
	var collect func(key string, v any)
	collect = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				collect(k, child)
			}
		case []any:
			for _, child := range v {
				collect(key, child)
			}
		case string:
			if fileType, ok := fileFields[key]; ok && !uploaded[v] {
				uploaded[v] = true
				content := openAPIPNG
				if fileType == kyb.FileBusinessRegistration {
					content = openAPIPDF
				}
				pairs = append(pairs, v, openAPIUpload(t, ts, creds, fileType, content))
			}
		}
	}
	var (
		customerID string
		tried      int
	)
	senders := map[string]func(name, body string) response{
		"createCustomer": func(name, body string) response {
			resp := ts.request(t, "POST", "/api/customers/create", &creds, body)
			if resp.StatusCode == http.StatusOK {
				customerID = resp.json(t)["customer_id"].(string)
			}
			return resp
		},
		"uploadFile": func(name, body string) response {
			return ts.request(t, "POST", "/api/files/upload", &creds, body)
		},
		"adminChangeStatus": func(name, body string) response {
			id, _ := openAPICustomer(t, ts, creds)
			return ts.request(t, "POST", "/admin/customers/"+id+"/status", nil, body, operator...)
		},
		"adminEraseCustomer": func(name, body string) response {
			id, _ := openAPICustomer(t, ts, creds)
			return ts.request(t, "POST", "/admin/customers/"+id+"/erase", nil, body, operator...)
		},
		"adminClearReview": func(name, body string) response {
			// Its hit makes its risk high: another operator clears it first.
			marked, token, id := markedForReview(t)
			if resp := marked.admin(t, marked.operator(t), "POST", "/admin/customers/"+id+"/clear-review", body); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("the first clearance = %d %s, want 202", resp.StatusCode, resp.Body)
			}
			return marked.admin(t, token, "POST", "/admin/customers/"+id+"/clear-review", body)
		},
		"adminCreatePartner": func(name, body string) response {
			return ts.request(t, "POST", "/admin/partners", nil, body, operator...)
		},
		"createWebhookEndpoint": func(name, body string) response {
			return ts.request(t, "POST", "/api/webhooks/endpoints", &creds, body)
		},
		"adminCreateWebhookEndpoint": func(name, body string) response {
			return ts.request(t, "POST", "/admin/partners/"+creds.PartnerID+"/webhooks/endpoints", nil, body, operator...)
		},
		"adminSetPolicy": func(name, body string) response {
			return ts.request(t, "PUT", "/admin/partners/"+ts.partner(t).PartnerID+"/policy", nil, body, operator...)
		},
		"adminSearchScreening": func(name, body string) response {
			return ts.request(t, "POST", "/admin/screening/search", nil, body, operator...)
		},
		"adminSetRateLimit": func(name, body string) response {
			return ts.request(t, "PUT", "/admin/partners/"+ts.partner(t).PartnerID+"/rate-limit", nil, body, operator...)
		},
		"updateCustomer": func(name, body string) response {
			id, _ := openAPICustomer(t, ts, creds)
			return ts.request(t, "POST", "/api/customers/"+id+"/update", &creds, body)
		},
		"adminRequestInformation": func(name, body string) response {
			id := openAPIPersonCustomer(t, ts, creds)
			return ts.request(t, "POST", "/admin/customers/"+id+"/requirements", nil, body, operator...)
		},
		"adminCreateOperator": func(name, body string) response {
			return ts.request(t, "POST", "/admin/operators", nil, body, operator...)
		},
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			examples := op.RequestBody.Value.Content.Get("application/json").Examples
			if len(examples) == 0 {
				continue
			}
			send := senders[op.OperationID]
			if send == nil {
				t.Errorf("%s %s has request examples that this test does not try", method, path)
				continue
			}
			for name, ex := range examples {
				collect("", ex.Value.Value)
				replace := strings.NewReplacer(pairs...)
				body, err := json.Marshal(ex.Value.Value)
				if err != nil {
					t.Fatal(err)
				}
				tried++
				resp := send(name, replace.Replace(string(body)))
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s example %s: status = %d, want 200: %s", op.OperationID, name, resp.StatusCode, resp.Body)
					continue
				}
				switch {
				case op.OperationID == "createCustomer" && name == "full":
					sameExample(op, resp, replace, "customer_id", "created_at")
				case op.OperationID == "uploadFile" && name == "pdf":
					sameExample(op, resp, replace, "file_id", "created_at")
				case op.OperationID == "createWebhookEndpoint", op.OperationID == "adminCreateWebhookEndpoint":
					sameExample(op, resp, replace, "id", "created_at", "secret")
				case op.OperationID == "adminSetRateLimit":
					sameExample(op, resp, replace, "partner_id")
				}
			}
		}
	}
	if tried == 0 || customerID == "" {
		t.Errorf("tried %d examples, and none created a customer", tried)
	}
}

// TestOpenAPIDocumentsWebhooks checks the document's webhooks against the
// relay: one for each event type, each a POST of an event of that type,
// and only of that type, with the headers the relay signs it with, that
// takes none of the API's credentials and is answered by any 2xx or else
// retried on the schedule the server uses by default.
func TestOpenAPIDocumentsWebhooks(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	headers := []string{api.HeaderID, api.HeaderTimestamp, api.HeaderStandardSignature, api.HeaderSignature}
	slices.Sort(headers)
	statuses := []kyb.Status{kyb.StatusPending, kyb.StatusActive, kyb.StatusRejected, kyb.StatusSuspended}
	opts := append([]openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}, formatValidators...)
	for _, eventType := range api.EventTypes {
		item := doc.Webhooks[eventType]
		if item == nil || item.Post == nil || len(item.Operations()) != 1 {
			t.Errorf("the document has no webhook %s that is a POST alone", eventType)
			continue
		}
		op := item.Post
		// The partner's endpoint takes no credentials of the API: the
		// signatures authenticate the service.
		if op.Security == nil || len(*op.Security) != 0 {
			t.Errorf("webhook %s: security is not empty", eventType)
		}
		var names []string
		for _, p := range op.Parameters {
			if p.Value.In != openapi3.ParameterInHeader || !p.Value.Required {
				t.Errorf("webhook %s: the parameter %s is not a required header", eventType, p.Value.Name)
			}
			names = append(names, p.Value.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, headers) {
			t.Errorf("webhook %s: the headers are %q, want the relay's %q", eventType, names, headers)
		}
		if r := op.Responses; r.Len() != 2 || r.Value("2XX") == nil || r.Default() == nil {
			t.Errorf("webhook %s: the responses are not 2XX and default", eventType)
		}
		if op.RequestBody == nil || !op.RequestBody.Value.Required || len(op.RequestBody.Value.Content) != 1 || op.RequestBody.Value.Content.Get("application/json") == nil {
			t.Errorf("webhook %s: the body is not required JSON alone", eventType)
			continue
		}
		body := op.RequestBody.Value.Content.Get("application/json").Schema.Value

		// The body is an event of this type, and an event is about a
		// customer in the status the type names: pending once created,
		// then the status it moved to. A customer is created first.
		for _, other := range api.EventTypes {
			for _, status := range statuses {
				sequence := 2
				if other == api.EventCustomerCreated {
					sequence = 1
				}
				event := openAPIEvent(t, other, sequence, status)
				// An update and a change of requirements are about a
				// customer in any status.
				anyStatus := other == api.EventCustomerUpdated || other == api.EventCustomerRequirementsUpdated
				want := status == kyb.StatusPending && other == api.EventCustomerCreated || other == "customer."+string(status) || anyStatus
				if err := doc.Components.Schemas["WebhookEvent"].Value.VisitJSON(event, opts...); (err == nil) != want {
					t.Errorf("WebhookEvent accepts an event %s about a customer %s = %v, want %v (%v)", other, status, err == nil, want, err)
				}
				if err := body.VisitJSON(event, opts...); (err == nil) != (want && other == eventType) {
					t.Errorf("webhook %s accepts an event %s about a customer %s = %v, want %v (%v)", eventType, other, status, err == nil, want && other == eventType, err)
				}
			}
		}
	}
	created := openAPIEvent(t, api.EventCustomerCreated, 2, kyb.StatusPending)
	if err := doc.Components.Schemas["WebhookEvent"].Value.VisitJSON(created, opts...); err == nil {
		t.Errorf("WebhookEvent accepts a customer.created event whose sequence is 2")
	}
	// A customer created before webhooks has no customer.created event:
	// its first status change is its event 1.
	active := openAPIEvent(t, api.EventCustomerActive, 1, kyb.StatusActive)
	if err := doc.Components.Schemas["WebhookEvent"].Value.VisitJSON(active, opts...); err != nil {
		t.Errorf("WebhookEvent refuses a customer.active event whose sequence is 1: %v", err)
	}

	// The durations the responses describe are the server's defaults, and
	// the flags the document names are settings of onboard serve.
	spoken := func(d time.Duration) string {
		if d%time.Hour == 0 {
			return fmt.Sprintf("%d h", d/time.Hour)
		}
		return fmt.Sprintf("%g s", d.Seconds())
	}
	defaults := config.Default()
	accepted := *doc.Components.Responses["WebhookAccepted"].Value.Description
	retried := *doc.Components.Responses["WebhookRetried"].Value.Description
	for _, tc := range []struct {
		what, text string
		d          time.Duration
		flag       string
	}{
		{"WebhookAccepted", accepted, defaults.WebhookTimeout, "webhook-timeout"},
		{"WebhookRetried", retried, defaults.WebhookTimeout, "webhook-timeout"},
		{"WebhookRetried", retried, defaults.WebhookRetryInitial, "webhook-retry-initial"},
		{"WebhookRetried", retried, defaults.WebhookRetryMax, "webhook-retry-max"},
		{"WebhookRetried", retried, defaults.WebhookGiveUpAfter, "webhook-give-up-after"},
	} {
		if !strings.Contains(tc.text, spoken(tc.d)) || !strings.Contains(tc.text, "--"+tc.flag) {
			t.Errorf("the %s response does not name %s and its default %s", tc.what, tc.flag, spoken(tc.d))
		}
	}
	if s := webhook.DefaultSchedule; s.Initial != defaults.WebhookRetryInitial || s.Max != defaults.WebhookRetryMax || s.GiveUpAfter != defaults.WebhookGiveUpAfter {
		t.Errorf("webhook.DefaultSchedule %+v is not the default configuration's", s)
	}
	flags := regexp.MustCompile(`--([a-z][a-z-]+)`).FindAllStringSubmatch(string(httpapi.OpenAPIDocument()), -1)
	if len(flags) == 0 {
		t.Error("the document names no flag")
	}
	for _, m := range flags {
		if !slices.Contains(config.ServeSettings, m[1]) {
			t.Errorf("the document names --%s, which is not a setting of onboard serve", m[1])
		}
	}
}

// openAPIEvent returns a decoded event of a type about a customer in a
// status, with a sequence.
func openAPIEvent(t *testing.T, eventType string, sequence int, status kyb.Status) any {
	t.Helper()
	customer := map[string]any{
		"partner_customer_id": "ptn-cust-000000000001",
		"business_details": map[string]any{
			"business_name": "Example Trading Ltd", "business_identifier_number": "12345678", "business_identifier_country_code": "GB",
		},
		"registration_address": map[string]any{
			"registration_address_line1": "1 Example Street", "registration_address_city": "London", "registration_address_country_code": "GB",
		},
		"customer_id": "cus_018c5a3b7e2f4a1b9c8d7e6f5a4b3c2d",
		"status":      string(status),
		"created_at":  "2024-01-15T09:30:00Z",
		"version":     1,
	}
	if status != kyb.StatusPending {
		customer["status_reason"], customer["status_updated_at"] = "documents verified", "2024-01-16T11:02:37Z"
	}
	b, err := json.Marshal(map[string]any{
		"id": "evt_018c6a1f3b9d4c2e8a7b6c5d4e3f2a1c", "type": eventType, "created_at": "2024-01-16T11:02:37Z", "sequence": sequence, "data": customer,
	})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenAPIEndpointSchemaAgreesWithServer sends webhook endpoints both to
// the EndpointRequest schema and to the server, with and without
// --allow-insecure-webhooks, and wants the same verdict, except for the
// rules the schema states only in descriptions.
func TestOpenAPIEndpointSchemaAgreesWithServer(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["EndpointRequest"].Value
	ts := newTestServer(t, storetest.Engines()[0])
	servers := map[bool]*testServer{false: ts, true: ts.instance(t, kyb.WithInsecureWebhooks(true))}
	url := func(u string) string { return mustJSON(t, map[string]string{"url": u}) }
	const host = "https://hooks.example.com/"
	tests := []struct {
		name, body string
		// schemaOK and serverOK are the expected verdicts, insecureOK the
		// server's with --allow-insecure-webhooks; they differ only where
		// the schema cannot state the server's rule.
		schemaOK, serverOK, insecureOK bool
	}{
		{"https", url(host + "onboard"), true, true, true},
		{"uppercase scheme and host", url("HTTPS://HOOKS.EXAMPLE.COM/onboard?source=onboard"), true, true, true},
		{"port and query", url("https://hooks.example.com:8443/onboard?a=1&b=2"), true, true, true},
		{"an empty fragment", url(host + "onboard#"), true, true, true},
		{"a public IPv4 address", url("https://93.184.215.14/hooks"), true, true, true},
		{"a documentation IPv4 address", url("https://203.0.113.10/hooks"), true, false, true},
		{"6to4, which reaches IPv4", url("https://[2002:a00:1::1]/hooks"), true, false, true},
		{"a public IPv6 address", url("https://[2606:4700:4700::1111]/hooks"), true, true, true},
		{"an internationalised host", url("https://bücher.example/hooks"), true, true, true},
		{"@ in the path", url(host + "a@b"), true, true, true},
		{"2048 characters", url(host + strings.Repeat("a", 2048-len(host))), true, true, true},

		{"2049 characters", url(host + strings.Repeat("a", 2049-len(host))), false, false, false},
		{"empty", url(""), false, false, false},
		{"null", `{"url": null}`, false, false, false},
		{"missing", `{}`, false, false, false},
		{"a number", `{"url": 42}`, false, false, false},
		{"an unknown field", `{"url": "` + host + `onboard", "events": ["customer.created"]}`, false, false, false},
		{"credentials", url("https://user:secret@hooks.example.com/onboard"), false, false, false},
		{"a user alone", url("https://user@hooks.example.com/onboard"), false, false, false},
		{"a fragment", url(host + "onboard#top"), false, false, false},
		{"another scheme", url("ftp://hooks.example.com/onboard"), false, false, false},
		{"no scheme", url("hooks.example.com/onboard"), false, false, false},
		{"no host", url("https:///onboard"), false, false, false},
		{"a space in the host", url("https://hooks example.com/"), false, false, false},
		{"a control character", url(host + "onboard\u0085"), false, false, false},
		{"a malformed port", url("https://hooks.example.com:https/onboard"), false, false, false},
		{"a malformed escape", url(host + "%zz"), false, false, false},

		// Rules the schema states only in descriptions.
		{"http", url("http://hooks.example.com/onboard"), true, false, true},
		{"loopback", url("https://127.0.0.1/hooks"), true, false, true},
		{"IPv6 loopback", url("https://[::1]:8443/hooks"), true, false, true},
		{"private", url("https://10.1.2.3/hooks"), true, false, true},
		{"link-local", url("https://169.254.169.254/latest/meta-data"), true, false, true},
		{"carrier-grade NAT", url("https://100.64.0.1/hooks"), true, false, true},
		{"localhost", url("https://localhost:8443/hooks"), true, false, true},
		{"a name under localhost", url("https://hooks.localhost./onboard"), true, false, true},
		{"http to localhost", url("http://127.0.0.1:8080/hooks"), true, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var value any
			if err := json.Unmarshal([]byte(tc.body), &value); err != nil {
				t.Fatal(err)
			}
			opts := append([]openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020(), openapi3.VisitAsRequest()}, formatValidators...)
			schemaErr := schema.VisitJSON(value, opts...)
			if got := schemaErr == nil; got != tc.schemaOK {
				t.Errorf("schema accepts = %v, want %v (%v)\nbody: %s", got, tc.schemaOK, schemaErr, tc.body)
			}
			for _, insecure := range []bool{false, true} {
				// A partner of its own for each, so that the limit of
				// endpoints is never reached.
				creds := ts.partner(t)
				resp := servers[insecure].request(t, "POST", "/api/webhooks/endpoints", &creds, tc.body)
				want := tc.serverOK
				if insecure {
					want = tc.insecureOK
				}
				if got := resp.StatusCode == http.StatusOK; got != want {
					t.Errorf("server (insecure webhooks %v) accepts = %v (status %d), want %v\nbody: %s\nresponse: %s", insecure, got, resp.StatusCode, want, tc.body, resp.Body)
				}
			}
		})
	}
}

// TestOpenAPIDescribesWebhookDeliveries has a real relay, on each store,
// deliver an event of every type to a real endpoint and checks each
// request against its webhook in the document: its headers, its body, and
// its signatures, computed as the descriptions say. The endpoint answers
// the first delivery with a redirect, which must be retried rather than
// followed; the deliveries and the events read back through the API must
// agree.
func TestOpenAPIDescribesWebhookDeliveries(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		type delivery struct {
			header http.Header
			body   []byte
			status int
		}
		var (
			mu       sync.Mutex
			received []delivery
			followed []string
		)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if r.URL.Path != "/hooks" {
				followed = append(followed, r.URL.Path)
				return
			}
			status := http.StatusNoContent
			if len(received) == 0 {
				w.Header().Set("Location", "/elsewhere")
				status = http.StatusFound
			}
			received = append(received, delivery{r.Header.Clone(), body, status})
			w.WriteHeader(status)
		}))
		t.Cleanup(receiver.Close)
		// accepted waits for n deliveries answered with a 2xx and returns every
		// delivery so far.
		accepted := func(n int) []delivery {
			t.Helper()
			for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				mu.Lock()
				got := slices.Clone(received)
				mu.Unlock()
				if count := len(slices.DeleteFunc(slices.Clone(got), func(d delivery) bool { return d.status >= 300 })); count >= n {
					return got
				}
				if time.Now().After(deadline) {
					t.Fatalf("the endpoint got %d deliveries, want %d accepted", len(got), n)
				}
			}
		}

		ts := newTestServer(t, e)
		relay := webhook.New(webhook.Options{
			Store: ts.Store, Cipher: ts.Cipher, Log: slog.New(slog.DiscardHandler), Timeout: 5 * time.Second,
			Schedule: webhook.Schedule{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, GiveUpAfter: time.Minute},
			Poll:     20 * time.Millisecond, AllowPrivate: true,
		})
		ts.reconfigure(t, kyb.WithInsecureWebhooks(true), kyb.WithEventNotifier(relay.Notify))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { relay.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })

		creds := ts.partner(t)
		operator := openAPIOperator(t, ts)
		resp := ts.request(t, "POST", "/api/webhooks/endpoints", &creds, `{"url":"`+receiver.URL+`/hooks"}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("create an endpoint = %d: %s", resp.StatusCode, resp.Body)
		}
		secret := resp.json(t)["secret"].(string)
		approved, _ := openAPICustomer(t, ts, creds)
		rejected, _ := openAPICustomer(t, ts, creds)
		for _, step := range []struct{ id, status string }{{approved, "active"}, {approved, "suspended"}, {rejected, "rejected"}} {
			if resp := ts.request(t, "POST", "/admin/customers/"+step.id+"/status", nil, `{"status":"`+step.status+`","reason":"openapi"}`, operator...); resp.StatusCode != http.StatusOK {
				t.Fatalf("make a customer %s = %d: %s", step.status, resp.StatusCode, resp.Body)
			}
		}
		// A third asked for information and updated; a fourth approved,
		// then sent back to review by an update that adds a risk flag.
		updated, _ := openAPICustomer(t, ts, creds)
		sentBack, _ := openAPICustomer(t, ts, creds)
		for _, step := range []struct{ path, body string }{
			{"/admin/customers/" + updated + "/requirements", `{"items":[{"kind":"question","message":"Which marketplaces?"}]}`},
			{"/api/customers/" + updated + "/update", `{"business_details":{"website":"https://www.example.org"}}`},
			{"/admin/customers/" + sentBack + "/status", `{"status":"active","reason":"openapi"}`},
			{"/api/customers/" + sentBack + "/update", `{"registration_address":{"registration_address_country_code":"IR"}}`},
		} {
			headers, c := operator, (*kyb.Credentials)(nil)
			if strings.HasPrefix(step.path, "/api/") {
				headers, c = nil, &creds
			}
			if resp := ts.request(t, "POST", step.path, c, step.body, headers...); resp.StatusCode != http.StatusOK {
				t.Fatalf("POST %s = %d: %s", step.path, resp.StatusCode, resp.Body)
			}
		}
		// Two customers created, one approved then suspended, one rejected;
		// then the 3 and 4 events of the other two.
		got := accepted(12)

		requestOptions := &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SchemaValidationOptions: formatValidators}
		types := map[string]bool{}
		bodies := map[string][]byte{} // by event id
		for i, d := range got {
			var event struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			}
			if err := json.Unmarshal(d.body, &event); err != nil {
				t.Errorf("delivery %d: the body is not JSON: %v", i, err)
				continue
			}
			types[event.Type] = true
			if previous, ok := bodies[event.ID]; ok && !bytes.Equal(previous, d.body) {
				t.Errorf("delivery %d: event %s was sent again with another body:\n%s\n%s", i, event.ID, previous, d.body)
			}
			bodies[event.ID] = d.body
			item := doc.Webhooks[event.Type]
			if item == nil || item.Post == nil {
				t.Errorf("delivery %d: the document has no webhook %q", i, event.Type)
				continue
			}
			req, err := http.NewRequest(http.MethodPost, receiver.URL+"/hooks", bytes.NewReader(d.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = d.header
			err = openapi3filter.ValidateRequest(t.Context(), &openapi3filter.RequestValidationInput{
				Request: req,
				Route:   &routers.Route{Spec: doc, Path: event.Type, PathItem: item, Method: http.MethodPost, Operation: item.Post},
				Options: requestOptions,
			})
			if err != nil {
				t.Errorf("delivery %d of %s does not match the document: %v\nheaders: %v\nbody: %s", i, event.Type, err, d.header, d.body)
			}
			if ct := d.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("delivery %d: Content-Type = %q, want application/json", i, ct)
			}

			// The signatures, made as the document says.
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(d.body)
			if sig, want := d.header.Get("X-Webhook-Signature"), hex.EncodeToString(mac.Sum(nil)); sig != want {
				t.Errorf("delivery %d: X-Webhook-Signature = %q, want the hex HMAC-SHA256 of the body keyed by the secret, %q", i, sig, want)
			}
			key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
			if err != nil {
				t.Fatalf("the secret %q is not whsec_ and base64: %v", secret, err)
			}
			mac = hmac.New(sha256.New, key)
			mac.Write([]byte(d.header.Get("webhook-id") + "." + d.header.Get("webhook-timestamp") + "."))
			mac.Write(d.body)
			if sig, want := d.header.Get("webhook-signature"), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)); sig != want {
				t.Errorf("delivery %d: webhook-signature = %q, want v1 and the base64 HMAC-SHA256 of id.timestamp.body keyed by the decoded secret, %q", i, sig, want)
			}
			if id := d.header.Get("webhook-id"); id != event.ID {
				t.Errorf("delivery %d: webhook-id = %q, want the event's id %s", i, id, event.ID)
			}
			if sent, err := strconv.ParseInt(d.header.Get("webhook-timestamp"), 10, 64); err != nil || time.Since(time.Unix(sent, 0)).Abs() > time.Minute {
				t.Errorf("delivery %d: webhook-timestamp = %q, want the Unix seconds of now", i, d.header.Get("webhook-timestamp"))
			}
		}
		for _, eventType := range api.EventTypes {
			if !types[eventType] {
				t.Errorf("no %s event was delivered", eventType)
			}
		}
		mu.Lock()
		if len(followed) > 0 {
			t.Errorf("the relay followed a redirect to %q", followed)
		}
		mu.Unlock()

		// The events read back are the bodies delivered, byte for byte.
		for _, id := range []string{approved, rejected} {
			var events struct{ Data []json.RawMessage }
			resp := ts.request(t, "GET", "/api/customers/"+id+"/events", &creds, "")
			if err := json.Unmarshal(resp.Body, &events); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("the events of %s = %d: %s", id, resp.StatusCode, resp.Body)
			}
			for _, raw := range events.Data {
				var event struct{ ID string }
				json.Unmarshal(raw, &event)
				if body, ok := bodies[event.ID]; !ok || !bytes.Equal(body, raw) {
					t.Errorf("the event read back\n%s\nis not the body delivered\n%s", raw, body)
				}
			}
		}

		// The redirected delivery was retried and then accepted; its attempts
		// say so.
		var first struct{ ID string }
		json.Unmarshal(got[0].body, &first)
		path := "/api/webhooks/deliveries?event_id=" + first.ID
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			resp := ts.request(t, "GET", path, &creds, "")
			var list struct {
				Data []struct {
					Status   string
					Attempts []struct {
						StatusCode int    `json:"status_code"`
						Error      string `json:"error"`
					}
				}
			}
			json.Unmarshal(resp.Body, &list)
			if len(list.Data) == 1 && list.Data[0].Status == "succeeded" {
				a := list.Data[0].Attempts
				if len(a) != 2 || a[0].StatusCode != http.StatusFound || a[0].Error != "http status 302" || a[1].StatusCode != http.StatusNoContent || a[1].Error != "" {
					t.Errorf("GET %s = %s, want a failed 302 attempt and then a 204", path, resp.Body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s = %s, want one succeeded delivery", path, resp.Body)
			}
		}
		if resp := ts.request(t, "GET", "/admin/webhooks/deliveries?event_id="+first.ID, nil, "", operator...); resp.StatusCode != http.StatusOK {
			t.Errorf("the operator's deliveries = %d: %s", resp.StatusCode, resp.Body)
		}

		// A redelivery sends the same body again, under the same id.
		if resp := ts.request(t, "POST", "/admin/events/"+first.ID+"/redeliver", nil, "", operator...); resp.StatusCode != http.StatusOK {
			t.Fatalf("redeliver = %d: %s", resp.StatusCode, resp.Body)
		}
		again := accepted(13)
		last := again[len(again)-1]
		if last.header.Get("webhook-id") != first.ID || !bytes.Equal(last.body, got[0].body) {
			t.Errorf("the redelivery is %s %s, want %s %s", last.header.Get("webhook-id"), last.body, first.ID, got[0].body)
		}
	})
}

// checkLimitHeaders wants an operation to document its 429 with Retry-After
// and, on /api (apiKey), the X-RateLimit-* headers of its 200 and 429.
func checkLimitHeaders(t *testing.T, method, path string, op *openapi3.Operation, apiKey bool) {
	t.Helper()
	tooMany := op.Responses.Status(http.StatusTooManyRequests)
	if tooMany == nil || tooMany.Value.Headers["Retry-After"] == nil || !tooMany.Value.Headers["Retry-After"].Value.Required {
		t.Errorf("%s %s: no 429 with a required Retry-After", method, path)
		return
	}
	if !apiKey {
		return
	}
	ok := op.Responses.Status(http.StatusOK)
	for _, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		if ok == nil || ok.Value.Headers[name] == nil || tooMany.Value.Headers[name] == nil {
			t.Errorf("%s %s: the 200 and 429 responses do not both document %s", method, path, name)
		}
	}
}

// TestOpenAPIDocumentsRateLimits ties the limits the document states to
// the code's defaults.
func TestOpenAPIDocumentsRateLimits(t *testing.T) {
	doc, _, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	def, policy := kyb.DefaultRateLimit, ratelimit.DefaultPolicy
	if policy.Window != time.Minute || policy.Block != time.Minute {
		t.Errorf("the document counts failures within a minute and blocks for a minute at first, the policy is %+v", policy)
	}
	for _, phrase := range []string{
		fmt.Sprintf("%g requests a second on average, in bursts of up to %d", def.PerSecond, def.Burst),
		fmt.Sprintf("After %d failed authentications within a minute", policy.Failures),
		fmt.Sprintf("doubling while failures go on, at most %d minutes", int(policy.MaxBlock.Minutes())),
	} {
		if !strings.Contains(doc.Info.Description, phrase) {
			t.Errorf("the document's description does not say %q", phrase)
		}
	}
	request := doc.Components.Schemas["RateLimitRequest"].Value
	if got := *request.Properties["requests_per_second"].Value.Max; got != kyb.MaxRequestsPerSecond {
		t.Errorf("RateLimitRequest.requests_per_second maximum = %v, want %d", got, kyb.MaxRequestsPerSecond)
	}
	if got := *request.Properties["burst"].Value.Max; got != kyb.MaxBurst {
		t.Errorf("RateLimitRequest.burst maximum = %v, want %d", got, kyb.MaxBurst)
	}
	example := doc.Paths.Value("/admin/partners/{partner_id}/rate-limit").Get.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Example.(map[string]any)
	if example["requests_per_second"] != def.PerSecond || example["burst"] != float64(def.Burst) {
		t.Errorf("the adminGetRateLimit example shows %v, want the default %+v", example, def)
	}
}
