package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// newEndpointJSON renders an endpoint; Secret is set only when just made
// or rotated.
func newEndpointJSON(e kyb.Endpoint) api.Endpoint {
	return api.Endpoint{ID: e.ID, URL: e.URL, CreatedAt: api.Time(e.CreatedAt), Secret: e.Secret}
}

func newDeliveriesJSON(ds []kyb.Delivery) []api.Delivery {
	out := make([]api.Delivery, 0, len(ds))
	for _, d := range ds {
		j := api.Delivery{EventID: d.EventID, EndpointID: d.EndpointID, URL: d.URL, Status: string(d.Status), Attempts: make([]api.Attempt, 0, len(d.Attempts))}
		if !d.NextAttemptAt.IsZero() {
			j.NextAttemptAt = api.Time(d.NextAttemptAt)
		}
		for _, a := range d.Attempts {
			j.Attempts = append(j.Attempts, api.Attempt{At: api.Time(a.At), StatusCode: a.StatusCode, LatencyMS: a.Latency.Milliseconds(), Error: a.Error})
		}
		out = append(out, j)
	}
	return out
}

// webhookScope says whose endpoints a request manages: the authenticated
// partner's on /api, the partner named in the path on /admin.
type webhookScope func(r *http.Request) (partnerID string, err error)

func (s *Server) ownPartner(r *http.Request) (string, error) { return partnerID(r.Context()), nil }

func (s *Server) pathPartner(r *http.Request) (string, error) {
	p, err := s.service.Partner(r.Context(), r.PathValue("partner_id"))
	if err != nil {
		return "", err
	}
	infoFrom(r.Context()).partnerID = p.ID
	return p.ID, nil
}

func (s *Server) createEndpoint(scope webhookScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in api.EndpointRequest
		if err := readJSON(w, r, &in, nil); err != nil {
			return err
		}
		partnerID, err := scope(r)
		if err != nil {
			return err
		}
		e, err := s.service.CreateEndpoint(r.Context(), actorOf(r), partnerID, in.URL)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, newEndpointJSON(e))
	}
}

func (s *Server) listEndpoints(scope webhookScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		partnerID, err := scope(r)
		if err != nil {
			return err
		}
		endpoints, err := s.service.Endpoints(r.Context(), partnerID)
		if err != nil {
			return err
		}
		out := make([]api.Endpoint, 0, len(endpoints))
		for _, e := range endpoints {
			out = append(out, newEndpointJSON(e))
		}
		return writeJSON(w, http.StatusOK, api.Data[api.Endpoint]{Data: out})
	}
}

func (s *Server) deleteEndpoint(scope webhookScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		partnerID, err := scope(r)
		if err != nil {
			return err
		}
		id := r.PathValue("endpoint_id")
		if err := s.service.DeleteEndpoint(r.Context(), actorOf(r), partnerID, id); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, api.Deleted{ID: id, Deleted: true})
	}
}

func (s *Server) rotateEndpointSecret(scope webhookScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		partnerID, err := scope(r)
		if err != nil {
			return err
		}
		e, err := s.service.RotateEndpointSecret(r.Context(), actorOf(r), partnerID, r.PathValue("endpoint_id"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, newEndpointJSON(e))
	}
}

// listDeliveries shows every delivery of an event with its attempts. An
// event of another partner shows none, like an event without endpoints.
func (s *Server) listDeliveries(anyPartner bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		var fields []api.FieldError
		for name, values := range q {
			switch {
			case name != "event_id":
				fields = append(fields, api.FieldError{Field: name, Code: api.CodeUnknownField, Message: "is not a known query parameter"})
			case len(values) > 1:
				fields = append(fields, api.FieldError{Field: name, Code: api.CodeInvalidValue, Message: "must be given once"})
			}
		}
		if q.Get("event_id") == "" {
			fields = append(fields, api.FieldError{Field: "event_id", Code: api.CodeRequired, Message: "is required"})
		} else if !kyb.IsID(q.Get("event_id"), kyb.PrefixEvent) {
			fields = append(fields, api.FieldError{Field: "event_id", Code: api.CodeInvalidFormat, Message: "must be an event id (evt_ and 32 hex digits)"})
		}
		if len(fields) > 0 {
			return kyb.Invalid(fields)
		}
		scope := partnerID(r.Context())
		if anyPartner {
			scope = ""
		}
		deliveries, err := s.service.Deliveries(r.Context(), scope, q.Get("event_id"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, api.Data[api.Delivery]{Data: newDeliveriesJSON(deliveries)})
	}
}

type redeliveredJSON struct {
	EventID    string `json:"event_id"`
	Deliveries int    `json:"deliveries"`
}

func (s *Server) adminRedeliver(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("event_id")
	n, err := s.service.Redeliver(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, redeliveredJSON{EventID: id, Deliveries: n})
}

// customerEvents lists a customer's events, in sequence, exactly as they
// were (or will be) delivered, so a partner can reconcile missed webhooks.
func (s *Server) customerEvents(anyPartner bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("customer_id")
		var events []kyb.Event
		var err error
		if anyPartner {
			events, err = s.service.ViewCustomerEvents(r.Context(), actorOf(r), id)
		} else {
			events, err = s.service.CustomerEvents(r.Context(), partnerID(r.Context()), id)
		}
		if err != nil {
			return err
		}
		infoFrom(r.Context()).customerID = id
		out := make([]json.RawMessage, 0, len(events))
		for _, e := range events {
			out = append(out, e.Body())
		}
		return writeJSON(w, http.StatusOK, api.Data[json.RawMessage]{Data: out})
	}
}
