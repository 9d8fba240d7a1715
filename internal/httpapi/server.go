// Package httpapi serves the partner API under /api, the operator API
// under /admin and the operational endpoints (/healthz, /readyz, /openapi.json): routing, authentication,
// JSON in and out, and the one place where errors become HTTP responses.
package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// MaxJSONBodyBytes is the largest JSON request body accepted, on every
// route. The largest customer the field rules allow, every text as long as
// allowed in four-byte letters, takes 147 424 bytes indented, and 398 688
// bytes with every such letter escaped as a \uXXXX pair, as Python's json
// module writes it (TestLargestValidCustomerFits): 512 KiB takes it with a
// third to spare, at half the 1 MiB this was before it was measured.
const MaxJSONBodyBytes = 512 << 10

// Server is the HTTP face of the service.
type Server struct {
	service *kyb.Service
	log     *slog.Logger
	mux     *http.ServeMux
	// methods lists the methods of each path without wildcards, so that
	// GET /api/customers/create is a 405 rather than a lookup of customer
	// "create" by the GET /api/customers/{customer_id} route.
	methods  map[string][]string
	limits   *limiter
	observer Observer
}

// New returns a Server for the service, logging to log, with the default
// limits unless options say otherwise.
func New(service *kyb.Service, log *slog.Logger, opts ...Option) *Server {
	s := &Server{service: service, log: log, mux: http.NewServeMux(), methods: map[string][]string{}}
	s.applyOptions(opts)
	s.routes()
	return s
}

// handlerFunc is an HTTP handler that returns its error instead of writing
// it, so that errors are rendered in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) routes() {
	s.handle("GET", "/healthz", s.healthz)
	s.handle("GET", "/readyz", s.readyz)
	s.handle("GET", "/openapi.json", s.openAPI)
	s.handle("POST", "/api/customers/create", s.partner(s.createCustomer))
	s.handle("GET", "/api/customers", s.partner(s.listCustomers))
	s.handle("GET", "/api/customers/{customer_id}", s.partner(s.getCustomer))
	s.handle("POST", "/api/files/upload", s.partner(s.uploadFile))
	s.handle("GET", "/api/files/{file_id}", s.partner(s.getFile))
	s.handle("GET", "/api/files/{file_id}/content", s.partner(s.getFileContent))

	s.handle("GET", "/api/customers/{customer_id}/events", s.partner(s.customerEvents(false)))
	s.handle("POST", "/api/webhooks/endpoints", s.partner(s.createEndpoint(s.ownPartner)))
	s.handle("GET", "/api/webhooks/endpoints", s.partner(s.listEndpoints(s.ownPartner)))
	s.handle("DELETE", "/api/webhooks/endpoints/{endpoint_id}", s.partner(s.deleteEndpoint(s.ownPartner)))
	s.handle("POST", "/api/webhooks/endpoints/{endpoint_id}/rotate-secret", s.partner(s.rotateEndpointSecret(s.ownPartner)))
	s.handle("GET", "/api/webhooks/deliveries", s.partner(s.listDeliveries(false)))

	s.handle("GET", "/admin/customers", s.operator(s.adminListCustomers))
	s.handle("GET", "/admin/customers/counts", s.operator(s.adminStatusCounts))
	s.handle("GET", "/admin/customers/{customer_id}", s.operator(s.adminGetCustomer))
	s.handle("GET", "/admin/customers/{customer_id}/audit", s.operator(s.adminCustomerAudit))
	s.handle("POST", "/admin/customers/{customer_id}/status", s.operator(s.adminChangeStatus))
	s.handle("POST", "/admin/customers/{customer_id}/erase", s.admin(s.adminEraseCustomer))
	s.handle("POST", "/admin/customers/{customer_id}/clear-review", s.operator(s.adminClearReview))
	s.handle("GET", "/admin/audit", s.operator(s.adminAudit))
	s.handle("GET", "/admin/lists", s.operator(s.adminListSnapshots))
	s.handle("POST", "/admin/screening/search", s.operator(s.adminSearchScreening))
	s.handle("GET", "/admin/partners", s.operator(s.adminListPartners))
	s.handle("POST", "/admin/partners", s.operator(s.adminCreatePartner))
	s.handle("POST", "/admin/partners/{partner_id}/keys", s.operator(s.adminCreateKey))
	s.handle("POST", "/admin/keys/{api_key}/revoke", s.operator(s.adminRevokeKey))
	s.handle("GET", "/admin/partners/{partner_id}/policy", s.operator(s.adminGetPolicy))
	s.handle("PUT", "/admin/partners/{partner_id}/policy", s.admin(s.adminSetPolicy))
	s.handle("GET", "/admin/partners/{partner_id}/rate-limit", s.operator(s.adminGetRateLimit))
	s.handle("PUT", "/admin/partners/{partner_id}/rate-limit", s.operator(s.adminSetRateLimit))
	s.handle("DELETE", "/admin/partners/{partner_id}/rate-limit", s.operator(s.adminRemoveRateLimit))
	s.handle("GET", "/admin/customers/{customer_id}/events", s.operator(s.customerEvents(true)))
	s.handle("POST", "/admin/partners/{partner_id}/webhooks/endpoints", s.operator(s.createEndpoint(s.pathPartner)))
	s.handle("GET", "/admin/partners/{partner_id}/webhooks/endpoints", s.operator(s.listEndpoints(s.pathPartner)))
	s.handle("DELETE", "/admin/partners/{partner_id}/webhooks/endpoints/{endpoint_id}", s.operator(s.deleteEndpoint(s.pathPartner)))
	s.handle("POST", "/admin/partners/{partner_id}/webhooks/endpoints/{endpoint_id}/rotate-secret", s.operator(s.rotateEndpointSecret(s.pathPartner)))
	s.handle("GET", "/admin/partners/{partner_id}/files/{file_id}/content", s.operator(s.adminGetFileContent))
	s.handle("GET", "/admin/files/{file_id}", s.operator(s.adminGetFile))
	s.handle("GET", "/admin/files/{file_id}/content", s.operator(s.adminGetFileByID))
	s.handle("GET", "/admin/webhooks/deliveries", s.operator(s.listDeliveries(true)))
	s.handle("POST", "/admin/events/{event_id}/redeliver", s.operator(s.adminRedeliver))
	s.handle("GET", "/admin/operators", s.admin(s.adminListOperators))
	s.handle("POST", "/admin/operators", s.admin(s.adminCreateOperator))
	s.handle("POST", "/admin/operators/{operator_id}/disable", s.admin(s.adminDisableOperator))
	s.handle("POST", "/admin/operators/{operator_id}/rotate-token", s.operator(s.adminRotateOperatorToken))

	// Updates, information requests and versions (updates.go).
	s.handle("POST", "/api/customers/{customer_id}/update", s.partner(s.updateCustomer))
	s.handle("POST", "/api/customers/{customer_id}/requirements/{requirement_id}/answer", s.partner(s.answerRequirement))
	s.handle("POST", "/admin/customers/{customer_id}/requirements", s.operator(s.adminRequestInformation))
	s.handle("POST", "/admin/customers/{customer_id}/requirements/{requirement_id}/resolve", s.operator(s.adminResolveRequirement))
	s.handle("GET", "/admin/customers/{customer_id}/versions", s.operator(s.adminCustomerVersions))
	s.handle("GET", "/admin/customers/{customer_id}/versions/{version}", s.operator(s.adminCustomerVersion))
}

func (s *Server) handle(method, path string, h handlerFunc) {
	if !strings.Contains(path, "{") {
		s.methods[path] = append(s.methods[path], method)
		if method == http.MethodGet {
			s.methods[path] = append(s.methods[path], http.MethodHead)
		}
	}
	s.mux.HandleFunc(method+" "+path, func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = r.Pattern
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// ServeHTTP serves a request through the middleware and the route table.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.middleware(http.HandlerFunc(s.dispatch)).ServeHTTP(w, r)
}

// dispatch routes a request, answering unknown paths and wrong methods in
// the same JSON error shape as everything else.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	leave, err := s.limits.enter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer leave()
	if methods, ok := s.methods[r.URL.Path]; ok && !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		s.writeError(w, r, errMethodNotAllowed)
		return
	}
	if h, pattern := s.mux.Handler(r); pattern == "" {
		// The mux's own handler knows whether this is a 404 or a 405 and
		// which methods to allow; let it answer to a recorder.
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			s.writeError(w, r, errMethodNotAllowed)
			return
		}
		s.writeError(w, r, errNotFound)
		return
	}
	s.mux.ServeHTTP(w, r)
}

type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(status int)      { h.status = status }

// readJSONBody returns the body of a JSON request, enforcing the media type
// and MaxJSONBodyBytes.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errMediaType
	}
	return readBody(w, r, MaxJSONBodyBytes, errTooLarge)
}

// readBody returns the body of a request, or tooLarge when it has more than
// limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, tooLarge error) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	size := 512
	if r.ContentLength > 0 {
		size = int(r.ContentLength)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var over *http.MaxBytesError
	if errors.As(err, &over) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, kyb.InvalidRequest("invalid_body", "the request body could not be read")
	}
	return buf.Bytes(), nil
}

// writeJSON writes v as the JSON response body. Non-ASCII text is written
// as is, not escaped, so names round-trip byte for byte.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := io.Copy(w, &buf)
	return err
}
