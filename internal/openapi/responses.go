package openapi

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The answers every operation can give, which the overlay leaves out:
// Generate adds them to each operation that does not give its own, so
// that they are written once. Which apply depends on who may call the
// operation (its security) and on whether it takes a body.
var (
	// everyOperation applies to every operation, public ones included.
	everyOperation = map[string]string{"405": "MethodNotAllowed", "500": "InternalError"}
	// byCaller applies by the operation's security: a partner's (the
	// document's default, so no security of its own) or an operator's.
	byCaller = map[string]map[string]string{
		"partner":  {"401": "Unauthorized", "429": "TooManyRequests", "503": "ServiceUnavailable"},
		"operator": {"401": "OperatorUnauthorized", "429": "OperatorTooManyRequests", "503": "ServiceUnavailable"},
	}
	// withBody applies to an operation that takes a request body.
	withBody = map[string]string{"413": "PayloadTooLarge", "415": "UnsupportedMediaType"}
)

// noBodyKey marks a shared answer without a body (a webhook receiver's);
// every other shared answer is an error, with the Error object as its
// body: the overlay gives at most its example, beside its description.
const noBodyKey = "x-no-body"

// addErrorBodies gives each shared answer of components.responses the
// Error object as its body, with the example the overlay gives it.
func addErrorBodies(doc *obj) {
	responses := doc.path("components", "responses")
	if responses == nil {
		return
	}
	for _, name := range responses.keys {
		r := responses.child(name)
		switch {
		case r.has(noBodyKey):
			r.del(noBodyKey)
		case r.has("content"):
		case r.has("example"):
			r.replace("example", "content", errorBody(r.get("example")))
		default:
			r.set("content", errorBody(nil))
		}
	}
}

// errorBody is an error's JSON body, with example when it is not nil.
func errorBody(example any) *obj {
	media := newObj("schema", ref("schemas", "Error"))
	if example != nil {
		media.set("example", example)
	}
	return newObj("application/json", media)
}

// addStandardParts gives each operation under paths the request id
// parameter, each of its answers the X-Request-Id header (both first or
// last, where every operation has them; the answers in components too,
// when an operation refers to them), a partner's successful answers the
// rate-limit headers, and the standard answers above; the responses are
// then in the order of their codes.
func addStandardParts(doc *obj) {
	paths := doc.child("paths")
	if paths == nil {
		return
	}
	components := doc.path("components", "responses")
	referred := map[string]bool{}
	for _, p := range paths.keys {
		item := paths.child(p)
		for _, method := range item.keys {
			op := item.child(method)
			if op == nil || !op.has("responses") {
				continue
			}
			addRequestID(op)
			responses := op.child("responses")
			standard := []map[string]string{everyOperation, byCaller[caller(op)]}
			if op.has("requestBody") {
				standard = append(standard, withBody)
			}
			for _, s := range standard {
				for code, name := range s {
					if !responses.has(code) {
						responses.set(code, ref("responses", name))
					}
				}
			}
			slices.SortStableFunc(responses.keys, func(a, b string) int { return cmp.Compare(codeOrder(a), codeOrder(b)) })
			for _, code := range responses.keys {
				r := responses.child(code)
				switch name, isRef := r.get("$ref").(string); {
				case isRef:
					referred[strings.TrimPrefix(name, "#/components/responses/")] = true
				case code[0] == '2':
					addRequestIDHeader(r)
					if caller(op) == "partner" {
						addRateLimitHeaders(r)
					}
				}
			}
		}
	}
	if components == nil {
		return
	}
	for _, name := range components.keys {
		if referred[name] {
			addRequestIDHeader(components.child(name))
		}
	}
}

// addRequestIDHeader makes X-Request-Id the first header of a response.
func addRequestIDHeader(r *obj) {
	headers := r.child("headers")
	if headers == nil {
		headers = newObj()
		r.insertAt(min(r.index("description")+1, len(r.keys)), "headers", headers)
	}
	if !headers.has("X-Request-Id") {
		headers.keys = append([]string{"X-Request-Id"}, headers.keys...)
		headers.vals["X-Request-Id"] = ref("headers", "X-Request-Id")
	}
}

// rateLimitHeaders are on every answer to a partner that its rate limit
// let through, after X-Request-Id.
var rateLimitHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}

func addRateLimitHeaders(r *obj) {
	headers := r.child("headers")
	at := headers.index("X-Request-Id") + 1
	for _, h := range rateLimitHeaders {
		headers.insertAt(at, h, ref("headers", h))
		at++
	}
}

// caller is who may call an operation: "public" (security []), "operator"
// (operatorToken) or "partner" (the document's default).
func caller(op *obj) string {
	s, ok := op.get("security").([]any)
	switch {
	case !ok:
		return "partner"
	case len(s) == 0:
		return "public"
	}
	return "operator"
}

// addPathParameters gives each operation the parameters of its path, in
// the path's order and before its others: {customer_id} is the component
// parameter CustomerId, or AdminCustomerId under /admin/ where there is
// one (an operator's customer may be any partner's).
func addPathParameters(doc *obj) error {
	components := doc.path("components", "parameters")
	for _, p := range doc.child("paths").keys {
		var params []any
		for rest := p; strings.Contains(rest, "{"); {
			_, after, _ := strings.Cut(rest, "{")
			name, tail, _ := strings.Cut(after, "}")
			rest = tail
			component := camel(name)
			if admin := "Admin" + component; strings.HasPrefix(p, "/admin/") && components.has(admin) {
				component = admin
			}
			if !components.has(component) {
				return fmt.Errorf("paths.%s: no components.parameters.%s for {%s}", p, component, name)
			}
			params = append(params, ref("parameters", component))
		}
		item := doc.child("paths").child(p)
		for _, method := range item.keys {
			op := item.child(method)
			if op == nil {
				continue
			}
			given, _ := op.get("parameters").([]any)
			for _, g := range given {
				if r, ok := g.(*obj); ok && slices.ContainsFunc(params, func(x any) bool { return x.(*obj).get("$ref") == r.get("$ref") }) {
					return fmt.Errorf("paths.%s.%s: the path's parameters come from the path, not the overlay", p, method)
				}
			}
			if len(params) > 0 {
				op.insertAt(op.index("parameters", "requestBody", "responses"), "parameters", append(slices.Clone(params), given...))
			}
		}
	}
	return nil
}

func addRequestID(op *obj) {
	params, _ := op.get("parameters").([]any)
	for _, p := range params {
		if o, ok := p.(*obj); ok && o.get("$ref") == "#/components/parameters/RequestId" {
			return
		}
	}
	// Where the overlay puts parameters: before the body and responses.
	op.insertAt(op.index("parameters", "requestBody", "responses"), "parameters", append(params, ref("parameters", "RequestId")))
}

func ref(kind, name string) *obj { return newObj("$ref", "#/components/"+kind+"/"+name) }

// codeOrder sorts status codes by number, ranges (2XX) with their
// hundreds and "default" last.
func codeOrder(code string) int {
	if n, err := strconv.Atoi(code); err == nil {
		return n
	}
	if len(code) == 3 && code[1:] == "XX" {
		return int(code[0]-'0')*100 + 99
	}
	return 1000
}

// addSecurity says who may call each operation, from its path, as the
// server's routes decide it: /admin takes an operator's token, /api the
// partner's keys (the document's default), the rest nobody's. It goes
// where the overlay would have put it, before the parameters.
func addSecurity(doc *obj) error {
	paths := doc.child("paths")
	for _, p := range paths.keys {
		item := paths.child(p)
		for _, method := range item.keys {
			op := item.child(method)
			if op == nil {
				continue
			}
			if op.has("security") {
				return fmt.Errorf("paths.%s.%s: security comes from the path, not the overlay", p, method)
			}
			var security []any
			switch {
			case strings.HasPrefix(p, "/api/"):
				continue
			case strings.HasPrefix(p, "/admin/"):
				security = []any{newObj("operatorToken", []any{})}
			default:
				security = []any{}
			}
			op.insertAt(op.index("parameters", "requestBody", "responses"), "security", security)
		}
	}
	return nil
}
